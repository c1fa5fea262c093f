// Package extend is yours: the routes and middleware this server has
// besides the MCP endpoint. create-mcp-auth wrote this file once and never
// changes it; the server (internal/server) calls Routes and Middleware.
package extend

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"example.com/todo/internal/auth"
)

// Routes adds your own routes to r, next to the MCP endpoint, its protected
// resource metadata, /healthz and /readyz. Routes that need an access token
// go in a group behind guard.RequireToken, with the scopes they need:
//
//	r.Group(func(r chi.Router) {
//		r.Use(guard.RequireToken("todo:read"))
//		r.Get("/api/todos", listTodos)
//	})
//
// auth.FromContext(r.Context()) then says who is calling.
func Routes(r chi.Router, guard *auth.Guard) {
}

// Middleware wraps every request the server handles, yours and the MCP
// endpoint's, before anything else sees it: request IDs, metrics, tracing.
func Middleware(next http.Handler) http.Handler {
	return next
}
