// Package server assembles the HTTP server: the OAuth resource-server layer
// from package auth in front of an MCP endpoint built with mcp-go
// (github.com/mark3labs/mcp-go) and its streamable HTTP transport, on
// net/http's ServeMux.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

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

	mux := http.NewServeMux()
	for _, p := range guard.MetadataPaths() {
		mux.Handle(exactPattern(p), guard.MetadataHandler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.Handle("GET /readyz", guard.ReadyHandler())
	mux.Handle(exactPattern(endpoint.Path), guard.Protect(newMCPEndpoint(cfg, policy, guard.MetadataURL(), logger)))
	return mux, nil
}

// exactPattern returns a ServeMux pattern matching path only, not the
// subtree below it.
func exactPattern(path string) string {
	if path == "" {
		path = "/"
	}
	if strings.HasSuffix(path, "/") {
		return path + "{$}"
	}
	return path
}
