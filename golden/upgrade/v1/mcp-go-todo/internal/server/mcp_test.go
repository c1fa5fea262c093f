package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"example.com/todo/internal/auth"
	"example.com/todo/internal/authtest"
	"example.com/todo/internal/config"
	"example.com/todo/internal/tools"
)

// probeServer is an MCP endpoint, without auth.Guard in front, offering
// "reader" (scope probe:read), "writer" (probe:write) and "unlisted" (not in
// the scope table), and counting the runs of each.
type probeServer struct {
	handler http.Handler
	runs    map[string]*atomic.Int32
}

func newProbeServer(t *testing.T, filterList bool) *probeServer {
	t.Helper()
	scopes := []auth.Scope{
		{Name: "probe:read"},
		{Name: "probe:write"},
	}
	policy, err := auth.NewPolicy(scopes, auth.ToolScopes{"reader": {"probe:read"}, "writer": {"probe:write"}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	server := newMCPServer("test", policy, filterList, logger)
	p := &probeServer{runs: map[string]*atomic.Int32{}}
	for _, name := range []string{"reader", "writer", "unlisted"} {
		runs := new(atomic.Int32)
		p.runs[name] = runs
		server.AddTool(mcp.NewTool(name), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			runs.Add(1)
			return mcp.NewToolResultText(name + " ran"), nil
		})
	}
	p.handler = newMCPHandler(server, logger)
	return p
}

// call sends body to the MCP handler directly, as if auth.Guard had verified
// a token holding scopes.
func (p *probeServer) call(body string, scopes ...string) string {
	req := httptest.NewRequest("POST", "/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	tok := &auth.Token{Subject: authtest.Subject, Scopes: scopes, Expiry: time.Now().Add(time.Minute)}
	req = req.WithContext(auth.NewContext(req.Context(), tok))
	w := httptest.NewRecorder()
	p.handler.ServeHTTP(w, req)
	return w.Body.String()
}

func callBody(tool string) string {
	return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{}}}`
}

// TestScopeCheckHoldsWithoutGuard calls the MCP handler directly, as if the
// HTTP-level check in auth.Guard had been bypassed or had read the body
// differently: the check where mcp-go dispatches must still refuse.
func TestScopeCheckHoldsWithoutGuard(t *testing.T) {
	for _, filterList := range []bool{false, true} {
		t.Run(fmt.Sprintf("filterList=%v", filterList), func(t *testing.T) {
			p := newProbeServer(t, filterList)
			// With filterList, mcp-go answers a hidden tool "not found"
			// before the scope check runs.
			refusal, unavailable := "insufficient_scope", "not available"
			if filterList {
				refusal, unavailable = "not found", "not found"
			}
			if out := p.call(callBody("writer"), "probe:read"); !strings.Contains(out, refusal) || p.runs["writer"].Load() != 0 {
				t.Fatalf("under-scoped call: ran %d times; response %s", p.runs["writer"].Load(), out)
			}
			if out := p.call(callBody("unlisted"), "probe:read", "probe:write"); !strings.Contains(out, unavailable) || p.runs["unlisted"].Load() != 0 {
				t.Fatalf("tool missing from the scope table: ran %d times; response %s", p.runs["unlisted"].Load(), out)
			}
			if out := p.call(callBody("writer"), "probe:write"); !strings.Contains(out, "writer ran") || p.runs["writer"].Load() != 1 {
				t.Fatalf("allowed call: ran %d times; response %s", p.runs["writer"].Load(), out)
			}
		})
	}
}

// ambiguousCalls are tools/call bodies naming a decoy tool (the first %q) in
// one spelling of a key and a target (the second) in another. mcp-go decodes
// JSON with encoding/json, which matches keys case-insensitively (with
// Unicode folding: "ſ", U+017F, folds to "s") and lets the last duplicate
// win: it reads each of these as a call of the target.
var ambiguousCalls = []string{
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"NAME":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"name":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"n\u0061me":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q},"Params":{"name":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q},"paramſ":{"name":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","paramſ":{"name":%q},"params":{"name":%q}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/list","METHOD":"tools/call","params":{"name":%q,"Name":%q}}`,
}

// TestAmbiguousCallsWithoutGuard: the scope check judges the tool mcp-go is
// about to run, not the one a differently-parsing reader would have seen.
func TestAmbiguousCallsWithoutGuard(t *testing.T) {
	p := newProbeServer(t, false)
	for _, format := range ambiguousCalls {
		body := fmt.Sprintf(format, "reader", "writer")
		out := p.call(body, "probe:read")
		if n := p.runs["writer"].Load(); n != 0 {
			t.Fatalf("%s: writer ran under a probe:read token; response %s", body, out)
		}
		if !strings.Contains(out, "insufficient_scope: the writer tool") {
			t.Errorf("%s: want writer refused for insufficient_scope; response %s", body, out)
		}
	}
}

// TestAmbiguousCallsThroughServer: through the whole server, auth.Guard
// refuses those bodies with 400 before mcp-go sees them.
func TestAmbiguousCallsThroughServer(t *testing.T) {
	var target string
	for name, required := range tools.ToolScopes {
		if len(required) > 0 {
			target = name
			break
		}
	}
	if target == "" {
		t.Skip("no tool needs a scope")
	}
	iss, resource := startServer(t)
	token := iss.Mint(t, iss.Claims(resource, "unrelated:scope"))
	for _, format := range ambiguousCalls {
		body := fmt.Sprintf(format, "no_such_tool", target)
		resp := post(t, resource, "", token, body)
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(out), "called by") {
			t.Errorf("%s: %d %s", body, resp.StatusCode, out)
		}
	}
}

// TestOnlyPOST: the endpoint is stateless, so GET (a server-to-client
// stream) and DELETE (end of a session) are refused, and GET does not hang.
func TestOnlyPOST(t *testing.T) {
	iss, resource := startServer(t)
	token := iss.Mint(t, iss.Claims(resource))
	for _, method := range []string{"GET", "DELETE", "HEAD", "PUT"} {
		req, _ := http.NewRequestWithContext(t.Context(), method, resource, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/event-stream")
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: %d, Allow %q; want 405, Allow POST", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// TestDNSRebindingProtection checks that mcp-go's localhost protection is
// on: a request reaching a loopback listener under a foreign Host name is
// refused even with a valid token.
func TestDNSRebindingProtection(t *testing.T) {
	iss, resource := startServer(t)
	token := iss.Mint(t, iss.Claims(resource))
	list := `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	for host, want := range map[string]int{
		"attacker.example.com": http.StatusForbidden,
		"":                     http.StatusOK, // the listener's own address
		"localhost":            http.StatusOK,
	} {
		resp := post(t, resource, host, token, list)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q on loopback: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// startServer runs the whole server on a loopback listener, with the MCP
// endpoint at this project's path, and returns its issuer and resource URL.
func startServer(t *testing.T) (*authtest.Issuer, string) {
	t.Helper()
	iss := authtest.NewIssuer(t)
	ts := httptest.NewUnstartedServer(nil)
	u, err := url.Parse(config.DefaultServerURL)
	if err != nil {
		t.Fatal(err)
	}
	resource := "http://" + ts.Listener.Addr().String() + u.Path
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
	t.Cleanup(ts.Close)
	return iss, resource
}

// post sends body to u with a bearer token, under Host host if not empty.
func post(t *testing.T, u, host, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", u, strings.NewReader(body))
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
