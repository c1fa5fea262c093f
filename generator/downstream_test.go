package generator

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// withDownstream is a valid spec with an API and an MCP downstream, as
// edit leaves them.
func withDownstream(edit func(api, mcp *Downstream)) *Spec {
	s := &Spec{Module: "example.com/demo", Downstream: []Downstream{
		{Name: "weather", Kind: "api", URL: "https://api.weather.example/v1", Header: "X-API-Key"},
		{Name: "tickets", Kind: "mcp", URL: "https://tickets.example.com/mcp", Issuer: "https://auth.example.com", Scopes: []string{"tickets:write"}},
	}}
	if edit != nil {
		edit(&s.Downstream[0], &s.Downstream[1])
	}
	s.ApplyDefaults("demo")
	return s
}

func TestDownstreamDefaults(t *testing.T) {
	s := withDownstream(func(api, _ *Downstream) { api.Header = "" })
	if err := Validate(s); err != nil {
		t.Fatal(err)
	}
	api, mcp := s.Downstream[0], s.Downstream[1]
	if api.Header != "Authorization" || api.KeyEnv != "WEATHER_API_KEY" || api.ClientIDEnv != "" {
		t.Errorf("api defaults: %+v", api)
	}
	if mcp.ClientIDEnv != "TICKETS_CLIENT_ID" || mcp.ClientSecretEnv != "TICKETS_CLIENT_SECRET" || mcp.Header != "" || mcp.KeyEnv != "" {
		t.Errorf("mcp defaults: %+v", mcp)
	}
	if p := newDownstreamData(api).AuthPrefix; p != "Bearer " {
		t.Errorf("Authorization without a scheme: prefix %q, want Bearer", p)
	}
	api.Scheme = "none"
	if p := newDownstreamData(api).AuthPrefix; p != "" {
		t.Errorf("scheme none: prefix %q", p)
	}
	if v := mcp.Variables(); v.URL != "TICKETS_URL" || v.Issuer != "TICKETS_ISSUER" || v.Resource != "TICKETS_RESOURCE" {
		t.Errorf("variables %+v", v)
	}
}

// TestDownstreamProblems: each bad downstream is one problem at its field.
func TestDownstreamProblems(t *testing.T) {
	for _, tc := range []struct {
		name      string
		edit      func(api, mcp *Downstream)
		path, msg string
	}{
		{"bad name", func(a, _ *Downstream) { a.Name = "Weather-API" }, "downstream[0].name", "invalid downstream name"},
		{"twice", func(a, m *Downstream) { m.Name = "weather" }, "downstream[1].name", "declared twice"},
		{"same Go field", func(a, m *Downstream) { a.Name, m.Name = "a_1b", "a1b" }, "downstream[1].name", "Go field"},
		{"unknown kind", func(a, _ *Downstream) { a.Kind = "grpc" }, "downstream[0].kind", `kind "grpc"`},
		{"no URL", func(a, _ *Downstream) { a.URL = "" }, "downstream[0].url", "missing URL"},
		{"plain http", func(a, _ *Downstream) { a.URL = "http://api.weather.example" }, "downstream[0].url", "plain http"},
		{"bad header", func(a, _ *Downstream) { a.Header = "X API Key" }, "downstream[0].header", "invalid header"},
		{"framing header", func(a, _ *Downstream) { a.Header = "Content-Length" }, "downstream[0].header", "cannot go there"},
		{"scheme elsewhere", func(a, _ *Downstream) { a.Scheme = "Token" }, "downstream[0].scheme", "Authorization header only"},
		{"key in a server variable", func(a, _ *Downstream) { a.KeyEnv = "MCP_AUDIENCE" }, "downstream[0].key_env", "server's own"},
		{"key variable lower case", func(a, _ *Downstream) { a.KeyEnv = "weather_key" }, "downstream[0].key_env", "invalid variable"},
		{"mcp field on an api", func(a, _ *Downstream) { a.Issuer = "https://auth.example.com" }, "downstream[0].issuer", "kind mcp"},
		{"no issuer", func(_, m *Downstream) { m.Issuer = "" }, "downstream[1].issuer", "where its tokens come from"},
		{"issuer and token URL", func(_, m *Downstream) { m.TokenURL = "https://auth.example.com/token" }, "downstream[1].token_url", "both"},
		{"issuer with query", func(_, m *Downstream) { m.Issuer = "https://auth.example.com?x=1" }, "downstream[1].issuer", "query"},
		{"bad scope", func(_, m *Downstream) { m.Scopes = []string{"tickets write"} }, "downstream[1].scopes", "space"},
		{"resource with fragment", func(_, m *Downstream) { m.Resource = "https://tickets.example.com/mcp#x" }, "downstream[1].resource", "fragment"},
		{"api field on an mcp", func(_, m *Downstream) { m.Header = "X-API-Key" }, "downstream[1].header", "kind api"},
		{"one variable for ID and secret", func(_, m *Downstream) { m.ClientIDEnv, m.ClientSecretEnv = "TICKETS_CREDS", "TICKETS_CREDS" }, "downstream[1].client_secret_env", "both read from"},
		{"name mixes with the server's variables", func(_, m *Downstream) { m.Name = "mcp" }, "downstream[1].name", "MCP_AUDIENCE"},
		{"name mixes with more issuers", func(a, _ *Downstream) { a.Name = "issuer_2" }, "downstream[0].name", "ISSUER_2_URL"},
		{"two downstreams, one variable", func(a, m *Downstream) { a.KeyEnv = "TICKETS_CLIENT_SECRET" }, "downstream[1].client_secret_env", "both be configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(withDownstream(tc.edit))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want a validation error, got %v", err)
			}
			for _, p := range verr.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Errorf("want a problem at %s saying %q; got:\n%v", tc.path, tc.msg, err)
		})
	}
}

// TestDownstreamPlaceholders: a URL or issuer still to be filled in passes
// (the generated server refuses to start with it).
func TestDownstreamPlaceholders(t *testing.T) {
	s := withDownstream(func(a, m *Downstream) { a.URL, m.Issuer = "https://REPLACE_ME", "https://REPLACE_ME" })
	if err := Validate(s); err != nil {
		t.Fatal(err)
	}
}

// TestNoDownstreamNoFiles: a spec without downstreams gets no downstream
// package; one with them does.
func TestNoDownstreamNoFiles(t *testing.T) {
	has := func(s *Spec) bool {
		files, err := Render(s, "(devel)")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasPrefix(f.Path, "internal/downstream/") {
				return true
			}
		}
		return false
	}
	if has(defaultSpec()) {
		t.Error("a spec without downstreams got internal/downstream")
	}
	if !has(withDownstream(nil)) {
		t.Error("a spec with downstreams got no internal/downstream")
	}
}

// TestDownstreamManifestRoundTrip: downstream services come back from the
// manifest as they went in, every field of both kinds; the generated
// client code is recorded as create-mcp-auth's, .env.example as the
// user's.
func TestDownstreamManifestRoundTrip(t *testing.T) {
	s := withDownstream(func(api, mcp *Downstream) {
		api.Header, api.Scheme, api.KeyEnv = "Authorization", "Token", "WEATHER_TOKEN"
		mcp.Issuer, mcp.TokenURL = "", "https://auth.example.com/oauth/token"
		mcp.Resource, mcp.Audience = "https://tickets.example.com", "tickets-api"
	})
	files, err := Render(s, "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, f := range files {
		if f.Path == ManifestName {
			data = f.Data
		}
	}
	m, err := ParseManifest("manifest", data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Downstream, s.Downstream) {
		t.Errorf("downstream read back as\n%+v\nwant\n%+v", m.Downstream, s.Downstream)
	}
	for _, path := range []string{"internal/downstream/downstream.go", "internal/downstream/api.go", "internal/downstream/mcp.go",
		"internal/downstream/api_test.go", "internal/config/downstream.go", "internal/rules/downstream.go"} {
		if m.Generated.Files[path] == "" {
			t.Errorf("%s is not recorded as create-mcp-auth's", path)
		}
	}
	if !slices.Contains(m.Generated.Yours, ".env.example") || m.Generated.Files[".env.example"] != "" {
		t.Error(".env.example is not recorded as the user's")
	}
}

// TestDownstreamAddedByHand: a downstream service added to a manifest by
// hand, without the names new fills in, gets them when the manifest is
// read, so that upgrade can render it.
func TestDownstreamAddedByHand(t *testing.T) {
	m, err := ParseManifest("manifest", []byte("version: 2\nmodule: example.com/x\ndownstream:\n  - name: weather\n    kind: api\n    url: https://api.weather.example\n  - name: tickets\n    kind: mcp\n    url: https://t.example.com/mcp\n    issuer: https://auth.example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	api, mcp := m.Downstream[0], m.Downstream[1]
	if api.Header != "Authorization" || api.KeyEnv != "WEATHER_API_KEY" || mcp.ClientIDEnv != "TICKETS_CLIENT_ID" || mcp.ClientSecretEnv != "TICKETS_CLIENT_SECRET" {
		t.Errorf("defaults not applied: %+v %+v", api, mcp)
	}
}
