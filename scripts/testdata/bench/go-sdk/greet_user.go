package tools

// greet_user for the load benchmark (scripts/bench.sh), put over the
// generated stub: a small real tool. Note lets the benchmark send large
// requests; the tool only measures it.

import (
	"context"
	"errors"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// GreetUserInput is the input of greet_user.
type GreetUserInput struct {
	Language string `json:"language" jsonschema:"en, fr or de"`
	Note     string `json:"note,omitempty" jsonschema:"anything; only its length is used"`
}

// GreetUserOutput is what greet_user returns as structured content.
type GreetUserOutput struct {
	Greeting  string `json:"greeting"`
	NoteBytes int    `json:"noteBytes"`
}

var greetings = map[string]string{"en": "Hello", "fr": "Bonjour", "de": "Hallo"}

func handleGreetUser(ctx context.Context, req *mcp.CallToolRequest, in GreetUserInput) (*mcp.CallToolResult, GreetUserOutput, error) {
	word, ok := greetings[strings.ToLower(in.Language)]
	if !ok {
		return nil, GreetUserOutput{}, errors.New("unknown language; use en, fr or de")
	}
	return nil, GreetUserOutput{Greeting: word + ", and welcome back.", NoteBytes: len(in.Note)}, nil
}
