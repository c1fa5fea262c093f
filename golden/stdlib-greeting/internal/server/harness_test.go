package server

// The contract tests drive the whole server over real HTTP, the way an MCP
// client would, with tokens signed by an in-test authorization server.
//
// The tools they call are probes, registered through the same wiring under
// the names of the scope table in internal/tools, so that the tests prove
// which calls reach a tool, and for whom, by watching the probes: never by
// what a tool replies. They keep proving the contract whatever the real
// tools do.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/greeting/internal/authtest"
	"example.com/greeting/internal/config"
	"example.com/greeting/internal/tools"
)

// probes stand in for the tools: one per tool of the scope table, under its
// name. register (probes_test.go) adds them to the MCP server.
type probes struct {
	mu   sync.Mutex
	runs []probeRun
	// hold, when set, makes runs wait until it is closed; started then
	// receives each run's tool name first.
	hold    chan struct{}
	started chan string
}

// A probeRun is one call that reached a tool.
type probeRun struct {
	tool, subject string
	err           error // set when the call's context ended before it finished
}

// run records one call of tool by subject and answers it.
func (p *probes) run(ctx context.Context, tool, subject string) (string, error) {
	if p.hold != nil {
		p.started <- tool
		<-p.hold
	}
	err := ctx.Err()
	p.mu.Lock()
	p.runs = append(p.runs, probeRun{tool, subject, err})
	p.mu.Unlock()
	if err != nil {
		return "", err
	}
	return "probe " + tool + " ran", nil
}

// ranFor returns the tools run for subject, in order.
func (p *probes) ranFor(subject string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var tools []string
	for _, r := range p.runs {
		if r.subject == subject {
			tools = append(tools, r.tool)
		}
	}
	return tools
}

// testServer is the server under test, its issuer, its probes and its logs.
type testServer struct {
	URL    string // the MCP endpoint, also the accepted audience
	Base   string // scheme://host:port
	Issuer *authtest.Issuer
	Logs   *authtest.Logs
	Probes *probes
}

// endpointPath is the path of the MCP endpoint this project was generated
// with.
func endpointPath(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(config.DefaultServerURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// metadataPaths are where the protected resource metadata must be served;
// challenges name the first (RFC 9728 §3.1).
func metadataPaths(t *testing.T) []string {
	const wellKnown = "/.well-known/oauth-protected-resource"
	if p := strings.TrimSuffix(endpointPath(t), "/"); p != "" {
		return []string{wellKnown + p, wellKnown}
	}
	return []string{wellKnown}
}

// start runs the server, with probes for tools, against a new OIDC issuer;
// editEnv may change the environment and editCfg the loaded configuration.
func start(t *testing.T, editEnv func(map[string]string), editCfg func(*config.Config)) *testServer {
	t.Helper()
	iss := authtest.NewIssuer(t)
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	env := map[string]string{
		"MCP_SERVER_URL": base + endpointPath(t),
		"AUTH_PROVIDER":  "oidc",
		"OAUTH_ISSUER":   iss.URL,
		"OAUTH_JWKS_URL": iss.JWKSURL,
	}
	if editEnv != nil {
		editEnv(env)
	}
	cfg, err := config.Load(config.FromMap(env))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	cfg.Auth.KeyRefreshMinInterval = 20 * time.Millisecond // fast outage recovery
	if editCfg != nil {
		editCfg(&cfg)
	}
	logs := &authtest.Logs{}
	p := &probes{}
	handler, err := newHandler(t.Context(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), p.register)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts.Config.Handler = handler
	ts.Start()
	t.Cleanup(ts.Close)
	return &testServer{URL: env["MCP_SERVER_URL"], Base: base, Issuer: iss, Logs: logs, Probes: p}
}

// claims returns the claims of a valid token for subject holding scopes.
func (s *testServer) claims(subject string, scopes ...string) jwt.MapClaims {
	c := s.Issuer.Claims(s.URL, scopes...)
	c["sub"] = subject
	return c
}

// token mints a valid token for subject holding scopes.
func (s *testServer) token(t *testing.T, subject string, scopes ...string) string {
	return s.Issuer.Mint(t, s.claims(subject, scopes...))
}

// rpc posts one JSON-RPC request to the MCP endpoint.
func (s *testServer) rpc(t *testing.T, token, method string, params any, header ...string) *http.Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	return s.post(t, token, string(body), header...)
}

// post posts body to the MCP endpoint; header holds "Name: value" lines.
func (s *testServer) post(t *testing.T, token, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// call calls tool as subject with a token holding scopes.
func (s *testServer) call(t *testing.T, subject, tool string, scopes ...string) *http.Response {
	t.Helper()
	return s.rpc(t, s.token(t, subject, scopes...), "tools/call", callParams(tool))
}

func callParams(tool string) map[string]any {
	return map[string]any{"name": tool, "arguments": map[string]any{}}
}

// rpcResponse is a JSON-RPC response.
type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// readRPC reads the JSON-RPC response from a 200 answer, sent either as
// JSON or as a server-sent event stream.
func readRPC(t *testing.T, resp *http.Response) rpcResponse {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	data := body
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		data = nil
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				data = append(data, strings.TrimSpace(d)...)
			}
		}
	}
	var r rpcResponse
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("response %q: %v", body, err)
	}
	return r
}

// wantRun checks that resp answers a call of tool that reached its probe
// for subject, and nothing else ran for subject.
func (s *testServer) wantRun(t *testing.T, resp *http.Response, subject, tool string) {
	t.Helper()
	r := readRPC(t, resp)
	if r.Error != nil {
		t.Fatalf("%s: JSON-RPC error %d: %s", tool, r.Error.Code, r.Error.Message)
	}
	var result struct {
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(r.Result, &result); err != nil || result.IsError {
		t.Fatalf("%s: tool result %s: %v", tool, r.Result, err)
	}
	if ran := s.Probes.ranFor(subject); !slices.Equal(ran, []string{tool}) {
		t.Fatalf("%s: tools run for %s: %q, want exactly %s", tool, subject, ran, tool)
	}
}

// wantNoRun checks that no tool ran for subject.
func (s *testServer) wantNoRun(t *testing.T, subject string) {
	t.Helper()
	if ran := s.Probes.ranFor(subject); len(ran) > 0 {
		t.Fatalf("tools ran for %s: %q, want none", subject, ran)
	}
}

// sortedTools lists the tools in the scope table.
func sortedTools() []string {
	var names []string
	for name := range tools.ToolScopes {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// scopedTool returns a tool that needs a scope, or skips the test.
func scopedTool(t *testing.T) string {
	t.Helper()
	for _, name := range sortedTools() {
		if len(tools.ToolScopes[name]) > 0 {
			return name
		}
	}
	t.Skip("no tool needs a scope")
	return ""
}

// otherScope grants nothing the table mentions.
const otherScope = "unrelated:scope"

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
