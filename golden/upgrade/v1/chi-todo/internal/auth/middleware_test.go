package auth

import (
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

	"example.com/todo/internal/authtest"
)

// guardFixture is a Guard over a recording handler.
type guardFixture struct {
	iss     *authtest.Issuer
	guard   *Guard
	handler http.Handler
	logs    *authtest.Logs

	mu     sync.Mutex
	served [][]byte // bodies that reached the protected handler
}

func newGuardFixture(t testing.TB) *guardFixture {
	t.Helper()
	f := &guardFixture{iss: authtest.NewIssuer(t), logs: &authtest.Logs{}}
	scopes := []Scope{
		{Name: "todo:read"},
		{Name: "todo:write", Implies: []string{"todo:read"}},
	}
	policy, err := NewPolicy(scopes, ToolScopes{"create_todo": {"todo:write"}, "list_todos": {"todo:read"}})
	if err != nil {
		t.Fatal(err)
	}
	f.guard, err = NewGuard(t.Context(), Settings{
		ResourceURL:           testAudience,
		ResourceName:          "test",
		AuthorizationServers:  []string{f.iss.URL},
		Issuers:               []string{f.iss.URL},
		JWKSURL:               f.iss.JWKSURL,
		Audiences:             []string{testAudience},
		Leeway:                time.Minute,
		KeyRefreshMinInterval: 20 * time.Millisecond,
		AllowedOrigins:        []string{"http://localhost:6274"},
		MaxBodyBytes:          1 << 10,
	}, policy, slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	f.handler = f.guard.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.served = append(f.served, body)
		f.mu.Unlock()
		if FromContext(r.Context()) == nil {
			t.Error("protected handler ran without a token in the context")
		}
		w.WriteHeader(http.StatusOK)
	}))
	return f
}

func (f *guardFixture) token(t testing.TB, scopes ...string) string {
	return f.iss.Mint(t, f.iss.Claims(testAudience, scopes...))
}

// do sends a request through the guard. header holds header lines; body,
// if not empty, makes it a POST.
func (f *guardFixture) do(method, target, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Add(k, v)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}

func (f *guardFixture) servedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.served)
}

const (
	listCall   = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_todos","arguments":{}}}`
	createCall = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_todo","arguments":{}}}`
)

func TestGuardAuthentication(t *testing.T) {
	f := newGuardFixture(t)
	valid := f.token(t, "todo:read")
	expired := f.iss.Claims(testAudience, "todo:read")
	expired["exp"] = time.Now().Add(-time.Hour).Unix()

	tests := []struct {
		name       string
		target     string
		header     []string
		status     int
		error      string // error= in WWW-Authenticate, "" for none
		challenged bool
	}{
		{name: "no credentials", status: 401, challenged: true},
		{name: "other scheme", header: []string{"Authorization: Basic dXNlcjpwYXNz"}, status: 401, challenged: true},
		{name: "valid", header: []string{"Authorization: Bearer " + valid}, status: 200},
		{name: "scheme is case-insensitive", header: []string{"Authorization: bEaReR " + valid}, status: 200},
		{name: "several spaces", header: []string{"Authorization: Bearer   " + valid}, status: 200},
		{name: "two Authorization headers", header: []string{"Authorization: Bearer " + valid, "Authorization: Bearer " + valid}, status: 400, error: "invalid_request", challenged: true},
		{name: "Bearer without token", header: []string{"Authorization: Bearer"}, status: 400, error: "invalid_request", challenged: true},
		{name: "token with a space", header: []string{"Authorization: Bearer abc def"}, status: 400, error: "invalid_request", challenged: true},
		{name: "token in query", target: "/mcp?access_token=" + valid, status: 400, error: "invalid_request", challenged: true},
		{name: "token in query beside a header", target: "/mcp?access_token=" + valid, header: []string{"Authorization: Bearer " + valid}, status: 400, error: "invalid_request", challenged: true},
		{name: "token in form body", header: []string{"Content-Type: application/x-www-form-urlencoded"}, status: 401, challenged: true},
		{name: "expired", header: []string{"Authorization: Bearer " + f.iss.Mint(t, expired)}, status: 401, error: "invalid_token", challenged: true},
		{name: "garbage", header: []string{"Authorization: Bearer abc.def.ghi"}, status: 401, error: "invalid_token", challenged: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = "/mcp"
			}
			body := listCall
			if tc.name == "token in form body" {
				body = "access_token=" + valid
			}
			before := f.servedCount()
			w := f.do("POST", target, body, tc.header...)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if ran := f.servedCount() > before; ran != (tc.status == 200) {
				t.Errorf("protected handler ran = %v", ran)
			}
			challenge := w.Header().Get("WWW-Authenticate")
			if (challenge != "") != tc.challenged {
				t.Fatalf("WWW-Authenticate = %q", challenge)
			}
			if !tc.challenged {
				return
			}
			if !strings.HasPrefix(challenge, `Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="todo:read todo:write"`) {
				t.Errorf("challenge = %s", challenge)
			}
			hasError := strings.Contains(challenge, "error=")
			if tc.error == "" && hasError {
				t.Errorf("challenge without credentials has an error code (RFC 6750 §3.1): %s", challenge)
			}
			if tc.error != "" && !strings.Contains(challenge, `error="`+tc.error+`", error_description="`) {
				t.Errorf("challenge lacks error=%q: %s", tc.error, challenge)
			}
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("body %q is not a JSON error: %v", w.Body, err)
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Error("refusal is cacheable")
			}
		})
	}
	// Audit lines name who was allowed or refused, at debug and warn level,
	// but never the token nor its signature.
	logs := f.logs.String()
	if !strings.Contains(logs, `"msg":"request allowed"`) || !strings.Contains(logs, `"sub":"`+authtest.Subject+`"`) {
		t.Errorf("no debug line for an allowed request:\n%s", logs)
	}
	if sig := valid[strings.LastIndex(valid, ".")+1:]; strings.Contains(logs, sig) {
		t.Error("a token was logged")
	}
}

func TestGuardToolScopes(t *testing.T) {
	f := newGuardFixture(t)
	reader := "Authorization: Bearer " + f.token(t, "todo:read")
	writer := "Authorization: Bearer " + f.token(t, "todo:write")

	if w := f.do("POST", "/mcp", listCall, reader); w.Code != 200 {
		t.Errorf("list_todos with todo:read: %d", w.Code)
	}
	if w := f.do("POST", "/mcp", listCall, writer); w.Code != 200 {
		t.Errorf("list_todos with todo:write (implies todo:read): %d", w.Code)
	}
	before := f.servedCount()
	w := f.do("POST", "/mcp", createCall, reader)
	if w.Code != http.StatusForbidden {
		t.Fatalf("create_todo with todo:read: %d, want 403", w.Code)
	}
	if f.servedCount() != before {
		t.Error("the protected handler ran for an under-scoped call")
	}
	// Before protocol version 2026-07-28 the challenge also names the
	// scopes the token has, so that a client replacing its scopes with the
	// challenge's keeps them; from 2026-07-28 on, only the required ones.
	want := `Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="todo:read todo:write", error="insufficient_scope", error_description="the create_todo tool needs scope todo:write"`
	if got := w.Header().Get("WWW-Authenticate"); got != want {
		t.Errorf("challenge\n got %s\nwant %s", got, want)
	}
	w = f.do("POST", "/mcp", createCall, reader, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: create_todo")
	want = `Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="todo:write", error="insufficient_scope", error_description="the create_todo tool needs scope todo:write"`
	if got := w.Header().Get("WWW-Authenticate"); w.Code != http.StatusForbidden || got != want {
		t.Errorf("protocol 2026-07-28: %d, challenge\n got %s\nwant %s", w.Code, got, want)
	}
	for _, want := range []string{`"reason":"insufficient_scope"`, `"sub":"user-123"`, `"client_id":"client-abc"`, `"tool":"create_todo"`, `"remote_addr":`} {
		if !strings.Contains(f.logs.String(), want) {
			t.Errorf("audit log lacks %s:\n%s", want, f.logs)
		}
	}

	// Unknown tools are the dispatcher's business; other methods pass.
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
	} {
		if w := f.do("POST", "/mcp", body, reader); w.Code != 200 {
			t.Errorf("%s: %d", body, w.Code)
		}
	}
	// The body reaches the next handler intact.
	f.mu.Lock()
	last := f.served[len(f.served)-1]
	f.mu.Unlock()
	if string(last) != `{"jsonrpc":"2.0","id":1,"method":"tools/list"}` {
		t.Errorf("next handler read %q", last)
	}
}

// TestGuardStandardHeaders: a 2026-07-28 request whose Mcp-Method or
// Mcp-Name header names a different call than its body never gets through,
// whatever the scopes, and a matching one does.
func TestGuardStandardHeaders(t *testing.T) {
	f := newGuardFixture(t)
	reader := "Authorization: Bearer " + f.token(t, "todo:read")
	v := "MCP-Protocol-Version: 2026-07-28"
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"matching", []string{v, "Mcp-Method: tools/call", "Mcp-Name: list_todos"}, 200},
		{"name names an allowed tool, body another", []string{v, "Mcp-Method: tools/call", "Mcp-Name: create_todo"}, 400},
		{"method differs", []string{v, "Mcp-Method: tools/list", "Mcp-Name: list_todos"}, 400},
		{"headers missing", []string{v}, 400},
		{"older protocol, no headers", []string{"MCP-Protocol-Version: 2025-11-25"}, 200},
	} {
		before := f.servedCount()
		w := f.do("POST", "/mcp", listCall, append([]string{reader}, tc.headers...)...)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.status)
		}
		if reached := f.servedCount() != before; reached != (tc.status == 200) {
			t.Errorf("%s: reached the protected handler = %v", tc.name, reached)
		}
	}
}

func TestGuardRefusesAmbiguousBodies(t *testing.T) {
	f := newGuardFixture(t)
	writer := "Authorization: Bearer " + f.token(t, "todo:write")
	for _, tc := range []struct {
		body   string
		status int
	}{
		{"[" + listCall + "]", 400},
		{`{"method":"tools/list","Method":"tools/call","params":{"name":"create_todo"}}`, 400},
		{`{"method":"tools/call","params":{"name":"list_todos","name":"create_todo"}}`, 400},
		{`{"method":"tools/call","params":{"name":"list_todos","Name":"create_todo"}}`, 400},
		{"not json", 400},
		{`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"list_todos","arguments":{"pad":"` + strings.Repeat("x", 2<<10) + `"}}}`, 413},
	} {
		before := f.servedCount()
		w := f.do("POST", "/mcp", tc.body, writer)
		if w.Code != tc.status {
			t.Errorf("%.60s: status %d, want %d", tc.body, w.Code, tc.status)
		}
		if f.servedCount() != before {
			t.Errorf("%.60s: reached the protected handler", tc.body)
		}
	}
}

func TestGuardCORS(t *testing.T) {
	f := newGuardFixture(t)
	const inspector = "http://localhost:6274"

	// A preflight is answered before authentication.
	w := f.do("OPTIONS", "/mcp", "", "Origin: "+inspector, "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: authorization, content-type, mcp-protocol-version")
	if w.Code != http.StatusNoContent {
		t.Fatalf("preflight: %d", w.Code)
	}
	h := w.Header()
	if h.Get("Access-Control-Allow-Origin") != inspector {
		t.Errorf("Allow-Origin = %q", h.Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{"Authorization", "Content-Type", "MCP-Protocol-Version", "Mcp-Session-Id", "Mcp-Method", "Mcp-Name", "Last-Event-ID"} {
		if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
		}
	}

	// Browser clients must be able to read the challenge on a 401.
	w = f.do("POST", "/mcp", listCall, "Origin: "+inspector)
	if w.Code != 401 || w.Header().Get("Access-Control-Allow-Origin") != inspector {
		t.Fatalf("401 from an allowed origin: %d, Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{"WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version"} {
		if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), want) {
			t.Errorf("Expose-Headers %q lacks %s", w.Header().Get("Access-Control-Expose-Headers"), want)
		}
	}

	// The resource's own origin is allowed; others are refused, even with a
	// valid token and even for preflights.
	if w := f.do("POST", "/mcp", listCall, "Origin: https://mcp.example.com", "Authorization: Bearer "+f.token(t, "todo:read")); w.Code != 200 {
		t.Errorf("same origin: %d", w.Code)
	}
	for _, origin := range []string{"https://evil.example.com", "null", "http://localhost:6275", "http://localhost"} {
		w := f.do("POST", "/mcp", listCall, "Origin: "+origin, "Authorization: Bearer "+f.token(t, "todo:read"))
		if w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("origin %s: %d, Allow-Origin %q", origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	if w := f.do("OPTIONS", "/mcp", "", "Origin: https://evil.example.com", "Access-Control-Request-Method: POST"); w.Code != http.StatusForbidden {
		t.Errorf("preflight from a foreign origin: %d", w.Code)
	}
	if w := f.do("POST", "/mcp", listCall, "Origin: "+inspector, "Origin: https://evil.example.com"); w.Code != http.StatusForbidden {
		t.Errorf("two Origin headers: %d", w.Code)
	}
}

func TestGuardKeysUnavailable(t *testing.T) {
	f := newGuardFixture(t)
	f.iss.SetFailing(true)
	w := f.do("POST", "/mcp", listCall, "Authorization: Bearer "+f.token(t, "todo:read"))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
	if strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Error("a token that could not be checked was called invalid")
	}
	if w.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	ready := httptest.NewRecorder()
	f.guard.ReadyHandler().ServeHTTP(ready, httptest.NewRequest("GET", "/readyz", nil))
	if ready.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz during outage: %d", ready.Code)
	}

	f.iss.SetFailing(false)
	waitFor(t, func() bool {
		ready := httptest.NewRecorder()
		f.guard.ReadyHandler().ServeHTTP(ready, httptest.NewRequest("GET", "/readyz", nil))
		return ready.Code == 200
	})
	if w := f.do("POST", "/mcp", listCall, "Authorization: Bearer "+f.token(t, "todo:read")); w.Code != 200 {
		t.Errorf("after recovery: %d", w.Code)
	}
}

func TestMetadata(t *testing.T) {
	f := newGuardFixture(t)
	if got, want := f.guard.MetadataPaths(), []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("MetadataPaths = %q, want %q", got, want)
	}
	w := httptest.NewRecorder()
	f.guard.MetadataHandler().ServeHTTP(w, httptest.NewRequest("GET", "/.well-known/oauth-protected-resource/mcp", nil))
	var md ProtectedResourceMetadata
	if err := json.Unmarshal(w.Body.Bytes(), &md); err != nil {
		t.Fatal(err)
	}
	if md.Resource != testAudience || md.AuthorizationServers[0] != f.iss.URL ||
		strings.Join(md.ScopesSupported, " ") != "todo:read todo:write" || md.BearerMethodsSupported[0] != "header" || md.ResourceName != "test" {
		t.Errorf("metadata = %+v", md)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("metadata is not readable cross-origin")
	}
}

func TestMetadataPaths(t *testing.T) {
	u, _ := url.Parse("https://h/mcp/")
	want := []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource/mcp/", "/.well-known/oauth-protected-resource"}
	if got := metadataPaths(u); !slices.Equal(got, want) {
		t.Errorf("metadataPaths(%s) = %q, want %q", u, got, want)
	}
}

func TestMetadataURL(t *testing.T) {
	for resource, want := range map[string]string{
		"https://mcp.example.com/mcp":      "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
		"https://mcp.example.com/":         "https://mcp.example.com/.well-known/oauth-protected-resource",
		"https://mcp.example.com":          "https://mcp.example.com/.well-known/oauth-protected-resource",
		"http://localhost:3002/a/b/":       "http://localhost:3002/.well-known/oauth-protected-resource/a/b",
		"https://mcp.example.com:8443/mcp": "https://mcp.example.com:8443/.well-known/oauth-protected-resource/mcp",
	} {
		u, _ := url.Parse(resource)
		if got := metadataURL(u); got != want {
			t.Errorf("metadataURL(%s) = %s, want %s", resource, got, want)
		}
	}
}
