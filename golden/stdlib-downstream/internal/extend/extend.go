// Package extend is yours: the routes and middleware this server has
// besides the MCP endpoint. create-mcp-auth wrote this file once and never
// changes it; the server (internal/server) calls Routes and Middleware.
package extend

import (
	"net/http"

	"example.com/downstream/internal/auth"
)

// Routes adds your own routes to mux, next to the MCP endpoint, its
// protected resource metadata, /healthz and /readyz. Routes that need an
// access token go behind guard.RequireToken, with the scopes they need:
//
//	mux.Handle("GET /api/todos", guard.RequireToken("todo:read")(http.HandlerFunc(listTodos)))
//
// auth.FromContext(r.Context()) then says who is calling.
func Routes(mux *http.ServeMux, guard *auth.Guard) {
}

// Middleware wraps every request the server handles, yours and the MCP
// endpoint's, before anything else sees it: request IDs, metrics, tracing.
func Middleware(next http.Handler) http.Handler {
	return next
}
