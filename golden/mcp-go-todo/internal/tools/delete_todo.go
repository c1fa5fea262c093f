package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
)

// DeleteTodoInput is the input of delete_todo.
//
// TODO: add the fields delete_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type DeleteTodoInput struct{}

// handleDeleteTodo runs delete_todo: Remove a todo item from the system.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for delete_todo; auth.FromContext(ctx) says who
// is calling (Subject is the token's "sub").
func handleDeleteTodo(ctx context.Context, req mcp.CallToolRequest, in DeleteTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of delete_todo.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewToolResultText(fmt.Sprintf("delete_todo called by %s", caller)), nil
}
