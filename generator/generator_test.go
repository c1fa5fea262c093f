package generator

import (
	"bytes"
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

func TestLoopbackHTTPAllowed(t *testing.T) {
	for _, u := range []string{"http://localhost:3002/mcp", "http://127.0.0.1:8080/", "http://[::1]:9/mcp", "http://app.localhost/mcp"} {
		if err := CheckURL(u, false, true); err != nil {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
	if err := CheckURL("http://10.0.0.1/mcp", false, true); err == nil {
		t.Error("plain http to a LAN address accepted without --allow-insecure-http")
	}
	if err := CheckURL("http://10.0.0.1/mcp", true, true); err != nil {
		t.Errorf("with insecure: %v", err)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	s := defaultSpec()
	s.Scopes[1].Implies = []string{s.Scopes[0].Name}
	got, err := ParseSpec("manifest", s.Manifest("(devel)"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Manifest("(devel)"), s.Manifest("(devel)")) {
		t.Errorf("manifest does not round-trip:\n%s", got.Manifest("(devel)"))
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
