package tools

// This file is the user's: what a team writes in place of the generated
// stub. The golden test puts it over the rendered stub to prove that the
// project's own contract tests do not depend on what a tool does.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// WebSearchInput is the input of web_search.
type WebSearchInput struct {
	Query string `json:"query" jsonschema:"what to look for"`
	Limit int    `json:"limit,omitempty" jsonschema:"how many results, at most 10"`
}

// index is a tiny offline corpus standing in for a search backend.
var index = map[string]string{
	"https://modelcontextprotocol.io":           "Model Context Protocol: tools, resources and prompts for AI applications",
	"https://datatracker.ietf.org/doc/rfc9728/": "OAuth 2.0 Protected Resource Metadata",
	"https://datatracker.ietf.org/doc/rfc6750/": "The OAuth 2.0 Authorization Framework: Bearer Token Usage",
	"https://go.dev":                            "The Go programming language",
}

func handleWebSearch(ctx context.Context, req mcp.CallToolRequest, in WebSearchInput) (*mcp.CallToolResult, error) {
	words := strings.Fields(strings.ToLower(in.Query))
	if len(words) == 0 {
		return mcp.NewToolResultError("query is empty"), nil
	}
	limit := in.Limit
	if limit <= 0 || limit > 10 {
		limit = 10
	}
	var hits []string
	for url, title := range index {
		for _, w := range words {
			if strings.Contains(strings.ToLower(title), w) {
				hits = append(hits, fmt.Sprintf("%s — %s", title, url))
				break
			}
		}
	}
	sort.Strings(hits)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if len(hits) == 0 {
		return mcp.NewToolResultText("no results"), nil
	}
	return mcp.NewToolResultText(strings.Join(hits, "\n")), nil
}
