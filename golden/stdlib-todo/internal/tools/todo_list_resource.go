package tools

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// readTodoList reads the resource todo_list (todo://list): Every todo of
// the caller, as JSON.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; req.Extra.TokenInfo says who is
// calling (UserID is the token's "sub").
func readTodoList(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	// TODO: replace this stub with the real content of todo_list.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     "todo_list read by " + caller,
	}}}, nil
}
