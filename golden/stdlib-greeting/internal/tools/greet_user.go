package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// GreetUserInput is the input of greet_user.
//
// TODO: add the fields greet_user takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type GreetUserInput struct{}

// handleGreetUser runs greet_user: Greets the user with a personalized
// message.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for greet_user; req.Extra.TokenInfo says who
// is calling (UserID is the token's "sub").
func handleGreetUser(ctx context.Context, req *mcp.CallToolRequest, in GreetUserInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of greet_user.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	text := fmt.Sprintf("greet_user called by %s", caller)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
}
