package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UpdateTodoInput is the input of update_todo.
//
// TODO: add the fields update_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type UpdateTodoInput struct{}

// handleUpdateTodo runs update_todo: Update todo properties or mark as
// complete/incomplete.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for update_todo; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleUpdateTodo(ctx context.Context, req *mcp.CallToolRequest, in UpdateTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of update_todo.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("update_todo called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
