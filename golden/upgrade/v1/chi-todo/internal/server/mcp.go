package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/todo/internal/auth"
	"example.com/todo/internal/config"
	"example.com/todo/internal/tools"
)

// codeForbidden is the JSON-RPC error code for a refused tool call, from the
// range JSON-RPC leaves to implementations (-32000 to -32099).
const codeForbidden = -32003

// newMCPEndpoint returns the MCP endpoint: the official SDK's server with
// every tool and the scope check, behind its streamable HTTP transport.
func newMCPEndpoint(cfg config.Config, policy *auth.Policy, metadataURL string, logger *slog.Logger) http.Handler {
	return newMCPHandler(newMCPServer(cfg.Auth.ResourceName, policy, cfg.FilterToolsList, logger), cfg, metadataURL, logger)
}

// newMCPServer returns the MCP server with every tool registered and the
// authoritative scope check installed. With filterList, tools/list shows
// only the tools the caller may call.
func newMCPServer(name string, policy *auth.Policy, filterList bool, logger *slog.Logger) *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: name, Version: version()}, &mcp.ServerOptions{Logger: sdkLogger(logger)})
	server.AddReceivingMiddleware(requireToolScopes(policy, logger))
	if filterList {
		server.AddReceivingMiddleware(filterToolsList(policy))
	}
	tools.Register(server)
	return server
}

// newMCPHandler returns the MCP endpoint for server: a stateless streamable
// HTTP handler.
//
// It must sit behind auth.Guard.Protect, which verifies the token and puts it
// in the request context. The SDK's RequireBearerToken then copies it into
// the SDK's own context key, from where the SDK hands it to tools as
// req.Extra.TokenInfo. Its verifier only converts: the token was verified
// once already.
func newMCPHandler(server *mcp.Server, cfg config.Config, metadataURL string, logger *slog.Logger) http.Handler {
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{
		// Stateless: no session state to lose or hijack; every request
		// carries its own token and is checked on its own.
		Stateless:           true,
		Logger:              sdkLogger(logger),
		MaxRequestBodyBytes: cfg.Auth.MaxBodyBytes,
		// DisableLocalhostProtection stays false: requests reaching a
		// loopback listener with a non-loopback Host are refused (DNS
		// rebinding).
	})
	bridge := sdkauth.RequireBearerToken(tokenInfo, &sdkauth.RequireBearerTokenOptions{
		ResourceMetadataURL: metadataURL,
		ClockSkew:           cfg.Auth.Leeway,
	})
	return bridge(handler)
}

// tokenInfo is the SDK-side verifier: it returns the token auth.Guard
// verified for this request.
func tokenInfo(ctx context.Context, _ string, _ *http.Request) (*sdkauth.TokenInfo, error) {
	tok := auth.FromContext(ctx)
	if tok == nil {
		return nil, sdkauth.ErrInvalidToken // not behind auth.Guard.Protect
	}
	return &sdkauth.TokenInfo{
		Scopes:     slices.Clone(tok.Scopes),
		Expiration: tok.Expiry,
		UserID:     tok.Subject,
		Extra:      map[string]any{"client_id": tok.ClientID, "iss": tok.Issuer},
	}, nil
}

// requireToolScopes is the authoritative scope check. It runs where the SDK
// dispatches a tools/call, on the request exactly as the SDK parsed it, so it
// holds even if the HTTP-level check in auth.Guard read a body differently or
// were bypassed. A tool missing from the scope table is refused.
func requireToolScopes(policy *auth.Policy, logger *slog.Logger) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				return next(ctx, method, req)
			}
			call, ok := req.(*mcp.CallToolRequest)
			if !ok || call.Params == nil {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "malformed tools/call request"}
			}
			var info *sdkauth.TokenInfo
			if call.Extra != nil {
				info = call.Extra.TokenInfo
			}
			tool := call.Params.Name
			required, listed := policy.Required(tool)
			switch {
			case info == nil:
				return nil, refuse(ctx, logger, tool, nil, "no_verified_token", "tools/call without a verified token")
			case !listed:
				return nil, refuse(ctx, logger, tool, info, "tool_not_in_scope_table", fmt.Sprintf("tool %q is not available", tool))
			}
			if missing := policy.Missing(required, info.Scopes); len(missing) > 0 {
				return nil, refuse(ctx, logger, tool, info, "insufficient_scope",
					fmt.Sprintf("insufficient_scope: the %s tool needs scope %s", tool, strings.Join(missing, " ")))
			}
			return next(ctx, method, req)
		}
	}
}

// filterToolsList drops from tools/list results the tools the caller's token
// may not call. It only hides: requireToolScopes still decides every call.
func filterToolsList(policy *auth.Policy) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			list, ok := res.(*mcp.ListToolsResult)
			if method != "tools/list" || err != nil || !ok {
				return res, err
			}
			var granted []string
			if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
				granted = extra.TokenInfo.Scopes
			}
			list.Tools = slices.DeleteFunc(list.Tools, func(t *mcp.Tool) bool { return !policy.Permits(t.Name, granted) })
			return list, nil
		}
	}
}

// refuse logs a refused tool call and returns the JSON-RPC error for it.
func refuse(ctx context.Context, logger *slog.Logger, tool string, info *sdkauth.TokenInfo, reason, message string) error {
	attrs := []slog.Attr{slog.String("reason", reason), slog.String("tool", tool), slog.String("detail", message)}
	if info != nil {
		clientID, _ := info.Extra["client_id"].(string)
		attrs = append(attrs, slog.String("sub", info.UserID), slog.String("client_id", clientID))
	}
	logger.LogAttrs(ctx, slog.LevelWarn, "tool call denied", attrs...)
	return &jsonrpc.Error{Code: codeForbidden, Message: message}
}

// sdkLogger returns the logger for the SDK, which logs every stateless
// request's session start and end at INFO: those lines appear only with
// LOG_LEVEL=debug, where they are logged as DEBUG.
func sdkLogger(logger *slog.Logger) *slog.Logger {
	return slog.New(demoteInfo{logger.Handler()})
}

// demoteInfo logs INFO records as DEBUG.
type demoteInfo struct{ slog.Handler }

func (h demoteInfo) Enabled(ctx context.Context, level slog.Level) bool {
	return h.Handler.Enabled(ctx, demote(level))
}

func (h demoteInfo) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h demoteInfo) WithAttrs(attrs []slog.Attr) slog.Handler {
	return demoteInfo{h.Handler.WithAttrs(attrs)}
}

func (h demoteInfo) WithGroup(name string) slog.Handler { return demoteInfo{h.Handler.WithGroup(name)} }

func demote(level slog.Level) slog.Level {
	if level == slog.LevelInfo {
		return slog.LevelDebug
	}
	return level
}
