package server

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/todo/internal/tools"
)

// register adds a probe for every tool of the scope table, under its name,
// accepting any arguments.
func (p *probes) register(s *mcp.Server) {
	for name := range tools.ToolScopes {
		mcp.AddTool(s, &mcp.Tool{Name: name}, func(ctx context.Context, req *mcp.CallToolRequest, _ map[string]any) (*mcp.CallToolResult, any, error) {
			subject := ""
			if req.Extra != nil && req.Extra.TokenInfo != nil {
				subject = req.Extra.TokenInfo.UserID
			}
			text, err := p.run(ctx, name, subject)
			if err != nil {
				return nil, nil, err
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
		})
	}
}
