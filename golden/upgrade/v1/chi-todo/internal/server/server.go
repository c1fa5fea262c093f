// Package server assembles the HTTP server: the OAuth resource-server layer
// from package auth in front of an MCP endpoint built with the official MCP
// Go SDK, on a chi router.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"example.com/todo/internal/auth"
	"example.com/todo/internal/config"
	"example.com/todo/internal/tools"
)

// New returns the server's handler:
//
//	/.well-known/oauth-protected-resource[/<path>]  protected resource metadata (public)
//	/healthz                                         liveness (public)
//	/readyz                                          readiness: can the issuer's keys be had? (public)
//	<path of MCP_SERVER_URL>                         the MCP endpoint (bearer token required)
//
// Add your own routes to the router here; put those that need a token in
// the group that uses guard.Protect.
//
// It does not contact the authorization server; ctx bounds background work
// such as the periodic refresh of the issuer's keys.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (http.Handler, error) {
	policy, err := auth.NewPolicy(tools.Scopes, tools.ToolScopes)
	if err != nil {
		return nil, fmt.Errorf("the scope tables in internal/tools/scopes.go disagree:\n%w", err)
	}
	guard, err := auth.NewGuard(ctx, cfg.Auth, policy, logger)
	if err != nil {
		return nil, err
	}
	endpoint, err := url.Parse(cfg.Auth.ResourceURL)
	if err != nil {
		return nil, err
	}

	r := chi.NewRouter()
	r.Use(middleware.Heartbeat("/healthz"))
	for _, p := range guard.MetadataPaths() {
		r.Handle(p, guard.MetadataHandler())
	}
	r.Method(http.MethodGet, "/readyz", guard.ReadyHandler())

	r.Group(func(r chi.Router) {
		r.Use(guard.Protect)
		r.Handle(routePath(endpoint.Path), newMCPEndpoint(cfg, policy, guard.MetadataURL(), logger))
	})
	return r, nil
}

// routePath is the chi route of the MCP endpoint. chi matches it exactly,
// trailing slash included; config.Load allows no characters chi would read
// as a pattern.
func routePath(path string) string {
	if path == "" {
		return "/"
	}
	return path
}
