package tools

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestRegisteredToolsMatchScopeTable keeps Register and ToolScopes in step:
// a registered tool missing from the table could never be called.
func TestRegisteredToolsMatchScopeTable(t *testing.T) {
	ctx := t.Context()
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "test"}, nil)
	Register(server)
	serverTransport, clientTransport := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, serverTransport, nil); err != nil {
		t.Fatal(err)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "test"}, nil)
	session, err := client.Connect(ctx, clientTransport, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()

	registered := map[string]bool{}
	for tool, err := range session.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		registered[tool.Name] = true
		if _, ok := ToolScopes[tool.Name]; !ok {
			t.Errorf("tool %q is registered but has no entry in ToolScopes, so every call to it is refused", tool.Name)
		}
	}
	for name := range ToolScopes {
		if !registered[name] {
			t.Errorf("ToolScopes lists %q, which Register does not add", name)
		}
	}
}
