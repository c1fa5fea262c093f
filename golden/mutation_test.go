package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestContractTestsCatchBrokenChecks breaks, one at a time, the checks the
// generated contract tests guard, in the cases whose tools are real code
// (see overlay), and requires the project's own tests to fail each time:
// tests that pass with a check removed would prove nothing.
func TestContractTestsCatchBrokenChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the tests of broken projects")
	}
	type mutation struct {
		name, file, from, to string
	}
	shared := []mutation{
		{"the policy grants every scope", "internal/auth/policy.go",
			"if !p.grants(granted, r) {", "if false && !p.grants(granted, r) {"},
		{"the HTTP-level scope check is off", "internal/auth/middleware.go",
			"if missing := g.policy.Missing(required, granted); len(missing) > 0 {\n\t\t\t\t\tg.deny(", "if missing := g.policy.Missing(required, granted); false && len(missing) > 0 {\n\t\t\t\t\tg.deny("},
		{"the audience is not checked", "internal/auth/claims.go",
			"func checkAudience(c *accessClaims, accepted []string) error {", "func checkAudience(c *accessClaims, accepted []string) error {\n\treturn nil"},
		{"the token is not required", "internal/auth/middleware.go",
			"if errors.Is(err, errNoCredentials) {", "if errors.Is(err, errNoCredentials) {\n\t\t\t\tnext.ServeHTTP(w, r)\n\t\t\t\treturn"},
		{"the client's rate limit is not enforced", "internal/auth/ratelimit.go",
			"budget); !d.Allowed {", "budget); false && !d.Allowed {"},
	}
	for name, dispatch := range map[string]mutation{
		"stdlib-greeting": {"the dispatch-level scope check is off", "internal/server/mcp.go",
			"if missing := policy.Missing(required, info.Scopes); len(missing) > 0 {", "if missing := policy.Missing(required, info.Scopes); false && len(missing) > 0 {"},
		"mcp-go-search": {"the dispatch-level scope check is off", "internal/server/mcp.go",
			"if missing := policy.Missing(required, tok.Scopes); len(missing) > 0 {", "if missing := policy.Missing(required, tok.Scopes); false && len(missing) > 0 {"},
	} {
		if _, err := os.Stat(filepath.Join("testdata", "overlay", name)); err != nil {
			t.Fatalf("%s has no overlay of real tool code", name)
		}
		for _, m := range append(shared, dispatch) {
			t.Run(name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				dir := filepath.Join(t.TempDir(), name)
				copyTree(t, name, dir)
				target := filepath.Join(dir, m.file)
				src := string(readFile(t, target))
				if !strings.Contains(src, m.from) {
					t.Fatalf("%s no longer contains the code this mutation breaks:\n%s", m.file, m.from)
				}
				os.WriteFile(target, []byte(strings.Replace(src, m.from, m.to, 1)), 0o644)
				cmd := exec.Command("go", "test", "-count=1", "./...")
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				if err == nil {
					t.Fatalf("the tests pass although %s:\n%s", m.name, out)
				}
				failed := regexp.MustCompile(`--- FAIL: (\S+)`).FindAllStringSubmatch(string(out), -1)
				if len(failed) == 0 {
					t.Fatalf("go test failed, but no test did (a build error?):\n%s", out)
				}
				var names []string
				for _, f := range failed {
					names = append(names, f[1])
				}
				t.Logf("%s: caught by %s", m.name, strings.Join(names, ", "))
			})
		}
	}
}
