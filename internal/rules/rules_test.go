package rules

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "app.localhost": true, "localhost.": true,
		"127.0.0.1": true, "127.9.9.9": true, "::1": true, "[::1]": true,
		"localhost.evil.example": false, "127.0.0.1.evil.example": false, "10.0.0.1": false,
		"example.com": false, "": false, "notlocalhost": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestCheckResourceURL(t *testing.T) {
	for _, ok := range []string{
		"https://mcp.example.com/mcp", "https://mcp.example.com/", "https://mcp.example.com",
		"http://localhost:3002/mcp", "http://app.localhost:3002/mcp", "http://127.0.0.1:8080/", "http://[::1]:9/mcp",
		"https://mcp.example.com/v1/mcp-server_x.y~z",
	} {
		if err := CheckResourceURL(ok, false); err != nil {
			t.Errorf("CheckResourceURL(%q) = %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"":                                  "missing URL",
		"mcp.example.com/mcp":               "has no scheme",
		"/mcp":                              "is a path, not an absolute URL",
		"ftp://mcp.example.com/mcp":         `has scheme "ftp"`,
		"https:///mcp":                      "has no host",
		"https://u:p@mcp.example.com/mcp":   "user credentials",
		"http://mcp.example.com/mcp":        "plain http",
		"http://10.0.0.1/mcp":               "plain http",
		"https://mcp.example.com/mcp?x=1":   "has a query",
		"https://mcp.example.com/mcp?":      "has a query",
		"https://mcp.example.com/mcp#frag":  "has a fragment",
		"https://mcp.example.com/m{c}p":     "has characters other than",
		"https://mcp.example.com/m%20cp":    "has characters other than",
		"https://mcp.example.com//mcp":      "empty segment",
		"https://MCP.example.com/mcp":       "lower case",
		"HTTPS://mcp.example.com/mcp":       "lower case",
		"http://localhost.evil.example/mcp": "plain http",
	} {
		err := CheckResourceURL(bad, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckResourceURL(%q) = %v, want an error mentioning %q", bad, err, want)
		}
	}
	if err := CheckResourceURL("http://mcp:3002/mcp", true); err != nil {
		t.Errorf("plain http allowed: %v", err)
	}
	if err := CheckResourceURL("http://mcp.example.com/mcp", false); !errors.Is(err, ErrPlainHTTP) {
		t.Errorf("plain http is not ErrPlainHTTP: %v", err)
	}
}

func TestCheckIssuerURL(t *testing.T) {
	if err := CheckIssuerURL("https://login.example.com/realms/acme/", false); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"https://login.example.com/?x=1", "https://login.example.com/#a", "http://login.example.com"} {
		if err := CheckIssuerURL(bad, false); err == nil {
			t.Errorf("CheckIssuerURL(%q) accepted", bad)
		}
	}
}

func TestCheckScopeName(t *testing.T) {
	for _, ok := range []string{"todo:read", "mcp:tools:*", "a", "https://graph.microsoft.com/.default", "!#$%&'()*+,-./:;<=>?@[]^_`{|}~"} {
		if err := CheckScopeName(ok); err != nil {
			t.Errorf("CheckScopeName(%q) = %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"": "empty", "todo read": "a space", "todo\tread": "a space", `a"b`: "double quote", `a\b`: "backslash",
		"é": "not printable ASCII", "a\x7fb": "not printable ASCII",
	} {
		if err := CheckScopeName(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckScopeName(%q) = %v, want %q", bad, err, want)
		}
	}
}

func TestCheckToolName(t *testing.T) {
	for _, ok := range []string{"list_todos", "search.v2", "a-b", strings.Repeat("x", 128), "_"} {
		if err := CheckToolName(ok); err != nil {
			t.Errorf("CheckToolName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "list todos", "a/b", strings.Repeat("x", 129), "é"} {
		if err := CheckToolName(bad); err == nil {
			t.Errorf("CheckToolName(%q) accepted", bad)
		}
	}
}

func TestCheckScalekitResourceID(t *testing.T) {
	for _, ok := range []string{"res_123456789", "res_dev", "res_REPLACE_ME", "res_a-b_c"} {
		if err := CheckScalekitResourceID(ok); err != nil {
			t.Errorf("CheckScalekitResourceID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "res_", "123", "conn_123", "res 1", "res_1/2", "res_1?x", "res_1%20", `res_"`} {
		if err := CheckScalekitResourceID(bad); err == nil {
			t.Errorf("CheckScalekitResourceID(%q) accepted", bad)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	for v, want := range map[string]bool{
		PlaceholderScalekitEnv: true, PlaceholderScalekitResourceID: true, "https://<your-env>.scalekit.com": true,
		"https://acme.scalekit.com": false, "res_123": false,
	} {
		if got := IsPlaceholder(v); got != want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://App.Example.com": "https://app.example.com",
		"http://localhost:6274/":  "http://localhost:6274",
		"https://example.com:443": "https://example.com",
		"http://[::1]:80":         "http://[::1]",
	} {
		if got, err := NormalizeOrigin(in); err != nil || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"localhost:6274", "https://example.com/path", "null", "https://u@example.com"} {
		if _, err := NormalizeOrigin(bad); err == nil {
			t.Errorf("NormalizeOrigin(%q) accepted", bad)
		}
	}
}

// TestSourcesAreThisPackage: the copy generated projects get is every file
// of this package but source.go and the tests, byte for byte, so nothing
// can be added here that projects would lack.
func TestSourcesAreThisPackage(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && n != "source.go" {
			want = append(want, n)
			embedded, err := Sources.ReadFile(n)
			disk, _ := os.ReadFile(n)
			if err != nil || !bytes.Equal(embedded, disk) {
				t.Errorf("%s is not embedded as it is: %v", n, err)
			}
		}
	}
	got, _ := fs.Glob(Sources, "*")
	if !slices.Equal(got, want) {
		t.Errorf("Sources holds %q; the package has %q", got, want)
	}
}

func TestCheckScalekitConnectionID(t *testing.T) {
	for _, ok := range []string{"conn_123", "conn_AbC-9_x"} {
		if err := CheckScalekitConnectionID(ok); err != nil {
			t.Errorf("CheckScalekitConnectionID(%q) = %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"res_123":    "resource ID (res_…), not the connection ID",
		"":           "is not a Scalekit connection ID",
		"conn_":      "is not a Scalekit connection ID",
		"conn_a/b":   "is not a Scalekit connection ID",
		"skc_123456": "conn_ followed by",
	} {
		if err := CheckScalekitConnectionID(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckScalekitConnectionID(%q) = %v, want %q", bad, err, want)
		}
	}
}

func TestCheckLoginPath(t *testing.T) {
	for _, ok := range []string{"/login", "/auth/sign-in", "/login/"} {
		if err := CheckLoginPath(ok); err != nil {
			t.Errorf("CheckLoginPath(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/", "login", "/a//b", "/log in", "/login?x=1", "/healthz", "/readyz", "/.well-known/x"} {
		if CheckLoginPath(bad) == nil {
			t.Errorf("CheckLoginPath(%q) accepted", bad)
		}
	}
}

func TestCheckLoginParams(t *testing.T) {
	if err := CheckLoginRequestID("lri_123.a~b-c"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "a/b", "a b", "a%2Fb", strings.Repeat("a", 257)} {
		if CheckLoginRequestID(bad) == nil {
			t.Errorf("CheckLoginRequestID(%q) accepted", bad)
		}
	}
	if err := CheckLoginState("eyJh+b/c=="); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "a b", "a\nb", "é", strings.Repeat("s", 1025)} {
		if CheckLoginState(bad) == nil {
			t.Errorf("CheckLoginState(%q) accepted", bad)
		}
	}
}
