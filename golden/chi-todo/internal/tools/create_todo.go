package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateTodoInput is the input of create_todo.
//
// TODO: add the fields create_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type CreateTodoInput struct{}

// handleCreateTodo runs create_todo: Create a new todo item.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for create_todo; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleCreateTodo(ctx context.Context, req *mcp.CallToolRequest, in CreateTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of create_todo.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("create_todo called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
