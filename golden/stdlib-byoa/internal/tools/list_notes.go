package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ListNotesInput is the input of list_notes.
//
// TODO: add the fields list_notes takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type ListNotesInput struct{}

// handleListNotes runs list_notes: Lists the caller's notes.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for list_notes; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleListNotes(ctx context.Context, req *mcp.CallToolRequest, in ListNotesInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of list_notes.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("list_notes called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
