package devauth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestRegisterPublic: RFC 7591 registration of a public (PKCE-only) client
// answers 201 with the registered metadata and no secret.
func TestRegisterPublic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	body, _ := json.Marshal(map[string]any{
		"redirect_uris":              []string{"http://127.0.0.1:5555/cb", "https://app.example.com/cb", "com.example.app:/cb"},
		"client_name":                "Inspector",
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
	})
	r := e.postJSON("/oauth/register", "application/json", body)
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	m := r.json(t)
	if id, _ := m["client_id"].(string); id == "" {
		t.Errorf("no client_id")
	}
	if _, ok := m["client_secret"]; ok {
		t.Errorf("public client got a client_secret")
	}
	if m["client_name"] != "Inspector" || m["token_endpoint_auth_method"] != "none" {
		t.Errorf("metadata not echoed: %v", m)
	}
	if _, ok := m["client_id_issued_at"].(float64); !ok {
		t.Errorf("client_id_issued_at missing: %v", m["client_id_issued_at"])
	}
	uris, _ := json.Marshal(m["redirect_uris"])
	if string(uris) != `["http://127.0.0.1:5555/cb","https://app.example.com/cb","com.example.app:/cb"]` {
		t.Errorf("redirect_uris %s", uris)
	}
	gt, _ := json.Marshal(m["grant_types"])
	if string(gt) != `["authorization_code","refresh_token"]` {
		t.Errorf("grant_types %s", gt)
	}

	// Registrations are distinct clients.
	c2 := e.publicClient("http://127.0.0.1:5555/cb")
	if c2.id == m["client_id"] {
		t.Errorf("two registrations got the same client_id")
	}
}

// TestRegisterDefaults: with only redirect_uris the RFC 7591 defaults
// apply: authorization_code, code, client_secret_basic with a secret.
func TestRegisterDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	r := e.postJSON("/oauth/register", "application/json; charset=utf-8", []byte(`{"redirect_uris":["http://localhost:7777/callback"]}`))
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	if m["token_endpoint_auth_method"] != "client_secret_basic" {
		t.Errorf("token_endpoint_auth_method %v, want client_secret_basic", m["token_endpoint_auth_method"])
	}
	if s, _ := m["client_secret"].(string); len(s) < 32 {
		t.Errorf("client_secret %q is missing or short", s)
	}
	if m["client_secret_expires_at"] != float64(0) {
		t.Errorf("client_secret_expires_at %v, want 0", m["client_secret_expires_at"])
	}
	gt, _ := json.Marshal(m["grant_types"])
	rt, _ := json.Marshal(m["response_types"])
	if string(gt) != `["authorization_code"]` || string(rt) != `["code"]` {
		t.Errorf("grant_types %s response_types %s", gt, rt)
	}
	if m["client_name"] != m["client_id"] {
		t.Errorf("client_name %v, want the client_id when none is given", m["client_name"])
	}
}

// TestRegisterConfidential: the secret a confidential client gets works
// with HTTP Basic at the token endpoint; a wrong one, or none, is
// invalid_client (401).
func TestRegisterConfidential(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb"}, "client_name": "Confidential"})
	if c.secret == "" {
		t.Fatal("no client_secret")
	}
	tokenForm := func() url.Values {
		p := newPKCE()
		code := e.code(authParams(c, p, "todo:read", ""))
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect}, "code_verifier": {p.verifier}}
	}

	// Wrong secret.
	r := e.postForm("/oauth/token", tokenForm(), c.id, c.secret+"x")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
	// No authentication at all, only client_id: a confidential client must
	// authenticate.
	f := tokenForm()
	f.Set("client_id", c.id)
	r = e.postForm("/oauth/token", f, "", "")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
	// The right secret.
	tk := okTokens(t, e.postForm("/oauth/token", tokenForm(), c.id, c.secret))
	v := e.verify(tk.access)
	if v.claims["client_id"] != c.id {
		t.Errorf("client_id claim %v, want %s", v.claims["client_id"], c.id)
	}
	if tk.scope != "todo:read" {
		t.Errorf("scope %q", tk.scope)
	}
}

// TestRegisterClientSecretPost: a client registered for client_secret_post
// authenticates with the form fields.
func TestRegisterClientSecretPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb"}, "token_endpoint_auth_method": "client_secret_post"})
	p := newPKCE()
	code := e.code(authParams(c, p, "", ""))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect}, "code_verifier": {p.verifier}, "client_id": {c.id}, "client_secret": {c.secret}}
	okTokens(t, e.postForm("/oauth/token", f, "", ""))
}

// TestRegisterErrors: every kind of bad registration gets 400 with the exact
// RFC 7591 section 3.2.2 error code.
func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	cb := []string{"http://127.0.0.1:5555/cb"}
	tests := []struct {
		name, contentType string
		body              []byte
		code              string
	}{
		{"missing redirect_uris", "application/json", []byte(`{"client_name":"x"}`), "invalid_redirect_uri"},
		{"empty redirect_uris", "application/json", []byte(`{"redirect_uris":[]}`), "invalid_redirect_uri"},
		{"plain http non-loopback", "application/json", js(map[string]any{"redirect_uris": []string{"http://app.example.com/cb"}}), "invalid_redirect_uri"},
		{"plain http private IP", "application/json", js(map[string]any{"redirect_uris": []string{"http://192.168.1.10/cb"}}), "invalid_redirect_uri"},
		{"one bad among good", "application/json", js(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb", "http://evil.example/cb"}}), "invalid_redirect_uri"},
		{"fragment", "application/json", js(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb#frag"}}), "invalid_redirect_uri"},
		{"empty fragment", "application/json", js(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb#"}}), "invalid_redirect_uri"},
		{"javascript scheme", "application/json", js(map[string]any{"redirect_uris": []string{"javascript:alert(1)"}}), "invalid_redirect_uri"},
		{"JavaScript scheme upper case", "application/json", js(map[string]any{"redirect_uris": []string{"JavaScript:alert(1)"}}), "invalid_redirect_uri"},
		{"data scheme", "application/json", js(map[string]any{"redirect_uris": []string{"data:text/html,hi"}}), "invalid_redirect_uri"},
		{"relative", "application/json", js(map[string]any{"redirect_uris": []string{"/cb"}}), "invalid_redirect_uri"},
		{"https without host", "application/json", js(map[string]any{"redirect_uris": []string{"https:///cb"}}), "invalid_redirect_uri"},
		{"client_credentials grant", "application/json", js(map[string]any{"redirect_uris": cb, "grant_types": []string{"client_credentials"}}), "invalid_client_metadata"},
		{"implicit grant", "application/json", js(map[string]any{"redirect_uris": cb, "grant_types": []string{"authorization_code", "implicit"}}), "invalid_client_metadata"},
		{"refresh only", "application/json", js(map[string]any{"redirect_uris": cb, "grant_types": []string{"refresh_token"}}), "invalid_client_metadata"},
		{"response_types token", "application/json", js(map[string]any{"redirect_uris": cb, "response_types": []string{"token"}}), "invalid_client_metadata"},
		{"response_types code token", "application/json", js(map[string]any{"redirect_uris": cb, "response_types": []string{"code", "token"}}), "invalid_client_metadata"},
		{"auth method private_key_jwt", "application/json", js(map[string]any{"redirect_uris": cb, "token_endpoint_auth_method": "private_key_jwt"}), "invalid_client_metadata"},
		{"long client_name", "application/json", js(map[string]any{"redirect_uris": cb, "client_name": strings.Repeat("n", 201)}), "invalid_client_metadata"},
		{"unknown application_type", "application/json", js(map[string]any{"redirect_uris": cb, "application_type": "browser"}), "invalid_client_metadata"},
		{"native app with a web redirect", "application/json", js(map[string]any{"redirect_uris": []string{"https://app.example.com/cb"}, "application_type": "native"}), "invalid_redirect_uri"},
		{"web app with a private-use scheme", "application/json", js(map[string]any{"redirect_uris": []string{"cursor://anysphere.cursor-mcp/oauth/callback"}, "application_type": "web"}), "invalid_redirect_uri"},
		{"wrong content type", "application/x-www-form-urlencoded", []byte(`redirect_uris=http://127.0.0.1:5555/cb`), "invalid_client_metadata"},
		{"text/plain JSON", "text/plain", js(map[string]any{"redirect_uris": cb}), "invalid_client_metadata"},
		{"no content type", "", js(map[string]any{"redirect_uris": cb}), "invalid_client_metadata"},
		{"malformed JSON", "application/json", []byte(`{"redirect_uris": [`), "invalid_client_metadata"},
		{"JSON array", "application/json", []byte(`["http://127.0.0.1:5555/cb"]`), "invalid_client_metadata"},
		{"wrong field type", "application/json", []byte(`{"redirect_uris":"http://127.0.0.1:5555/cb"}`), "invalid_client_metadata"},
		{"empty body", "application/json", nil, "invalid_client_metadata"},
		{"body over 64 KiB", "application/json", []byte(`{"redirect_uris":["http://127.0.0.1:5555/cb"],"client_name":"` + strings.Repeat("a", 70<<10) + `"}`), "invalid_client_metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON("/oauth/register", tt.contentType, tt.body)
			m := wantOAuthError(t, r, http.StatusBadRequest, tt.code)
			if d, _ := m["error_description"].(string); d == "" {
				t.Errorf("no error_description")
			}
		})
	}
}

// TestRegisterMethods: registration is POST only.
func TestRegisterMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, e.base+"/oauth/register", bytes.NewReader(nil))
		r := e.do(req)
		if r.status != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", method, r.status)
		}
		if r.header.Get("Allow") != "POST" {
			t.Errorf("%s: Allow %q", method, r.header.Get("Allow"))
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth/token", nil)
	if r := e.do(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /oauth/token: %d, want 405", r.status)
	}
}

// TestRegisteredClientRestrictions: a registered client cannot use client
// credentials, and grant types it did not register are refused.
func TestRegisteredClientRestrictions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:5555/cb"}})
	r := e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, c.id, c.secret)
	wantOAuthError(t, r, http.StatusBadRequest, "unauthorized_client")
	// Registered without refresh_token: even with offline_access no
	// refresh token.
	p := newPKCE()
	code := e.code(authParams(c, p, "todo:read offline_access", ""))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect}, "code_verifier": {p.verifier}}
	r = e.postForm("/oauth/token", f, c.id, c.secret)
	tk := okTokens(t, r)
	if tk.refresh != "" {
		t.Errorf("client without the refresh_token grant got a refresh token")
	}
	if !slices.Contains(strings.Fields(tk.scope), "offline_access") {
		t.Errorf("scope %q: offline_access was asked for and approved", tk.scope)
	}
}

// TestRegisterApplicationType: application_type is honoured and echoed; a
// native app registers loopback or private-use redirect URIs, a web app
// http(s) ones, and a client naming no type may register either.
func TestRegisterApplicationType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, tc := range []struct {
		appType  string
		redirect string
	}{
		{"native", "http://127.0.0.1:33418/callback"},
		{"native", "cursor://anysphere.cursor-mcp/oauth/callback"},
		{"web", "https://claude.ai/api/mcp/auth_callback"},
		{"web", "http://localhost:6274/oauth/callback"},
		{"", "cursor://anysphere.cursor-mcp/oauth/callback"},
	} {
		body, _ := json.Marshal(map[string]any{"redirect_uris": []string{tc.redirect}, "application_type": tc.appType, "token_endpoint_auth_method": "none"})
		r := e.postJSON("/oauth/register", "application/json", body)
		if r.status != http.StatusCreated {
			t.Errorf("%q app with %s: status %d: %s", tc.appType, tc.redirect, r.status, r.body)
			continue
		}
		if got, _ := r.json(t)["application_type"].(string); got != tc.appType {
			t.Errorf("%q app: registration answers application_type %q", tc.appType, got)
		}
	}
}
