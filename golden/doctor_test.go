package golden

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/internal/cli"
)

// TestDoctor runs `create-mcp-auth doctor` against a generated server
// pointed at dev-auth, configured as its README says: every check passes
// and it exits 0; with a dev-auth token it also lists every tool. The
// doctor knows nothing of the generated code, so this is the proof that a
// generated server passes what real MCP clients need.
func TestDoctor(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping build and run")
	}
	const name = "stdlib-todo"
	spec := loadSpec(t, name)
	bin := filepath.Join(t.TempDir(), "server")
	goCmd(t, name, "build", "-o", bin, ".")
	port := freePort(t)
	resource := resourceURL(spec, port)
	_, issuer := startDevAuth(t, spec, resource)
	launch(t, bin, port, resource, issuer, "res_dev")

	doctor := func(t *testing.T, args ...string) (code int, stdout, stderr string) {
		t.Helper()
		var out, errb bytes.Buffer
		code = cli.Run(context.Background(), append([]string{"doctor", resource}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	// report runs the doctor with --json and wants every check passed.
	report := func(t *testing.T, args ...string) []string {
		t.Helper()
		code, out, errs := doctor(t, append(args, "--json")...)
		var rep struct {
			OK     bool `json:"ok"`
			Checks []struct {
				ID, Status, Subject, Detail, Fix string
			} `json:"checks"`
			Tools []string `json:"tools"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("--json: %v\n%s\n%s", err, out, errs)
		}
		for _, c := range rep.Checks {
			if c.Status != "pass" {
				t.Errorf("%s %s: %s: %s\n  fix: %s", c.Status, c.ID, c.Subject, c.Detail, c.Fix)
			}
		}
		if code != 0 || !rep.OK || len(rep.Checks) == 0 {
			t.Errorf("exit %d, ok %v, %d checks; stderr:\n%s", code, rep.OK, len(rep.Checks), errs)
		}
		return rep.Tools
	}

	t.Run("without a token", func(t *testing.T) {
		report(t)
		code, out, _ := doctor(t)
		if code != 0 || !strings.Contains(out, "✓ No problems") {
			t.Errorf("human output, exit %d:\n%s", code, out)
		}
		t.Logf("create-mcp-auth doctor %s\n%s", resource, out)
	})

	t.Run("with a dev-auth token", func(t *testing.T) {
		var scopes []string
		for _, sc := range spec.Scopes {
			scopes = append(scopes, sc.Name)
		}
		var md struct {
			TokenEndpoint string `json:"token_endpoint"`
		}
		getJSON(t, issuer+"/.well-known/oauth-authorization-server/resources/res_dev", &md)
		token := mintDevAuth(t, md.TokenEndpoint, scopes)

		var want []string
		for _, tool := range spec.Tools {
			want = append(want, tool.Name)
		}
		if got := report(t, "--token", token); !sameSet(got, want) {
			t.Errorf("tools = %v, want %v", got, want)
		}
		code, out, errs := doctor(t, "--token", token)
		if code != 0 || !strings.Contains(out, "tools/list") || strings.Contains(out+errs, token) {
			t.Errorf("human output with a token, exit %d:\n%s", code, out)
		}
		for _, tool := range want {
			if !strings.Contains(out, tool) {
				t.Errorf("tool %s not listed:\n%s", tool, out)
			}
		}
		t.Logf("create-mcp-auth doctor %s --token …\n%s", resource, out)
	})
}
