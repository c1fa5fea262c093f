package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/todo/internal/auth"
	"example.com/todo/internal/authtest"
	"example.com/todo/internal/config"
)

// TestScopeCheckHoldsWithoutGuard calls the MCP handler directly, as if the
// HTTP-level check in auth.Guard had been bypassed or had read the body
// differently: the check where the SDK dispatches must still refuse.
func TestScopeCheckHoldsWithoutGuard(t *testing.T) {
	scopes := []auth.Scope{
		{Name: "probe:run"},
	}
	policy, err := auth.NewPolicy(scopes, auth.ToolScopes{"probe": {"probe:run"}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	server := newMCPServer("test", policy, false, logger)
	var runs atomic.Int32
	probe := func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		runs.Add(1)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "probe ran"}}}, nil, nil
	}
	mcp.AddTool(server, &mcp.Tool{Name: "probe"}, probe)
	mcp.AddTool(server, &mcp.Tool{Name: "unlisted"}, probe) // registered, but not in the table
	handler := newMCPHandler(server, config.Config{Auth: auth.Settings{MaxBodyBytes: 1 << 20}}, "", logger)

	call := func(tool string, scopes ...string) string {
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{}}}`
		req := httptest.NewRequest("POST", "/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer unchecked")
		tok := &auth.Token{Subject: authtest.Subject, Scopes: scopes, Expiry: time.Now().Add(time.Minute)}
		req = req.WithContext(auth.NewContext(req.Context(), tok))
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		return w.Body.String()
	}

	if out := call("probe", "other:scope"); !strings.Contains(out, "insufficient_scope") || runs.Load() != 0 {
		t.Fatalf("under-scoped call: ran %d times; response %s", runs.Load(), out)
	}
	if out := call("unlisted", "probe:run"); !strings.Contains(out, "not available") || runs.Load() != 0 {
		t.Fatalf("tool missing from the scope table: ran %d times; response %s", runs.Load(), out)
	}
	if out := call("probe", "probe:run"); !strings.Contains(out, "probe ran") || runs.Load() != 1 {
		t.Fatalf("allowed call: ran %d times; response %s", runs.Load(), out)
	}
}

// TestDNSRebindingProtection checks that the SDK's localhost protection is
// on: a request reaching a loopback listener under a foreign Host name is
// refused even with a valid token.
func TestDNSRebindingProtection(t *testing.T) {
	iss := authtest.NewIssuer(t)
	ts := httptest.NewUnstartedServer(nil)
	resource := "http://" + ts.Listener.Addr().String() + "/mcp"
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"MCP_SERVER_URL": resource, "AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": iss.URL, "OAUTH_JWKS_URL": iss.JWKSURL}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	handler, err := New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = handler
	ts.Start()
	defer ts.Close()

	req, _ := http.NewRequest("POST", resource, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Host = "attacker.example.com"
	req.Header.Set("Authorization", "Bearer "+iss.Mint(t, iss.Claims(resource)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host on loopback: %d, want 403", resp.StatusCode)
	}
}
