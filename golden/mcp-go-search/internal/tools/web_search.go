package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/search/internal/auth"
)

// WebSearchInput is the input of web_search.
//
// TODO: add the fields web_search takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type WebSearchInput struct{}

// handleWebSearch runs web_search: Search the web and return the top
// results.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for web_search; auth.FromContext(ctx) says who
// is calling (Subject is the token's "sub").
func handleWebSearch(ctx context.Context, req mcp.CallToolRequest, in WebSearchInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of web_search.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewToolResultText(fmt.Sprintf("web_search called by %s", caller)), nil
}
