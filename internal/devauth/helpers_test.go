package devauth

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
)

const (
	testResource   = "http://localhost:3002/mcp"
	testResourceID = "res_dev"
	testSecret     = "machine-secret-0123456789"
)

var testScopes = []Scope{
	{Name: "todo:read", Description: "Read access to todo items"},
	{Name: "todo:write", Description: "Create, update, or delete todo items"},
}

// testKey is one real RSA key for the whole package: generating a 2048-bit
// key per test would dominate the run time.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := NewKey()
	if err != nil {
		panic(err)
	}
	return k
})

// env is a dev-auth server on a real loopback listener.
type env struct {
	t    *testing.T
	srv  *Server
	ts   *httptest.Server
	base string
	hc   *http.Client // never follows redirects
}

// newEnv starts a dev-auth server; mod may change the config before New.
func newEnv(t *testing.T, autoApprove bool, mod ...func(*Config)) *env {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	cfg := Config{
		Issuer:        base,
		Resource:      testResource,
		ResourceID:    testResourceID,
		Scopes:        testScopes,
		Key:           testKey(),
		MachineSecret: testSecret,
		AutoApprove:   autoApprove,
	}
	for _, m := range mod {
		m(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		ts.Listener.Close()
		t.Fatalf("New: %v", err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &env{
		t:    t,
		srv:  srv,
		ts:   ts,
		base: base,
		hc: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, r.body)
	}
	return m
}

// location parses the Location header of a redirect.
func (r *response) location(t *testing.T) *url.URL {
	t.Helper()
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 redirect; body: %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil || r.header.Get("Location") == "" {
		t.Fatalf("bad Location %q: %v", r.header.Get("Location"), err)
	}
	return u
}

func (e *env) do(req *http.Request) *response {
	e.t.Helper()
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("reading %s: %v", req.URL, err)
	}
	return &response{resp.StatusCode, resp.Header, string(body)}
}

func (e *env) get(path string) *response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

// postForm posts form to path; user and pass, when user is not empty, go
// in HTTP Basic auth.
func (e *env) postForm(path string, form url.Values, user, pass string) *response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return e.do(req)
}

func (e *env) postJSON(path, contentType string, body []byte) *response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req)
}

// regClient is a client registered through /oauth/register.
type regClient struct {
	id, secret, redirect string
}

// register registers a client with the given metadata and fails the test
// unless it gets 201.
func (e *env) register(meta map[string]any) regClient {
	e.t.Helper()
	body, _ := json.Marshal(meta)
	r := e.postJSON("/oauth/register", "application/json", body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("register: status %d: %s", r.status, r.body)
	}
	m := r.json(e.t)
	c := regClient{id: m["client_id"].(string)}
	if s, ok := m["client_secret"].(string); ok {
		c.secret = s
	}
	if uris, ok := meta["redirect_uris"].([]string); ok && len(uris) > 0 {
		c.redirect = uris[0]
	}
	return c
}

// publicClient registers a public client (PKCE only, no secret).
func (e *env) publicClient(redirect string) regClient {
	e.t.Helper()
	return e.register(map[string]any{
		"redirect_uris":              []string{redirect},
		"client_name":                "Test Client",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"token_endpoint_auth_method": "none",
	})
}

type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	v := rand.Text() + rand.Text() // 52 base32 characters
	sum := sha256.Sum256([]byte(v))
	return pkce{v, base64.RawURLEncoding.EncodeToString(sum[:])}
}

// authParams is a valid authorization request for c.
func authParams(c regClient, p pkce, scope, state string) url.Values {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.id},
		"redirect_uri":          {c.redirect},
		"code_challenge":        {p.challenge},
		"code_challenge_method": {"S256"},
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	if state != "" {
		q.Set("state", state)
	}
	return q
}

func (e *env) authorize(q url.Values) *response {
	e.t.Helper()
	return e.get("/oauth/authorize?" + q.Encode())
}

// code runs an auto-approved authorization request and returns the code.
func (e *env) code(q url.Values) string {
	e.t.Helper()
	loc := e.authorize(q).location(e.t)
	if errc := loc.Query().Get("error"); errc != "" {
		e.t.Fatalf("authorize: error %s: %s", errc, loc.Query().Get("error_description"))
	}
	code := loc.Query().Get("code")
	if code == "" {
		e.t.Fatalf("authorize: no code in %s", loc)
	}
	return code
}

// exchange redeems a code as the public client c.
func (e *env) exchange(c regClient, code, verifier string) *response {
	e.t.Helper()
	return e.postForm("/oauth/token", url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.redirect},
		"client_id":     {c.id},
		"code_verifier": {verifier},
	}, "", "")
}

// tokens is a successful token response.
type tokens struct {
	access, refresh, scope, tokenType string
	expiresIn                         float64
}

func okTokens(t *testing.T, r *response) tokens {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("token: status %d: %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("token response Cache-Control %q, want no-store", cc)
	}
	m := r.json(t)
	tk := tokens{}
	tk.access, _ = m["access_token"].(string)
	tk.refresh, _ = m["refresh_token"].(string)
	tk.scope, _ = m["scope"].(string)
	tk.tokenType, _ = m["token_type"].(string)
	tk.expiresIn, _ = m["expires_in"].(float64)
	if tk.access == "" {
		t.Fatalf("no access_token in %s", r.body)
	}
	if !strings.EqualFold(tk.tokenType, "bearer") {
		t.Errorf("token_type %q, want bearer", tk.tokenType)
	}
	return tk
}

// wantOAuthError checks an RFC 6749 section 5.2 error response.
func wantOAuthError(t *testing.T, r *response, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	m := r.json(t)
	if m["error"] != code {
		t.Fatalf("error %v, want %s; body: %s", m["error"], code, r.body)
	}
	return m
}

// wantRedirectError checks an error sent back to the client's redirect URI.
func wantRedirectError(t *testing.T, r *response, redirect, code string) url.Values {
	t.Helper()
	loc := r.location(t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirect {
		t.Errorf("redirected to %s, want %s", got, redirect)
	}
	q := loc.Query()
	if q.Get("error") != code {
		t.Fatalf("error %q (%s), want %s", q.Get("error"), q.Get("error_description"), code)
	}
	if q.Has("code") {
		t.Errorf("error redirect carries a code: %s", loc)
	}
	return q
}

// verified is an access token whose signature checked out against /keys.
type verified struct {
	header jose.Header
	claims map[string]any
}

// verify checks tok's signature with the public key served at /keys, and
// nothing else: it never uses the private key.
func (e *env) verify(tok string) verified {
	e.t.Helper()
	r := e.get("/keys")
	if r.status != http.StatusOK {
		e.t.Fatalf("/keys: %d", r.status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		e.t.Fatalf("/keys: %v", err)
	}
	jws, err := jose.ParseSigned(tok)
	if err != nil {
		e.t.Fatalf("access token is not a JWS: %v", err)
	}
	if len(jws.Signatures) != 1 {
		e.t.Fatalf("%d signatures", len(jws.Signatures))
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		e.t.Fatalf("kid %q matches %d keys in /keys", h.KeyID, len(keys))
	}
	if !keys[0].IsPublic() {
		e.t.Fatal("/keys serves a private key")
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		e.t.Fatalf("signature does not verify against /keys: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		e.t.Fatalf("claims: %v", err)
	}
	return verified{h, claims}
}

// aud returns the aud claim as a list, whichever JSON form it has.
func aud(claims map[string]any) []string {
	switch v := claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			s, _ := a.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func num(t *testing.T, claims map[string]any, name string) int64 {
	t.Helper()
	f, ok := claims[name].(float64)
	if !ok {
		t.Fatalf("claim %s is %T %v, want a number", name, claims[name], claims[name])
	}
	return int64(f)
}
