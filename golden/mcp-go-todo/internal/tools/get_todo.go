package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
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
// .create-mcp-auth.yaml lists for get_todo; auth.FromContext(ctx) says who
// is calling (Subject is the token's "sub").
func handleGetTodo(ctx context.Context, req mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of get_todo.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewToolResultText(fmt.Sprintf("get_todo called by %s", caller)), nil
}
