package generator

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func defaultSpec() *Spec {
	s := &Spec{Module: "example.com/demo"}
	s.ApplyDefaults("demo")
	return s
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"create_todo": "CreateTodo",
		"list-todos":  "ListTodos",
		"search.v2":   "SearchV2",
		"3d-print":    "Tool3dPrint",
		"getHTTP":     "GetHTTP",
		"___":         "",
	} {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultsAreValid(t *testing.T) {
	if err := Validate(defaultSpec()); err != nil {
		t.Fatal(err)
	}
}

func TestCheckModule(t *testing.T) {
	for _, ok := range []string{"todo", "example.com/todo", "github.com/you/my-server"} {
		if err := CheckModule(ok); err != nil {
			t.Errorf("CheckModule(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "/abs", "Example.com/x", "x/../y"} {
		if err := CheckModule(bad); err == nil {
			t.Errorf("CheckModule(%q) accepted", bad)
		}
	}
}

func TestManifestRoundTrip(t *testing.T) {
	s := defaultSpec()
	s.Scopes[1].Implies = []string{s.Scopes[0].Name}
	files, err := Render(s, "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, f := range files {
		if f.Path == ManifestName {
			data = f.Data
		}
	}
	m, err := ParseManifest("manifest", data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Marshal(), data) {
		t.Errorf("manifest does not round-trip:\n%s", m.Marshal())
	}
	if m.From != SpecVersion || m.Generated == nil || m.Generated.Files["main.go"] == "" || !slices.Contains(m.Generated.Yours, "README.md") {
		t.Errorf("record = %+v", m.Generated)
	}
}

// TestVersion1Manifest: a manifest of the first version, which recorded
// nothing, is read and migrated, keeping the generator version its header
// names for rendering what that version wrote.
func TestVersion1Manifest(t *testing.T) {
	v1 := `# The spec this project was generated from by create-mcp-auth v0.3.1.
# Regenerate or start a sibling project with: create-mcp-auth new DIR --config .create-mcp-auth.yaml
version: 1
template: stdlib
module: example.com/todo
server_url: http://localhost:3002/mcp
port: 3002
provider: oidc
oidc:
  issuer: https://auth.example.com
scopes:
  - name: todo:read
tools:
  - name: list_todos
    scopes: [todo:read]
`
	m, err := ParseManifest("old.yaml", []byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != 1 || m.Version != SpecVersion || m.FromGenerator != "v0.3.1" || m.Generated != nil {
		t.Errorf("migrated manifest = %+v", m)
	}
	m.ApplyDefaults("todo")
	prev, err := PreviousOf(m)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Owned["internal/auth/verifier.go"] == "" || prev.Owned["internal/tools/scopes.go"] == "" || !slices.Contains(prev.Yours, "internal/tools/tools.go") {
		t.Errorf("version 1 files: %d owned, yours %q", len(prev.Owned), prev.Yours)
	}
	for _, bad := range []string{"version: 3\n", "version: 1\ngenerated: {by: x}\n", "version: 2\nbogus: 1\n"} {
		if _, err := ParseManifest("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("ParseManifest accepted %q", bad)
		}
	}
}

// TestOwnership: every Go file the generator owns carries the marker, and
// the files that are the user's do not.
func TestOwnership(t *testing.T) {
	files, err := Render(defaultSpec(), "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Owner{
		ManifestName: ManifestFile, "go.mod": Merged, "go.sum": Merged, "main.go": OwnedByGenerator,
		"internal/auth/verifier.go": OwnedByGenerator, "internal/rules/rules.go": OwnedByGenerator,
		"internal/tools/scopes.go": OwnedByGenerator, "internal/tools/register.go": OwnedByGenerator,
		"internal/tools/hello.go": OwnedByUser, "internal/extend/extend.go": OwnedByUser,
		"README.md": OwnedByUser, "Dockerfile": OwnedByUser, ".env.example": OwnedByUser,
	}
	for _, f := range files {
		if w, ok := want[f.Path]; ok && f.Owner != w {
			t.Errorf("%s is %s's, want %s's", f.Path, f.Owner, w)
		}
		delete(want, f.Path)
		if strings.HasSuffix(f.Path, ".go") && f.Owner == OwnedByUser && strings.Contains(string(f.Data), "DO NOT EDIT") {
			t.Errorf("%s is the user's but says DO NOT EDIT", f.Path)
		}
	}
	for p := range want {
		t.Errorf("%s not rendered", p)
	}
}

func TestToolFile(t *testing.T) {
	for tool, want := range map[string]string{
		"list_todos": "list_todos.go", "search.v2": "search_v2.go", "Get-Item": "get_item.go",
		"ping_test": "ping_test_tool.go", "backup_linux": "backup_linux_tool.go", "x_amd64": "x_amd64_tool.go",
		"linux": "linux.go", "scopes": "scopes_tool.go", "register": "register_tool.go", "_hidden": "tool_hidden.go", ".x": "tool_x.go",
	} {
		if got := ToolFile(tool); got != want {
			t.Errorf("ToolFile(%q) = %q, want %q", tool, got, want)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := Render(defaultSpec(), "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := Render(defaultSpec(), "(devel)")
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("file count %d != %d", len(a), len(b))
		}
		for i := range a {
			if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Fatalf("%s differs between renders", a[i].Path)
			}
		}
	}
}

func TestRenderOutput(t *testing.T) {
	files, err := Render(defaultSpec(), "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, f := range files {
		paths[f.Path] = true
		if strings.HasSuffix(f.Path, ".tmpl") {
			t.Errorf("%s: template suffix leaked into output", f.Path)
		}
	}
	for _, want := range []string{ManifestName, "go.mod", "go.sum", "main.go", ".gitignore", ".env.example", "README.md", "Makefile", "Dockerfile"} {
		if !paths[want] {
			t.Errorf("output lacks %s", want)
		}
	}
}

func TestRenderRejectsInvalidSpec(t *testing.T) {
	s := defaultSpec()
	s.Tools[0].Scopes = []string{"nope"}
	if _, err := Render(s, "(devel)"); err == nil {
		t.Fatal("Render accepted a tool with an undeclared scope")
	}
}

func TestNoNonDeterministicTemplateFuncs(t *testing.T) {
	for _, name := range []string{"now", "date", "randAlphaNum", "randInt", "uuidv4", "shuffle", "genPrivateKey", "bcrypt", "ago", "env", "expandenv"} {
		if _, ok := funcMap[name]; ok {
			t.Errorf("template func %s is available but not deterministic", name)
		}
	}
}

func TestFormatErrorShowsSource(t *testing.T) {
	_, err := formatGo("x.go", []byte("package x\nfunc {\n"))
	if err == nil || !strings.Contains(err.Error(), "render x.go") || !strings.Contains(err.Error(), "   2  func {") {
		t.Fatalf("error lacks numbered source: %v", err)
	}
}

// BenchmarkRender measures rendering a whole default project in memory
// (templates, formatting, manifest), without writing or go mod tidy.
func BenchmarkRender(b *testing.B) {
	s := defaultSpec()
	for b.Loop() {
		if _, err := Render(s, "(devel)"); err != nil {
			b.Fatal(err)
		}
	}
}
