package tools

// greet_user for the load benchmark (scripts/bench.sh), put over the
// generated stub: the same small tool as the go-sdk one. Note lets the
// benchmark send large requests; the tool only measures it.

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// GreetUserInput is the input of greet_user.
type GreetUserInput struct {
	Language string `json:"language" jsonschema:"en, fr or de"`
	Note     string `json:"note,omitempty" jsonschema:"anything; only its length is used"`
}

var greetings = map[string]string{"en": "Hello", "fr": "Bonjour", "de": "Hallo"}

func handleGreetUser(ctx context.Context, req mcp.CallToolRequest, in GreetUserInput) (*mcp.CallToolResult, error) {
	word, ok := greetings[strings.ToLower(in.Language)]
	if !ok {
		return mcp.NewToolResultError("unknown language; use en, fr or de"), nil
	}
	return mcp.NewToolResultText(fmt.Sprintf("%s, and welcome back. (note: %d bytes)", word, len(in.Note))), nil
}
