package writer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

var project = []generator.File{
	{Path: "go.mod", Data: []byte("module x\n")},
	{Path: "internal/auth/auth.go", Data: []byte("package auth\n")},
	{Path: ".gitignore", Data: []byte(".env\n")},
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteNewDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "a", "b", "proj")
	if _, err := Write(dir, project, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range project {
		if got := read(t, filepath.Join(dir, f.Path)); got != string(f.Data) {
			t.Errorf("%s = %q", f.Path, got)
		}
	}
	// No temporary directory is left beside the project.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("leftovers beside the project: %v", entries)
	}
}

func TestWriteIntoEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, project, false); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "go.mod")); got != "module x\n" {
		t.Errorf("go.mod = %q", got)
	}
}

func TestWriteRefusesNonEmptyWithoutForce(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("mine"), 0o644)
	_, err := Write(dir, project, false)
	var verr *generator.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	if got := read(t, filepath.Join(dir, "go.mod")); got != "mine" {
		t.Errorf("user file overwritten without --force")
	}
}

func TestForceOverwritesButNeverDeletes(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644)
	res, err := Write(dir, project, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Overwritten) != 1 || res.Overwritten[0] != "go.mod" {
		t.Errorf("Overwritten = %v, want [go.mod]", res.Overwritten)
	}
	if got := read(t, filepath.Join(dir, "notes.txt")); got != "keep" {
		t.Errorf("unrelated file changed")
	}
	if got := read(t, filepath.Join(dir, "go.mod")); got != "module x\n" {
		t.Errorf("go.mod not replaced")
	}
}

func TestForceConflictWritesNothing(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".gitignore"), 0o755) // a directory where a file must go
	if _, err := Write(dir, project, true); err == nil {
		t.Fatal("conflict not reported")
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); !os.IsNotExist(err) {
		t.Errorf("files were written despite the conflict")
	}
}

func TestFailureLeavesNothing(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	parent := t.TempDir()
	os.Chmod(parent, 0o555)
	defer os.Chmod(parent, 0o755)
	if _, err := Write(filepath.Join(parent, "proj"), project, false); err == nil {
		t.Fatal("write into a read-only parent succeeded")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("leftovers: %v", entries)
	}
}

func TestBadFileFailsAtomically(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "new", "proj")
	bad := append([]generator.File{}, project...)
	bad = append(bad, generator.File{Path: "go.mod/oops", Data: nil}) // go.mod is a file: cannot hold a child
	if _, err := Write(dir, bad, false); err == nil {
		t.Fatal("impossible file set written")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("leftovers after a failed write: %v", entries)
	}
}
