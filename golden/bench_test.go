package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchServersBuild builds what scripts/bench.sh builds from
// scripts/testdata/bench, which no other test runs: the greeting server of
// each library with the benchmark's greet_user put over the stub, the
// no-auth build of the same MCP server, and the bare handler. The script
// is run by hand, so without this its testdata drifts from the templates
// unnoticed (it did once: AddAll gained an argument).
func TestBenchServersBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds three programs")
	}
	bench := filepath.Join("..", "scripts", "testdata", "bench")
	for _, c := range []struct{ template, lib string }{{"stdlib", "go-sdk"}, {"mcp-go", "mcp-go"}} {
		t.Run(c.lib, func(t *testing.T) {
			t.Parallel()
			// As bench.sh's generate: the greeting spec with the template
			// changed.
			data, err := os.ReadFile("stdlib-greeting.yaml")
			if err != nil {
				t.Fatal(err)
			}
			specFile := filepath.Join(t.TempDir(), "greeting.yaml")
			spec := strings.Replace(string(data), "template: stdlib", "template: "+c.template, 1)
			if spec == string(data) && c.template != "stdlib" {
				t.Fatal("stdlib-greeting.yaml has no \"template: stdlib\" line to change")
			}
			if err := os.WriteFile(specFile, []byte(spec), 0o644); err != nil {
				t.Fatal(err)
			}
			_, files := render(t, specFile, "greeting")
			dir := filepath.Join(t.TempDir(), "greeting")
			rewrite(t, dir, files)
			copyFile(t, filepath.Join(bench, c.lib, "greet_user.go"), filepath.Join(dir, "internal", "tools", "greet_user.go"))
			copyFile(t, filepath.Join(bench, c.lib, "noauth.go"), filepath.Join(dir, "cmd", "noauth", "main.go"))
			goCmd(t, dir, "vet", ".", "./cmd/noauth", "./internal/tools")
		})
	}
	t.Run("bare", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		copyFile(t, filepath.Join(bench, "bare", "main.go"), filepath.Join(dir, "main.go"))
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module bare\n\ngo 1.25\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		goCmd(t, dir, "vet", ".")
	})
}

// copyFile copies the file from to the path to, making its directory.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
