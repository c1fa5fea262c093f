package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// run executes the CLI in process with no terminal.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// snapshot lists every path under dir with its contents, to prove a failed
// run changed nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		data := ""
		if !info.IsDir() {
			b, _ := os.ReadFile(p)
			data = string(b)
		}
		m[p] = info.Mode().String() + ":" + data
		return nil
	})
	return m
}

// TestBadInput runs every kind of invalid input and checks exit status 2,
// exactly one message per problem naming the flag and the fix, and an
// untouched file system.
func TestBadInput(t *testing.T) {
	base := []string{"--skip-tidy", "--module", "example.com/x"}
	tests := []struct {
		name string
		args []string
		want []string // one substring per expected problem line
	}{
		{"url without scheme", []string{"--server-url", "mcp.example.com/mcp"}, []string{"--server-url (server_url): \"mcp.example.com/mcp\" has no scheme"}},
		{"url without host", []string{"--server-url", "https:///mcp"}, []string{"--server-url (server_url): \"https:///mcp\" has no host"}},
		{"url with fragment", []string{"--server-url", "https://mcp.example.com/mcp#x"}, []string{"has a fragment"}},
		{"url with odd path", []string{"--server-url", "https://mcp.example.com/m{c}p"}, []string{"has characters other than letters"}},
		{"url with empty segment", []string{"--server-url", "https://mcp.example.com//mcp"}, []string{"has an empty segment"}},
		{"plain http non-loopback", []string{"--server-url", "http://mcp.example.com/mcp"}, []string{"uses plain http for a host other than localhost; use https; or, behind a TLS-terminating proxy, set allow_insecure_http (--allow-insecure-http)"}},
		{"scope with space", []string{"--scope", "todo read", "--tool", "t"}, []string{"--scope (scopes[0].name): scope \"todo read\" contains a space"}},
		{"scope with quote", []string{"--scope", `todo"read`, "--tool", "t"}, []string{"contains a double quote"}},
		{"scope with backslash", []string{"--scope", `todo\read`, "--tool", "t"}, []string{"contains a backslash"}},
		{"duplicate scope", []string{"--scope", "a", "--scope", "a", "--tool", "t=a"}, []string{"--scope (scopes[1].name): scope \"a\" is declared twice"}},
		{"duplicate tool", []string{"--scope", "a", "--tool", "t=a", "--tool", "t=a"}, []string{"--tool (tools[1].name): tool \"t\" is declared twice"}},
		{"bad tool name", []string{"--scope", "a", "--tool", "list todos=a"}, []string{"--tool (tools[0].name): invalid tool name \"list todos\""}},
		{"long tool name", []string{"--scope", "a", "--tool", strings.Repeat("x", 129) + "=a"}, []string{"invalid tool name"}},
		{"undeclared scope", []string{"--scope", "a", "--tool", "t=b"}, []string{"--tool (tools[0].scopes): tool \"t\" requires undeclared scope \"b\"; declare it under scopes (--scope b=Description)"}},
		{"colliding go names", []string{"--scope", "a", "--tool", "create_todo=a", "--tool", "create-todo=a"}, []string{"would both be implemented by Go function handleCreateTodo"}},
		{"resource without scheme", []string{"--scope", "a", "--resource", "items/{id}=a"}, []string{"--resource (resources[0].uri): resource URI \"items/{id}\" has no scheme"}},
		{"resource template unclosed", []string{"--scope", "a", "--resource", "x://items/{id=a"}, []string{"--resource (resources[0].uri): resource URI template \"x://items/{id\" has a { without a }"}},
		{"resource undeclared scope", []string{"--scope", "a", "--resource", "x://stats=b"}, []string{"--resource (resources[0].scopes): resource \"x://stats\" requires undeclared scope \"b\""}},
		{"duplicate resource", []string{"--scope", "a", "--resource", "x://s=a", "--resource", "x://s"}, []string{"--resource (resources[1].uri): resource \"x://s\" is declared twice"}},
		{"bad prompt name", []string{"--scope", "a", "--prompt", "plan day=a"}, []string{"--prompt (prompts[0].name): invalid prompt name \"plan day\""}},
		{"offline_access as a scope", []string{"--scope", "offline_access"}, []string{"--scope (scopes[0].name): offline_access asks an authorization server for a refresh token"}},
		{"bad module", []string{"--module", "Example.com/x y"}, []string{"--module (module): invalid module path"}},
		{"unknown template", []string{"--template", "gin"}, []string{"--template (template): unknown template \"gin\""}},
		{"unknown provider", []string{"--provider", "cognito"}, []string{"--provider (provider): unknown provider \"cognito\""}},
		{"auth0 issuer without its slash", []string{"--provider", "auth0", "--issuer", "https://acme.us.auth0.com"}, []string{"--issuer (oidc.issuer): \"https://acme.us.auth0.com\": Auth0 issuers are https://YOUR_DOMAIN/ with the trailing slash"}},
		{"okta org issuer", []string{"--provider", "okta", "--issuer", "https://acme.okta.com"}, []string{"--issuer (oidc.issuer): \"https://acme.okta.com\": use a custom authorization server's issuer"}},
		{"entra tenant domain", []string{"--provider", "entra", "--entra-tenant-id", "contoso.onmicrosoft.com"}, []string{"--entra-tenant-id (entra.tenant_id): tenant ID \"contoso.onmicrosoft.com\" is not a GUID"}},
		{"settings of another provider", []string{"--provider", "entra", "--issuer", "https://auth.example.com"}, []string{"oidc: oidc settings are given, but the provider is entra"}},
		{"bad port", []string{"--port", "70000"}, []string{"--port (port): port 70000 is out of range"}},
		{"port zero", []string{"--port", "0"}, []string{"--port (port): port 0 is out of range"}},
		{"downstream without its URL", []string{"--downstream-api", "weather"}, []string{`--downstream-api: "weather": no "=" between the name and the URL; write NAME=URL[,OPTION=VALUE]`}},
		{"downstream option unknown", []string{"--downstream-api", "weather=https://w.example.com,hedaer=X-Key"}, []string{`--downstream-api: "weather=https://w.example.com,hedaer=X-Key": unknown option "hedaer"`}},
		{"downstream over plain http", []string{"--downstream-api", "weather=http://w.example.com"}, []string{"--downstream-api or --downstream-mcp (downstream[0].url): \"http://w.example.com\" uses plain http"}},
		{"downstream api with an issuer", []string{"--downstream-api", "weather=https://w.example.com,issuer=https://auth.example.com"}, []string{"(downstream[0].issuer): issuer is for downstreams of kind mcp"}},
		{"downstream mcp without issuer", []string{"--downstream-mcp", "tickets=https://t.example.com/mcp"}, []string{"(downstream[0].issuer): downstream \"tickets\" does not say where its tokens come from"}},
		{"downstream twice", []string{"--downstream-api", "w=https://w.example.com", "--downstream-mcp", "w=https://t.example.com/mcp,token-url=https://auth.example.com/token"}, []string{"(downstream[1].name): downstream \"w\" is declared twice"}},
		{"several at once", []string{"--server-url", "x", "--scope", "a b", "--tool", "t=zzz"}, []string{"--server-url", "--scope (scopes[0].name)", "--tool (tools[0].scopes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "proj")
			before := snapshot(t, parent)
			code, stdout, stderr := run(t, append(append([]string{"new", dir}, base...), tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			lines := problemLines(stderr)
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(lines), len(tt.want), stderr)
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("problem %d = %q\nwant it to contain %q", i, lines[i], w)
				}
			}
			if !strings.Contains(stderr, "nothing was written") {
				t.Errorf("stderr does not say nothing was written:\n%s", stderr)
			}
			if after := snapshot(t, parent); len(after) != len(before) {
				t.Errorf("file system changed: %v -> %v", before, after)
			}
		})
	}
}

func problemLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "  - ") {
			out = append(out, l)
		}
	}
	return out
}

func TestTargetDirectory(t *testing.T) {
	t.Run("not empty", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
		before := snapshot(t, dir)
		code, _, stderr := run(t, "new", dir, "--skip-tidy", "--module", "example.com/x")
		if code != 2 || !strings.Contains(stderr, "is not empty; choose a new directory, or pass --force") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if after := snapshot(t, dir); len(after) != len(before) {
			t.Errorf("directory changed")
		}
	})
	t.Run("is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "f")
		os.WriteFile(file, []byte("mine"), 0o644)
		code, _, stderr := run(t, "new", file, "--skip-tidy", "--module", "example.com/x")
		if code != 2 || !strings.Contains(stderr, "is a file, not a directory") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if b, _ := os.ReadFile(file); string(b) != "mine" {
			t.Errorf("file changed")
		}
	})
	t.Run("force keeps other files and reports overwrites", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
		os.WriteFile(filepath.Join(dir, generator.ManifestName), []byte("old"), 0o644)
		code, stdout, stderr := run(t, "new", dir, "--skip-tidy", "--force", "--module", "example.com/x")
		if code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
			t.Errorf("unrelated file changed")
		}
		if !strings.Contains(stdout, "update   "+generator.ManifestName) {
			t.Errorf("overwrite not reported:\n%s", stdout)
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "proj")
	code, stdout, stderr := run(t, "new", dir, "--dry-run", "--module", "example.com/x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "create    "+generator.ManifestName) || !strings.Contains(stdout, "create    internal/tools/hello.go") {
		t.Errorf("dry run did not list the plan:\n%s", stdout)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", dir)
	}
}

func TestFlagsOverrideSpecFile(t *testing.T) {
	dir := t.TempDir()
	specFile := filepath.Join(dir, "spec.yaml")
	os.WriteFile(specFile, []byte(`version: 1
module: example.com/from-file
server_url: https://file.example.com/mcp
scopes:
  - name: a:read
    description: Read a
    implies: []
  - name: a:write
    implies: [a:read]
tools:
  - name: t
    scopes: [a:write]
`), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "new", out, "--config", specFile, "--server-url", "https://flag.example.com/mcp", "--skip-tidy")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(filepath.Join(out, generator.ManifestName))
	s, err := generator.ParseSpec("manifest", data)
	if err != nil {
		t.Fatal(err)
	}
	if s.ServerURL != "https://flag.example.com/mcp" || s.Module != "example.com/from-file" {
		t.Errorf("got server_url %q module %q", s.ServerURL, s.Module)
	}
	if len(s.Scopes) != 2 || len(s.Scopes[1].Implies) != 1 {
		t.Errorf("scopes from the file lost: %+v", s.Scopes)
	}
}

func TestBadSpecFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unknown field": "version: 1\nmodle: x\n",
		"wrong version": "version: 7\n",
		"not yaml":      "version: [1\n",
		"empty":         "",
	} {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
			os.WriteFile(f, []byte(content), 0o644)
			code, _, stderr := run(t, "new", filepath.Join(dir, "out"), "--config", f)
			if code != 2 || !strings.Contains(stderr, f) {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
	code, _, stderr := run(t, "new", filepath.Join(dir, "out"), "--config", filepath.Join(dir, "missing.yaml"))
	if code != 2 || !strings.Contains(stderr, "--config") {
		t.Fatalf("missing file: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"new", "--bogus"}, {"new", "a", "b"}, {"frobnicate"}, {"new", "x", "--port", "abc"}} {
		if code, _, stderr := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr: %s", args, code, stderr)
		}
	}
}

func TestVersionAndCompletion(t *testing.T) {
	if code, stdout, _ := run(t, "version"); code != 0 || !strings.HasPrefix(stdout, "create-mcp-auth ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
	if code, stdout, _ := run(t, "completion", "bash"); code != 0 || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion: exit %d", code)
	}
}

func TestEquivalentCommandLine(t *testing.T) {
	s := &generator.Spec{Module: "example.com/x", ServerURL: "https://m.example.com/mcp", Scopes: []generator.Scope{{Name: "a", Description: "It's A"}}, Tools: []generator.Tool{{Name: "t", Scopes: []string{"a"}}},
		Resources: []generator.Resource{{URI: "x://items/{id}", Scopes: []string{"a"}}, {URI: "x://q?k=v"}}, Prompts: []generator.Prompt{{Name: "p", Scopes: []string{"a"}}}}
	s.ApplyDefaults("x")
	got := commandLine("my dir", "", omittedLists{}, s)
	for _, want := range []string{"'my dir'", "--scope 'a=It'\\''s A'", "--tool t=a", "--resource 'x://items/{id}=a'", "--resource 'x://q?k=v='", "--prompt p=a", "--yes"} {
		if !strings.Contains(got, want) {
			t.Errorf("command line %s\nlacks %s", got, want)
		}
	}
}

// TestEntryFlagsRoundTrip: what commandLine writes for a tool, resource or
// prompt, applyFlags reads back the same, "=" in a URI included.
func TestEntryFlagsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scopes []string
	}{
		{"t", nil}, {"t", []string{"a", "b"}}, {"x://items/{id}", []string{"a"}}, {"x://q?k=v", nil}, {"x://q?k=v", []string{"a"}},
	} {
		name, scopes := splitEntry(joinEntry(tc.name, tc.scopes))
		if name != tc.name || !slices.Equal(scopes, tc.scopes) {
			t.Errorf("%q %q came back as %q %q", tc.name, tc.scopes, name, scopes)
		}
	}
}

// TestDownstreamFlagsRoundTrip: what commandLine writes for a downstream
// service, parseDownstream reads back the same, defaults left out.
func TestDownstreamFlagsRoundTrip(t *testing.T) {
	s := &generator.Spec{Module: "example.com/x", Downstream: []generator.Downstream{
		{Name: "weather", Kind: "api", URL: "https://api.weather.example/v1?units=metric"},
		{Name: "crm", Kind: "api", URL: "https://crm.example.com", Header: "Authorization", Scheme: "Token", KeyEnv: "CRM_TOKEN"},
		{Name: "search", Kind: "api", URL: "https://search.example.com", Header: "X-API-Key"},
		{Name: "tickets", Kind: "mcp", URL: "https://tickets.example.com/mcp", Issuer: "https://auth.example.com", Scopes: []string{"a", "b"}},
		{Name: "docs", Kind: "mcp", URL: "https://docs.example.com/mcp", TokenURL: "https://auth.example.com/oauth/token", Resource: "https://docs.example.com",
			Audience: "docs-api", ClientIDEnv: "DOCS_ID", ClientSecretEnv: "DOCS_SECRET"},
	}}
	s.ApplyDefaults("x")
	if err := generator.Validate(s); err != nil {
		t.Fatal(err)
	}
	for _, d := range s.Downstream {
		flag, value := formatDownstream(d)
		kind := map[string]string{downstreamAPIFlag: "api", downstreamMCPFlag: "mcp"}[flag]
		got, err := parseDownstream(kind, value)
		if err != nil {
			t.Fatalf("--%s %s: %v", flag, value, err)
		}
		back := generator.Spec{Module: "example.com/x", Downstream: []generator.Downstream{got}}
		back.ApplyDefaults("x")
		if !reflect.DeepEqual(back.Downstream[0], d) {
			t.Errorf("%+v\nwritten as --%s %s\nread back as %+v", d, flag, value, back.Downstream[0])
		}
	}
	if _, value := formatDownstream(s.Downstream[0]); value != "weather=https://api.weather.example/v1?units=metric" {
		t.Errorf("an API with defaults only: %s", value)
	}
}

// LockedBuffer is a bytes.Buffer safe to read while cli.Run writes to it
// from another goroutine. It is exported for the pty tests in cli_test.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
