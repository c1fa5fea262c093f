package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ListTodosInput is the input of list_todos.
//
// TODO: add the fields list_todos takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type ListTodosInput struct{}

// handleListTodos runs list_todos: Retrieve all todos, optionally filtered
// by completion status.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for list_todos; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleListTodos(ctx context.Context, req *mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of list_todos.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("list_todos called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
