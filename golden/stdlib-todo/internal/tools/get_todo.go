package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// GetTodoInput is the input of get_todo.
//
// TODO: add the fields get_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type GetTodoInput struct{}

// handleGetTodo runs get_todo: Retrieve a specific todo by ID.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for get_todo; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleGetTodo(ctx context.Context, req *mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of get_todo.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("get_todo called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
