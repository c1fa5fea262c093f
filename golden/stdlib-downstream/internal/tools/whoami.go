package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// WhoamiInput is the input of whoami.
//
// TODO: add the fields whoami takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type WhoamiInput struct{}

// handleWhoami runs whoami: Who is calling, as this server sees it.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for whoami; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
//
// downstream.Get() (package example.com/downstream/internal/downstream) has ready
// clients of the services tools call, with this server's own credentials:
// Weather, Tickets. README: Calling other services.
func handleWhoami(ctx context.Context, req *mcp.CallToolRequest, in WhoamiInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of whoami.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("whoami called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
