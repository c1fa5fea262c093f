package devauth

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var consentIDRe = regexp.MustCompile(`name="consent" value="([^"]+)"`)

// consentPage opens the consent page for q and returns the response and
// the one-time consent ID in its form.
func (e *env) consentPage(q url.Values) (*response, string) {
	e.t.Helper()
	r := e.authorize(q)
	if r.status != http.StatusOK {
		e.t.Fatalf("consent page: status %d, Location %q: %s", r.status, r.header.Get("Location"), r.body)
	}
	m := consentIDRe.FindStringSubmatch(r.body)
	if m == nil {
		e.t.Fatalf("no consent ID in the page: %s", r.body)
	}
	return r, m[1]
}

func (e *env) decide(consent, decision, user string, scopes ...string) *response {
	e.t.Helper()
	f := url.Values{"consent": {consent}, "decision": {decision}, "user": {user}}
	if scopes != nil {
		f["scope"] = scopes
	}
	return e.postForm("/oauth/authorize", f, "", "")
}

// TestConsentPage: the page says DEVELOPMENT ONLY, names the client, lists
// each requested scope with its description, offers the dev users with the
// first typed in, and cannot be framed, cached or scripted.
func TestConsentPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	r, id := e.consentPage(authParams(c, newPKCE(), "todo:read todo:write offline_access", "st-page"))

	h := r.header
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %s", csp, d)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q allows scripts", csp)
	}
	if h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("X-Frame-Options %q", h.Get("X-Frame-Options"))
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
	if h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", h.Get("Referrer-Policy"))
	}
	if len(id) < 20 {
		t.Errorf("consent ID %q is guessable", id)
	}
	body := r.body
	for _, want := range []string{
		"DEVELOPMENT ONLY",
		"Authorize Test Client",
		`value="todo:read" checked`,
		"Read access to todo items",
		`value="todo:write" checked`,
		"Create, update, or delete todo items",
		`value="offline_access" checked`,
		"refresh token",
		`name="user" list="users" value="alice@example.com"`,
		`<option value="alice@example.com">`,
		`<option value="bob@example.com">`,
		`name="decision" value="approve"`,
		`name="decision" value="deny"`,
		`action="/oauth/authorize"`,
		c.id,
		cb,
		testResource,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Errorf("page has a script")
	}
	// The PKCE challenge and the state are not leaked into the page.
	if strings.Contains(body, "st-page") {
		t.Errorf("page shows the state")
	}
}

// TestConsentNoScopes: a request without scopes says so.
func TestConsentNoScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	r, id := e.consentPage(authParams(c, newPKCE(), "", ""))
	if !strings.Contains(r.body, "No scopes were requested") {
		t.Errorf("page does not say no scopes were requested")
	}
	loc := e.decide(id, "approve", "alice@example.com").location(t)
	if loc.Query().Get("code") == "" {
		t.Errorf("approve: %s", loc)
	}
}

// TestConsentApprove: the user picks another user and unticks a scope; the
// token carries exactly what the form granted.
func TestConsentApprove(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	p := newPKCE()
	_, id := e.consentPage(authParams(c, p, "todo:read todo:write", "st-approve"))

	r := e.decide(id, "approve", "carol@example.com", "todo:read")
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	loc := r.location(t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != cb {
		t.Fatalf("redirected to %s", got)
	}
	if loc.Query().Get("state") != "st-approve" {
		t.Errorf("state %q", loc.Query().Get("state"))
	}
	tk := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	if tk.scope != "todo:read" {
		t.Errorf("response scope %q, want todo:read", tk.scope)
	}
	cl := e.verify(tk.access).claims
	if cl["scope"] != "todo:read" {
		t.Errorf("scope claim %v, want exactly todo:read", cl["scope"])
	}
	if cl["sub"] != "carol@example.com" {
		t.Errorf("sub %v, want carol@example.com", cl["sub"])
	}
	if cl["client_id"] != c.id {
		t.Errorf("client_id %v", cl["client_id"])
	}

	// The consent ID was used up.
	r = e.decide(id, "approve", "carol@example.com", "todo:read")
	if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
		t.Errorf("re-post: status %d Location %q, want 400 page", r.status, r.header.Get("Location"))
	}
	if !strings.Contains(r.body, "already answered") {
		t.Errorf("re-post page: %s", r.body)
	}
}

// TestConsentUntickOfflineAccess: unticking offline_access means no
// refresh token.
func TestConsentUntickOfflineAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	p := newPKCE()
	_, id := e.consentPage(authParams(c, p, "todo:read offline_access", ""))
	loc := e.decide(id, "approve", "alice@example.com", "todo:read").location(t)
	tk := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	if tk.refresh != "" || tk.scope != "todo:read" {
		t.Errorf("refresh %q scope %q", tk.refresh, tk.scope)
	}
}

// TestConsentDeny: deny sends access_denied, with the state, to the client.
func TestConsentDeny(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	_, id := e.consentPage(authParams(c, newPKCE(), "todo:read", "st-deny"))
	q := wantRedirectError(t, e.decide(id, "deny", "alice@example.com", "todo:read"), cb, "access_denied")
	if q.Get("state") != "st-deny" {
		t.Errorf("state %q", q.Get("state"))
	}
	if r := e.decide(id, "approve", "alice@example.com", "todo:read"); r.status != http.StatusBadRequest {
		t.Errorf("approve after deny: %d", r.status)
	}
	// Without a state, none comes back.
	_, id = e.consentPage(authParams(c, newPKCE(), "todo:read", ""))
	if q := wantRedirectError(t, e.decide(id, "deny", ""), cb, "access_denied"); q.Has("state") {
		t.Errorf("state %q came back though none was sent", q.Get("state"))
	}
}

// TestConsentTampering: a scope the client did not ask for, or an unknown
// consent ID, is refused with a 400 page and no redirect.
func TestConsentTampering(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	_, id := e.consentPage(authParams(c, newPKCE(), "todo:read", "st"))
	// A GET carrying the consent fields is not a decision: it cannot be
	// triggered by a link or an image.
	g := e.get("/oauth/authorize?" + url.Values{"consent": {id}, "decision": {"approve"}, "user": {"mallory"}, "scope": {"todo:read"}}.Encode())
	if g.header.Get("Location") != "" || g.status != http.StatusUnauthorized && g.status != http.StatusBadRequest {
		t.Errorf("GET with consent fields: %d %q", g.status, g.header.Get("Location"))
	}
	for name, r := range map[string]*response{
		"unrequested scope": e.decide(id, "approve", "alice@example.com", "todo:read", "todo:write"),
		"unknown consent":   e.decide("NOTACONSENTID", "approve", "alice@example.com", "todo:read"),
		"empty consent":     e.decide("", "approve", "alice@example.com", "todo:read"),
	} {
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, r.status)
		}
		if r.header.Get("Location") != "" {
			t.Errorf("%s: redirected to %s", name, r.header.Get("Location"))
		}
		if !strings.Contains(r.body, "DEVELOPMENT ONLY") {
			t.Errorf("%s: not the dev-auth page", name)
		}
	}
}

// TestConsentBadUser: a missing or malformed user name, or no decision,
// is a 400 page, and the consent ID stays usable for the corrected post.
func TestConsentBadUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	p := newPKCE()
	_, id := e.consentPage(authParams(c, p, "todo:read", "st-user"))
	for _, bad := range []string{"", "   ", "bob smith", "tab\there", "new\nline", strings.Repeat("u", 101)} {
		r := e.decide(id, "approve", bad, "todo:read")
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("user %q: status %d Location %q, want 400 page", bad, r.status, r.header.Get("Location"))
		}
	}
	if r := e.decide(id, "maybe", "alice@example.com", "todo:read"); r.status != http.StatusBadRequest {
		t.Errorf("decision maybe: %d", r.status)
	}
	if r := e.decide(id, "", "alice@example.com", "todo:read"); r.status != http.StatusBadRequest {
		t.Errorf("no decision: %d", r.status)
	}
	// Surrounding space is trimmed.
	loc := e.decide(id, "approve", "  dave@example.com ", "todo:read").location(t)
	if loc.Query().Get("state") != "st-user" {
		t.Errorf("state %q", loc.Query().Get("state"))
	}
	tk := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	if sub := e.verify(tk.access).claims["sub"]; sub != "dave@example.com" {
		t.Errorf("sub %v", sub)
	}
}

// TestConsentEscapesClientName: a hostile client_name is shown as text.
func TestConsentEscapesClientName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	evil := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	c := e.register(map[string]any{"redirect_uris": []string{cb}, "client_name": evil, "token_endpoint_auth_method": "none"})
	r, _ := e.consentPage(authParams(c, newPKCE(), "todo:read", ""))
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<img") {
		t.Errorf("client_name not escaped:\n%s", r.body)
	}
	if !strings.Contains(r.body, html.EscapeString("<script>alert(1)</script>")) {
		t.Errorf("escaped client_name not shown")
	}
}

// TestConsentRequestErrorsFirst: a request that can never succeed (no PKCE,
// wrong resource, unknown scope) is answered with the error at once, not
// after the user approved it.
func TestConsentRequestErrorsFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	p := newPKCE()
	tests := []struct {
		name, code string
		mod        func(url.Values)
	}{
		{"no code_challenge", "invalid_request", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }},
		{"plain PKCE", "invalid_request", func(q url.Values) { q.Set("code_challenge_method", "plain") }},
		{"other resource", "invalid_target", func(q url.Values) { q.Set("resource", "http://localhost:4000/mcp") }},
		{"unknown scope", "invalid_scope", func(q url.Values) { q.Set("scope", "admin") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(c, p, "todo:read", "st-first")
			tt.mod(q)
			got := wantRedirectError(t, e.authorize(q), cb, tt.code)
			if got.Get("state") != "st-first" {
				t.Errorf("state %q", got.Get("state"))
			}
		})
	}
}

// TestAuthorizePost: the authorization request may also be POSTed (RFC 6749
// section 3.1), and then shows the consent page too.
func TestAuthorizePost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.publicClient(cb)
	r := e.postForm("/oauth/authorize", authParams(c, newPKCE(), "todo:read", ""), "", "")
	if r.status != http.StatusOK || !consentIDRe.MatchString(r.body) {
		t.Errorf("POST authorize: %d", r.status)
	}
	req, _ := http.NewRequest(http.MethodPut, e.base+"/oauth/authorize", nil)
	if r := e.do(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT authorize: %d", r.status)
	}
}
