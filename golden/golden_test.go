// Package golden holds the canonical generated projects. For each spec
// <case>.yaml in this directory, <case>/ is the project the generator makes
// from it. The test regenerates every case and compares it byte for byte
// (go test ./golden -update rewrites them: read the diff before committing),
// then builds, vets and tests each project and probes its running binary over
// real HTTP against an in-test issuer. Each case is its own Go module, so the
// repository's ./... does not descend into it.
package golden

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden projects from their specs")

// version is stamped into golden output instead of the real build version,
// so the files do not change with every release.
const version = "(devel)"

func TestGolden(t *testing.T) {
	specs, err := filepath.Glob("*.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no golden specs found: %v", err)
	}
	for _, specFile := range specs {
		name := strings.TrimSuffix(specFile, ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			spec, files := render(t, specFile, name)
			if *update {
				rewrite(t, name, files)
			}
			compare(t, name, files)
			if t.Failed() {
				return
			}
			if testing.Short() {
				t.Skip("-short: skipping build and run")
			}
			if spec.Provider != rules.ProviderScalekit {
				// A provider case differs from the others only in its
				// configuration and its provider tests: those run, the
				// race detector and the probes of the binary are for
				// the template cases.
				goCmd(t, name, "vet", "./...")
				goCmd(t, name, "test", "-count=1", "./...")
				return
			}
			buildAndTest(t, name)
			probe(t, name)
		})
	}
}

func render(t *testing.T, specFile, name string) (*generator.Spec, []generator.File) {
	t.Helper()
	data, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := generator.ParseSpec(specFile, data)
	if err != nil {
		t.Fatal(err)
	}
	spec.ApplyDefaults(name)
	files, err := generator.Render(spec, version)
	if err != nil {
		t.Fatal(err)
	}
	return spec, overlay(t, name, files)
}

// overlay replaces rendered files with those under testdata/overlay/<case>, if any:
// tool handlers a user wrote in place of the stubs. Only the user's files
// may be replaced. A case with an overlay runs real tool code, so its
// probes cannot expect the stubs' replies.
func overlay(t *testing.T, name string, files []generator.File) []generator.File {
	t.Helper()
	root := filepath.Join("testdata", "overlay", name)
	if _, err := os.Stat(root); err != nil {
		return files
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		i := slices.IndexFunc(files, func(f generator.File) bool { return f.Path == rel })
		if i < 0 || files[i].Owner != generator.OwnedByUser {
			return fmt.Errorf("overlay %s: not a file of the user's in the rendered project", p)
		}
		files[i].Data, err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	realTools.Store(name, true)
	return files
}

// realTools holds the names of the cases whose tools are real code (see
// overlay), and the paths of their binaries.
var realTools sync.Map

// rewrite replaces the case directory with files.
func rewrite(t *testing.T, dir string, files []generator.File) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compare checks that dir holds exactly files, byte for byte.
func compare(t *testing.T, dir string, files []generator.File) {
	t.Helper()
	onDisk := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		onDisk[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatalf("reading golden %s: %v (run go test ./golden -update to create it)", dir, err)
	}
	for _, f := range files {
		want, ok := onDisk[f.Path]
		switch {
		case !ok:
			t.Errorf("%s/%s: generated but not in golden", dir, f.Path)
		case string(want) != string(f.Data):
			t.Errorf("%s/%s differs from golden (-golden +generated):\n%s", dir, f.Path,
				cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(f.Data), "\n")))
		}
		delete(onDisk, f.Path)
	}
	for _, p := range slices.Sorted(maps.Keys(onDisk)) {
		t.Errorf("%s/%s: in golden but no longer generated", dir, p)
	}
	if t.Failed() {
		t.Log("if the change is intended, run: go test ./golden -update, and read the diff before committing")
	}
}

// buildAndTest runs what a user runs first in a new project.
func buildAndTest(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{
		{"build", "./..."},
		{"vet", "./..."},
		{"test", "-race", "-count=1", "./..."},
	} {
		goCmd(t, dir, args...)
	}
}

func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// The projects' tests of shared rate limits need redis-server; here
	// its absence is a failure, not a skip (scripts/test.sh installs it).
	cmd.Env = append(os.Environ(), "CREATE_MCP_AUTH_REQUIRE_REDIS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}
