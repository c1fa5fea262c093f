package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"example.com/todo/internal/auth"
	"example.com/todo/internal/config"
	"example.com/todo/internal/tools"
)

// newMCPEndpoint returns the MCP endpoint: an mcp-go server with every tool
// and the scope check, behind its streamable HTTP transport.
func newMCPEndpoint(cfg config.Config, policy *auth.Policy, _ string, logger *slog.Logger) http.Handler {
	return newMCPHandler(newMCPServer(cfg.Auth.ResourceName, policy, cfg.FilterToolsList, logger), logger)
}

// newMCPServer returns the MCP server with every tool registered and the
// authoritative scope check installed. With filterList, tools/list shows
// only the tools the caller may call.
func newMCPServer(name string, policy *auth.Policy, filterList bool, logger *slog.Logger) *mcpserver.MCPServer {
	opts := []mcpserver.ServerOption{
		mcpserver.WithToolCapabilities(false), // the tool list never changes at run time
		// Arguments that do not match a tool's input schema are answered
		// with a tool error; the handler does not run.
		mcpserver.WithInputSchemaValidation(),
		mcpserver.WithToolHandlerMiddleware(requireToolScopes(policy, logger)),
	}
	if filterList {
		opts = append(opts, mcpserver.WithToolFilter(filterTools(policy)))
	}
	server := mcpserver.NewMCPServer(name, version(), opts...)
	tools.Register(server)
	return server
}

// newMCPHandler returns the MCP endpoint for server: mcp-go's streamable
// HTTP transport, stateless, for POST requests only.
//
// It must sit behind auth.Guard.Protect, which verifies the token, puts it
// in the request context and bounds the body.
func newMCPHandler(server *mcpserver.MCPServer, logger *slog.Logger) http.Handler {
	transport := mcpserver.NewStreamableHTTPServer(server,
		// Stateless: no session state to lose or hijack; every request
		// carries its own token and is checked on its own.
		mcpserver.WithStateLess(true),
		mcpserver.WithHTTPContextFunc(fromRequest),
		mcpserver.WithStreamableHTTPLogger(logger),
		// WithDisableLocalhostProtection is not set: requests reaching a
		// loopback listener with a non-loopback Host are refused with 403
		// (DNS rebinding).
	)
	return postOnly(transport)
}

// postOnly answers every method but POST with 405, as a stateless server
// must: there is no session for a GET stream to follow or a DELETE to end.
// (mcp-go would hold a GET open as an event stream and answer DELETE 200.)
func postOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type remoteAddrKey struct{}

// fromRequest gives the MCP handlers what they need of the HTTP request: the
// token auth.Guard verified, and the caller's address for the audit log.
func fromRequest(ctx context.Context, r *http.Request) context.Context {
	if tok := auth.FromContext(r.Context()); tok != nil {
		ctx = auth.NewContext(ctx, tok)
	}
	return context.WithValue(ctx, remoteAddrKey{}, r.RemoteAddr)
}

// requireToolScopes is the authoritative scope check. It runs where mcp-go
// dispatches a tools/call, on the tool name exactly as mcp-go decoded it, so
// it holds even if the HTTP-level check in auth.Guard read a body
// differently or were bypassed. A tool missing from the scope table is
// refused. A refusal is a JSON-RPC error; the tool does not run.
func requireToolScopes(policy *auth.Policy, logger *slog.Logger) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			tok := auth.FromContext(ctx)
			tool := req.Params.Name
			required, listed := policy.Required(tool)
			switch {
			case tok == nil:
				return nil, refuse(ctx, logger, tool, nil, "no_verified_token", "tools/call without a verified token")
			case !listed:
				return nil, refuse(ctx, logger, tool, tok, "tool_not_in_scope_table", fmt.Sprintf("tool %q is not available", tool))
			}
			if missing := policy.Missing(required, tok.Scopes); len(missing) > 0 {
				return nil, refuse(ctx, logger, tool, tok, "insufficient_scope",
					fmt.Sprintf("insufficient_scope: the %s tool needs scope %s", tool, strings.Join(missing, " ")))
			}
			return next(ctx, req)
		}
	}
}

// filterTools drops from tools/list the tools the caller's token may not
// call. mcp-go applies the filter to tools/call too, answering "not found"
// for a hidden tool before requireToolScopes runs: either way it does not
// run.
func filterTools(policy *auth.Policy) mcpserver.ToolFilterFunc {
	return func(ctx context.Context, all []mcp.Tool) []mcp.Tool {
		var granted []string
		if tok := auth.FromContext(ctx); tok != nil {
			granted = tok.Scopes
		}
		permitted := make([]mcp.Tool, 0, len(all))
		for _, t := range all {
			if policy.Permits(t.Name, granted) {
				permitted = append(permitted, t)
			}
		}
		return permitted
	}
}

// refuse logs a refused tool call and returns the error mcp-go answers it
// with (JSON-RPC code -32603, message as given).
func refuse(ctx context.Context, logger *slog.Logger, tool string, tok *auth.Token, reason, message string) error {
	attrs := []slog.Attr{slog.String("reason", reason), slog.String("tool", tool), slog.String("detail", message)}
	if tok != nil {
		attrs = append(attrs, slog.String("sub", tok.Subject), slog.String("client_id", tok.ClientID))
	}
	if addr, ok := ctx.Value(remoteAddrKey{}).(string); ok {
		attrs = append(attrs, slog.String("remote_addr", addr))
	}
	logger.LogAttrs(ctx, slog.LevelWarn, "tool call denied", attrs...)
	return errors.New(message)
}
