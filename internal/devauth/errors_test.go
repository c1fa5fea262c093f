package devauth

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// logBuffer collects a Server's log lines for a test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLoggedEnv is newEnv with the server's log kept for the test.
func newLoggedEnv(t *testing.T, autoApprove bool, mod ...func(*Config)) (*env, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	mod = append(mod, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	return newEnv(t, autoApprove, mod...), logs
}

// internals are fragments of Go, fosite or library error text: what went
// wrong inside dev-auth, for its log, never for a client.
var internals = []string{"crypto/bcrypt", "hashedPassword", "not_found", "Go struct", "clientMetadata", "http: ", "json: ", "invalid semicolon", "[]string"}

func wantNoInternals(t *testing.T, what, text string) {
	t.Helper()
	for _, frag := range internals {
		if strings.Contains(text, frag) {
			t.Errorf("%s shows internal detail %q: %s", what, frag, text)
		}
	}
}

// TestErrorsWithoutDebugDetail: error responses name the RFC 6749 error and
// say what is wrong in words for the client; library and Go error text
// stays in dev-auth's log.
func TestErrorsWithoutDebugDetail(t *testing.T) {
	t.Parallel()
	e, logs := newLoggedEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()

	// Token endpoint.
	for _, tt := range []struct {
		name, user, pass, code, want string
		status                       int
		form                         url.Values
	}{
		{"wrong secret", MachineClientID, "wrong-secret-0123456789", "invalid_client", "Client authentication failed", 401,
			url.Values{"grant_type": {"client_credentials"}}},
		{"unknown code", "", "", "invalid_grant", "authorization grant", 400,
			url.Values{"grant_type": {"authorization_code"}, "code": {"not-a-code"}, "redirect_uri": {cb}, "client_id": {c.id}, "code_verifier": {p.verifier}}},
		{"unknown refresh token", "", "", "invalid_grant", "refresh token", 400,
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"garbage"}, "client_id": {c.id}}},
		{"unknown client", "", "", "invalid_client", "no client is registered with client_id 'nobody'", 401,
			url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"nobody"}}},
		{"body too big", MachineClientID, testSecret, "invalid_request", "64 KiB", 400,
			url.Values{"grant_type": {"client_credentials"}, "pad": {strings.Repeat("a", 70<<10)}}},
	} {
		r := e.postForm("/oauth/token", tt.form, tt.user, tt.pass)
		m := wantOAuthError(t, r, tt.status, tt.code)
		d, _ := m["error_description"].(string)
		wantNoInternals(t, tt.name, d)
		if !strings.Contains(d, tt.want) {
			t.Errorf("%s: error_description %q does not say %q", tt.name, d, tt.want)
		}
	}

	// Registration.
	for _, tt := range []struct{ name, body, want string }{
		{"wrong field type", `{"redirect_uris":"http://127.0.0.1:5555/cb"}`, "redirect_uris"},
		{"syntax error", `{"redirect_uris": [`, "not valid JSON"},
		{"empty", ``, "empty"},
		{"too big", `{"client_name":"` + strings.Repeat("a", 70<<10) + `"}`, "64 KiB"},
	} {
		r := e.postJSON("/oauth/register", "application/json", []byte(tt.body))
		m := wantOAuthError(t, r, http.StatusBadRequest, "invalid_client_metadata")
		d, _ := m["error_description"].(string)
		wantNoInternals(t, "register "+tt.name, d)
		if !strings.Contains(d, tt.want) {
			t.Errorf("register %s: error_description %q does not say %q", tt.name, d, tt.want)
		}
	}

	// Authorization endpoint: the page for a request that cannot be read.
	r := e.get("/oauth/authorize?client_id=x;y=z")
	if r.status != http.StatusBadRequest {
		t.Errorf("unreadable authorization request: status %d", r.status)
	}
	wantNoInternals(t, "authorize page", pageError(r.body))

	// The detail is in the log, for the developer.
	for _, want := range []string{"crypto/bcrypt", "not_found", "invalid semicolon"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks the detail %q:\n%s", want, logs)
		}
	}
}
