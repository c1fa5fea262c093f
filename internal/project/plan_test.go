package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

const marker = generator.GeneratedMarker + "\n\n"

// render is a small project as the generator would render it.
func render(core, stub string) []generator.File {
	return []generator.File{
		{Path: "go.mod", Owner: generator.Merged, Data: []byte("module example.com/x\n\ngo 1.25.0\n\nrequire (\n\tgithub.com/a/core v1.2.0\n\tgithub.com/b/lib v0.5.0\n)\n")},
		{Path: "go.sum", Owner: generator.Merged, Data: []byte("github.com/a/core v1.2.0 h1:aaa=\ngithub.com/a/core v1.2.0/go.mod h1:bbb=\n")},
		{Path: "internal/auth/core.go", Owner: generator.OwnedByGenerator, Data: []byte(marker + "package auth\n\n// " + core + "\n")},
		{Path: "internal/tools/hello.go", Owner: generator.OwnedByUser, Data: []byte("package tools\n\nfunc handleHello() string { return " + `"` + stub + `"` + " }\n")},
		{Path: "README.md", Owner: generator.OwnedByUser, Data: []byte("# x\n")},
	}
}

func manifest() *generator.Manifest {
	s := generator.Spec{Module: "example.com/x"}
	s.ApplyDefaults("x")
	return &generator.Manifest{Spec: s, From: generator.SpecVersion}
}

// plan plans dir's way to files, given what the last manifest in dir
// recorded.
func plan(t *testing.T, dir string, files []generator.File, force bool) *Plan {
	t.Helper()
	var prev *generator.Previous
	if data, err := os.ReadFile(filepath.Join(dir, generator.ManifestName)); err == nil {
		m, err := generator.ParseManifest("m", data)
		if err != nil {
			t.Fatal(err)
		}
		if prev, err = generator.PreviousOf(m); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Make(Input{Dir: dir, Files: files, Manifest: manifest(), Previous: prev, Version: "test", Force: force})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func actions(p *Plan) map[string]Action {
	m := map[string]Action{}
	for _, s := range p.Steps {
		m[s.Path] = s.Action
	}
	return m
}

func want(t *testing.T, p *Plan, path string, a Action) {
	t.Helper()
	if got := actions(p)[path]; got != a {
		t.Errorf("%s: %s, want %s", path, got, a)
	}
}

func write(t *testing.T, dir, path, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(path))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newProject writes a fresh project into a new directory.
func newProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "x")
	p := plan(t, dir, render("v1", "stub"), false)
	for _, s := range p.Steps {
		if s.Action != Create {
			t.Errorf("fresh project: %s %s", s.Action, s.Path)
		}
	}
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFreshThenNothingToDo(t *testing.T) {
	dir := newProject(t)
	p := plan(t, dir, render("v1", "stub"), false)
	for _, s := range p.Steps {
		if s.Changes() || s.Action == Conflict {
			t.Errorf("second run: %s %s (%s)", s.Action, s.Path, s.Reason)
		}
	}
	if len(p.Drift()) != 0 {
		t.Errorf("drift right after generating: %v", p.Drift())
	}
}

func TestUpgradeReplacesOwnedKeepsYours(t *testing.T) {
	dir := newProject(t)
	write(t, dir, "internal/tools/hello.go", "package tools\n\nfunc handleHello() string { return \"real work\" }\n")
	write(t, dir, "README.md", "# my notes\n")
	p := plan(t, dir, render("v2", "new stub"), false)
	want(t, p, "internal/auth/core.go", Update)
	want(t, p, "internal/tools/hello.go", Keep)
	want(t, p, "README.md", Keep)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "internal/auth/core.go"); !strings.Contains(got, "v2") {
		t.Errorf("owned file not upgraded: %q", got)
	}
	if got := read(t, dir, "internal/tools/hello.go"); !strings.Contains(got, "real work") {
		t.Errorf("your handler was changed: %q", got)
	}
	if got := read(t, dir, "README.md"); got != "# my notes\n" {
		t.Errorf("your README was changed: %q", got)
	}
}

func TestEditedOwnedFileIsAConflict(t *testing.T) {
	dir := newProject(t)
	edited := read(t, dir, "internal/auth/core.go") + "// my tweak\n"
	write(t, dir, "internal/auth/core.go", edited)

	p := plan(t, dir, render("v2", "stub"), false)
	want(t, p, "internal/auth/core.go", Conflict)
	if len(p.Drift()) == 0 {
		t.Error("an edited owned file is not drift")
	}
	var cerr *ConflictError
	if err := Apply(p); !errors.As(err, &cerr) {
		t.Fatalf("Apply with a conflict: %v", err)
	}
	if got := read(t, dir, "internal/auth/core.go"); got != edited {
		t.Errorf("the edit was lost: %q", got)
	}
	// Even with nothing else to change, the edit stays a conflict.
	if p := plan(t, dir, render("v1", "stub"), false); actions(p)["internal/auth/core.go"] != Conflict {
		t.Errorf("edit not found again: %s", actions(p)["internal/auth/core.go"])
	}

	p = plan(t, dir, render("v2", "stub"), true)
	want(t, p, "internal/auth/core.go", Update)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "internal/auth/core.go"); strings.Contains(got, "my tweak") {
		t.Errorf("--force did not replace the edited file: %q", got)
	}
}

func TestFileNoLongerGenerated(t *testing.T) {
	dir := newProject(t)
	files := render("v2", "stub")
	extra := generator.File{Path: "internal/auth/old.go", Owner: generator.OwnedByGenerator, Data: []byte(marker + "package auth\n")}
	if err := Apply(plan(t, dir, append(files, extra), false)); err != nil {
		t.Fatal(err)
	}

	// As written: deleted.
	p := plan(t, dir, files, false)
	want(t, p, "internal/auth/old.go", Delete)

	// Edited: a conflict, and with --force kept, never deleted.
	write(t, dir, "internal/auth/old.go", "package auth\n\n// mine now\n")
	want(t, plan(t, dir, files, false), "internal/auth/old.go", Conflict)
	p = plan(t, dir, files, true)
	want(t, p, "internal/auth/old.go", Keep)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "internal/auth/old.go"); !strings.Contains(got, "mine now") {
		t.Errorf("the edited file was lost: %q", got)
	}
}

func TestYourDeletedFileStaysDeleted(t *testing.T) {
	dir := newProject(t)
	os.Remove(filepath.Join(dir, "README.md"))
	p := plan(t, dir, render("v1", "stub"), false)
	want(t, p, "README.md", Skip)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err == nil {
		t.Error("a README you deleted came back")
	}
	// Still recorded as yours: it stays deleted next time too.
	want(t, plan(t, dir, render("v1", "stub"), false), "README.md", Skip)
}

func TestStubNotWrittenWhereItsNamesExist(t *testing.T) {
	dir := newProject(t)
	// The user moved the handler into a file of their own.
	os.Remove(filepath.Join(dir, "internal/tools/hello.go"))
	write(t, dir, "internal/tools/all.go", "package tools\n\nfunc handleHello() string { return \"moved\" }\n")
	files := render("v1", "stub")
	files = append(files, generator.File{Path: "internal/tools/bye.go", Owner: generator.OwnedByUser,
		Data: []byte("package tools\n\nfunc handleBye() string { return \"\" }\n")})
	p := plan(t, dir, files, false)
	want(t, p, "internal/tools/bye.go", Create)
	// hello.go is recorded as yours and deleted: skipped either way.
	want(t, p, "internal/tools/hello.go", Skip)

	// A new project's stub whose handler exists elsewhere is not written.
	dir2 := filepath.Join(t.TempDir(), "y")
	write(t, dir2, "internal/tools/all.go", "package tools\n\nfunc handleHello() string { return \"mine\" }\n")
	p = plan(t, dir2, render("v1", "stub"), true)
	want(t, p, "internal/tools/hello.go", Skip)
	for _, s := range p.Steps {
		if s.Path == "internal/tools/hello.go" && !strings.Contains(s.Reason, "handleHello is already declared in internal/tools/all.go") {
			t.Errorf("reason: %q", s.Reason)
		}
	}
}

func TestGoModMerge(t *testing.T) {
	dir := newProject(t)
	write(t, dir, "go.mod", "module example.com/x\n\ngo 1.26\n\nrequire (\n\tgithub.com/a/core v1.1.0\n\tgithub.com/b/lib v0.9.0\n\tgithub.com/mine/db v1.4.0\n)\n\nreplace github.com/mine/db => ../db\n")
	write(t, dir, "go.sum", "github.com/mine/db v1.4.0 h1:zzz=\n")
	p := plan(t, dir, render("v1", "stub"), false)
	want(t, p, "go.mod", Merge)
	want(t, p, "go.sum", Merge)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	mod := read(t, dir, "go.mod")
	for _, w := range []string{"github.com/a/core v1.2.0", "github.com/b/lib v0.9.0", "github.com/mine/db v1.4.0", "replace github.com/mine/db => ../db", "go 1.26"} {
		if !strings.Contains(mod, w) {
			t.Errorf("go.mod lacks %q:\n%s", w, mod)
		}
	}
	sum := read(t, dir, "go.sum")
	if !strings.Contains(sum, "github.com/mine/db v1.4.0 h1:zzz=") || !strings.Contains(sum, "github.com/a/core v1.2.0 h1:aaa=") {
		t.Errorf("go.sum:\n%s", sum)
	}
	// Merged once, nothing more to do.
	want(t, plan(t, dir, render("v1", "stub"), false), "go.mod", Keep)
}

func TestOwnedFileInTheWay(t *testing.T) {
	// new --force into a directory with a file of the same name that the
	// generator did not write: a conflict unless forced.
	dir := t.TempDir()
	write(t, dir, "internal/auth/core.go", "package auth // someone else's\n")
	write(t, dir, "README.md", "# theirs\n")
	p := plan(t, dir, render("v1", "stub"), false)
	want(t, p, "internal/auth/core.go", Conflict)
	want(t, p, "README.md", Keep)
	p = plan(t, dir, render("v1", "stub"), true)
	want(t, p, "internal/auth/core.go", Update)
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	if read(t, dir, "README.md") != "# theirs\n" {
		t.Error("new --force replaced a README")
	}
}
