// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; req.Extra.TokenInfo
// says who is calling (UserID is the token's "sub").
package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Register adds every tool to s. A tool added here needs an entry in
// ToolScopes too, or calls to it are refused.
func Register(s *mcp.Server) {
	mcp.AddTool(s, &mcp.Tool{Name: "greet_user", Description: "Greets the user with a personalized message."}, handleGreetUser)
}

// GreetUserInput is the input of greet_user.
//
// TODO: add the fields greet_user takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type GreetUserInput struct{}

// handleGreetUser runs greet_user.
func handleGreetUser(ctx context.Context, req *mcp.CallToolRequest, in GreetUserInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of greet_user.
	return text(fmt.Sprintf("greet_user called by %s", subject(req))), nil, nil
}

// subject returns the "sub" of the caller's token.
func subject(req *mcp.CallToolRequest) string {
	if req.Extra == nil || req.Extra.TokenInfo == nil {
		return "an unauthenticated caller"
	}
	return req.Extra.TokenInfo.UserID
}

// text is a tool result holding one block of text.
func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}
