package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/todo/internal/authtest"
	"example.com/todo/internal/config"
	"example.com/todo/internal/tools"
)

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
		if resp.StatusCode != 200 || md.Resource != s.URL || !slices.Equal(md.AuthorizationServers, []string{s.Issuer.URL}) ||
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
	for i, aud := range []string{s.URL, "res_123456"} {
		for j, issuer := range []string{iss.URL, iss.URL + "/resources/res_123456"} {
			sub := fmt.Sprintf("scalekit-user-%d-%d", i, j)
			c := iss.Claims(aud, tools.ToolScopes[tool]...)
			c["iss"], c["sub"] = issuer, sub
			s.wantRun(t, s.rpc(t, iss.Mint(t, c), "tools/call", callParams(tool)), sub, tool)
		}
	}
}

func TestNoTokenIsChallenged(t *testing.T) {
	s := start(t, nil, nil)
	for _, method := range []string{"POST", "GET", "DELETE"} {
		req, _ := http.NewRequest(method, s.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+sortedTools()[0]+`"}}`))
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
	s.wantNoRun(t, "")
}

func TestInitializeListAndCallEveryTool(t *testing.T) {
	s := start(t, nil, nil)
	var all []string
	for _, sc := range tools.Scopes {
		all = append(all, sc.Name)
	}
	r := readRPC(t, s.rpc(t, s.token(t, "lister", all...), "initialize", map[string]any{
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
	if got := listFor(t, s, all...); !slices.Equal(got, sortedTools()) {
		t.Errorf("the server offers %q; the scope table lists %q", got, sortedTools())
	}

	// Stateless: each tools/call stands alone, with exactly the tool's scopes.
	for _, tool := range sortedTools() {
		sub := "caller-of-" + tool
		s.wantRun(t, s.call(t, sub, tool, tools.ToolScopes[tool]...), sub, tool)
	}
}

// listFor returns the sorted tool names tools/list shows a token holding
// scopes.
func listFor(t *testing.T, s *testServer, scopes ...string) []string {
	t.Helper()
	r := readRPC(t, s.rpc(t, s.token(t, "lister", scopes...), "tools/list", map[string]any{}))
	var list struct{ Tools []struct{ Name string } }
	if err := json.Unmarshal(r.Result, &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// TestFilterToolsList: with FILTER_TOOLS_LIST=true, tools/list shows each
// token only the tools it may call; without, it shows every tool.
func TestFilterToolsList(t *testing.T) {
	if got := listFor(t, start(t, nil, nil), "no:such-scope"); !slices.Equal(got, sortedTools()) {
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
		if got := listFor(t, s, sc.Name); !slices.Equal(got, want) {
			t.Errorf("token with %s sees %q, want %q", sc.Name, got, want)
		}
	}
}

// implied reports whether a token holding only scope satisfies required,
// directly or through the implies lists of internal/tools.
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
	stranger := authtest.NewIssuer(t)
	for name, mint := range map[string]func(c jwt.MapClaims) string{
		"wrong audience": func(c jwt.MapClaims) string { c["aud"] = "https://other.example.com/mcp"; return iss.Mint(t, c) },
		"wrong issuer":   func(c jwt.MapClaims) string { c["iss"] = stranger.URL; return iss.Mint(t, c) },
		"expired": func(c jwt.MapClaims) string {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			return iss.Mint(t, c)
		},
		"alg none": func(c jwt.MapClaims) string {
			return authtest.Sign(t, jwt.SigningMethodNone, iss.KeyID(), jwt.UnsafeAllowNoneSignatureType, c)
		},
		"HS256 with public key": func(c jwt.MapClaims) string {
			return authtest.Sign(t, jwt.SigningMethodHS256, iss.KeyID(), iss.PublicKeyDER(t), c)
		},
		"unknown kid":            func(c jwt.MapClaims) string { return stranger.Mint(t, c) },
		"another issuer's token": func(c jwt.MapClaims) string { c["iss"] = stranger.URL; return stranger.Mint(t, c) },
	} {
		sub := "holder of " + name
		resp := s.rpc(t, mint(s.claims(sub, scopes...)), "tools/call", callParams(tool))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
		if !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %s", name, resp.Header.Get("WWW-Authenticate"))
		}
		s.wantNoRun(t, sub)
	}
}

func TestMissingScopeIsForbidden(t *testing.T) {
	s := start(t, nil, nil)
	scopedTool(t)
	for _, tool := range sortedTools() {
		required := tools.ToolScopes[tool]
		if len(required) == 0 {
			continue
		}
		sub := "underscoped-" + tool
		resp := s.call(t, sub, tool, otherScope)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s without its scopes: status %d, want 403", tool, resp.StatusCode)
		}
		challenge := resp.Header.Get("WWW-Authenticate")
		if !strings.Contains(challenge, `error="insufficient_scope"`) || !strings.Contains(challenge, fmt.Sprintf("scope=%q", strings.Join(append([]string{otherScope}, required...), " "))) {
			t.Errorf("%s: WWW-Authenticate = %s", tool, challenge)
		}
		s.wantNoRun(t, sub)
		if !strings.Contains(s.Logs.String(), `"tool":"`+tool+`"`) {
			t.Errorf("%s: no audit line", tool)
		}
	}
}

func TestAmbiguousBodiesAreRefused(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	const sub = "ambiguous"
	token := s.token(t, sub, otherScope)
	call := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q}}`, tool)
	for _, body := range []string{
		"[" + call + "]",
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/list","Method":"tools/call","params":{"name":%q}}`, tool),
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool","Name":%q}}`, tool),
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"name":"no_such_tool"}}`, tool),
	} {
		if resp := s.post(t, token, body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", body, resp.StatusCode)
		}
	}
	s.wantNoRun(t, sub)
	resp := s.post(t, token, `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"`+strings.Repeat("x", config.DefaultMaxBodyBytes)+`"}}`)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", resp.StatusCode)
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
	const sub = "browser-user"
	resp = s.rpc(t, s.token(t, sub, tools.ToolScopes[tool]...), "tools/call", callParams(tool), "Origin: https://evil.example.com")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin with a valid token: %d, want 403", resp.StatusCode)
	}
	s.wantNoRun(t, sub)
}

// TestConcurrentMixedTraffic sends valid, under-scoped and forged calls at
// once and checks that each gets its own answer and only the valid ones
// reach the tool.
func TestConcurrentMixedTraffic(t *testing.T) {
	s := start(t, nil, nil)
	tool := scopedTool(t)
	const workers, perWorker = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				// Distinct tokens, so that verification, not its cache, is
				// exercised.
				sub := fmt.Sprintf("worker-%d-%d", w, i)
				c, want := s.claims(sub, tools.ToolScopes[tool]...), http.StatusOK
				switch (w + i) % 3 {
				case 1:
					c, want = s.claims(sub, otherScope), http.StatusForbidden
				case 2:
					c["exp"], want = time.Now().Add(-time.Hour).Unix(), http.StatusUnauthorized
				}
				resp := s.rpc(t, s.Issuer.Mint(t, c), "tools/call", callParams(tool))
				ran := len(s.Probes.ranFor(sub))
				if resp.StatusCode != want || (ran == 1) != (want == http.StatusOK) || ran > 1 {
					errs <- fmt.Errorf("%s: status %d (want %d), tool ran %d times", sub, resp.StatusCode, want, ran)
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

// TestCancellationStaysWithItsCaller: a caller holding a valid token (even
// without scopes) sends notifications/cancelled naming the JSON-RPC id of
// another caller's call in flight. The server is stateless, so the id names
// no request of the sender's: the other call must finish undisturbed.
func TestCancellationStaysWithItsCaller(t *testing.T) {
	s := start(t, nil, nil)
	s.Probes.hold, s.Probes.started = make(chan struct{}), make(chan string, 1)
	tool := sortedTools()[0]
	done := make(chan *http.Response, 1)
	go func() {
		done <- s.rpc(t, s.token(t, "alice", tools.ToolScopes[tool]...), "tools/call", callParams(tool))
	}()
	<-s.Probes.started // alice's call with id 1 is running

	cancel := `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"mallory"}}`
	if resp := s.post(t, s.token(t, "mallory"), cancel); resp.StatusCode != http.StatusAccepted {
		t.Errorf("cancellation: status %d, want 202", resp.StatusCode)
	}
	close(s.Probes.hold)
	s.wantRun(t, <-done, "alice", tool)
	s.Probes.mu.Lock()
	defer s.Probes.mu.Unlock()
	if err := s.Probes.runs[0].err; err != nil {
		t.Errorf("alice's call was cancelled by another caller: %v", err)
	}
}

func TestReadyzAndHealthz(t *testing.T) {
	s := start(t, nil, nil)
	if code := getStatus(t, s.Base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz: %d", code)
	}
	if code := getStatus(t, s.Base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz: %d", code)
	}
}

// TestChallengeScopes: CHALLENGE_SCOPES narrows what a 401 asks clients to
// get a token for; a scope the server does not declare stops it starting.
func TestChallengeScopes(t *testing.T) {
	first := tools.Scopes[0].Name
	s := start(t, func(env map[string]string) { env["CHALLENGE_SCOPES"] = first }, nil)
	resp := s.rpc(t, "", "tools/list", map[string]any{})
	if c := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(c, fmt.Sprintf("scope=%q", first)) {
		t.Errorf("401 challenge %q, want scope=%q", c, first)
	}
	cfg, err := config.Load(config.FromMap(map[string]string{
		"AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": s.Issuer.URL, "CHALLENGE_SCOPES": "no:such-scope",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "no:such-scope") {
		t.Errorf("undeclared challenge scope: %v", err)
	}
}
