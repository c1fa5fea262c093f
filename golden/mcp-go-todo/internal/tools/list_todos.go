package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
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
// .create-mcp-auth.yaml lists for list_todos; auth.FromContext(ctx) says who
// is calling (Subject is the token's "sub").
func handleListTodos(ctx context.Context, req mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of list_todos.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewToolResultText(fmt.Sprintf("list_todos called by %s", caller)), nil
}
