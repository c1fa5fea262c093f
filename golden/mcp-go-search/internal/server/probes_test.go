package server

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"example.com/search/internal/auth"
	"example.com/search/internal/tools"
)

// register adds a probe for every tool of the scope table, under its name,
// accepting any arguments.
func (p *probes) register(s *mcpserver.MCPServer) {
	for name := range tools.ToolScopes {
		s.AddTool(mcp.NewTool(name), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			subject := ""
			if tok := auth.FromContext(ctx); tok != nil {
				subject = tok.Subject
			}
			text, err := p.run(ctx, name, subject)
			if err != nil {
				return nil, err
			}
			return mcp.NewToolResultText(text), nil
		})
	}
}
