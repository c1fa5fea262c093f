package tools

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// readTodoItem reads the resource todo_item (todo://items/{id}): One todo
// by ID.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; req.Extra.TokenInfo says who is
// calling (UserID is the token's "sub").
//
// req.Params.URI is the URI asked for, one of those the template covers.
func readTodoItem(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	// TODO: replace this stub with the real content of todo_item.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     "todo_item read by " + caller,
	}}}, nil
}
