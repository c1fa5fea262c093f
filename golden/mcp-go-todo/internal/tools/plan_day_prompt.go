package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
)

// promptPlanDay returns the prompt plan_day: Turn the open todos into a
// plan for the day.
//
// It runs only for a caller whose token holds the scopes
// .create-mcp-auth.yaml lists for it; auth.FromContext(ctx) says who is
// calling (Subject is the token's "sub"), req.Params.Arguments what they
// passed.
func promptPlanDay(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	// TODO: replace this stub with the real prompt plan_day.
	caller := "an unknown caller"
	if tok := auth.FromContext(ctx); tok != nil {
		caller = tok.Subject
	}
	return mcp.NewGetPromptResult("Turn the open todos into a plan for the day.", []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("plan_day asked for by "+caller)),
	}), nil
}
