package server_test

// These tests drive the whole server over real HTTP, the way an MCP client
// would, with tokens signed by an in-test authorization server. They are
// written against the tool table in internal/tools/scopes.go, so they keep
// working as tools are added; the checks of tool replies expect the
// generated stubs ("<tool> called by <sub>") and need updating once a tool
// does real work.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/todo/internal/authtest"
	"example.com/todo/internal/config"
	"example.com/todo/internal/server"
	"example.com/todo/internal/tools"
)

// testServer is the server under test, its issuer and its logs.
type testServer struct {
	URL      string // the MCP endpoint, also the accepted audience
	Base     string // scheme://host:port
	Issuer   *authtest.Issuer
	Logs     *authtest.Logs
	Resource string // the accepted audience
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

// start runs the server with an OIDC issuer; edit may change the
// environment or, after loading, the configuration.
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
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	cfg.Auth.KeyRefreshMinInterval = 20 * time.Millisecond // fast outage recovery
	if editCfg != nil {
		editCfg(&cfg)
	}
	logs := &authtest.Logs{}
	handler, err := server.New(t.Context(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts.Config.Handler = handler
	ts.Start()
	t.Cleanup(ts.Close)
	return &testServer{URL: env["MCP_SERVER_URL"], Base: base, Issuer: iss, Logs: logs, Resource: env["MCP_SERVER_URL"]}
}

// token mints a valid token for the server holding scopes.
func (s *testServer) token(t *testing.T, scopes ...string) string {
	return s.Issuer.Mint(t, s.Issuer.Claims(s.Resource, scopes...))
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

// toolText returns the text of a successful tools/call.
func toolText(t *testing.T, resp *http.Response) string {
	t.Helper()
	r := readRPC(t, resp)
	if r.Error != nil {
		t.Fatalf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)
	}
	var result struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(r.Result, &result); err != nil || len(result.Content) == 0 || result.IsError {
		t.Fatalf("tool result %s: %v", r.Result, err)
	}
	return result.Content[0].Text
}

// sortedTools lists the tools in the scope table.
func sortedTools() []string {
	var names []string
	for name := range tools.ToolScopes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// otherScope returns a scope that grants nothing the table mentions.
const otherScope = "unrelated:scope"

func TestProtectedResourceMetadata(t *testing.T) {
	s := start(t, nil, nil)
	for _, path := range metadataPaths(t) {
		resp, err := http.Get(s.Base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var md struct {
			Resource               string   `json:"resource"`
			AuthorizationServers   []string `json:"authorization_servers"`
			ScopesSupported        []string `json:"scopes_supported"`
			BearerMethodsSupported []string `json:"bearer_methods_supported"`
			ResourceName           string   `json:"resource_name"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var scopes []string
		for _, sc := range tools.Scopes {
			scopes = append(scopes, sc.Name)
		}
		if resp.StatusCode != 200 || md.Resource != s.Resource || !slices.Equal(md.AuthorizationServers, []string{s.Issuer.URL}) ||
			!slices.Equal(md.ScopesSupported, scopes) || !slices.Equal(md.BearerMethodsSupported, []string{"header"}) ||
			md.ResourceName != config.DefaultServerName {
			t.Errorf("%s: %d %+v", path, resp.StatusCode, md)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: not readable cross-origin", path)
		}
	}
}

func TestScalekitMetadataAndTokens(t *testing.T) {
	var iss *authtest.Issuer
	s := start(t, func(env map[string]string) {
		iss = authtest.NewIssuer(t)
		env["AUTH_PROVIDER"] = "scalekit"
		env["SCALEKIT_ENVIRONMENT_URL"] = iss.URL
		env["SCALEKIT_RESOURCE_ID"] = "res_123456"
	}, nil)
	resp, err := http.Get(s.Base + "/.well-known/oauth-protected-resource")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md struct {
		AuthorizationServers []string `json:"authorization_servers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if want := []string{iss.URL + "/resources/res_123456"}; !slices.Equal(md.AuthorizationServers, want) {
		t.Errorf("authorization_servers = %q, want %q", md.AuthorizationServers, want)
	}
	// Scalekit may name the resource ID as audience and either the
	// environment or its per-resource server as issuer.
	tool := sortedTools()[0]
	for _, c := range []jwt.MapClaims{
		iss.Claims(s.Resource, tools.ToolScopes[tool]...),
		iss.Claims("res_123456", tools.ToolScopes[tool]...),
	} {
		for _, issuer := range []string{iss.URL, iss.URL + "/resources/res_123456"} {
			c["iss"] = issuer
			text := toolText(t, s.rpc(t, iss.Mint(t, c), "tools/call", callParams(tool)))
			if !strings.Contains(text, authtest.Subject) {
				t.Errorf("aud %v, iss %s: reply %q", c["aud"], issuer, text)
			}
		}
	}
}

func TestNoTokenIsChallenged(t *testing.T) {
	s := start(t, nil, nil)
	for _, method := range []string{"POST", "GET", "DELETE"} {
		req, _ := http.NewRequest(method, s.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s without token: %d", method, resp.StatusCode)
		}
		challenge := resp.Header.Get("WWW-Authenticate")
		want := fmt.Sprintf(`Bearer resource_metadata=%q, scope=`, s.Base+metadataPaths(t)[0])
		if !strings.HasPrefix(challenge, want) || strings.Contains(challenge, "error=") {
			t.Errorf("%s: WWW-Authenticate = %s", method, challenge)
		}
	}
}

func TestInitializeListAndCallEveryTool(t *testing.T) {
	s := start(t, nil, nil)
	var all []string
	for _, sc := range tools.Scopes {
		all = append(all, sc.Name)
	}
	r := readRPC(t, s.rpc(t, s.token(t, all...), "initialize", map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "test", "version": "1"},
	}))
	var init struct {
		ServerInfo struct{ Name string } `json:"serverInfo"`
	}
	if err := json.Unmarshal(r.Result, &init); err != nil || init.ServerInfo.Name != config.DefaultServerName {
		t.Fatalf("initialize: %s (%v)", r.Result, err)
	}

	r = readRPC(t, s.rpc(t, s.token(t, all...), "tools/list", map[string]any{}))
	var list struct{ Tools []struct{ Name string } }
	if err := json.Unmarshal(r.Result, &list); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, tool := range list.Tools {
		listed = append(listed, tool.Name)
	}
	sort.Strings(listed)
	if !slices.Equal(listed, sortedTools()) {
		t.Errorf("the server offers %q but internal/tools/scopes.go lists %q; keep them in step", listed, sortedTools())
	}

	// Stateless: each tools/call stands alone, with exactly the tool's scopes.
	for _, tool := range sortedTools() {
		text := toolText(t, s.rpc(t, s.token(t, tools.ToolScopes[tool]...), "tools/call", callParams(tool)))
		if want := tool + " called by " + authtest.Subject; !strings.Contains(text, want) {
			t.Errorf("%s replied %q, want %q", tool, text, want)
		}
	}
}

// TestFilterToolsList: with FILTER_TOOLS_LIST=true, tools/list shows each
// token only the tools it may call; without, it shows every tool.
func TestFilterToolsList(t *testing.T) {
	listFor := func(s *testServer, scopes ...string) []string {
		r := readRPC(t, s.rpc(t, s.token(t, scopes...), "tools/list", map[string]any{}))
		var list struct{ Tools []struct{ Name string } }
		if err := json.Unmarshal(r.Result, &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range list.Tools {
			names = append(names, tool.Name)
		}
		sort.Strings(names)
		return names
	}
	if got := listFor(start(t, nil, nil), "no:such-scope"); !slices.Equal(got, sortedTools()) {
		t.Errorf("unfiltered list = %q, want every tool %q", got, sortedTools())
	}
	s := start(t, func(env map[string]string) { env["FILTER_TOOLS_LIST"] = "true" }, nil)
	for _, sc := range tools.Scopes {
		var want []string
		for _, tool := range sortedTools() {
			if implied(sc.Name, tools.ToolScopes[tool]) {
				want = append(want, tool)
			}
		}
		if got := listFor(s, sc.Name); !slices.Equal(got, want) {
			t.Errorf("token with %s sees %q, want %q", sc.Name, got, want)
		}
	}
}

// implied reports whether a token holding only scope satisfies required,
// directly or through the implies lists of internal/tools/scopes.go.
func implied(scope string, required []string) bool {
	granted := map[string]bool{scope: true}
	for changed := true; changed; {
		changed = false
		for _, sc := range tools.Scopes {
			if granted[sc.Name] {
				for _, imp := range sc.Implies {
					if !granted[imp] {
						granted[imp], changed = true, true
					}
				}
			}
		}
	}
	for _, r := range required {
		if !granted[r] {
			return false
		}
	}
	return true
}

func TestInvalidTokensAreRefused(t *testing.T) {
	s := start(t, nil, nil)
	iss := s.Issuer
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	claims := func(k string, v any) jwt.MapClaims {
		c := iss.Claims(s.Resource, scopes...)
		c[k] = v
		return c
	}
	stranger := authtest.NewIssuer(t)
	for name, token := range map[string]string{
		"wrong audience":         iss.Mint(t, claims("aud", "https://other.example.com/mcp")),
		"wrong issuer":           iss.Mint(t, claims("iss", stranger.URL)),
		"expired":                iss.Mint(t, claims("exp", time.Now().Add(-time.Hour).Unix())),
		"alg none":               authtest.Sign(t, jwt.SigningMethodNone, iss.KeyID(), jwt.UnsafeAllowNoneSignatureType, claims("sub", authtest.Subject)),
		"HS256 with public key":  authtest.Sign(t, jwt.SigningMethodHS256, iss.KeyID(), iss.PublicKeyDER(t), claims("sub", authtest.Subject)),
		"unknown kid":            stranger.Mint(t, claims("iss", iss.URL)),
		"another issuer's token": stranger.Mint(t, stranger.Claims(s.Resource, scopes...)),
	} {
		resp := s.rpc(t, token, "tools/call", callParams(tool))
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
		if !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %s", name, resp.Header.Get("WWW-Authenticate"))
		}
		if strings.Contains(string(body), "called by") {
			t.Errorf("%s: the tool ran", name)
		}
	}
}

func TestMissingScopeIsForbidden(t *testing.T) {
	s := start(t, nil, nil)
	checked := 0
	for _, tool := range sortedTools() {
		required := tools.ToolScopes[tool]
		if len(required) == 0 {
			continue
		}
		checked++
		resp := s.rpc(t, s.token(t, otherScope), "tools/call", callParams(tool))
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s without its scopes: status %d, want 403", tool, resp.StatusCode)
		}
		challenge := resp.Header.Get("WWW-Authenticate")
		if !strings.Contains(challenge, `error="insufficient_scope"`) || !strings.Contains(challenge, fmt.Sprintf("scope=%q", strings.Join(append([]string{otherScope}, required...), " "))) {
			t.Errorf("%s: WWW-Authenticate = %s", tool, challenge)
		}
		if strings.Contains(string(body), "called by") {
			t.Errorf("%s: the tool ran", tool)
		}
		if !strings.Contains(s.Logs.String(), `"tool":"`+tool+`"`) {
			t.Errorf("%s: no audit line", tool)
		}
	}
	if checked == 0 {
		t.Skip("no tool needs a scope")
	}
}

func TestAmbiguousBodiesAreRefused(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	token := s.token(t, otherScope)
	call := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q}}`, tool)
	for _, body := range []string{
		"[" + call + "]",
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/list","Method":"tools/call","params":{"name":%q}}`, tool),
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool","Name":%q}}`, tool),
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"name":"no_such_tool"}}`, tool),
	} {
		resp := s.post(t, token, body)
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(out), "called by") {
			t.Errorf("%s: status %d, body %s", body, resp.StatusCode, out)
		}
	}
	resp := s.post(t, token, `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"`+strings.Repeat("x", config.DefaultMaxBodyBytes)+`"}}`)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", resp.StatusCode)
	}
	resp = s.post(t, "", call, "X-Ignored: x")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", s.URL+"?access_token="+token, strings.NewReader(call))
	qresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	qresp.Body.Close()
	if qresp.StatusCode != http.StatusBadRequest {
		t.Errorf("token in query: %d, want 400", qresp.StatusCode)
	}
}

func TestKeyRotation(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	toolText(t, s.rpc(t, s.token(t, scopes...), "tools/call", callParams(tool)))
	unused := s.token(t, scopes...) // signed with the old key, never presented

	s.Issuer.RotateKey(t, false)
	if got := toolText(t, s.rpc(t, s.token(t, scopes...), "tools/call", callParams(tool))); !strings.Contains(got, authtest.Subject) {
		t.Errorf("after rotation: %q", got)
	}
	if resp := s.rpc(t, unused, "tools/call", callParams(tool)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token signed with a withdrawn key: %d, want 401", resp.StatusCode)
	}
}

func TestJWKSOutage(t *testing.T) {
	s := start(t, nil, nil)
	s.Issuer.SetFailing(true)
	tool := sortedTools()[0]
	token := s.token(t, tools.ToolScopes[tool]...)

	resp := s.rpc(t, token, "tools/call", callParams(tool))
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("during outage: %d %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if code := getStatus(t, s.Base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz during outage: %d", code)
	}
	if code := getStatus(t, s.Base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz during outage: %d", code)
	}
	// Forged tokens are still refused as invalid, not with a 5xx.
	expired := s.Issuer.Claims(s.Resource)
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	if resp := s.rpc(t, s.Issuer.Mint(t, expired), "tools/call", callParams(tool)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired token during outage: %d", resp.StatusCode)
	}

	s.Issuer.SetFailing(false)
	deadline := time.Now().Add(5 * time.Second)
	for getStatus(t, s.Base+"/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover")
		}
		time.Sleep(10 * time.Millisecond)
	}
	toolText(t, s.rpc(t, token, "tools/call", callParams(tool)))
}

func TestBrowserOrigins(t *testing.T) {
	s := start(t, nil, nil)
	// The MCP Inspector, opened either way, is allowed by default.
	for _, inspector := range []string{"http://localhost:6274", "http://127.0.0.1:6274"} {
		req, _ := http.NewRequest("OPTIONS", s.URL, nil)
		req.Header.Set("Origin", inspector)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != inspector ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight from %s: %d %v", inspector, resp.StatusCode, resp.Header)
		}
	}

	tool := sortedTools()[0]
	resp := s.rpc(t, "", "tools/call", callParams(tool), "Origin: http://localhost:6274")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Errorf("401 to a browser: %d, exposes %q", resp.StatusCode, resp.Header.Get("Access-Control-Expose-Headers"))
	}
	resp = s.rpc(t, s.token(t, tools.ToolScopes[tool]...), "tools/call", callParams(tool), "Origin: https://evil.example.com")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin with a valid token: %d, want 403", resp.StatusCode)
	}
}

// TestConcurrentMixedTraffic sends valid, under-scoped and forged calls at
// once and checks that each gets its own answer and no tool runs unduly.
func TestConcurrentMixedTraffic(t *testing.T) {
	s := start(t, nil, nil)
	const workers, perWorker = 8, 25
	var tool string
	for _, name := range sortedTools() {
		if len(tools.ToolScopes[name]) > 0 {
			tool = name
			break
		}
	}
	if tool == "" {
		t.Skip("no tool needs a scope")
	}
	// Distinct tokens, so that verification, not the cache, is exercised.
	valid := make([]string, workers*perWorker)
	for i := range valid {
		valid[i] = s.token(t, tools.ToolScopes[tool]...)
	}
	under := s.token(t, otherScope)
	expiredClaims := s.Issuer.Claims(s.Resource, tools.ToolScopes[tool]...)
	expiredClaims["exp"] = time.Now().Add(-time.Hour).Unix()
	expired := s.Issuer.Mint(t, expiredClaims)

	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				token, want := valid[w*perWorker+i], http.StatusOK
				switch (w + i) % 3 {
				case 1:
					token, want = under, http.StatusForbidden
				case 2:
					token, want = expired, http.StatusUnauthorized
				}
				resp := s.rpc(t, token, "tools/call", callParams(tool))
				body, _ := io.ReadAll(resp.Body)
				ran := strings.Contains(string(body), "called by")
				if resp.StatusCode != want || ran != (want == http.StatusOK) {
					errs <- fmt.Errorf("status %d (want %d), tool ran: %v", resp.StatusCode, want, ran)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
