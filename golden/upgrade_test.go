package golden

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/cli"
)

// TestUpgrade takes, per template, a project made by the first version of
// the generator (manifest version 1, commit ec66bd7: golden/upgrade/v1/*),
// whose user wrote real tool code and notes in the README, and walks it
// through what a team does: upgrade to this version, check it, add a tool,
// then edit a file create-mcp-auth owns and see diff and upgrade refuse.
func TestUpgrade(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and tests three projects")
	}
	for _, name := range []string{"stdlib-todo", "chi-todo", "mcp-go-todo"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			copyTree(t, filepath.Join("upgrade", "v1", name), dir)
			before := readTree(t, dir)

			code, out, errs := runCLI(t, "upgrade", dir)
			if code != 0 {
				t.Fatalf("upgrade: exit %d\n%s%s", code, out, errs)
			}
			t.Logf("upgrade plan:\n%s", out)
			after := readTree(t, dir)

			// The user's files are byte for byte as they were.
			for _, p := range []string{"internal/tools/tools.go", "README.md", "Dockerfile", "Makefile", ".env.example", ".gitignore"} {
				if !bytes.Equal(before[p], after[p]) {
					t.Errorf("%s is the user's, but upgrade changed it", p)
				}
			}
			// The files create-mcp-auth owns are a fresh render's.
			m, err := generator.ParseManifest(generator.ManifestName, after[generator.ManifestName])
			if err != nil {
				t.Fatal(err)
			}
			if m.From != generator.SpecVersion || m.Generated == nil {
				t.Fatalf("manifest not migrated: %+v", m)
			}
			files, err := generator.RenderProject(&m.Spec, version)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if f.Owner == generator.OwnedByGenerator && !bytes.Equal(after[f.Path], f.Data) {
					t.Errorf("%s differs from a fresh render", f.Path)
				}
			}
			// Version 1's test of its registration is gone with it; the
			// handler stubs were not written beside the user's handlers.
			for _, p := range []string{"internal/tools/tools_test.go", "internal/tools/list_todos.go"} {
				if _, ok := after[p]; ok {
					t.Errorf("%s exists after the upgrade", p)
				}
			}
			// Version 1's server tests recognised a tool run by the stubs'
			// reply text ("… called by …"), vacuous once tools are real code,
			// as they are in this fixture; after the upgrade no test does.
			for p, data := range after {
				if strings.HasSuffix(p, "_test.go") && bytes.Contains(data, []byte("called by")) {
					t.Errorf("%s still recognises a tool run by the stub's reply text", p)
				}
			}
			if mod := string(after["go.mod"]); strings.Contains(mod, "github.com/MicahParks/keyfunc/v3 v") || !strings.Contains(mod, "github.com/joho/godotenv") {
				t.Errorf("go.mod not brought up to date:\n%s", mod)
			}

			if code, out, errs := runCLI(t, "diff", dir); code != 0 {
				t.Errorf("diff right after upgrade: exit %d\n%s%s", code, out, errs)
			}
			buildAndTest(t, dir)

			// A new tool: a stub of the user's own, registered; the
			// project builds and its tests pass.
			if code, out, errs := runCLI(t, "add", "tool", "archive_todo", "--dir", dir, "--scope", "todo:write", "--description", "Archive a done todo."); code != 0 {
				t.Fatalf("add tool: exit %d\n%s%s", code, out, errs)
			}
			stub, err := os.ReadFile(filepath.Join(dir, "internal/tools/archive_todo.go"))
			if err != nil || !strings.Contains(string(stub), "func handleArchiveTodo(") {
				t.Fatalf("no handler stub for archive_todo: %v", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "internal/tools/tools.go")); !bytes.Equal(got, before["internal/tools/tools.go"]) {
				t.Error("add tool changed the user's tools.go")
			}
			if code, _, errs := runCLI(t, "add", "tool", "archive_todo", "--dir", dir, "--scope", "todo:write"); code != 2 || !strings.Contains(errs, "already exists") {
				t.Errorf("adding an existing tool: exit %d\n%s", code, errs)
			}
			if code, _, errs := runCLI(t, "add", "tool", "purge", "--dir", dir, "--scope", "todo:admin"); code != 2 || !strings.Contains(errs, `undeclared scope "todo:admin"`) {
				t.Errorf("adding a tool with an undeclared scope: exit %d\n%s", code, errs)
			}
			buildAndTest(t, dir)

			// An edit to an owned file: diff says so, upgrade stops.
			guard := filepath.Join(dir, "internal/auth/guard.go")
			edited := append(readFile(t, guard), []byte("\n// a local tweak\n")...)
			os.WriteFile(guard, edited, 0o644)
			code, out, _ = runCLI(t, "diff", dir)
			if code != 1 || !strings.Contains(out, "+// a local tweak") && !strings.Contains(out, "-// a local tweak") {
				t.Errorf("diff after an edit: exit %d\n%s", code, out)
			}
			code, _, errs = runCLI(t, "upgrade", dir)
			if code != 1 || !strings.Contains(errs, "internal/auth/guard.go") || !strings.Contains(errs, "nothing was changed") {
				t.Errorf("upgrade over an edit: exit %d\n%s", code, errs)
			}
			if got := readFile(t, guard); !bytes.Equal(got, edited) {
				t.Error("upgrade changed the edited file")
			}
		})
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// copyTree copies the files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	for p, data := range readTree(t, src) {
		target := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree reads every file under dir, by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
