package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/cli"
)

// readTrap is a stdin that counts reads: without a terminal the CLI must
// never read its input.
type readTrap struct{ reads atomic.Int32 }

func (r *readTrap) Read(p []byte) (int, error) {
	r.reads.Add(1)
	return copy(p, "y\n"), nil
}

// runWithStdin runs cli.Run with stdin and captured output, failing the test
// if it does not return in time (a hidden prompt waiting for input).
func runWithStdin(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- cli.Run(context.Background(), args, stdin, &out, &errb) }()
	select {
	case code = <-done:
		return code, out.String(), errb.String()
	case <-time.After(30 * time.Second):
		t.Fatalf("cli.Run %q with stdin %T did not return: waiting for input?", args, stdin)
		return 0, "", ""
	}
}

// promptMarks are what any survey prompt prints (every question has help,
// and survey colours and moves the cursor), and what follows an interview.
var promptMarks = []string{"[? for help]", "\x1b[", "The same project, without questions:"}

// TestNoTerminalNeverPrompts: with stdin not a terminal (CI, a pipe, a file,
// /dev/null) "new" behaves as with --yes: it asks nothing, reads nothing and
// uses flags and defaults.
func TestNoTerminalNeverPrompts(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	// A pipe whose writer stays open: reading it would block for ever.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	trap := &readTrap{}

	for _, tc := range []struct {
		name  string
		stdin io.Reader
	}{
		{"strings.Reader", strings.NewReader("n\nexample.com/typed\n")},
		{"bytes.Buffer", bytes.NewBufferString("y\n")},
		{"dev-null", devNull},
		{"open-pipe", pr},
		{"read-trap", trap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ci")
			code, stdout, stderr := runWithStdin(t, tc.stdin, "new", dir, "--skip-tidy", "--module", "example.com/ci")
			if code != 0 {
				t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
			}
			for _, m := range promptMarks {
				if strings.Contains(stdout+stderr, m) {
					t.Errorf("output contains %q: something prompted\n%s%s", m, stdout, stderr)
				}
			}
			if !strings.Contains(stdout, "Created "+dir) {
				t.Errorf("stdout does not report the project:\n%s", stdout)
			}
			data, err := os.ReadFile(filepath.Join(dir, generator.ManifestName))
			if err != nil {
				t.Fatal(err)
			}
			spec, err := generator.ParseSpec(generator.ManifestName, data)
			if err != nil {
				t.Fatal(err)
			}
			if spec.Module != "example.com/ci" || spec.Provider != generator.DefaultProvider || spec.Port != generator.DefaultPort ||
				spec.ServerURL != generator.DefaultServerURL || len(spec.Tools) != 1 {
				t.Errorf("not the flags and defaults: %+v", spec)
			}
		})
	}
	if n := trap.reads.Load(); n != 0 {
		t.Errorf("stdin was read %d times without a terminal", n)
	}
}

// TestNoTerminalMissingDir: without a terminal nobody can be asked for DIR:
// exit 2, a message naming DIR and how to pass it, and nothing written.
func TestNoTerminalMissingDir(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadDir(cwd)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stdin io.Reader
		args  []string
	}{
		{"no flags", strings.NewReader(""), []string{"new", "--skip-tidy"}},
		{"all spec flags", &readTrap{}, []string{"new", "--skip-tidy", "--module", "example.com/x", "--server-url", "https://x.example.com/mcp", "--provider", "oidc", "--issuer", "https://auth.example.com"}},
		{"--yes", strings.NewReader("mcp-server\n"), []string{"new", "--yes", "--skip-tidy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runWithStdin(t, tc.stdin, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, "DIR: missing target directory") || !strings.Contains(stderr, "create-mcp-auth new DIR") {
				t.Errorf("stderr does not name DIR and how to pass it:\n%s", stderr)
			}
			if !strings.Contains(stderr, "nothing was written") {
				t.Errorf("stderr does not say that nothing was written:\n%s", stderr)
			}
			if strings.Contains(stdout, "Created") {
				t.Errorf("stdout reports a project:\n%s", stdout)
			}
		})
	}
	if after, err := os.ReadDir(cwd); err != nil || len(after) != len(before) {
		t.Errorf("the working directory changed: %d entries before, %d after (%v)", len(before), len(after), err)
	}
	t.Run("with other problems", func(t *testing.T) {
		// Every problem is reported at once, DIR among them.
		code, _, stderr := runWithStdin(t, strings.NewReader(""), "new", "--skip-tidy", "--port", "70000", "--server-url", "mcp.example.com")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		for _, want := range []string{"invalid input (3 problems)", "DIR:", "--port (port)", "--server-url (server_url)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	})
}
