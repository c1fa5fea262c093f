package cli

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	asClientID = "m2m_test_client"
	asSecret   = "scalekit-test-secret-0123456789"
	asResource = "res_test"
)

// asConfig shapes the test authorization server.
type asConfig struct {
	// authMethods is token_endpoint_auth_methods_supported; nil leaves it
	// out of the metadata.
	authMethods []string
	// accept is the one client authentication method the token endpoint
	// takes; the other gets 401 invalid_client.
	accept string
	// scopes is scopes_supported and the allow-list of the token endpoint.
	scopes []string
	// openIDOnly serves the metadata only at the OpenID Connect path
	// ({issuer}/.well-known/openid-configuration), not RFC 8414's.
	openIDOnly bool
	// metadata edits the metadata before it is served.
	metadata func(md map[string]any)
}

// testAS is a Scalekit-shaped authorization server: the per-resource issuer
// {base}/resources/res_test, its RFC 8414 metadata only at the
// path-inserted URL, and a client credentials token endpoint.
type testAS struct {
	cfg    asConfig
	srv    *httptest.Server
	issuer string
	token  string // the access token it issues

	mu       sync.Mutex
	requests int          // every request, metadata included
	grants   []url.Values // token requests, without client_secret
	methods  []string     // client authentication method of each
}

func newTestAS(t *testing.T, cfg asConfig) *testAS {
	t.Helper()
	as := &testAS{cfg: cfg, token: "at-" + rand.Text()}
	mux := http.NewServeMux()
	mdPath := "/.well-known/oauth-authorization-server/resources/" + asResource
	if cfg.openIDOnly {
		mdPath = "/resources/" + asResource + "/.well-known/openid-configuration"
	}
	mux.HandleFunc("GET "+mdPath, as.metadata)
	mux.HandleFunc("POST /oauth/token", as.tokenEndpoint)
	as.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		as.mu.Lock()
		as.requests++
		as.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(as.srv.Close)
	as.issuer = as.srv.URL + "/resources/" + asResource
	return as
}

func (as *testAS) metadata(w http.ResponseWriter, _ *http.Request) {
	md := map[string]any{
		"issuer":                as.issuer,
		"token_endpoint":        as.srv.URL + "/oauth/token",
		"jwks_uri":              as.srv.URL + "/keys",
		"grant_types_supported": []string{"authorization_code", "client_credentials"},
	}
	if as.cfg.scopes != nil {
		md["scopes_supported"] = as.cfg.scopes
	}
	if as.cfg.authMethods != nil {
		md["token_endpoint_auth_methods_supported"] = as.cfg.authMethods
	}
	if as.cfg.metadata != nil {
		as.cfg.metadata(md)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(md)
}

// tokenEndpoint implements the client credentials grant with one client,
// authenticated only by the configured method.
func (as *testAS) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	form := r.PostForm
	user, pass, basic := r.BasicAuth()
	_, post := form["client_secret"]
	method := ""
	switch {
	case basic && post:
		oauthError(w, http.StatusBadRequest, "invalid_request", "more than one client authentication method")
		return
	case basic:
		method = authBasic
		// RFC 6749 section 2.3.1: form-encoded before Basic.
		user, _ = url.QueryUnescape(user)
		pass, _ = url.QueryUnescape(pass)
	case post:
		method = authPost
		user, pass = form.Get("client_id"), form.Get("client_secret")
	}
	recorded := url.Values{}
	for k, v := range form {
		if k != "client_secret" {
			recorded[k] = v
		}
	}
	as.mu.Lock()
	as.grants = append(as.grants, recorded)
	as.methods = append(as.methods, method)
	as.mu.Unlock()

	switch {
	case method == "":
		oauthError(w, http.StatusUnauthorized, "invalid_client", "no client authentication")
		return
	case method != as.cfg.accept:
		oauthError(w, http.StatusUnauthorized, "invalid_client", method+" is not allowed for this client")
		return
	case user != asClientID || pass != asSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	case form.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", form.Get("grant_type"))
		return
	}
	scope := strings.Fields(form.Get("scope"))
	for _, s := range scope {
		if !slices.Contains(as.cfg.scopes, s) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "scope "+s+" is not allowed for this client")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": as.token,
		"token_type":   "Bearer",
		"expires_in":   3600,
		"scope":        strings.Join(scope, " "),
	})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// lastGrant is the last token request and how the client authenticated.
func (as *testAS) lastGrant(t *testing.T) (url.Values, string) {
	t.Helper()
	as.mu.Lock()
	defer as.mu.Unlock()
	if len(as.grants) == 0 {
		t.Fatal("the token endpoint was not called")
	}
	return as.grants[len(as.grants)-1], as.methods[len(as.methods)-1]
}

func (as *testAS) counts() (requests, grants int) {
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.requests, len(as.grants)
}

// clearCredentialEnv unsets every variable token reads credentials from,
// so the developer's shell cannot change a test.
func clearCredentialEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{scalekitClientIDEnv, scalekitClientSecretEnv, secretEnv} {
		t.Setenv(v, "")
	}
}

// runToken runs `create-mcp-auth token args...` and checks what must hold
// whatever the outcome: stderr shows neither the secret nor the token.
func runToken(t *testing.T, as *testAS, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = runCLI(t, append([]string{"token"}, args...)...)
	if strings.Contains(stderr, asSecret) {
		t.Errorf("stderr shows the client secret:\n%s", stderr)
	}
	if as != nil && strings.Contains(stderr, as.token) {
		t.Errorf("stderr shows the access token:\n%s", stderr)
	}
	return code, stdout, stderr
}

// wantToken checks a successful run: exit 0 and exactly the token on stdout.
func wantToken(t *testing.T, as *testAS, code int, stdout, stderr string) {
	t.Helper()
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if stdout != as.token+"\n" {
		t.Errorf("stdout %q, want the token and a newline", stdout)
	}
}

// wantFailure checks a failed run: the exit code, nothing on stdout and
// each of want on stderr.
func wantFailure(t *testing.T, wantCode, code int, stdout, stderr string, want ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit %d, want %d\nstderr: %s", code, wantCode, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// TestTokenAuthMethods: the client authenticates the way the server's
// token_endpoint_auth_methods_supported says, basic when it allows both or
// says nothing (RFC 8414's default).
func TestTokenAuthMethods(t *testing.T) {
	clearCredentialEnv(t)
	for _, tt := range []struct {
		name       string
		advertised []string
		want       string
	}{
		{"basic only", []string{"client_secret_basic"}, authBasic},
		{"post only", []string{"client_secret_post"}, authPost},
		{"both: basic preferred", []string{"client_secret_post", "client_secret_basic"}, authBasic},
		{"absent: RFC 8414 default", nil, authBasic},
		{"post among others", []string{"private_key_jwt", "client_secret_post", "none"}, authPost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := newTestAS(t, asConfig{authMethods: tt.advertised, accept: tt.want, scopes: []string{"todo:read"}})
			code, stdout, stderr := runToken(t, as, "--issuer", as.issuer, "--client-id", asClientID, "--client-secret", asSecret)
			wantToken(t, as, code, stdout, stderr)
			if _, method := as.lastGrant(t); method != tt.want {
				t.Errorf("authenticated with %s, want %s", method, tt.want)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not say %s:\n%s", tt.want, stderr)
			}
		})
	}
}

// TestTokenAuthMethodOverride: --auth-method wins over what the server
// advertises, for a server that advertises wrongly.
func TestTokenAuthMethodOverride(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	as := newTestAS(t, asConfig{authMethods: []string{"client_secret_basic"}, accept: authPost, scopes: []string{"todo:read"}})

	code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
	wantFailure(t, 1, code, stdout, stderr, "the authorization server refused: invalid_client: client_secret_basic is not allowed")

	for _, m := range []string{"post", "client_secret_post", "POST"} {
		code, stdout, stderr = runToken(t, as, "--issuer", as.issuer, "--auth-method", m)
		wantToken(t, as, code, stdout, stderr)
		if _, method := as.lastGrant(t); method != authPost {
			t.Errorf("--auth-method %s: authenticated with %s", m, method)
		}
	}

	as = newTestAS(t, asConfig{authMethods: []string{"client_secret_post"}, accept: authBasic, scopes: []string{"todo:read"}})
	code, stdout, stderr = runToken(t, as, "--issuer", as.issuer, "--auth-method", "basic")
	wantToken(t, as, code, stdout, stderr)
}

// TestTokenCredentialSources: flags win over SCALEKIT_CLIENT_ID/SECRET,
// which win over dev-auth's DEV_AUTH_CLIENT_SECRET and default client ID.
func TestTokenCredentialSources(t *testing.T) {
	clearCredentialEnv(t)
	as := newTestAS(t, asConfig{accept: authBasic, scopes: []string{"todo:read"}})

	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	t.Setenv(secretEnv, "dev-auth-secret-not-for-this-server")
	code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
	wantToken(t, as, code, stdout, stderr)
	if form, _ := as.lastGrant(t); form.Get("client_id") != "" {
		t.Errorf("client_id sent in the form with client_secret_basic: %v", form)
	}
	if !strings.Contains(stderr, "client "+asClientID+" ($"+scalekitClientIDEnv+"), secret from $"+scalekitClientSecretEnv) {
		t.Errorf("stderr does not say where the credentials came from:\n%s", stderr)
	}

	// A flag beats the variable: here a wrong secret, refused.
	code, stdout, stderr = runToken(t, as, "--issuer", as.issuer, "--client-secret", "wrong-secret-0123456789")
	wantFailure(t, 1, code, stdout, stderr, "invalid_client", "the secret from --client-secret")
	if strings.Contains(stderr, "wrong-secret-0123456789") {
		t.Errorf("stderr shows the secret from the flag:\n%s", stderr)
	}

	// Without SCALEKIT_*: dev-auth's client ID and secret variable, which
	// this server refuses, naming where both came from.
	t.Setenv(scalekitClientIDEnv, "")
	t.Setenv(scalekitClientSecretEnv, "")
	code, stdout, stderr = runToken(t, as, "--issuer", as.issuer)
	wantFailure(t, 1, code, stdout, stderr, "invalid_client", `client ID "dev-machine" came from dev-auth's default, the secret from $`+secretEnv)
	if strings.Contains(stderr, "dev-auth-secret-not-for-this-server") {
		t.Errorf("stderr shows the dev-auth secret:\n%s", stderr)
	}

	// No secret anywhere: exit 2 naming the variables, and no request.
	t.Setenv(secretEnv, "")
	before, _ := as.counts()
	code, stdout, stderr = runToken(t, as, "--issuer", as.issuer, "--client-id", asClientID)
	wantFailure(t, 2, code, stdout, stderr, "no client secret", scalekitClientIDEnv, scalekitClientSecretEnv, secretEnv)
	if after, _ := as.counts(); after != before {
		t.Errorf("%d requests without a secret", after-before)
	}
}

// TestTokenRefused: the server's RFC 6749 errors are exit 1 with code and
// description on stderr and nothing on stdout.
func TestTokenRefused(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	as := newTestAS(t, asConfig{authMethods: []string{"client_secret_post"}, accept: authPost, scopes: []string{"todo:read", "todo:write"}})

	code, stdout, stderr := runToken(t, as, "--issuer", as.issuer, "--client-secret", "wrong-secret-0123456789")
	wantFailure(t, 1, code, stdout, stderr, "token: the authorization server refused: invalid_client: client authentication failed")

	code, stdout, stderr = runToken(t, as, "--issuer", as.issuer, "--scope", "todo:read,todo:admin")
	wantFailure(t, 1, code, stdout, stderr,
		"token: the authorization server refused: invalid_scope: scope todo:admin is not allowed",
		"the server advertises: todo:read todo:write")
}

// TestTokenScopesResourceAudience: the default scope list, --scope in its
// forms, and --resource and --audience as separate form parameters.
func TestTokenScopesResourceAudience(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	as := newTestAS(t, asConfig{accept: authBasic, scopes: []string{"openid", "todo:read", "todo:write", "offline_access", "email"}})
	const mcpURL = "https://mcp.example.com/mcp"

	for _, tt := range []struct {
		name string
		args []string
		want url.Values // expected form, without grant_type
	}{
		{"default: advertised, no offline_access or OIDC user scopes", nil, url.Values{"scope": {"todo:read todo:write"}}},
		{"repeated and comma list", []string{"--scope", "todo:write,todo:read", "--scope", "openid"}, url.Values{"scope": {"todo:write todo:read openid"}}},
		{"space-separated, as in a token response", []string{"--scope", "todo:read todo:write"}, url.Values{"scope": {"todo:read todo:write"}}},
		{"empty: the server decides", []string{"--scope", ""}, url.Values{}},
		{"resource", []string{"--scope", "todo:read", "--resource", mcpURL}, url.Values{"scope": {"todo:read"}, "resource": {mcpURL}}},
		{"audience", []string{"--scope", "todo:read", "--audience", "https://api.example.com"}, url.Values{"scope": {"todo:read"}, "audience": {"https://api.example.com"}}},
		{"both", []string{"--scope", "todo:read", "--resource", mcpURL, "--audience", "todo-api"}, url.Values{"scope": {"todo:read"}, "resource": {mcpURL}, "audience": {"todo-api"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runToken(t, as, append([]string{"--issuer", as.issuer}, tt.args...)...)
			wantToken(t, as, code, stdout, stderr)
			form, _ := as.lastGrant(t)
			if form.Get("grant_type") != "client_credentials" {
				t.Errorf("grant_type %q", form.Get("grant_type"))
			}
			form.Del("grant_type")
			if !mapsEqual(form, tt.want) {
				t.Errorf("form %v, want %v", form, tt.want)
			}
		})
	}

	// A server that advertises no scopes gets no scope parameter.
	bare := newTestAS(t, asConfig{accept: authBasic})
	code, stdout, stderr := runToken(t, bare, "--issuer", bare.issuer)
	wantToken(t, bare, code, stdout, stderr)
	if form, _ := bare.lastGrant(t); form.Has("scope") {
		t.Errorf("scope sent to a server that advertises none: %v", form)
	}
	if !strings.Contains(stderr, "advertises no scopes") {
		t.Errorf("stderr: %s", stderr)
	}
}

func mapsEqual(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestTokenDiscovery: OpenID-only servers are found; a server with no
// metadata, another issuer's metadata, or a token endpoint unfit for a
// secret is exit 1 with a message saying which.
func TestTokenDiscovery(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)

	t.Run("OpenID discovery only", func(t *testing.T) {
		as := newTestAS(t, asConfig{openIDOnly: true, accept: authBasic, scopes: []string{"todo:read"}})
		code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
		wantToken(t, as, code, stdout, stderr)
	})

	t.Run("no metadata", func(t *testing.T) {
		as := newTestAS(t, asConfig{accept: authBasic})
		other := as.srv.URL + "/resources/res_other"
		code, stdout, stderr := runToken(t, as, "--issuer", other)
		wantFailure(t, 1, code, stdout, stderr,
			"found no authorization server metadata for issuer "+other,
			as.srv.URL+"/.well-known/oauth-authorization-server/resources/res_other: 404",
			as.srv.URL+"/.well-known/openid-configuration/resources/res_other: 404",
			other+"/.well-known/openid-configuration: 404")
	})

	t.Run("issuer mismatch", func(t *testing.T) {
		as := newTestAS(t, asConfig{accept: authBasic, metadata: func(md map[string]any) { md["issuer"] = "https://evil.example.com" }})
		code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
		wantFailure(t, 1, code, stdout, stderr, `is for issuer "https://evil.example.com", not "`+as.issuer+`"`, "RFC 8414 section 3.3", "check --issuer")
		if _, grants := as.counts(); grants != 0 {
			t.Errorf("the secret went to the token endpoint of mismatched metadata")
		}
	})

	t.Run("issuer differs by a trailing slash", func(t *testing.T) {
		as := newTestAS(t, asConfig{accept: authBasic})
		as.cfg.metadata = func(md map[string]any) { md["issuer"] = as.issuer + "/" }
		code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
		wantFailure(t, 1, code, stdout, stderr, "pass --issuer "+as.issuer+"/")
	})

	for _, tt := range []struct {
		name     string
		metadata func(md map[string]any)
		want     string
	}{
		{"no token endpoint", func(md map[string]any) { delete(md, "token_endpoint") }, "has no token_endpoint"},
		{"plain http token endpoint", func(md map[string]any) { md["token_endpoint"] = "http://auth.example.com/oauth/token" }, "uses plain http for a host other than localhost"},
		{"no secret-based auth method", func(md map[string]any) {
			md["token_endpoint_auth_methods_supported"] = []string{"private_key_jwt", "tls_client_auth"}
		}, "accepts only private_key_jwt, tls_client_auth"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := newTestAS(t, asConfig{accept: authBasic, metadata: tt.metadata})
			code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
			wantFailure(t, 1, code, stdout, stderr, tt.want)
			if _, grants := as.counts(); grants != 0 {
				t.Errorf("the token endpoint was called")
			}
		})
	}

	t.Run("redirected token request is not followed", func(t *testing.T) {
		as := newTestAS(t, asConfig{accept: authPost})
		redirect := httptest.NewServer(http.RedirectHandler(as.srv.URL+"/oauth/token", http.StatusTemporaryRedirect))
		defer redirect.Close()
		as.cfg.metadata = func(md map[string]any) { md["token_endpoint"] = redirect.URL + "/oauth/token" }
		code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
		wantFailure(t, 1, code, stdout, stderr, "answered 307 Temporary Redirect")
		if _, grants := as.counts(); grants != 0 {
			t.Errorf("the redirect was followed with the client secret")
		}
	})

	t.Run("unreachable token endpoint", func(t *testing.T) {
		as := newTestAS(t, asConfig{accept: authBasic})
		closed := "http://127.0.0.1:" + freePort(t) + "/oauth/token"
		as.cfg.metadata = func(md map[string]any) { md["token_endpoint"] = closed }
		code, stdout, stderr := runToken(t, as, "--issuer", as.issuer)
		wantFailure(t, 1, code, stdout, stderr, "cannot reach the token endpoint "+closed)
	})
}

// TestTokenUnreachableIssuer: nothing listening is exit 1 naming the URL
// tried.
func TestTokenUnreachableIssuer(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	base := "http://127.0.0.1:" + freePort(t)
	code, stdout, stderr := runToken(t, nil, "--issuer", base+"/resources/res_test")
	wantFailure(t, 1, code, stdout, stderr,
		"cannot reach the authorization server "+base+"/resources/res_test",
		"GET "+base+"/.well-known/oauth-authorization-server/resources/res_test",
		"is dev-auth running")
}

// TestTokenBadFlags: bad input is exit 2, a message naming the flag,
// nothing on stdout and no request at all.
func TestTokenBadFlags(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv(scalekitClientIDEnv, asClientID)
	t.Setenv(scalekitClientSecretEnv, asSecret)
	as := newTestAS(t, asConfig{accept: authBasic, scopes: []string{"todo:read"}})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"plain http, not loopback", []string{"--issuer", "http://auth.example.com/resources/res_test"}, "--issuer"},
		{"not http", []string{"--issuer", "ftp://127.0.0.1/x"}, "--issuer"},
		{"no scheme", []string{"--issuer", "127.0.0.1:9090"}, "--issuer"},
		{"issuer with query", []string{"--issuer", as.issuer + "?x=1"}, "--issuer"},
		{"issuer with fragment", []string{"--issuer", as.issuer + "#x"}, "--issuer"},
		{"unknown auth method", []string{"--issuer", as.issuer, "--auth-method", "private_key_jwt"}, "--auth-method"},
		{"relative resource", []string{"--issuer", as.issuer, "--resource", "mcp"}, "--resource"},
		{"resource with fragment", []string{"--issuer", as.issuer, "--resource", "https://mcp.example.com/mcp#x"}, "--resource"},
		{"scope with a quote", []string{"--issuer", as.issuer, "--scope", `todo"read`}, "--scope"},
		{"unknown flag", []string{"--issuer", as.issuer, "--nope"}, "--nope"},
		{"argument", []string{"--issuer", as.issuer, "extra"}, "extra"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runToken(t, as, tt.args...)
			wantFailure(t, 2, code, stdout, stderr, tt.want)
		})
	}
	if requests, _ := as.counts(); requests != 0 {
		t.Errorf("%d requests reached the server on bad flags", requests)
	}
}
