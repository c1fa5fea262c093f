package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(env map[string]string) (Config, error) {
	return Load(func(k string) string { return env[k] })
}

func TestLoadScalekit(t *testing.T) {
	cfg, err := load(map[string]string{
		"AUTH_PROVIDER":            "scalekit",
		"MCP_SERVER_URL":           "https://mcp.example.com/mcp",
		"SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev/",
		"SCALEKIT_RESOURCE_ID":     "res_987",
		"PORT":                     "8080",
		"TOKEN_LEEWAY":             "30s",
		"ALLOWED_ORIGINS":          "https://App.Example.com, http://localhost:6274/",
		"LOG_LEVEL":                "debug",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Auth
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Port", cfg.Port, 8080},
		{"Issuers", a.Issuers, []string{"https://acme.scalekit.dev", "https://acme.scalekit.dev/resources/res_987"}},
		{"JWKSURL", a.JWKSURL, "https://acme.scalekit.dev/keys"},
		{"AuthorizationServers", a.AuthorizationServers, []string{"https://acme.scalekit.dev/resources/res_987"}},
		{"Audiences", a.Audiences, []string{"https://mcp.example.com/mcp", "res_987"}},
		{"Leeway", a.Leeway, 30 * time.Second},
		{"AllowedOrigins", a.AllowedOrigins, []string{"https://app.example.com", "http://localhost:6274"}},
		{"ResourceName", a.ResourceName, DefaultServerName},
	} {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadOIDC(t *testing.T) {
	cfg, err := load(map[string]string{
		"AUTH_PROVIDER": "oidc",
		"OAUTH_ISSUER":  "https://login.example.com/realms/acme/",
		"MCP_AUDIENCE":  "api://mcp, https://mcp.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Auth.Issuers, []string{"https://login.example.com/realms/acme/"}) {
		t.Errorf("Issuers = %q; the issuer must be kept exactly", cfg.Auth.Issuers)
	}
	if cfg.Auth.JWKSURL != DefaultOAuthJWKSURL {
		t.Errorf("JWKSURL = %q, want the default %q", cfg.Auth.JWKSURL, DefaultOAuthJWKSURL)
	}
	if !slices.Equal(cfg.Auth.Audiences, []string{"api://mcp", "https://mcp.example.com"}) {
		t.Errorf("Audiences = %q", cfg.Auth.Audiences)
	}
	if cfg.Auth.ResourceURL != DefaultServerURL || cfg.Port != DefaultPort {
		t.Errorf("defaults not applied: %q %d", cfg.Auth.ResourceURL, cfg.Port)
	}
}

// TestLoadReportsEveryProblem checks that each bad variable gets its own
// message naming it, all in one error.
func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := load(map[string]string{
		"PORT":                     "99999",
		"MCP_SERVER_URL":           "http://mcp.example.com/mcp",
		"AUTH_PROVIDER":            "scalekit",
		"SCALEKIT_ENVIRONMENT_URL": "https://example.scalekit.com",
		"SCALEKIT_RESOURCE_ID":     "res_REPLACE_ME",
		"TOKEN_LEEWAY":             "1h",
		"ALLOWED_ORIGINS":          "https://app.example.com/path",
		"LOG_LEVEL":                "loud",
		"LOG_FORMAT":               "xml",
	})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"PORT:",
		"MCP_SERVER_URL: \"http://mcp.example.com/mcp\" uses plain http",
		"SCALEKIT_ENVIRONMENT_URL is the placeholder",
		"Settings → API Credentials",
		"SCALEKIT_RESOURCE_ID is the placeholder",
		"MCP Servers → your server → Resource ID",
		"TOKEN_LEEWAY:",
		"ALLOWED_ORIGINS:",
		"LOG_LEVEL:",
		"LOG_FORMAT:",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 8 {
		t.Errorf("%d messages, want 8 (one per problem):\n%s", n, msg)
	}
}

func TestLoadRejects(t *testing.T) {
	base := map[string]string{"AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": "https://login.example.com"}
	for name, tc := range map[string]struct {
		key, value, want string
	}{
		"unknown provider":         {"AUTH_PROVIDER", "okta", "AUTH_PROVIDER"},
		"plain http issuer":        {"OAUTH_ISSUER", "http://login.example.com", "plain http"},
		"plain http JWKS":          {"OAUTH_JWKS_URL", "http://login.example.com/jwks", "plain http"},
		"server URL with query":    {"MCP_SERVER_URL", "https://mcp.example.com/mcp?x=1", "query"},
		"server URL odd path":      {"MCP_SERVER_URL", "https://mcp.example.com/m{c}p", "path"},
		"relative server URL":      {"MCP_SERVER_URL", "/mcp", "absolute"},
		"server URL with userinfo": {"MCP_SERVER_URL", "https://u:p@mcp.example.com/mcp", "credentials"},
		"empty audience list":      {"MCP_AUDIENCE", " , ", "MCP_AUDIENCE"},
		"negative leeway":          {"TOKEN_LEEWAY", "-1s", "TOKEN_LEEWAY"},
		"refetch interval too low": {"JWKS_REFRESH_MIN_INTERVAL", "10ms", "JWKS_REFRESH_MIN_INTERVAL: \"10ms\" is not a duration from 1s to 1h"},
		"typ strict not boolean":   {"TOKEN_TYP_STRICT", "maybe", "TOKEN_TYP_STRICT"},
		"filter not boolean":       {"FILTER_TOOLS_LIST", "yes please", "FILTER_TOOLS_LIST"},
	} {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		env[tc.key] = tc.value
		if _, err := load(env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.want)
		}
	}
	if DefaultOAuthIssuer == "" {
		env := map[string]string{"AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": " "}
		if _, err := load(env); err == nil || !strings.Contains(err.Error(), "OAUTH_ISSUER is not set") {
			t.Errorf("missing issuer: %v", err)
		}
	}
	// ALLOW_INSECURE_HTTP lifts the https rule, for trusted networks.
	env := map[string]string{"AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": "http://keycloak:8080/realms/dev",
		"MCP_SERVER_URL": "http://mcp:3002/mcp", "ALLOW_INSECURE_HTTP": "true"}
	if cfg, err := load(env); err != nil || !cfg.Auth.AllowInsecureHTTP {
		t.Errorf("ALLOW_INSECURE_HTTP=true: %v", err)
	}
	// Loopback hosts may use plain http.
	for _, u := range []string{"http://localhost:3002/mcp", "http://127.0.0.1:3002/", "http://[::1]:3002/mcp"} {
		env := map[string]string{"MCP_SERVER_URL": u}
		for k, v := range base {
			env[k] = v
		}
		if _, err := load(env); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestLoadScalekitMissingValues(t *testing.T) {
	_, err := load(map[string]string{"AUTH_PROVIDER": "scalekit", "SCALEKIT_RESOURCE_ID": "abc"})
	if err == nil || !strings.Contains(err.Error(), "res_") {
		t.Errorf("resource ID without res_: %v", err)
	}
}

func TestReadDotEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	content := `# comment
PORT=4000
export LOG_LEVEL=debug
MCP_AUDIENCE = a,b # trailing comment
OAUTH_JWKS_URL=   # comment only
SINGLE='a # not a comment'
DOUBLE="line\nbreak \"quoted\""
EMPTY=
`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, err := ReadDotEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"PORT": "4000", "LOG_LEVEL": "debug", "MCP_AUDIENCE": "a,b",
		"SINGLE": "a # not a comment", "DOUBLE": "line\nbreak \"quoted\"", "EMPTY": "", "OAUTH_JWKS_URL": "",
	}
	if !equal(vars, want) {
		t.Errorf("got %q\nwant %q", vars, want)
	}

	t.Setenv("PORT", "5000")
	if got := Getenv(vars)("PORT"); got != "5000" {
		t.Errorf("environment should win over .env: PORT = %q", got)
	}
	if got := Getenv(vars)("MCP_AUDIENCE"); got != "a,b" {
		t.Errorf(".env fallback: %q", got)
	}

	if vars, err := ReadDotEnv(filepath.Join(t.TempDir(), "missing")); err != nil || vars != nil {
		t.Errorf("missing file: %v %v", vars, err)
	}
	if err := os.WriteFile(path, []byte("OK=1\nnot a pair\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDotEnv(path); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Errorf("bad line: %v", err)
	}
}

func equal(a, b any) bool {
	switch a := a.(type) {
	case []string:
		return slices.Equal(a, b.([]string))
	case map[string]string:
		b := b.(map[string]string)
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if bv, ok := b[k]; !ok || bv != v {
				return false
			}
		}
		return true
	}
	return a == b
}
