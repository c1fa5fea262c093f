package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
)

// readTodoItem reads the resource todo_item (todo://items/{id}): One todo
// by ID.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; auth.FromContext(ctx) says who is
// calling (Subject is the token's "sub").
//
// req.Params.URI is the URI asked for, one of those the template covers;
// req.Params.Arguments holds the template's variables.
func readTodoItem(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	// TODO: replace this stub with the real content of todo_item.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     "todo_item read by " + caller,
	}}, nil
}
