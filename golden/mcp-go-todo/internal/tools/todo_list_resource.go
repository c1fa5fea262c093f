package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
)

// readTodoList reads the resource todo_list (todo://list): Every todo of
// the caller, as JSON.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; auth.FromContext(ctx) says who is
// calling (Subject is the token's "sub").
func readTodoList(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	// TODO: replace this stub with the real content of todo_list.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     "todo_list read by " + caller,
	}}, nil
}
