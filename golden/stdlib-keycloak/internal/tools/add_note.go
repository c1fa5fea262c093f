package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// AddNoteInput is the input of add_note.
//
// TODO: add the fields add_note takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type AddNoteInput struct{}

// handleAddNote runs add_note: TODO: describe what add_note does.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for add_note; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleAddNote(ctx context.Context, req *mcp.CallToolRequest, in AddNoteInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of add_note.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("add_note called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
