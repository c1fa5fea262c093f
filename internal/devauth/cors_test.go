package devauth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// corsPaths are the endpoints browser-based clients call with fetch.
var corsPaths = []string{
	"/.well-known/oauth-authorization-server",
	"/.well-known/oauth-authorization-server/resources/res_dev",
	"/resources/res_dev/.well-known/oauth-authorization-server",
	"/.well-known/openid-configuration",
	"/keys",
	"/oauth/token",
	"/oauth/register",
	"/oauth/revoke",
}

// Origins of pages served from this machine, e.g. MCP Inspector.
var loopbackOrigins = []string{
	"http://localhost:6274",
	"http://127.0.0.1:6274",
	"http://[::1]:6274",
	"http://localhost",
	"https://localhost:8443",
	"http://LOCALHOST:6274",
	"http://inspector.localhost:6274",
	"http://127.1.2.3:6274",
}

// Origins of pages anywhere else, including look-alikes and the opaque
// "null" origin of sandboxed frames and file: pages.
var foreignOrigins = []string{
	"https://evil.example",
	"http://localhost.evil.example",
	"http://127.0.0.1.evil.example:6274",
	"http://192.168.1.10:6274",
	"http://[2001:db8::1]",
	"null",
	"file://",
	"ftp://localhost",
	"http://localhost:6274/path",
	"http://user@localhost:6274",
}

func preflight(e *env, path, origin string) *response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, e.base+path, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version")
	return e.do(req)
}

func withOrigin(e *env, method, path, origin, contentType, body string) *response {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req)
}

// TestCORSLoopbackOrigins: pages on this machine (MCP Inspector at
// http://localhost:6274 or http://127.0.0.1:6274) may preflight and read
// every CORS endpoint; the origin is reflected, never "*", with Vary: Origin.
func TestCORSLoopbackOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, origin := range loopbackOrigins {
		for _, p := range corsPaths {
			r := preflight(e, p, origin)
			h := r.header
			if r.status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != origin {
				t.Errorf("OPTIONS %s from %s: status %d, Allow-Origin %q; want 204 and the origin reflected", p, origin, r.status, h.Get("Access-Control-Allow-Origin"))
			}
			if !strings.Contains(h.Get("Vary"), "Origin") {
				t.Errorf("OPTIONS %s from %s: Vary %q lacks Origin", p, origin, h.Get("Vary"))
			}
			for _, hd := range []string{"Authorization", "Content-Type", "MCP-Protocol-Version"} {
				if !strings.Contains(h.Get("Access-Control-Allow-Headers"), hd) {
					t.Errorf("OPTIONS %s from %s: Allow-Headers %q lacks %s", p, origin, h.Get("Access-Control-Allow-Headers"), hd)
				}
			}
		}
	}
	// The actual responses, errors included, are readable by those pages.
	for _, origin := range []string{"http://localhost:6274", "http://127.0.0.1:6274"} {
		for _, r := range []*response{
			withOrigin(e, http.MethodGet, "/keys", origin, "", ""),
			withOrigin(e, http.MethodGet, "/.well-known/oauth-authorization-server", origin, "", ""),
			withOrigin(e, http.MethodPost, "/oauth/token", origin, "application/x-www-form-urlencoded", "grant_type=nope"),
			withOrigin(e, http.MethodPost, "/oauth/register", origin, "application/json", `{"redirect_uris":["http://localhost:6274/oauth/callback"],"token_endpoint_auth_method":"none"}`),
		} {
			if got := r.header.Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("%s: status %d, Allow-Origin %q, want %s", origin, r.status, got, origin)
			}
			if !strings.Contains(r.header.Get("Vary"), "Origin") {
				t.Errorf("%s: Vary %q lacks Origin", origin, r.header.Get("Vary"))
			}
		}
	}
}

// TestCORSForeignOrigins: a page on any other origin gets no
// Access-Control-Allow-Origin anywhere, and the state-changing endpoints
// refuse its requests outright (403): a form or "simple" fetch needs no
// preflight, so withholding CORS alone would not stop it registering a
// client, redeeming a code or using the machine client.
func TestCORSForeignOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, origin := range foreignOrigins {
		for _, p := range corsPaths {
			r := preflight(e, p, origin)
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("OPTIONS %s from %s: status %d, Access-Control-Allow-Origin %q, want none", p, origin, r.status, got)
			}
		}
	}
	for _, origin := range foreignOrigins {
		// Read-only documents are still served (they are public), but the
		// browser is not allowed to hand them to the page.
		for _, p := range []string{"/keys", "/.well-known/oauth-authorization-server"} {
			r := withOrigin(e, http.MethodGet, p, origin, "", "")
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("GET %s from %s: Access-Control-Allow-Origin %q, want none", p, origin, got)
			}
		}
		// The machine client's secret would mint a token.
		req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(MachineClientID, testSecret)
		r := e.do(req)
		if r.status != http.StatusForbidden || strings.Contains(r.body, "access_token") || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("POST /oauth/token from %s: %d, Allow-Origin %q, %s; want 403 and no token", origin, r.status, r.header.Get("Access-Control-Allow-Origin"), r.body)
		}
		reg := `{"redirect_uris":["https://evil.example/cb"],"token_endpoint_auth_method":"none"}`
		r = withOrigin(e, http.MethodPost, "/oauth/register", origin, "application/json", reg)
		if r.status != http.StatusForbidden || strings.Contains(r.body, "client_id") {
			t.Errorf("POST /oauth/register from %s: %d %s; want 403 and no client", origin, r.status, r.body)
		}
		r = withOrigin(e, http.MethodPost, "/oauth/revoke", origin, "application/x-www-form-urlencoded", url.Values{"token": {"x"}, "client_id": {"x"}}.Encode())
		if r.status != http.StatusForbidden {
			t.Errorf("POST /oauth/revoke from %s: %d %s; want 403", origin, r.status, r.body)
		}
		if r.status == http.StatusForbidden {
			wantOAuthError(t, r, http.StatusForbidden, "invalid_request")
		}
	}
	// Requests without Origin (curl, SDKs in Node, the token command) are
	// not browser requests and keep working.
	okTokens(t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, MachineClientID, testSecret))
	e.publicClient(cb)
}

// TestRegisterNeedsJSON: a cross-origin page can send a form or text/plain
// POST without a preflight; registration takes application/json only, which
// a browser sends cross-origin only after a preflight that CORS refuses.
func TestRegisterNeedsJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	body := `{"redirect_uris":["http://127.0.0.1:5555/cb"],"token_endpoint_auth_method":"none"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		r := withOrigin(e, http.MethodPost, "/oauth/register", "http://localhost:6274", ct, body)
		wantOAuthError(t, r, http.StatusBadRequest, "invalid_client_metadata")
	}
	r := withOrigin(e, http.MethodPost, "/oauth/register", "http://localhost:6274", "application/json", body)
	if r.status != http.StatusCreated {
		t.Errorf("JSON registration from a loopback origin: %d %s", r.status, r.body)
	}
}
