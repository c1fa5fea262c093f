package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLoginTestsCatchBrokenChecks breaks, one at a time, the checks of the
// generated login route (bring your own auth) in stdlib-byoa, and requires
// the project's own login tests to fail each time.
func TestLoginTestsCatchBrokenChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the tests of broken projects")
	}
	const name = "stdlib-byoa"
	for _, m := range []struct{ name, file, from, to string }{
		{"login_request_id and state unchecked", "internal/login/login.go",
			"func checkParams(id, state string) error {", "func checkParams(id, state string) error {\n\treturn nil"},
		{"the form binding unchecked", "internal/login/form.go",
			"func (f formSigner) verify(binding, id, state string, now time.Time) error {", "func (f formSigner) verify(binding, id, state string, now time.Time) error {\n\treturn nil"},
		{"no CSRF check", "internal/login/login.go",
			"if err := h.csrf.Check(r); err != nil {", "if err := h.csrf.Check(r); false && err != nil {"},
		{"no rate limit", "internal/login/login.go",
			"if !h.limit.allow(h.clientKey(r)) {", "if false && !h.limit.allow(h.clientKey(r)) {"},
		{"rate limit keyed by the client's claim", "internal/login/limit.go",
			"addr = strings.TrimSpace(list[len(list)-1])", "addr = strings.TrimSpace(list[0])"},
		{"Scalekit's refusal ignored", "internal/login/login.go",
			"if err := h.scalekit.postUser(r.Context(), id, user); err != nil {", "if err := h.scalekit.postUser(r.Context(), id, user); false && err != nil {"},
		{"framing allowed", "internal/login/login.go",
			"hd.Set(\"X-Frame-Options\", \"DENY\")", ""},
		{"development form allowed in production", "internal/login/login.go",
			"if _, dev := a.(developmentOnly); dev && cfg.Production {", "if _, dev := a.(developmentOnly); false && dev && cfg.Production {"},
		{"state altered on the way back", "internal/login/scalekit.go",
			`url.Values{"state": {state}}.Encode()`, `url.Values{"state": {strings.TrimSuffix(state, "_")}}.Encode()`},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			copyTree(t, name, dir)
			target := filepath.Join(dir, m.file)
			src := string(readFile(t, target))
			if !strings.Contains(src, m.from) {
				t.Fatalf("%s no longer contains the code this mutation breaks:\n%s", m.file, m.from)
			}
			os.WriteFile(target, []byte(strings.Replace(src, m.from, m.to, 1)), 0o644)
			cmd := exec.Command("go", "test", "-count=1", "./internal/login/")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the login tests pass although %s:\n%s", m.name, out)
			}
			failed := regexp.MustCompile(`--- FAIL: (\S+)`).FindAllStringSubmatch(string(out), -1)
			if len(failed) == 0 {
				t.Fatalf("go test failed, but no test did (a build error?):\n%s", out)
			}
			t.Logf("%s: caught by %s", m.name, failed[0][1])
		})
	}
}
