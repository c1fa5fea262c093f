package tools

// This file is the user's: what a team writes in place of the generated
// stub. The golden test puts it over the rendered stub to prove that the
// project's own contract tests do not depend on what a tool does.

import (
	"context"
	"errors"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// GreetUserInput is the input of greet_user.
type GreetUserInput struct {
	Language string `json:"language" jsonschema:"en, fr or de"`
}

// GreetUserOutput is what greet_user returns as structured content.
type GreetUserOutput struct {
	Greeting string `json:"greeting"`
}

var greetings = map[string]string{"en": "Hello", "fr": "Bonjour", "de": "Hallo"}

func handleGreetUser(ctx context.Context, req *mcp.CallToolRequest, in GreetUserInput) (*mcp.CallToolResult, GreetUserOutput, error) {
	word, ok := greetings[strings.ToLower(in.Language)]
	if !ok {
		return nil, GreetUserOutput{}, errors.New("unknown language; use en, fr or de")
	}
	return nil, GreetUserOutput{Greeting: word + ", and welcome back."}, nil
}
