package devauth

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	testLoginURL  = "http://localhost:3002/login"
	testAPISecret = "api-secret-0123456789"
)

func byoaEnv(t *testing.T, autoApprove bool) *env {
	return newEnv(t, autoApprove, func(c *Config) {
		c.LoginURL = testLoginURL
		c.APISecret = testAPISecret
	})
}

// apiToken gets an API token as the login route does: client credentials
// of APIClientID, in the form.
func (e *env) apiToken() string {
	e.t.Helper()
	r := e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {APIClientID}, "client_secret": {testAPISecret}}, "", "")
	return okTokens(e.t, r).access
}

// postUser posts claims for login request id with token.
func (e *env) postUser(conn, id, token string, claims map[string]any) *response {
	e.t.Helper()
	body, _ := json.Marshal(claims)
	req, _ := http.NewRequest("POST", e.base+"/api/v1/connections/"+conn+"/auth-requests/"+id+"/user", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req)
}

// callback comes back to partner:callback with state, carrying cookies.
func (e *env) callback(state string, cookies []*http.Cookie) *response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.base+"/sso/v1/connections/"+DefaultConnectionID+"/partner:callback?"+url.Values{"state": {state}}.Encode(), nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return e.do(req)
}

// startLogin runs an authorization request and returns where it sent the
// browser, and the cookies it set.
func (e *env) startLogin(c regClient, p pkce) (id, state string, cookies []*http.Cookie) {
	e.t.Helper()
	r := e.authorize(authParams(c, p, "todo:read", "client-state"))
	loc := r.location(e.t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testLoginURL {
		e.t.Fatalf("authorize sent the browser to %s, want the login route %s", loc, testLoginURL)
	}
	resp := http.Response{Header: r.header}
	return loc.Query().Get("login_request_id"), loc.Query().Get("state"), resp.Cookies()
}

// TestBringYourOwnAuth: authorize → login route → user posted with an API
// token → partner:callback → code → a token whose sub and claims are the
// posted user's.
func TestBringYourOwnAuth(t *testing.T) {
	e := byoaEnv(t, true)
	c := e.publicClient("http://127.0.0.1:7777/callback")
	p := newPKCE()
	id, state, cookies := e.startLogin(c, p)
	if !strings.HasPrefix(id, "lri_") || state == "" || len(cookies) != 1 {
		t.Fatalf("login request %q, state %q, cookies %v", id, state, cookies)
	}
	if r := e.postUser(DefaultConnectionID, id, e.apiToken(), map[string]any{"sub": "user_42", "email": "carol@example.com", "iss": "forged", "name": "Carol"}); r.status != http.StatusOK {
		t.Fatalf("user post: %d %s", r.status, r.body)
	}
	loc := e.callback(state, cookies).location(t)
	if loc.Query().Get("state") != "client-state" || loc.Query().Get("code") == "" {
		t.Fatalf("callback redirected to %s", loc)
	}
	tok := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	claims := e.verify(tok.access).claims
	if claims["sub"] != "user_42" || claims["email"] != "carol@example.com" || claims["name"] != "Carol" || claims["iss"] != e.base {
		t.Errorf("token claims %v", claims)
	}

	// The state is good for one callback.
	if r := e.callback(state, cookies); r.status != http.StatusBadRequest || !strings.Contains(r.body, "already used") {
		t.Errorf("replayed state: %d %s", r.status, r.body)
	}
}

func TestBringYourOwnAuthRefusals(t *testing.T) {
	e := byoaEnv(t, true)
	c := e.publicClient("http://127.0.0.1:7777/callback")
	id, state, cookies := e.startLogin(c, newPKCE())
	api := e.apiToken()
	user := map[string]any{"sub": "user_42"}

	for name, tok := range map[string]string{
		"no token":      "",
		"garbage token": "not-a-jwt",
		// A token of the machine client is an MCP access token, not an API token.
		"MCP access token": okTokens(t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, MachineClientID, testSecret)).access,
	} {
		if r := e.postUser(DefaultConnectionID, id, tok, user); r.status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := e.postUser("res_dev", id, api, user); r.status != http.StatusNotFound || !strings.Contains(r.body, "resource ID (res_") {
		t.Errorf("resource ID for connection ID: %d %s", r.status, r.body)
	}
	if r := e.postUser(DefaultConnectionID, "lri_unknown", api, user); r.status != http.StatusNotFound {
		t.Errorf("unknown login request: %d %s", r.status, r.body)
	}
	if r := e.postUser(DefaultConnectionID, id, api, map[string]any{"email": "x@example.com"}); r.status != http.StatusBadRequest {
		t.Errorf("no sub: %d %s", r.status, r.body)
	}
	// Back before the user was posted.
	if r := e.callback(state, cookies); r.status != http.StatusBadRequest || !strings.Contains(r.body, "before it posted") {
		t.Errorf("callback before the user post: %d %s", r.status, r.body)
	}

	id, state, cookies = e.startLogin(c, newPKCE())
	if r := e.postUser(DefaultConnectionID, id, api, user); r.status != http.StatusOK {
		t.Fatalf("user post: %d %s", r.status, r.body)
	}
	if r := e.callback(state+"x", cookies); r.status != http.StatusBadRequest {
		t.Errorf("altered state: %d %s", r.status, r.body)
	}
	if r := e.callback(state, nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "another browser") {
		t.Errorf("callback from another browser: %d %s", r.status, r.body)
	}
}

// TestBringYourOwnAuthConsent: without --auto-approve the signed-in user
// is asked to consent, and the consent is theirs whatever the form says.
func TestBringYourOwnAuthConsent(t *testing.T) {
	e := byoaEnv(t, false)
	c := e.publicClient("http://127.0.0.1:7777/callback")
	p := newPKCE()
	id, state, cookies := e.startLogin(c, p)
	e.postUser(DefaultConnectionID, id, e.apiToken(), map[string]any{"sub": "user_42"})
	page := e.callback(state, cookies)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Signed in as <strong>user_42</strong>") {
		t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	consent := regexpValue(t, page.body, "consent")
	loc := e.postForm("/oauth/authorize", url.Values{"consent": {consent}, "decision": {"approve"}, "user": {"mallory"}, "scope": {"todo:read"}}, "", "").location(t)
	tok := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	if sub := e.verify(tok.access).claims["sub"]; sub != "user_42" {
		t.Errorf("sub = %v, want the signed-in user", sub)
	}
}

func regexpValue(t *testing.T, body, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `name="`+name+`" value="`)
	if !ok {
		t.Fatalf("no %s input in %s", name, body)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestLoginURLMustBeLoopback(t *testing.T) {
	for _, u := range []string{"https://login.example.com/login", "http://localhost:3002/login?x=1", "localhost:3002/login"} {
		if err := checkLoginURL(u); err == nil {
			t.Errorf("checkLoginURL(%q) accepted", u)
		}
	}
	if err := checkLoginURL(testLoginURL); err != nil {
		t.Error(err)
	}
}
