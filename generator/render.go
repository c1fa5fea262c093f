package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"golang.org/x/tools/imports"

	"github.com/create-mcp-auth/create-mcp-auth/templates"
)

// File is one file of a generated project.
type File struct {
	Path string // slash-separated, relative to the project root
	Data []byte
}

// Data is what templates see as dot.
type Data struct {
	Module, Name, Template, Provider string
	ServerURL                        string
	Port                             int
	ScalekitEnvironmentURL           string
	ScalekitResourceID               string
	OIDCIssuer, OIDCJWKSURL          string
	AllowInsecureHTTP                bool
	Scopes                           []Scope
	Tools                            []ToolData
	Version                          string // generator version, stamped into generated files
}

// ToolData is a tool plus what templates derive from it.
type ToolData struct {
	Tool
	GoName string // exported Go identifier of the handler, e.g. CreateTodo
}

// Render turns a validated spec into the files of a project, in path order.
// It is pure: no disk, network or subprocess, and the same spec and version
// always give the same bytes.
func Render(s *Spec, version string) ([]File, error) {
	if err := Validate(s); err != nil {
		return nil, err
	}
	sources, err := templateSources(layers(s.Template))
	if err != nil {
		return nil, err
	}
	data := newData(s, version)
	files := make([]File, 0, len(sources)+1)
	for _, out := range sortedKeys(sources) {
		src := sources[out]
		text, err := fs.ReadFile(templates.FS, src)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(src).Funcs(funcMap).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", src, err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", out, err)
		}
		b := buf.Bytes()
		if strings.HasSuffix(out, ".go") {
			if b, err = formatGo(out, b); err != nil {
				return nil, err
			}
		}
		files = append(files, File{Path: out, Data: b})
	}
	files = append(files, File{Path: ManifestName, Data: s.Manifest(version)})
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// layers returns the template directories of a template.
func layers(name string) []string {
	for _, l := range templates.Layers {
		if l.Name == name {
			return l.Dirs
		}
	}
	return nil
}

// templateSources maps each output path to the embedded template that makes
// it; where layers share a path, the later one wins.
func templateSources(dirs []string) (map[string]string, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no such template")
	}
	sources := map[string]string{}
	for _, root := range dirs {
		err := fs.WalkDir(templates.FS, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := strings.TrimPrefix(p, root+"/")
			out, ok := strings.CutSuffix(rel, ".tmpl")
			if !ok {
				return fmt.Errorf("template %s: name must end in .tmpl", p)
			}
			sources[out] = p
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("template layer %q: %w", root, err)
		}
	}
	return sources, nil
}

func newData(s *Spec, version string) *Data {
	d := &Data{
		Module:                 s.Module,
		Name:                   s.Name,
		Template:               s.Template,
		Provider:               s.Provider,
		ServerURL:              s.ServerURL,
		Port:                   s.Port,
		ScalekitEnvironmentURL: s.Scalekit.EnvironmentURL,
		ScalekitResourceID:     s.Scalekit.ResourceID,
		OIDCIssuer:             s.OIDC.Issuer,
		OIDCJWKSURL:            s.OIDC.JWKSURL,
		AllowInsecureHTTP:      s.AllowInsecureHTTP,
		Scopes:                 s.Scopes,
		Version:                version,
	}
	for _, t := range s.Tools {
		if t.Description == "" {
			t.Description = "TODO: describe what " + t.Name + " does."
		}
		d.Tools = append(d.Tools, ToolData{Tool: t, GoName: GoName(t.Name)})
	}
	return d
}

// funcMap is sprig's hermetic set without what still depends on the clock
// or on randomness, plus goquote for Go string literals.
var funcMap = func() template.FuncMap {
	m := sprig.HermeticTxtFuncMap()
	for _, name := range []string{
		"randInt", "shuffle", "ago", "bcrypt", "htpasswd", "encryptAES", "decryptAES",
		"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
		"genSignedCert", "genSignedCertWithKey", "getHostByName",
	} {
		delete(m, name)
	}
	m["goquote"] = strconv.Quote
	return m
}()

// formatGo gofmts a rendered Go file and sorts its imports. It runs in
// format-only mode: resolving missing imports would consult the go command
// and the module cache, making output depend on the machine. A template bug
// is reported with the numbered source so it can be found.
func formatGo(name string, src []byte) ([]byte, error) {
	out, err := imports.Process(name, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		return nil, &FormatError{Path: name, Err: err, Source: src}
	}
	return out, nil
}

// FormatError is a rendered Go file that does not parse: a template bug.
type FormatError struct {
	Path   string
	Err    error
	Source []byte
}

func (e *FormatError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "render %s: %v\n", e.Path, e.Err)
	for i, line := range strings.Split(string(e.Source), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
