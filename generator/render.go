package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"golang.org/x/tools/imports"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/create-mcp-auth/create-mcp-auth/templates"
)

// File is one file of a generated project.
type File struct {
	Path  string // slash-separated, relative to the project root
	Data  []byte
	Owner Owner
}

// Data is what templates see as dot.
type Data struct {
	Module, Name, Template, Provider string
	ServerURL                        string
	Port                             int
	ScalekitEnvironmentURL           string
	ScalekitResourceID               string
	OIDCIssuer, OIDCJWKSURL          string
	EntraTenantID, EntraClientID     string
	EntraAppIDURI                    string
	// ProviderTitle names the provider for people ("Microsoft Entra ID").
	ProviderTitle string
	// ScopeClaims are the provider's default scope claims, and JWKSPath
	// where under its issuer it publishes its keys.
	ScopeClaims       []string
	JWKSPath          string
	AllowInsecureHTTP bool
	Scopes            []Scope
	Tools             []ToolData
	Resources         []ResourceData
	Prompts           []PromptData
	Version           string // generator version, stamped into generated files
	// Tool, Resource and Prompt are what a per-item template renders (see
	// perItem); nil elsewhere.
	Tool     *ToolData
	Resource *ResourceData
	Prompt   *PromptData
	// Login is the login route of a server that signs users in itself
	// (bring your own auth); nil when the authorization server does.
	Login *Login

	// Downstream are the services the tools call (downstream.go).
	Downstream []DownstreamData
}

// ToolData is a tool plus what templates derive from it.
type ToolData struct {
	Tool
	GoName string // exported Go identifier: handle<GoName>, <GoName>Input
	File   string // its handler's file in internal/tools, e.g. list_todos.go
}

// ResourceData is a resource plus what templates derive from it.
type ResourceData struct {
	Resource
	GoName   string // read<GoName> is its handler
	File     string // its handler's file in internal/tools
	Template bool   // URI is a URI template
}

// PromptData is a prompt plus what templates derive from it.
type PromptData struct {
	Prompt
	GoName string // prompt<GoName> is its handler
	File   string // its handler's file in internal/tools
}

// Render turns a validated spec into the files of a new project, in path
// order, the manifest among them. It is pure: no disk, network or
// subprocess, and the same spec and version always give the same bytes.
func Render(s *Spec, version string) ([]File, error) {
	files, err := RenderProject(s, version)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Spec: *s, Generated: NewRecord(version, files, nil)}
	files = append(files, File{Path: ManifestName, Data: m.Marshal(), Owner: ManifestFile})
	sortFiles(files)
	return files, nil
}

// RenderProject renders every file of the project but the manifest.
func RenderProject(s *Spec, version string) ([]File, error) {
	if err := Validate(s); err != nil {
		return nil, err
	}
	l, ok := layer(s.Template)
	if !ok {
		return nil, fmt.Errorf("no such template %q", s.Template)
	}
	files, err := renderTree(templates.FS, append(slices.Clip(l.Dirs), loginDirs(s)...), newData(s, version))
	if err != nil {
		return nil, err
	}
	sources, err := fs.ReadDir(rules.Sources, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range sources {
		src, err := rules.Sources.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: "internal/rules/" + e.Name(), Data: markGenerated(src), Owner: OwnedByGenerator})
	}
	sortFiles(files)
	return files, nil
}

// NewRecord records what files hold: a hash of each generator-owned file,
// and the user's files, those in files and those in yours.
func NewRecord(version string, files []File, yours []string) *Record {
	r := &Record{By: version, Files: map[string]string{}}
	for _, f := range files {
		switch f.Owner {
		case OwnedByGenerator:
			r.Files[f.Path] = Hash(f.Data)
		case OwnedByUser:
			yours = append(yours, f.Path)
		}
	}
	slices.Sort(yours)
	r.Yours = slices.Compact(yours)
	return r
}

// Hash is how a Record identifies file content.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// markGenerated puts GeneratedMarker on top of a Go source file.
func markGenerated(src []byte) []byte {
	return append([]byte(GeneratedMarker+"\n\n"), src...)
}

// renderTree renders the template directories dirs of fsys (a later one
// wins where two have a path) with data.
func renderTree(fsys fs.FS, dirs []string, data *Data) ([]File, error) {
	sources, err := templateSources(fsys, dirs)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, out := range sortedKeys(sources) {
		items := perItem(data, path.Base(out))
		if items == nil {
			items = []item{{out: path.Base(out), data: data}}
		}
		for _, it := range items {
			f, err := renderFile(fsys, sources[out], path.Join(path.Dir(out), it.out), it.data)
			if errors.Is(err, errNothing) {
				continue
			}
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// An item is one rendering of a per-item template.
type item struct {
	out  string // file name
	data *Data
}

// perItem returns the renderings of a template named _tool_.go,
// _resource_.go or _prompt_.go: one per tool, resource or prompt, into its
// handler's file, with dot's Tool, Resource or Prompt set. For any other
// name it returns nil.
func perItem(data *Data, name string) []item {
	items := []item{}
	switch name {
	case "_tool_.go":
		for i := range data.Tools {
			d := *data
			d.Tool = &data.Tools[i]
			items = append(items, item{d.Tool.File, &d})
		}
	case "_resource_.go":
		for i := range data.Resources {
			d := *data
			d.Resource = &data.Resources[i]
			items = append(items, item{d.Resource.File, &d})
		}
	case "_prompt_.go":
		for i := range data.Prompts {
			d := *data
			d.Prompt = &data.Prompts[i]
			items = append(items, item{d.Prompt.File, &d})
		}
	default:
		return nil
	}
	return items
}

// errNothing is renderFile's answer for a template that rendered to
// nothing but white space, such as the files of a feature the spec does
// not use: no file is written.
var errNothing = errors.New("nothing rendered")

// renderFile renders one template into out, formatting Go files.
func renderFile(fsys fs.FS, src, out string, data *Data) (File, error) {
	text, err := fs.ReadFile(fsys, src)
	if err != nil {
		return File{}, err
	}
	tmpl := template.New(src).Funcs(funcMap).Option("missingkey=error")
	if partials, _ := fs.Glob(fsys, "partials/*.tmpl"); len(partials) > 0 {
		if tmpl, err = tmpl.ParseFS(fsys, partials...); err != nil {
			return File{}, fmt.Errorf("parse partials: %w", err)
		}
		tmpl = tmpl.New(src)
	}
	if tmpl, err = tmpl.Parse(string(text)); err != nil {
		return File{}, fmt.Errorf("parse template %s: %w", src, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return File{}, fmt.Errorf("render %s: %w", out, err)
	}
	b := buf.Bytes()
	if len(bytes.TrimSpace(b)) == 0 {
		return File{}, errNothing
	}
	if strings.HasSuffix(out, ".go") {
		if b, err = formatGo(out, b); err != nil {
			return File{}, err
		}
	}
	return File{Path: out, Data: b, Owner: ownerOf(out, b)}, nil
}

// layer returns the template layers of a template.
func layer(name string) (templates.Layer, bool) {
	for _, l := range templates.Layers {
		if l.Name == name {
			return l, true
		}
	}
	return templates.Layer{}, false
}

// templateSources maps each output path to the template that makes it;
// where layers share a path, the later one wins.
func templateSources(fsys fs.FS, dirs []string) (map[string]string, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no such template")
	}
	sources := map[string]string{}
	for _, root := range dirs {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
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
	provider, _ := rules.LookupProvider(s.Provider)
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
		EntraTenantID:          s.Entra.TenantID,
		EntraClientID:          s.Entra.ClientID,
		EntraAppIDURI:          s.Entra.AppIDURI,
		ProviderTitle:          provider.Title,
		ScopeClaims:            provider.ScopeClaims,
		JWKSPath:               provider.JWKSPath,
		AllowInsecureHTTP:      s.AllowInsecureHTTP,
		Scopes:                 s.Scopes,
		Version:                version,
		Login:                  s.Login.withDefaults(),
	}
	for _, t := range s.Tools {
		if t.Description == "" {
			t.Description = "TODO: describe what " + t.Name + " does."
		}
		d.Tools = append(d.Tools, ToolData{Tool: t, GoName: GoName(t.Name), File: ToolFile(t.Name)})
	}
	for _, r := range s.Resources {
		if r.Description == "" {
			r.Description = "TODO: describe what " + r.Name + " holds."
		}
		d.Resources = append(d.Resources, ResourceData{Resource: r, GoName: GoName(r.Name), File: ResourceFile(r.Name), Template: r.IsTemplate()})
	}
	for _, p := range s.Prompts {
		if p.Description == "" {
			p.Description = "TODO: describe what " + p.Name + " asks for."
		}
		d.Prompts = append(d.Prompts, PromptData{Prompt: p, GoName: GoName(p.Name), File: PromptFile(p.Name)})
	}
	for _, ds := range s.Downstream {
		d.Downstream = append(d.Downstream, newDownstreamData(ds))
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
	m["isPlaceholder"] = rules.IsPlaceholder
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

func sortFiles(files []File) {
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
