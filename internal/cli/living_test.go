package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// newProject generates a default project into a new directory.
func newProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "svc")
	if code, out, errs := run(t, "new", dir, "--skip-tidy", "--module", "example.com/svc"); code != 0 {
		t.Fatalf("new: exit %d\n%s%s", code, out, errs)
	}
	return dir
}

func TestDiffAndUpgradeOfAFreshProject(t *testing.T) {
	dir := newProject(t)
	if code, _, errs := run(t, "diff", dir); code != 0 || !strings.Contains(errs, "matches a fresh render") {
		t.Errorf("diff of a fresh project: exit %d\n%s", code, errs)
	}
	before := snapshot(t, dir)
	code, out, errs := run(t, "upgrade", dir, "--skip-tidy")
	if code != 0 || !strings.Contains(out, "nothing to change") {
		t.Errorf("upgrade of a fresh project: exit %d\n%s%s", code, out, errs)
	}
	if after := snapshot(t, dir); !equalMaps(before, after) {
		t.Error("upgrade of a fresh project changed files")
	}
}

func TestDiffFindsDrift(t *testing.T) {
	dir := newProject(t)
	main := filepath.Join(dir, "main.go")
	data, _ := os.ReadFile(main)
	os.WriteFile(main, append(data, []byte("\n// drift\n")...), 0o644)
	code, out, errs := run(t, "diff", dir)
	if code != 1 || !strings.Contains(out, "# main.go: conflict (you edited it)") || !strings.Contains(out, "-// drift") {
		t.Errorf("diff after an edit: exit %d\n%s%s", code, out, errs)
	}
	// The user's files are no drift, even when a new project would differ.
	os.WriteFile(main, data, 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# mine\n"), 0o644)
	if code, out, _ := run(t, "diff", dir); code != 0 || out != "" {
		t.Errorf("diff with an edited README: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "diff", dir, "--yours"); code != 0 || !strings.Contains(out, "# README.md") {
		t.Errorf("diff --yours: exit %d\n%s", code, out)
	}
}

func TestUpgradeAfterEditingTheManifest(t *testing.T) {
	dir := newProject(t)
	path := filepath.Join(dir, generator.ManifestName)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "name: hello", "name: greet", 1)), 0o644)
	code, out, errs := run(t, "upgrade", dir, "--skip-tidy", "--dry-run")
	if code != 0 || !strings.Contains(out, "create    internal/tools/greet.go") || !strings.Contains(out, "update    internal/tools/register.go") ||
		!strings.Contains(out, "keep      internal/tools/hello.go                      yours; no longer generated") {
		t.Errorf("dry run after renaming a tool: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal/tools/greet.go")); err == nil {
		t.Error("the dry run wrote a file")
	}
}

func TestChangeCommandsRefuseBadInput(t *testing.T) {
	dir := newProject(t)
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"upgrade outside a project", []string{"upgrade", empty}, "is not a project made by create-mcp-auth"},
		{"diff outside a project", []string{"diff", empty}, "is not a project made by create-mcp-auth"},
		{"add tool that exists", []string{"add", "tool", "hello", "--dir", dir, "--scope", "mcp:tools:read"}, `tool "hello" already exists`},
		{"add tool with an undeclared scope", []string{"add", "tool", "t", "--dir", dir, "--scope", "nope"}, `requires undeclared scope "nope"`},
		{"add tool without --scope", []string{"add", "tool", "t", "--dir", dir}, "say which scopes the tool needs"},
		{"add tool with a bad name", []string{"add", "tool", "bad name", "--dir", dir, "--scope", ""}, "invalid tool name"},
		{"add scope that exists", []string{"add", "scope", "mcp:tools:read", "--dir", dir}, "is already declared"},
		{"add scope with a space", []string{"add", "scope", "a b=x", "--dir", dir}, "contains a space"},
		{"add resource without --scope", []string{"add", "resource", "svc://stats", "--dir", dir}, "say which scopes the resource needs"},
		{"add resource without a scheme", []string{"add", "resource", "stats", "--dir", dir, "--scope", ""}, "has no scheme"},
		{"add resource with an undeclared scope", []string{"add", "resource", "svc://stats", "--dir", dir, "--scope", "nope"}, `resource "svc://stats" requires undeclared scope "nope"`},
		{"add prompt without --scope", []string{"add", "prompt", "p", "--dir", dir}, "say which scopes the prompt needs"},
		{"add prompt with a bad name", []string{"add", "prompt", "bad name", "--dir", dir, "--scope", ""}, "invalid prompt name"},
		{"add nothing", []string{"add"}, "add what?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, dir)
			code, _, errs := run(t, tc.args...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want 2 with %q\n%s", code, tc.want, errs)
			}
			if after := snapshot(t, dir); !equalMaps(before, after) {
				t.Error("the project changed")
			}
		})
	}
}

func TestAddToolAndScope(t *testing.T) {
	dir := newProject(t)
	if code, out, errs := run(t, "add", "scope", "svc:admin=Administer the service", "--dir", dir, "--implies", "mcp:tools:write", "--skip-tidy"); code != 0 {
		t.Fatalf("add scope: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := run(t, "add", "tool", "reset", "--dir", dir, "--scope", "svc:admin", "--description", "Reset everything.", "--skip-tidy")
	if code != 0 || !strings.Contains(out, "create    internal/tools/reset.go") {
		t.Fatalf("add tool: exit %d\n%s%s", code, out, errs)
	}
	stub, _ := os.ReadFile(filepath.Join(dir, "internal/tools/reset.go"))
	scopes, _ := os.ReadFile(filepath.Join(dir, "internal/tools/scopes.go"))
	if !strings.Contains(string(stub), "func handleReset(") || !strings.Contains(string(scopes), `"reset": {"svc:admin"}`) ||
		!strings.Contains(string(scopes), `Implies: []string{"mcp:tools:write"}`) {
		t.Errorf("stub:\n%s\nscopes.go:\n%s", stub, scopes)
	}
	if code, _, errs := run(t, "diff", dir); code != 0 {
		t.Errorf("diff after add: exit %d\n%s", code, errs)
	}
}

// TestAddResourceAndPrompt: each gets a stub of the user's and an entry in
// the scope tables; adding the same again is refused.
func TestAddResourceAndPrompt(t *testing.T) {
	dir := newProject(t)
	code, out, errs := run(t, "add", "resource", "svc://items/{id}", "--dir", dir, "--scope", "mcp:tools:read", "--mime-type", "application/json", "--skip-tidy")
	if code != 0 || !strings.Contains(out, "create    internal/tools/items_id_resource.go") {
		t.Fatalf("add resource: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "add", "prompt", "plan_day", "--dir", dir, "--scope", "mcp:tools:read,mcp:tools:write", "--description", "Plan the day.", "--skip-tidy")
	if code != 0 || !strings.Contains(out, "create    internal/tools/plan_day_prompt.go") {
		t.Fatalf("add prompt: exit %d\n%s%s", code, out, errs)
	}
	scopes, _ := os.ReadFile(filepath.Join(dir, "internal/tools/scopes.go"))
	for _, want := range []string{`"svc://items/{id}": {"mcp:tools:read"}`, `"plan_day": {"mcp:tools:read", "mcp:tools:write"}`} {
		if !strings.Contains(string(scopes), want) {
			t.Errorf("scopes.go lacks %s:\n%s", want, scopes)
		}
	}
	if code, _, errs := run(t, "add", "resource", "svc://items/{id}", "--dir", dir, "--scope", ""); code != 2 || !strings.Contains(errs, `resource "svc://items/{id}" already exists`) {
		t.Errorf("adding the resource again: exit %d\n%s", code, errs)
	}
	if code, _, errs := run(t, "diff", dir); code != 0 {
		t.Errorf("diff after add: exit %d\n%s", code, errs)
	}
}

// TestNewForceKeepsYourFiles: new --force into an existing project keeps
// the user's files, replaces the generated ones, and says so; --dry-run
// prints the same plan.
func TestNewForceKeepsYourFiles(t *testing.T) {
	dir := newProject(t)
	os.WriteFile(filepath.Join(dir, "internal/tools/hello.go"), []byte("package tools\n// mine\n"), 0o644)
	args := []string{"new", dir, "--skip-tidy", "--force", "--module", "example.com/svc", "--port", "4000"}
	code, dry, errs := run(t, append(args, "--dry-run")...)
	if code != 0 || !strings.Contains(dry, "keep      internal/tools/hello.go") || !strings.Contains(dry, "update    internal/config/defaults.go") {
		t.Fatalf("new --force --dry-run: exit %d\n%s%s", code, dry, errs)
	}
	code, out, errs := run(t, args...)
	if code != 0 || !strings.Contains(out, "keep     internal/tools/hello.go (yours)") {
		t.Fatalf("new --force: exit %d\n%s%s", code, out, errs)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "internal/tools/hello.go")); string(got) != "package tools\n// mine\n" {
		t.Errorf("new --force replaced a file of yours: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "internal/config/defaults.go")); !strings.Contains(string(got), "DefaultPort = 4000") {
		t.Error("new --force did not regenerate defaults.go")
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
