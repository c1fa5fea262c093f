// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; auth.FromContext(ctx)
// says who is calling (Subject is the token's "sub").
package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"example.com/search/internal/auth"
)

// Register adds every tool to s. A tool added here needs an entry in
// ToolScopes too, or calls to it are refused.
func Register(s *server.MCPServer) {
	s.AddTool(mcp.NewTool("web_search",
		mcp.WithDescription("Search the web and return the top results."),
		mcp.WithInputSchema[WebSearchInput](),
	), mcp.NewTypedToolHandler(handleWebSearch))
}

// WebSearchInput is the input of web_search.
//
// TODO: add the fields web_search takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type WebSearchInput struct{}

// handleWebSearch runs web_search.
func handleWebSearch(ctx context.Context, req mcp.CallToolRequest, in WebSearchInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of web_search.
	return mcp.NewToolResultText(fmt.Sprintf("web_search called by %s", subject(ctx))), nil
}

// subject returns the "sub" of the caller's token.
func subject(ctx context.Context) string {
	if tok := auth.FromContext(ctx); tok != nil {
		return tok.Subject
	}
	return "an unauthenticated caller"
}
