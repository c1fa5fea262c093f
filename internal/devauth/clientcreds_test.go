package devauth

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestClientCredentials: the pre-registered machine client gets RFC 9068
// tokens for itself with HTTP Basic, for the configured resource.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	cc := func(form url.Values, user, pass string) *response {
		f := url.Values{"grant_type": {"client_credentials"}}
		for k, v := range form {
			f[k] = v
		}
		return e.postForm("/oauth/token", f, user, pass)
	}

	tk := okTokens(t, cc(url.Values{"scope": {"todo:read todo:write"}}, MachineClientID, testSecret))
	if tk.refresh != "" {
		t.Errorf("client credentials issued a refresh token")
	}
	if tk.scope != "todo:read todo:write" {
		t.Errorf("scope %q", tk.scope)
	}
	v := e.verify(tk.access)
	cl := v.claims
	if v.header.ExtraHeaders["typ"] != "at+jwt" || v.header.Algorithm != "RS256" || v.header.KeyID != e.srv.KeyID() {
		t.Errorf("header %+v", v.header)
	}
	if cl["sub"] != MachineClientID || cl["client_id"] != MachineClientID {
		t.Errorf("sub %v client_id %v, want %s", cl["sub"], cl["client_id"], MachineClientID)
	}
	if cl["iss"] != e.base {
		t.Errorf("iss %v", cl["iss"])
	}
	if !slices.Equal(aud(cl), []string{testResource}) {
		t.Errorf("aud %v, want [%s]", aud(cl), testResource)
	}
	if cl["scope"] != "todo:read todo:write" {
		t.Errorf("scope claim %v", cl["scope"])
	}
	if cl["jti"] == "" || cl["jti"] == nil {
		t.Errorf("no jti")
	}
	if d := num(t, cl, "exp") - num(t, cl, "iat"); d < 3600 || d > 3601 {
		t.Errorf("lifetime %d", d)
	}

	// No scope: a token that carries none.
	tk = okTokens(t, cc(nil, MachineClientID, testSecret))
	cl = e.verify(tk.access).claims
	if s, ok := cl["scope"]; ok && s != "" {
		t.Errorf("no scope asked, scope claim %v", s)
	}
	if !slices.Equal(aud(cl), []string{testResource}) {
		t.Errorf("aud %v", aud(cl))
	}
	if tk.scope != "" {
		t.Errorf("no scope asked, response scope %q", tk.scope)
	}

	// The configured resource, named.
	tk = okTokens(t, cc(url.Values{"scope": {"todo:read"}, "resource": {testResource}}, MachineClientID, testSecret))
	if !slices.Equal(aud(e.verify(tk.access).claims), []string{testResource}) {
		t.Errorf("aud with resource named")
	}

	// Errors.
	wantOAuthError(t, cc(url.Values{"scope": {"todo:read admin"}}, MachineClientID, testSecret), http.StatusBadRequest, "invalid_scope")
	wantOAuthError(t, cc(url.Values{"scope": {"todo"}}, MachineClientID, testSecret), http.StatusBadRequest, "invalid_scope")
	// Client credentials have no refresh tokens, so offline_access is not on offer.
	wantOAuthError(t, cc(url.Values{"scope": {"todo:read offline_access"}}, MachineClientID, testSecret), http.StatusBadRequest, "invalid_scope")
	wantOAuthError(t, cc(url.Values{"resource": {"http://localhost:4000/mcp"}}, MachineClientID, testSecret), http.StatusBadRequest, "invalid_target")
	wantOAuthError(t, cc(url.Values{"resource": {testResource, "https://other.example/"}}, MachineClientID, testSecret), http.StatusBadRequest, "invalid_target")
	r := cc(nil, MachineClientID, "wrong-secret-0123456789")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 invalid_client with Basic auth lacks WWW-Authenticate (RFC 6749 section 5.2)")
	}
	wantOAuthError(t, cc(nil, "someone-else", testSecret), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, cc(url.Values{"client_id": {MachineClientID}}, "", ""), http.StatusUnauthorized, "invalid_client")
	// Registered for client_secret_basic: the secret in the form is refused.
	wantOAuthError(t, cc(url.Values{"client_id": {MachineClientID}, "client_secret": {testSecret}}, "", ""), http.StatusUnauthorized, "invalid_client")
}

// TestMachineClientCannotAuthorize: the machine client has no redirect URI
// and cannot use the code grant at the token endpoint either.
func TestMachineClientCannotAuthorize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	f := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {cb}, "code_verifier": {newPKCE().verifier}}
	wantOAuthError(t, e.postForm("/oauth/token", f, MachineClientID, testSecret), http.StatusBadRequest, "unauthorized_client")
}

// TestTokenContentType: RFC 6749 section 3.2 token (and RFC 7009
// revocation) requests are application/x-www-form-urlencoded. fosite also
// parses multipart/form-data; dev-auth takes the one encoding clients use
// and says so to any other.
func TestTokenContentType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	multipart := "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n"
	for _, tt := range []struct{ path, contentType, body string }{
		{"/oauth/token", "multipart/form-data; boundary=x", multipart},
		{"/oauth/token", "text/plain", "grant_type=client_credentials"},
		{"/oauth/token", "application/json", `{"grant_type":"client_credentials"}`},
		{"/oauth/token", "", "grant_type=client_credentials"},
		{"/oauth/revoke", "multipart/form-data; boundary=x", multipart},
		{"/oauth/revoke", "text/plain", "token=x"},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.base+tt.path, strings.NewReader(tt.body))
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		req.SetBasicAuth(MachineClientID, testSecret)
		r := e.do(req)
		m := wantOAuthError(t, r, http.StatusBadRequest, "invalid_request")
		if d, _ := m["error_description"].(string); !strings.Contains(d, "application/x-www-form-urlencoded") {
			t.Errorf("%s %q: error_description %q does not name the encoding", tt.path, tt.contentType, d)
		}
	}
	// With a charset, as browsers and Node send it.
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.SetBasicAuth(MachineClientID, testSecret)
	okTokens(t, e.do(req))
}
