package devauth

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v3"
)

// TestMetadata checks RFC 8414 metadata at every discovery path: the plain
// issuer, and Scalekit's per-resource issuer with both path insertion and
// path appending, for oauth-authorization-server and openid-configuration.
func TestMetadata(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	resIssuer := e.base + "/resources/" + testResourceID
	if got := e.srv.ResourceIssuer(); got != resIssuer {
		t.Errorf("ResourceIssuer() = %s, want %s", got, resIssuer)
	}
	paths := map[string]string{
		"/.well-known/oauth-authorization-server":                   e.base,
		"/.well-known/openid-configuration":                         e.base,
		"/.well-known/oauth-authorization-server/resources/res_dev": resIssuer,
		"/.well-known/openid-configuration/resources/res_dev":       resIssuer,
		"/resources/res_dev/.well-known/oauth-authorization-server": resIssuer,
		"/resources/res_dev/.well-known/openid-configuration":       resIssuer,
	}
	for path, issuer := range paths {
		t.Run(path, func(t *testing.T) {
			r := e.get(path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			m := r.json(t)
			want := map[string]string{
				"issuer":                 issuer,
				"authorization_endpoint": issuer + "/oauth/authorize",
				"token_endpoint":         e.base + "/oauth/token",
				"registration_endpoint":  e.base + "/oauth/register",
				"revocation_endpoint":    e.base + "/oauth/revoke",
				"jwks_uri":               e.base + "/keys",
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s = %v, want %s", k, m[k], v)
				}
			}
			list := func(k string) []string {
				var out []string
				for _, v := range m[k].([]any) {
					out = append(out, v.(string))
				}
				return out
			}
			if got := list("code_challenge_methods_supported"); !slices.Equal(got, []string{"S256"}) {
				t.Errorf("code_challenge_methods_supported %v, want only S256", got)
			}
			if got := list("response_types_supported"); !slices.Equal(got, []string{"code"}) {
				t.Errorf("response_types_supported %v", got)
			}
			if got := list("scopes_supported"); !slices.Equal(got, []string{"todo:read", "todo:write", "offline_access"}) {
				t.Errorf("scopes_supported %v", got)
			}
			for _, g := range []string{"authorization_code", "refresh_token", "client_credentials"} {
				if !slices.Contains(list("grant_types_supported"), g) {
					t.Errorf("grant_types_supported %v lacks %s", list("grant_types_supported"), g)
				}
			}
			if slices.Contains(list("grant_types_supported"), "implicit") || slices.Contains(list("grant_types_supported"), "password") {
				t.Errorf("grant_types_supported %v offers a grant OAuth 2.1 removed", list("grant_types_supported"))
			}
			if m["authorization_response_iss_parameter_supported"] != true {
				t.Errorf("authorization_response_iss_parameter_supported = %v", m["authorization_response_iss_parameter_supported"])
			}
			if m["client_id_metadata_document_supported"] != true {
				t.Errorf("client_id_metadata_document_supported = %v", m["client_id_metadata_document_supported"])
			}
		})
	}
}

// TestMetadataUnknownResource: a resource ID other than the configured one
// is 404 at both per-resource paths, so a misconfigured MCP server fails
// loudly at discovery.
func TestMetadataUnknownResource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, p := range []string{
		"/.well-known/oauth-authorization-server/resources/res_other",
		"/resources/res_other/.well-known/oauth-authorization-server",
		"/.well-known/openid-configuration/resources/res_other",
		"/resources/res_other/.well-known/openid-configuration",
	} {
		r := e.get(p)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.status)
			continue
		}
		if m := r.json(t); !strings.Contains(m["error_description"].(string), "res_dev") {
			t.Errorf("%s: description %q does not name the served resource", p, m["error_description"])
		}
	}
	if r := e.get("/.well-known/oauth-authorization-server/other"); r.status != http.StatusNotFound {
		t.Errorf("unknown metadata path: status %d, want 404", r.status)
	}
}

// TestCORS: browser clients on this machine (MCP Inspector) may read
// metadata, keys, the token and registration endpoints, errors included;
// the authorization endpoint is a navigation, not a CORS target. The
// loopback-only rules are in cors_test.go.
func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	const inspector = "http://localhost:6274"
	for _, p := range corsPaths {
		r := preflight(e, p, inspector)
		if r.status != http.StatusNoContent {
			t.Errorf("OPTIONS %s: status %d, want 204 (%s)", p, r.status, r.body)
			continue
		}
		if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
			t.Errorf("OPTIONS %s: Allow-Methods %q", p, got)
		}
	}
	// The actual responses, errors included, carry the header too.
	for _, r := range []*response{
		withOrigin(e, http.MethodGet, "/keys", inspector, "", ""),
		withOrigin(e, http.MethodPost, "/oauth/token", inspector, "application/x-www-form-urlencoded", ""),
		withOrigin(e, http.MethodPost, "/oauth/register", inspector, "application/json", "{}"),
	} {
		if got := r.header.Get("Access-Control-Allow-Origin"); got != inspector {
			t.Errorf("status %d: Access-Control-Allow-Origin %q, want %s", r.status, got, inspector)
		}
	}
	// Metadata and keys are read-only.
	for _, p := range []string{"/.well-known/oauth-authorization-server", "/keys"} {
		req, _ := http.NewRequest(http.MethodPost, e.base+p, nil)
		if r := e.do(req); r.status != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: status %d, want 405", p, r.status)
		}
	}
	// The authorization endpoint is a browser navigation, not a CORS target.
	if r := withOrigin(e, http.MethodGet, "/oauth/authorize", inspector, "", ""); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("/oauth/authorize sends Access-Control-Allow-Origin")
	}
}

// TestKeys: /keys serves exactly the one public RS256 signing key, under the
// kid KeyID() reports (the RFC 7638 thumbprint).
func TestKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	r := e.get("/keys")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(set.Keys))
	}
	k := set.Keys[0]
	if k.KeyID == "" || k.KeyID != e.srv.KeyID() {
		t.Errorf("kid %q, KeyID() %q", k.KeyID, e.srv.KeyID())
	}
	if k.Algorithm != "RS256" || k.Use != "sig" {
		t.Errorf("alg %q use %q, want RS256 sig", k.Algorithm, k.Use)
	}
	pub, ok := k.Key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("key is %T, want a public RSA key", k.Key)
	}
	if pub.N.Cmp(testKey().N) != 0 || pub.E != testKey().E {
		t.Error("served key is not the signing key's public half")
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if strings.Contains(r.body, `"`+private+`"`) {
			t.Errorf("/keys leaks private parameter %q: %s", private, r.body)
		}
	}
	// A minted token verifies against it (verify fetches /keys itself).
	tk := okTokens(t, e.postForm("/oauth/token", map[string][]string{"grant_type": {"client_credentials"}}, MachineClientID, testSecret))
	v := e.verify(tk.access)
	if v.header.KeyID != e.srv.KeyID() {
		t.Errorf("token kid %q, want %q", v.header.KeyID, e.srv.KeyID())
	}
}

// TestHostHeader: requests addressed to a non-loopback name are refused,
// whatever the path (DNS rebinding defence).
func TestHostHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, host := range []string{"evil.example", "evil.example:80", "127.0.0.1.evil.example", "10.0.0.1", "[2001:db8::1]:9090"} {
		for _, p := range []string{"/.well-known/oauth-authorization-server", "/keys", "/oauth/authorize", "/"} {
			req, _ := http.NewRequest(http.MethodGet, e.base+p, nil)
			req.Host = host
			if r := e.do(req); r.status != http.StatusForbidden {
				t.Errorf("Host %s %s: status %d, want 403", host, p, r.status)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Host = host
		req.SetBasicAuth(MachineClientID, testSecret)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := e.do(req); r.status != http.StatusForbidden {
			t.Errorf("Host %s token: status %d, want 403", host, r.status)
		}
	}
	for _, host := range []string{"localhost", "LOCALHOST:1234", "127.0.0.1", "127.0.0.2:9", "[::1]:9090"} {
		req, _ := http.NewRequest(http.MethodGet, e.base+"/keys", nil)
		req.Host = host
		if r := e.do(req); r.status != http.StatusOK {
			t.Errorf("Host %s: status %d, want 200", host, r.status)
		}
	}
}

// TestIndex: the root page names the server as development-only and lists
// the endpoints; other unknown paths are 404.
func TestIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	r := e.get("/")
	if r.status != http.StatusOK || !strings.Contains(r.body, "DEVELOPMENT-ONLY") || !strings.Contains(r.body, e.base+"/oauth/token") {
		t.Errorf("index: %d %s", r.status, r.body)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", r.header.Get("X-Content-Type-Options"))
	}
	if r := e.get("/nope"); r.status != http.StatusNotFound {
		t.Errorf("/nope: %d", r.status)
	}
}

// TestNewRejectsBadConfig: New refuses what would make an unsafe or
// useless server.
func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := Config{Issuer: "http://127.0.0.1:9090", Resource: testResource, ResourceID: testResourceID, Key: testKey(), MachineSecret: testSecret}
	if _, err := New(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mod := range map[string]func(*Config){
		"non-loopback issuer": func(c *Config) { c.Issuer = "http://192.168.1.10:9090" },
		"issuer with path":    func(c *Config) { c.Issuer = "http://127.0.0.1:9090/x" },
		"issuer without host": func(c *Config) { c.Issuer = "127.0.0.1:9090" },
		"no resource":         func(c *Config) { c.Resource = "" },
		"no key":              func(c *Config) { c.Key = nil },
		"short secret":        func(c *Config) { c.MachineSecret = "short" },
	} {
		c := good
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
