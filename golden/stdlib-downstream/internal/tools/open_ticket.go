package tools

// This file is the user's: a tool that calls a tool of another MCP server,
// tickets, with the token create-mcp-auth's client gets for it. The golden
// probes run a second instance of this server as tickets: its whoami
// answers who called, which must be this server's client, never the user.

import (
	"context"
	"errors"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/downstream/internal/downstream"
)

// OpenTicketInput is the input of open_ticket.
type OpenTicketInput struct {
	Title string `json:"title" jsonschema:"what the ticket is about"`
}

func handleOpenTicket(ctx context.Context, req *mcp.CallToolRequest, in OpenTicketInput) (*mcp.CallToolResult, any, error) {
	if in.Title == "" {
		return nil, nil, errors.New("title is required")
	}
	res, err := downstream.Get().Tickets.CallTool(ctx, "whoami", map[string]any{})
	if err != nil {
		return nil, nil, err
	}
	var text []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			text = append(text, t.Text)
		}
	}
	return &mcp.CallToolResult{IsError: res.IsError, Content: []mcp.Content{&mcp.TextContent{Text: "tickets: " + strings.Join(text, " ")}}}, nil, nil
}
