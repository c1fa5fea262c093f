package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// TestNewLoginBYOA: --login byoa records the login section in the manifest
// and writes the login route, its hook (yours) and its settings.
func TestNewLoginBYOA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "svc")
	code, stdout, stderr := runWithStdin(t, nil, "new", dir, "--yes", "--skip-tidy", "--login", "byoa", "--login-path", "/sign-in")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, generator.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := generator.ParseManifest("manifest", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Login == nil || *m.Login != (generator.Login{Mode: "byoa", Path: "/sign-in"}) {
		t.Errorf("manifest login = %+v", m.Login)
	}
	if !strings.Contains(string(data), "login:\n  mode: byoa\n  path: /sign-in\n") {
		t.Errorf("manifest:\n%s", data)
	}
	for _, f := range []string{"internal/login/login.go", "internal/login/authenticate.go", "internal/config/login.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !slicesContains(m.Generated.Yours, "internal/login/authenticate.go") {
		t.Errorf("authenticate.go is not recorded as yours: %v", m.Generated.Yours)
	}
	env, _ := os.ReadFile(filepath.Join(dir, ".env.example"))
	for _, v := range []string{"SCALEKIT_CONNECTION_ID=", "SCALEKIT_CLIENT_ID=", "SCALEKIT_CLIENT_SECRET=", "LOGIN_PATH=/sign-in", "APP_ENV="} {
		if !strings.Contains(string(env), v) {
			t.Errorf(".env.example lacks %s", v)
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestNewLoginBadInput: each bad login input is exit 2, one message naming
// the flag, nothing written.
func TestNewLoginBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"byoa with oidc":       {[]string{"--login", "byoa", "--provider", "oidc", "--issuer", "https://auth.example.com"}, "--login (login.mode): bring your own auth (login byoa) works with provider scalekit"},
		"unknown mode":         {[]string{"--login", "magic"}, `--login (login.mode): unknown login mode "magic"`},
		"path without a mode":  {[]string{"--login-path", "/sign-in"}, "a login path is set but no login mode"},
		"bad path":             {[]string{"--login", "byoa", "--login-path", "sign-in"}, "--login-path (login.path)"},
		"path of the endpoint": {[]string{"--login", "byoa", "--login-path", "/mcp"}, "is the MCP endpoint's path"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "svc")
			code, stdout, stderr := runWithStdin(t, nil, append([]string{"new", dir, "--yes", "--skip-tidy"}, c.args...)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want 2 with %q\nstdout: %s\nstderr: %s", code, c.want, stdout, stderr)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("%s was written", dir)
			}
		})
	}
}
