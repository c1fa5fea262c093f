package tools

import (
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// TestRegisteredToolsMatchScopeTable keeps Register and ToolScopes in step:
// a registered tool missing from the table could never be called.
func TestRegisteredToolsMatchScopeTable(t *testing.T) {
	s := server.NewMCPServer("test", "test")
	Register(s)
	registered := s.ListTools()
	for name, tool := range registered {
		if _, ok := ToolScopes[name]; !ok {
			t.Errorf("tool %q is registered but has no entry in ToolScopes, so every call to it is refused", name)
		}
		if len(tool.Tool.RawInputSchema) == 0 {
			t.Errorf("tool %q has no input schema", name)
		}
	}
	for name := range ToolScopes {
		if registered[name] == nil {
			t.Errorf("ToolScopes lists %q, which Register does not add", name)
		}
	}
}
