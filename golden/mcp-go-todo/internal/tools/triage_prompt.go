package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
)

// promptTriage returns the prompt triage: Decide which todos to delete or
// merge.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; auth.FromContext(ctx) says who is
// calling (Subject is the token's "sub"), req.Params.Arguments what they
// passed.
func promptTriage(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	// TODO: replace this stub with the real prompt triage.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewGetPromptResult("Decide which todos to delete or merge.", []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("triage asked for by "+caller)),
	}), nil
}
