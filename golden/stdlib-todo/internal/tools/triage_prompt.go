package tools

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// promptTriage returns the prompt triage: Decide which todos to delete or
// merge.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; req.Extra.TokenInfo says who is
// calling (UserID is the token's "sub"), req.Params.Arguments what they
// passed.
func promptTriage(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	// TODO: replace this stub with the real prompt triage.
	caller := "an unknown caller"
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		caller = req.Extra.TokenInfo.UserID
	}
	return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{
		Role:    "user",
		Content: &mcp.TextContent{Text: "triage asked for by " + caller},
	}}}, nil
}
