package writer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var files = []File{
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
	if err := WriteNew(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
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
	if err := WriteNew(dir, files); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "go.mod")); got != "module x\n" {
		t.Errorf("go.mod = %q", got)
	}
}

func TestCheckTarget(t *testing.T) {
	dir := t.TempDir()
	if e := CheckTarget(dir, false); e != nil {
		t.Errorf("empty directory: %v", e)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("mine"), 0o644)
	if e := CheckTarget(dir, false); e == nil || !strings.Contains(e.Fix, "--force") {
		t.Errorf("non-empty directory without force: %v", e)
	}
	if e := CheckTarget(dir, true); e != nil {
		t.Errorf("non-empty directory with force: %v", e)
	}
	if e := CheckTarget(filepath.Join(dir, "go.mod"), true); e == nil || !strings.Contains(e.Reason, "is a file") {
		t.Errorf("a file: %v", e)
	}
}

func TestFailureLeavesNothing(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	parent := t.TempDir()
	os.Chmod(parent, 0o555)
	defer os.Chmod(parent, 0o755)
	if err := WriteNew(filepath.Join(parent, "proj"), files); err == nil {
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
	bad := append([]File{}, files...)
	bad = append(bad, File{Path: "go.mod/oops"}) // go.mod is a file: cannot hold a child
	if err := WriteNew(dir, bad); err == nil {
		t.Fatal("impossible file set written")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("leftovers after a failed write: %v", entries)
	}
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "sub", "f.txt")
	if err := WriteFile(name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, name); got != "two" {
		t.Errorf("f.txt = %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	if err := WriteFile(filepath.Join(dir, "d"), []byte("x")); err == nil {
		t.Error("a directory was replaced by a file")
	}
}
