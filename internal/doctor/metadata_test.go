package doctor

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerMetadata checks the authorization server rules on crafted
// metadata, served where path:metadata says.
func TestServerMetadata(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string         // where the metadata is served
		edit    map[string]any // changes to correct metadata; nil deletes
		id      string
		status  Status
		phrases []string
	}{
		{"rfc 8414", "/.well-known/oauth-authorization-server/tenant", nil, "as.metadata", Pass, nil},
		{"openid only", "/.well-known/openid-configuration/tenant", nil, "as.metadata", Warn, []string{"only through OpenID discovery", "RFC 8414"}},
		{"openid appended only", "/tenant/.well-known/openid-configuration", nil, "as.metadata", Warn, []string{"only through OpenID discovery"}},
		{"nowhere", "/elsewhere", nil, "as.metadata", Fail, []string{"404 Not Found", "oauth-authorization-server/tenant"}},
		{"issuer with a slash", "", map[string]any{"issuer": "{as}/tenant/"}, "as.issuer", Fail, []string{"trailing slash", "advertised as {as}/tenant but the metadata says issuer {as}/tenant/"}},
		{"other issuer", "", map[string]any{"issuer": "https://other.example.com"}, "as.issuer", Fail, []string{`"https://other.example.com"`}},
		{"no PKCE", "", map[string]any{"code_challenge_methods_supported": nil}, "as.pkce", Fail, []string{"without S256"}},
		{"CIMD only", "", map[string]any{"registration_endpoint": nil}, "as.registration", Warn, []string{"older MCP Inspector, mcp-remote"}},
		{"DCR only", "", map[string]any{"client_id_metadata_document_supported": nil}, "as.registration", Pass, []string{"2025-11-25 spec prefers"}},
		{"plain http endpoint", "", map[string]any{"token_endpoint": "http://auth.example.com/token"}, "as.endpoints", Fail, []string{"plain http on a non-loopback host"}},
		{"relative endpoint", "", map[string]any{"authorization_endpoint": "/authorize"}, "as.endpoints", Fail, []string{"not an absolute URL"}},
		{"no jwks_uri", "", map[string]any{"jwks_uri": nil}, "as.jwks_uri", Warn, []string{"cannot verify JWT access tokens"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var base string
			path := tc.path
			if path == "" {
				path = "/.well-known/oauth-authorization-server/tenant"
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != path {
					http.NotFound(w, r)
					return
				}
				md := map[string]any{
					"issuer":                                base + "/tenant",
					"authorization_endpoint":                base + "/authorize",
					"token_endpoint":                        base + "/token",
					"registration_endpoint":                 base + "/register",
					"jwks_uri":                              base + "/jwks",
					"code_challenge_methods_supported":      []string{"S256"},
					"client_id_metadata_document_supported": true,
				}
				for k, v := range tc.edit {
					if v == nil {
						delete(md, k)
					} else if s, ok := v.(string); ok {
						md[k] = strings.ReplaceAll(s, "{as}", base)
					}
				}
				json.NewEncoder(w).Encode(md)
			}))
			t.Cleanup(srv.Close)
			base = srv.URL
			r := newRun(t, "http://127.0.0.1:1/mcp")
			r.checkServer(context.Background(), &authServer{id: base + "/tenant"})
			c := only(t, r, tc.id)
			if c.Status != tc.status {
				t.Errorf("%s is %s, want %s: %s", tc.id, c.Status, tc.status, c.Detail)
			}
			for _, p := range tc.phrases {
				if p = strings.ReplaceAll(p, "{as}", base); !strings.Contains(c.Detail, p) {
					t.Errorf("%s detail %q lacks %q", tc.id, c.Detail, p)
				}
			}
			if c.Status == Fail && c.Fix == "" {
				t.Errorf("%s failed without a fix", tc.id)
			}
		})
	}
}

// TestTokenIssuer: iss must be an advertised issuer, or the environment
// of a Scalekit per-resource authorization server.
func TestTokenIssuer(t *testing.T) {
	for _, tc := range []struct {
		iss, advertised string
		status          Status
	}{
		{"https://auth.example.com", "https://auth.example.com", Pass},
		{"https://acme.scalekit.com", "https://acme.scalekit.com/resources/res_123", Pass},
		{"https://acme.scalekit.com", "https://acme.scalekit.com/resources/res_123/x", Fail},
		{"https://evil.example.com", "https://acme.scalekit.com/resources/res_123", Fail},
		{"https://auth.example.com/", "https://auth.example.com", Fail},
	} {
		r := newRun(t, "https://mcp.example.com/mcp")
		r.servers = []*authServer{{id: tc.advertised, meta: &serverMetadata{Issuer: tc.advertised}}}
		as, how := r.issuerOf(tc.iss)
		r.checkIssuer(tc.iss, as, how)
		if c := only(t, r, "token.iss"); c.Status != tc.status {
			t.Errorf("iss %s, advertised %s: %s (%s), want %s", tc.iss, tc.advertised, c.Status, c.Detail, tc.status)
		}
	}
}

// TestResourceMetadataFields checks the metadata field rules.
func TestResourceMetadataFields(t *testing.T) {
	const u = "https://mcp.example.com/mcp"
	res := func(s string) *string { return &s }
	ok := resourceMetadata{Resource: res(u), AuthorizationServers: []string{"https://auth.example.com"}, ScopesSupported: []string{"todo:read"}, BearerMethods: []string{"header"}}
	for _, tc := range []struct {
		name   string
		edit   func(*resourceMetadata)
		id     string
		status Status
		phrase string
	}{
		{"correct", func(*resourceMetadata) {}, "prm.resource", Pass, u},
		{"no resource", func(m *resourceMetadata) { m.Resource = nil }, "prm.resource", Fail, "no resource field"},
		{"other resource", func(m *resourceMetadata) { m.Resource = res("https://mcp.example.com/") }, "prm.resource", Fail, "resource is https://mcp.example.com/ but"},
		{"no authorization servers", func(m *resourceMetadata) { m.AuthorizationServers = nil }, "prm.authorization_servers", Fail, "cannot tell where"},
		{"relative authorization server", func(m *resourceMetadata) { m.AuthorizationServers = []string{"auth.example.com"} }, "prm.authorization_servers", Fail, "not an absolute URL"},
		{"no scopes", func(m *resourceMetadata) { m.ScopesSupported = nil }, "prm.scopes_supported", Warn, "no scopes_supported"},
		{"query bearer method", func(m *resourceMetadata) { m.BearerMethods = []string{"query"} }, "prm.bearer_methods", Warn, "without header"},
		{"offline_access", func(m *resourceMetadata) { m.ScopesSupported = append(m.ScopesSupported, "offline_access") }, "prm.offline_access", Warn, "SEP-2207"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := ok
			tc.edit(&md)
			r := newRun(t, u)
			r.checkResourceMetadata(&md)
			if c := only(t, r, tc.id); c.Status != tc.status || !strings.Contains(c.Detail, tc.phrase) || (c.Status != Pass && c.Fix == "") {
				t.Errorf("%s: %s %q (fix %q), want %s with %q", tc.id, c.Status, c.Detail, c.Fix, tc.status, tc.phrase)
			}
		})
	}
}
