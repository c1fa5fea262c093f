package devauth

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const cb = "http://127.0.0.1:5555/cb"

// TestAuthorizationCodeFlow is the happy path with an auto-approving server:
// 303 to the redirect URI with code and state, then a code exchange with
// the PKCE verifier, then an RFC 9068 access token that verifies against
// /keys.
func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	r := e.authorize(authParams(c, p, "todo:read todo:write", "state-1234567"))
	loc := r.location(t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != cb {
		t.Fatalf("redirected to %s, want %s", got, cb)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("redirect Cache-Control %q", r.header.Get("Cache-Control"))
	}
	q := loc.Query()
	if q.Get("state") != "state-1234567" || q.Get("code") == "" || q.Has("error") {
		t.Fatalf("redirect query %v", q)
	}

	before := time.Now().Unix()
	tk := okTokens(t, e.exchange(c, q.Get("code"), p.verifier))
	after := time.Now().Unix()
	if tk.refresh != "" {
		t.Errorf("refresh token issued without offline_access")
	}
	if tk.scope != "todo:read todo:write" {
		t.Errorf("response scope %q", tk.scope)
	}
	if tk.expiresIn < 3500 || tk.expiresIn > 3600 {
		t.Errorf("expires_in %v, want about 3600", tk.expiresIn)
	}

	v := e.verify(tk.access)
	if v.header.Algorithm != "RS256" {
		t.Errorf("alg %q", v.header.Algorithm)
	}
	if v.header.KeyID != e.srv.KeyID() {
		t.Errorf("kid %q, want %q", v.header.KeyID, e.srv.KeyID())
	}
	if typ := v.header.ExtraHeaders["typ"]; typ != "at+jwt" {
		t.Errorf("typ %v, want at+jwt (RFC 9068)", typ)
	}
	cl := v.claims
	if cl["iss"] != e.base {
		t.Errorf("iss %v, want %s", cl["iss"], e.base)
	}
	if cl["sub"] != DefaultUsers[0] {
		t.Errorf("sub %v, want the first dev user %s", cl["sub"], DefaultUsers[0])
	}
	if a := aud(cl); !slices.Equal(a, []string{testResource}) {
		t.Errorf("aud %v, want [%s]", a, testResource)
	}
	if cl["client_id"] != c.id {
		t.Errorf("client_id %v, want %s", cl["client_id"], c.id)
	}
	if cl["scope"] != "todo:read todo:write" {
		t.Errorf("scope claim %v", cl["scope"])
	}
	if _, ok := cl["scp"]; ok {
		t.Errorf("token carries scp as well as scope")
	}
	if jti, _ := cl["jti"].(string); jti == "" {
		t.Errorf("no jti")
	}
	iat, exp := num(t, cl, "iat"), num(t, cl, "exp")
	if iat < before-1 || iat > after+1 {
		t.Errorf("iat %d not in [%d, %d]", iat, before, after)
	}
	// fosite rounds exp to the nearest second, iat is truncated.
	if exp-iat < 3600 || exp-iat > 3601 {
		t.Errorf("exp - iat = %d, want 3600", exp-iat)
	}
}

// TestUsersAndTTL: the configured first user is the auto-approved subject
// and AccessTokenTTL sets the lifetime.
func TestUsersAndTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true, func(c *Config) {
		c.Users = []string{"dora@example.com", "eve@example.com"}
		c.AccessTokenTTL = 5 * time.Minute
	})
	c := e.publicClient(cb)
	p := newPKCE()
	tk := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read", "")), p.verifier))
	cl := e.verify(tk.access).claims
	if cl["sub"] != "dora@example.com" {
		t.Errorf("sub %v", cl["sub"])
	}
	if d := num(t, cl, "exp") - num(t, cl, "iat"); d < 300 || d > 301 {
		t.Errorf("lifetime %d s, want 300", d)
	}
}

// TestPKCERequired: OAuth 2.1 makes PKCE mandatory and this server allows
// S256 only; the errors go back to the client with its state.
func TestPKCERequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	tests := []struct {
		name string
		mod  func(url.Values)
	}{
		{"no code_challenge", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }},
		{"plain method", func(q url.Values) { q.Set("code_challenge", p.verifier); q.Set("code_challenge_method", "plain") }},
		{"challenge without method (plain by default)", func(q url.Values) { q.Del("code_challenge_method") }},
		{"unknown method", func(q url.Values) { q.Set("code_challenge_method", "S512") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(c, p, "todo:read", "st-pkce-1")
			tt.mod(q)
			got := wantRedirectError(t, e.authorize(q), cb, "invalid_request")
			if got.Get("state") != "st-pkce-1" {
				t.Errorf("state %q, want st-pkce-1", got.Get("state"))
			}
			if got.Get("error_description") == "" {
				t.Errorf("no error_description")
			}
		})
	}
}

// TestPKCEVerifier: the token endpoint checks the verifier against the
// challenge.
func TestPKCEVerifier(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	code := e.code(authParams(c, p, "todo:read", ""))
	wantOAuthError(t, e.exchange(c, code, newPKCE().verifier), http.StatusBadRequest, "invalid_grant")

	code = e.code(authParams(c, p, "todo:read", ""))
	wantOAuthError(t, e.exchange(c, code, ""), http.StatusBadRequest, "invalid_grant")

	code = e.code(authParams(c, p, "todo:read", ""))
	okTokens(t, e.exchange(c, code, p.verifier))
}

// TestCodeReplay: a code works once. Replaying it is invalid_grant and, per
// RFC 6749 section 4.1.2, revokes what the first redemption issued: the
// refresh token no longer works.
func TestCodeReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	code := e.code(authParams(c, p, "todo:read offline_access", ""))
	first := okTokens(t, e.exchange(c, code, p.verifier))
	if first.refresh == "" {
		t.Fatal("no refresh token with offline_access")
	}
	wantOAuthError(t, e.exchange(c, code, p.verifier), http.StatusBadRequest, "invalid_grant")
	r := e.postForm("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.refresh}, "client_id": {c.id}}, "", "")
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
}

// TestCodeBoundToClientAndRedirect: the token request must name the
// redirect URI of the authorization request, and only the client the code
// was issued to can redeem it.
func TestCodeBoundToClientAndRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.register(map[string]any{
		"redirect_uris":              []string{cb, "http://127.0.0.1:5555/other"},
		"token_endpoint_auth_method": "none",
	})
	c.redirect = cb
	p := newPKCE()

	code := e.code(authParams(c, p, "todo:read", ""))
	other := c
	other.redirect = "http://127.0.0.1:5555/other"
	wantOAuthError(t, e.exchange(other, code, p.verifier), http.StatusBadRequest, "invalid_grant")

	code = e.code(authParams(c, p, "todo:read", ""))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {c.id}, "code_verifier": {p.verifier}}
	wantOAuthError(t, e.postForm("/oauth/token", f, "", ""), http.StatusBadRequest, "invalid_grant")

	code = e.code(authParams(c, p, "todo:read", ""))
	thief := e.publicClient(cb)
	wantOAuthError(t, e.exchange(thief, code, p.verifier), http.StatusBadRequest, "invalid_grant")

	wantOAuthError(t, e.exchange(c, "not-a-code", p.verifier), http.StatusBadRequest, "invalid_grant")
}

// TestExactRedirectMatch: a redirect URI that is not exactly a registered
// one is never redirected to, not even a loopback one on another port
// (which fosite alone would accept, per RFC 8252): the user sees an error
// page instead.
func TestExactRedirectMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	for _, bad := range []string{
		"http://127.0.0.1:6666/cb",
		"http://127.0.0.1/cb",
		"http://localhost:5555/cb",
		"http://127.0.0.1:5555/cb2",
		"http://127.0.0.1:5555/cb?x=1",
		"http://127.0.0.1:5555/cb/",
		"https://evil.example/cb",
	} {
		t.Run(bad, func(t *testing.T) {
			q := authParams(c, p, "todo:read", "st-redirect")
			q.Set("redirect_uri", bad)
			r := e.authorize(q)
			if r.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", r.status)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("redirected to %s", loc)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want an HTML page", ct)
			}
			if !strings.Contains(r.body, "DEVELOPMENT ONLY") || !strings.Contains(r.body, "cannot continue") {
				t.Errorf("not the error page: %s", r.body)
			}
			if strings.Contains(r.body, `name="consent"`) {
				t.Errorf("error page has the consent form")
			}
			if !strings.Contains(html2text(r.body), "is not one of the client's registered redirect URIs: "+cb) {
				t.Errorf("error page does not say why: %s", pageError(r.body))
			}
		})
	}
	// The registered one is fine, and it is the default when omitted.
	q := authParams(c, p, "todo:read", "")
	q.Del("redirect_uri")
	if loc := e.authorize(q).location(t); loc.Scheme+"://"+loc.Host+loc.Path != cb || loc.Query().Get("code") == "" {
		t.Errorf("omitted redirect_uri: redirected to %s", loc)
	}
}

// TestRedirectAmbiguous: with two registered redirect URIs and none in the
// request there is nowhere safe to send an error, so the user sees it.
func TestRedirectAmbiguous(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.register(map[string]any{"redirect_uris": []string{cb, "http://127.0.0.1:5555/two"}, "token_endpoint_auth_method": "none"})
	q := authParams(c, newPKCE(), "todo:read", "")
	q.Del("redirect_uri")
	r := e.authorize(q)
	if r.status < 400 || r.status > 499 || r.header.Get("Location") != "" {
		t.Errorf("status %d Location %q, want a 4xx page", r.status, r.header.Get("Location"))
	}
}

// TestUnknownClient: an unknown or missing client_id is shown to the user,
// never redirected (the redirect URI cannot be trusted).
func TestUnknownClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	p := newPKCE()
	for name, id := range map[string]string{"unknown": "no-such-client", "missing": ""} {
		t.Run(name, func(t *testing.T) {
			q := authParams(regClient{id: id, redirect: cb}, p, "todo:read", "st-unknown")
			if id == "" {
				q.Del("client_id")
			}
			r := e.authorize(q)
			if r.status < 400 || r.status > 499 {
				t.Errorf("status %d, want 4xx", r.status)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("redirected to %s", loc)
			}
			if !strings.Contains(r.body, "cannot continue") || !strings.Contains(r.body, "invalid_client") {
				t.Errorf("not the invalid_client error page: %s", pageError(r.body))
			}
			if id != "" && !strings.Contains(r.body, "no client is registered with client_id") {
				t.Errorf("the page does not say why: %s", pageError(r.body))
			}
		})
	}
	// The machine client has no redirect URI and no code grant.
	q := authParams(regClient{id: MachineClientID, redirect: cb}, p, "todo:read", "")
	if r := e.authorize(q); r.header.Get("Location") != "" || r.status < 400 {
		t.Errorf("machine client at /oauth/authorize: %d %s", r.status, r.header.Get("Location"))
	}
}

// TestAuthorizeRequestErrors: other malformed authorization requests come
// back to the client as RFC 6749 section 4.1.2.1 errors.
func TestAuthorizeRequestErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	tests := []struct {
		name, code string
		mod        func(url.Values)
	}{
		{"response_type token", "unsupported_response_type", func(q url.Values) { q.Set("response_type", "token") }},
		{"no response_type", "unsupported_response_type", func(q url.Values) { q.Del("response_type") }},
		{"unknown scope", "invalid_scope", func(q url.Values) { q.Set("scope", "todo:read admin") }},
		{"scope prefix is not the scope", "invalid_scope", func(q url.Values) { q.Set("scope", "todo") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(c, p, "todo:read", "st-err-1")
			tt.mod(q)
			got := wantRedirectError(t, e.authorize(q), cb, tt.code)
			if got.Get("state") != "st-err-1" {
				t.Errorf("state %q", got.Get("state"))
			}
		})
	}
}

// TestResourceIndicators: RFC 8707. The one configured resource, named or
// not, ends up in aud; any other is invalid_target, at the authorization
// and at the token endpoint.
func TestResourceIndicators(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()

	for name, res := range map[string][]string{"none": nil, "configured": {testResource}, "configured twice": {testResource, testResource}} {
		q := authParams(c, p, "todo:read", "")
		q["resource"] = res
		tk := okTokens(t, e.exchange(c, e.code(q), p.verifier))
		if a := aud(e.verify(tk.access).claims); !slices.Equal(a, []string{testResource}) {
			t.Errorf("%s: aud %v, want [%s]", name, a, testResource)
		}
	}

	for name, res := range map[string][]string{
		"other":            {"http://localhost:4000/mcp"},
		"trailing slash":   {testResource + "/"},
		"configured+other": {testResource, "https://api.example.com/"},
	} {
		q := authParams(c, p, "todo:read", "st-target")
		q["resource"] = res
		got := wantRedirectError(t, e.authorize(q), cb, "invalid_target")
		if got.Get("state") != "st-target" {
			t.Errorf("%s: state %q", name, got.Get("state"))
		}
	}

	// At the token endpoint, in the code exchange.
	code := e.code(authParams(c, p, "todo:read", ""))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cb}, "client_id": {c.id}, "code_verifier": {p.verifier}, "resource": {"http://localhost:4000/mcp"}}
	wantOAuthError(t, e.postForm("/oauth/token", f, "", ""), http.StatusBadRequest, "invalid_target")
	f.Set("resource", testResource)
	tk := okTokens(t, e.postForm("/oauth/token", f, "", ""))
	if a := aud(e.verify(tk.access).claims); !slices.Equal(a, []string{testResource}) {
		t.Errorf("aud %v", a)
	}
}

// TestState: OAuth 2.1 makes state optional; whatever the client sends
// (short or long) comes back exactly, on success and on error, and nothing
// comes back when it sent none.
func TestState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	for _, st := range []string{"", "abc", "x", "a-normal-state-0123456789", "with space&and=equals/üñí"} {
		q := authParams(c, p, "todo:read", st)
		loc := e.authorize(q).location(t)
		got := loc.Query()
		if st == "" {
			if got.Has("state") || strings.Contains(loc.RawQuery, "state") {
				t.Errorf("no state sent, redirect has %q", loc.RawQuery)
			}
		} else if got.Get("state") != st || len(got["state"]) != 1 {
			t.Errorf("state %q came back as %q", st, got["state"])
		}
		if got.Get("code") == "" {
			t.Errorf("state %q: no code", st)
		}
		// On an error redirect too.
		q.Set("scope", "nope")
		got = wantRedirectError(t, e.authorize(q), cb, "invalid_scope")
		if st == "" && got.Has("state") {
			t.Errorf("no state sent, error redirect has state %q", got.Get("state"))
		} else if got.Get("state") != st {
			t.Errorf("error redirect: state %q came back as %q", st, got.Get("state"))
		}
	}
}

// TestRefresh: offline_access gets a refresh token; refreshing gives a new
// access token (new jti, fresh iat and exp, same subject, audience, client
// and scopes) and a new refresh token; the old one is then dead.
func TestRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()

	first := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read todo:write offline_access", "")), p.verifier))
	if first.refresh == "" {
		t.Fatal("no refresh token with offline_access")
	}
	if first.scope != "todo:read todo:write offline_access" {
		t.Errorf("scope %q", first.scope)
	}
	one := e.verify(first.access).claims

	time.Sleep(1100 * time.Millisecond) // so a fresh iat differs from the first one
	refresh := func(rt string, extra url.Values) *response {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.id}}
		for k, v := range extra {
			f[k] = v
		}
		return e.postForm("/oauth/token", f, "", "")
	}
	second := okTokens(t, refresh(first.refresh, nil))
	if second.refresh == "" || second.refresh == first.refresh {
		t.Errorf("refresh token not rotated")
	}
	two := e.verify(second.access).claims
	if two["jti"] == one["jti"] {
		t.Errorf("refreshed access token reuses jti %v", one["jti"])
	}
	if num(t, two, "iat") <= num(t, one, "iat") {
		t.Errorf("refreshed iat %d, first %d: not fresh", num(t, two, "iat"), num(t, one, "iat"))
	}
	if now := time.Now().Unix(); num(t, two, "iat") < now-2 || num(t, two, "iat") > now+1 {
		t.Errorf("refreshed iat %d, now %d", num(t, two, "iat"), now)
	}
	if d := num(t, two, "exp") - num(t, two, "iat"); d < 3600 || d > 3601 {
		t.Errorf("refreshed lifetime %d", num(t, two, "exp")-num(t, two, "iat"))
	}
	for _, k := range []string{"iss", "sub", "client_id", "scope"} {
		if two[k] != one[k] {
			t.Errorf("%s changed on refresh: %v -> %v", k, one[k], two[k])
		}
	}
	if !slices.Equal(aud(two), []string{testResource}) {
		t.Errorf("refreshed aud %v", aud(two))
	}
	if e.verify(second.access).header.ExtraHeaders["typ"] != "at+jwt" {
		t.Errorf("refreshed token typ")
	}

	// A refresh never widens the grant. (fosite v0.49 ignores the scope
	// parameter of a refresh request: the original scopes are granted.)
	third := okTokens(t, refresh(second.refresh, url.Values{"scope": {"todo:read todo:write offline_access admin"}}))
	if cl := e.verify(third.access).claims; cl["scope"] != "todo:read todo:write offline_access" {
		t.Errorf("scope claim after asking for more on refresh: %v", cl["scope"])
	}

	// Another client cannot use it.
	other := e.publicClient(cb)
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {third.refresh}, "client_id": {other.id}}
	wantOAuthError(t, e.postForm("/oauth/token", f, "", ""), http.StatusBadRequest, "invalid_grant")

	// The rotated-out token is dead.
	wantOAuthError(t, refresh(first.refresh, nil), http.StatusBadRequest, "invalid_grant")
	wantOAuthError(t, refresh("garbage", nil), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshReuseRevokesFamily: replaying a rotated-out refresh token is a
// sign it leaked; the token that replaced it stops working too.
func TestRefreshReuseRevokesFamily(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	first := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read offline_access", "")), p.verifier))
	refresh := func(rt string) *response {
		return e.postForm("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.id}}, "", "")
	}
	second := okTokens(t, refresh(first.refresh))
	wantOAuthError(t, refresh(first.refresh), http.StatusBadRequest, "invalid_grant")
	wantOAuthError(t, refresh(second.refresh), http.StatusBadRequest, "invalid_grant")
}

// TestNoRefreshWithoutOfflineAccess: no offline_access, no refresh token,
// even for a client registered for the refresh_token grant.
func TestNoRefreshWithoutOfflineAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	tk := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read todo:write", "")), p.verifier))
	if tk.refresh != "" {
		t.Errorf("refresh token without offline_access")
	}
}

// TestRevoke: RFC 7009 revocation of a refresh token.
func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	tk := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read offline_access", "")), p.verifier))
	r := e.postForm("/oauth/revoke", url.Values{"token": {tk.refresh}, "token_type_hint": {"refresh_token"}, "client_id": {c.id}}, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk.refresh}, "client_id": {c.id}}
	wantOAuthError(t, e.postForm("/oauth/token", f, "", ""), http.StatusBadRequest, "invalid_grant")
}

// TestTokenEndpointErrors: RFC 6749 section 5.2 errors for malformed token
// requests.
func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	wantOAuthError(t, e.postForm("/oauth/token", url.Values{"client_id": {c.id}}, "", ""), http.StatusBadRequest, "invalid_request")
	for _, gt := range []string{"password", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"} {
		wantOAuthError(t, e.postForm("/oauth/token", url.Values{"grant_type": {gt}, "client_id": {c.id}, "username": {"a"}, "password": {"b"}}, "", ""), http.StatusBadRequest, "unsupported_grant_type")
	}
	wantOAuthError(t, e.postForm("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"nobody"}}, "", ""), http.StatusUnauthorized, "invalid_client")
	big := url.Values{"grant_type": {"client_credentials"}, "pad": {strings.Repeat("a", 70<<10)}}
	r := e.postForm("/oauth/token", big, MachineClientID, testSecret)
	if r.status != http.StatusBadRequest {
		t.Errorf("oversized body: %d %s", r.status, r.body)
	}
}

// TestConcurrentFlows runs whole flows in parallel, so the race detector
// sees the client, consent and token stores under contention.
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	host := newCIMDHost(t, map[string]func(string) any{
		"/client.json": func(self string) any {
			return map[string]any{"client_id": self, "redirect_uris": []string{cb}, "grant_types": []string{"authorization_code", "refresh_token"}}
		},
	})
	errs := make(chan string, 64)
	done := make(chan struct{})
	const n = 12
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			// No t.Fatal off the test goroutine: failures are collected.
			var c regClient
			if i%3 == 0 {
				c = regClient{id: host.url("/client.json"), redirect: cb}
			} else {
				body := `{"redirect_uris":["` + cb + `"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}`
				r, err := rawDo(e, http.MethodPost, "/oauth/register", "application/json", body)
				if err != nil || r.status != http.StatusCreated {
					errs <- "register failed"
					return
				}
				c = regClient{id: r.jsonField("client_id"), redirect: cb}
			}
			p := newPKCE()
			r, err := rawDo(e, http.MethodGet, "/oauth/authorize?"+authParams(c, p, "todo:read offline_access", "s").Encode(), "", "")
			if err != nil || r.status != http.StatusOK {
				errs <- "consent page failed"
				return
			}
			m := consentIDRe.FindStringSubmatch(r.body)
			if m == nil {
				errs <- "no consent id"
				return
			}
			f := url.Values{"consent": {m[1]}, "decision": {"approve"}, "user": {"u" + string(rune('a'+i))}, "scope": {"todo:read", "offline_access"}}
			r, err = rawDo(e, http.MethodPost, "/oauth/authorize", "application/x-www-form-urlencoded", f.Encode())
			if err != nil || r.status != http.StatusSeeOther {
				errs <- "approve failed"
				return
			}
			loc, _ := url.Parse(r.header.Get("Location"))
			f = url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {cb}, "client_id": {c.id}, "code_verifier": {p.verifier}}
			r, err = rawDo(e, http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", f.Encode())
			if err != nil || r.status != http.StatusOK {
				errs <- "exchange failed: " + r.body
				return
			}
			f = url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.jsonField("refresh_token")}, "client_id": {c.id}}
			r, err = rawDo(e, http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", f.Encode())
			if err != nil || r.status != http.StatusOK {
				errs <- "refresh failed: " + r.body
			}
		}()
	}
	for range n {
		<-done
	}
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// rawDo is env.do for goroutines other than the test's: it returns errors
// instead of failing the test.
func rawDo(e *env, method, path, contentType, body string) (*response, error) {
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return &response{resp.StatusCode, resp.Header, string(b)}, err
}

func (r *response) jsonField(name string) string {
	var m map[string]any
	json.Unmarshal([]byte(r.body), &m)
	s, _ := m[name].(string)
	return s
}

// TestResponseMode: response_mode=query, the one mode the metadata
// advertises, works when named; other modes are unsupported_response_mode.
func TestResponseMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	p := newPKCE()
	q := authParams(c, p, "todo:read", "st-mode")
	q.Set("response_mode", "query")
	loc := e.authorize(q).location(t)
	if loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-mode" {
		t.Fatalf("response_mode=query: redirected to %s", loc)
	}
	okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	for _, mode := range []string{"fragment", "form_post"} {
		q.Set("response_mode", mode)
		got := wantRedirectError(t, e.authorize(q), cb, "unsupported_response_mode")
		if got.Get("state") != "st-mode" {
			t.Errorf("%s: state %q", mode, got.Get("state"))
		}
	}
}

// TestAuthorizationResponseIssuer: every authorization response, code or
// error, names the issuer whose authorization endpoint the client used
// (RFC 9207), the base one or the per-resource one, so that a client can
// catch a mix-up between authorization servers.
func TestAuthorizationResponseIssuer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.publicClient(cb)
	for path, issuer := range map[string]string{
		"/oauth/authorize":                   e.base,
		"/resources/res_dev/oauth/authorize": e.srv.ResourceIssuer(),
	} {
		p := newPKCE()
		loc := e.get(path + "?" + authParams(c, p, "todo:read", "state-1234567").Encode()).location(t)
		if q := loc.Query(); q.Get("code") == "" || q.Get("iss") != issuer {
			t.Errorf("%s: code %q, iss %q; want a code and iss %s", path, q.Get("code"), q.Get("iss"), issuer)
		}
		bad := authParams(c, p, "todo:read", "state-1234567")
		bad.Del("code_challenge")
		loc = e.get(path + "?" + bad.Encode()).location(t)
		if q := loc.Query(); q.Get("error") != "invalid_request" || q.Get("iss") != issuer {
			t.Errorf("%s without PKCE: error %q, iss %q; want invalid_request and iss %s", path, q.Get("error"), q.Get("iss"), issuer)
		}
	}
	if r := e.get("/resources/res_other/oauth/authorize?" + authParams(c, newPKCE(), "todo:read", "").Encode()); r.status != 404 {
		t.Errorf("another resource's authorization endpoint: status %d, want 404", r.status)
	}
}
