package generator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/mod/module"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// Problem is one thing wrong with a spec: where it is and what to do about
// it. Path is the spec field ("scopes[1].name"); File, when set, is the
// spec or manifest file it was read from. Which flag sets a field is the
// CLI's business, not the generator's.
type Problem struct {
	File    string
	Path    string
	Message string
	Fix     string
}

func (p Problem) String() string {
	where := strings.Trim(p.File+": "+p.Path, ": ")
	s := p.Message
	if where != "" {
		s = where + ": " + s
	}
	if p.Fix != "" {
		s += "; " + p.Fix
	}
	return s
}

// ValidationError reports every problem found in the input at once. The CLI
// turns it into exit status 2.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Validate checks a spec with defaults applied and reports every problem.
func Validate(s *Spec) error {
	var v validator
	if !slices.Contains(Templates, s.Template) {
		v.add("template", fmt.Sprintf("unknown template %q", s.Template), "use one of: "+strings.Join(Templates, ", "))
	}
	if err := CheckModule(s.Module); err != nil {
		v.add("module", fmt.Sprintf("invalid module path %q: %v", s.Module, unwrapModuleErr(err)), "use a path like example.com/you/"+safeExample(s.Module))
	}
	if strings.TrimSpace(s.Name) == "" || hasControl(s.Name) {
		v.add("name", fmt.Sprintf("invalid server name %q", s.Name), "use a short single-line name")
	}
	v.url("server_url", rules.CheckResourceURL(s.ServerURL, s.AllowInsecureHTTP))
	if s.Port < 1 || s.Port > 65535 {
		v.add("port", fmt.Sprintf("port %d is out of range", s.Port), "use 1-65535")
	}
	v.provider(s)
	v.scopes(s.Scopes)
	files := v.tools(s.Tools, s.Scopes)
	v.resources(s.Resources, s.Scopes, files)
	v.prompts(s.Prompts, s.Scopes, files)
	v.login(s)
	v.downstream(s.Downstream, s.AllowInsecureHTTP)
	return v.err()
}

type validator struct{ problems []Problem }

func (v *validator) add(path, msg, fix string) {
	v.problems = append(v.problems, Problem{Path: path, Message: msg, Fix: fix})
}

// check records err, a rule's verdict on the field at path, if any.
func (v *validator) check(path string, err error) {
	if err != nil {
		v.add(path, err.Error(), "")
	}
}

// url records a URL rule's verdict; plain http gets the spec's way out.
func (v *validator) url(path string, err error) {
	switch {
	case errors.Is(err, rules.ErrPlainHTTP):
		v.add(path, err.Error(), "or, behind a TLS-terminating proxy, set allow_insecure_http (--allow-insecure-http)")
	case err != nil:
		v.add(path, err.Error(), "")
	}
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// CheckModule checks a module path the way "go mod init" accepts it: any
// valid import path ("todo" is fine for a local module), and when the first
// element looks like a host (has a dot), the stricter rules of a module path
// that "go get" can fetch (golang.org/x/mod/module.CheckPath).
func CheckModule(path string) error {
	if err := module.CheckImportPath(path); err != nil {
		return err
	}
	if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
		return module.CheckPath(path)
	}
	return nil
}

func (v *validator) scopes(scopes []Scope) {
	seen := map[string]bool{}
	for i, sc := range scopes {
		path := fmt.Sprintf("scopes[%d].name", i)
		if err := rules.CheckScopeName(sc.Name); err != nil {
			v.check(path, err)
		} else if sc.Name == rules.OfflineAccess {
			v.add(path, "offline_access asks an authorization server for a refresh token; it is not a permission of this server, and MCP keeps it out of metadata and challenges", "remove it: clients ask for it themselves")
		} else if seen[sc.Name] {
			v.add(path, fmt.Sprintf("scope %q is declared twice", sc.Name), "remove the duplicate")
		}
		seen[sc.Name] = true
		if hasControl(sc.Description) {
			v.add(fmt.Sprintf("scopes[%d].description", i), fmt.Sprintf("description of %q has a line break or control character", sc.Name), "keep it to one line")
		}
	}
	for i, sc := range scopes {
		for _, imp := range sc.Implies {
			path := fmt.Sprintf("scopes[%d].implies", i)
			switch {
			case imp == sc.Name:
				v.add(path, fmt.Sprintf("scope %q implies itself", sc.Name), "remove it from its own implies list")
			case !seen[imp]:
				v.add(path, fmt.Sprintf("scope %q implies undeclared scope %q", sc.Name, imp), "declare "+imp+" under scopes, or remove it")
			}
		}
	}
}

// tools checks the tools and returns the handler files they take, by name.
func (v *validator) tools(tools []Tool, scopes []Scope) map[string]string {
	declared := map[string]bool{}
	for _, sc := range scopes {
		declared[sc.Name] = true
	}
	names := map[string]bool{}
	goNames := map[string]string{}
	files := map[string]string{}
	for i, t := range tools {
		path := fmt.Sprintf("tools[%d].name", i)
		if err := rules.CheckToolName(t.Name); err != nil {
			v.check(path, err)
			continue
		}
		if names[t.Name] {
			v.add(path, fmt.Sprintf("tool %q is declared twice", t.Name), "remove the duplicate")
			continue
		}
		names[t.Name] = true
		if g := GoName(t.Name); g == "" {
			v.add(path, fmt.Sprintf("tool name %q has no letters or digits to name its Go handler", t.Name), "include at least one letter")
		} else if other, ok := goNames[g]; ok {
			v.add(path, fmt.Sprintf("tools %q and %q would both be implemented by Go function handle%s", other, t.Name, g), "rename one of them")
		} else if other, ok := files[ToolFile(t.Name)]; ok {
			v.add(path, fmt.Sprintf("tools %q and %q would both be implemented in %s", other, t.Name, ToolFile(t.Name)), "rename one of them")
		} else {
			goNames[g] = t.Name
			files[ToolFile(t.Name)] = t.Name
		}
		v.kindScopes(fmt.Sprintf("tools[%d]", i), fmt.Sprintf("tool %q", t.Name), t.Scopes, t.Description, scopes)
	}
	return files
}

// resources checks the resources; files are the handler files taken.
func (v *validator) resources(resources []Resource, scopes []Scope, files map[string]string) {
	names, uris, goNames := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, r := range resources {
		v.check(fmt.Sprintf("resources[%d].uri", i), rules.CheckResourceURI(r.URI))
		if uris[r.URI] {
			v.add(fmt.Sprintf("resources[%d].uri", i), fmt.Sprintf("resource %q is declared twice", r.URI), "remove the duplicate")
			continue
		}
		uris[r.URI] = true
		path := fmt.Sprintf("resources[%d].name", i)
		if err := rules.CheckToolName(r.Name); err != nil || GoName(r.Name) == "" {
			v.add(path, fmt.Sprintf("invalid resource name %q", r.Name), "use 1-128 characters of A-Z a-z 0-9 _ . - with at least one letter or digit")
			continue
		}
		switch file := ResourceFile(r.Name); {
		case names[r.Name]:
			v.add(path, fmt.Sprintf("resource name %q is used twice", r.Name), "give each resource its own name (name: in the spec file; add resource --name)")
		case goNames[GoName(r.Name)]:
			v.add(path, fmt.Sprintf("resource name %q names the same Go handler as another", r.Name), "rename one of them (name: in the spec file; add resource --name)")
		case files[file] != "":
			v.add(path, fmt.Sprintf("resource %q would be implemented in %s, like %s", r.Name, file, files[file]), "rename one of them")
		default:
			files[file] = "resource " + r.Name
		}
		names[r.Name], goNames[GoName(r.Name)] = true, true
		v.kindScopes(fmt.Sprintf("resources[%d]", i), fmt.Sprintf("resource %q", r.URI), r.Scopes, r.Description, scopes)
	}
}

// prompts checks the prompts; files are the handler files taken.
func (v *validator) prompts(prompts []Prompt, scopes []Scope, files map[string]string) {
	names, goNames := map[string]bool{}, map[string]bool{}
	for i, p := range prompts {
		path := fmt.Sprintf("prompts[%d].name", i)
		if err := rules.CheckToolName(p.Name); err != nil || GoName(p.Name) == "" {
			v.add(path, fmt.Sprintf("invalid prompt name %q", p.Name), "use 1-128 characters of A-Z a-z 0-9 _ . - with at least one letter or digit")
			continue
		}
		switch file := PromptFile(p.Name); {
		case names[p.Name]:
			v.add(path, fmt.Sprintf("prompt %q is declared twice", p.Name), "remove the duplicate")
		case goNames[GoName(p.Name)]:
			v.add(path, fmt.Sprintf("prompt %q names the same Go handler as another", p.Name), "rename one of them")
		case files[file] != "":
			v.add(path, fmt.Sprintf("prompt %q would be implemented in %s, like %s", p.Name, file, files[file]), "rename one of them")
		default:
			files[file] = "prompt " + p.Name
		}
		names[p.Name], goNames[GoName(p.Name)] = true, true
		v.kindScopes(fmt.Sprintf("prompts[%d]", i), fmt.Sprintf("prompt %q", p.Name), p.Scopes, p.Description, scopes)
	}
}

// provider checks the provider and its settings. Placeholders pass: the
// generated server refuses to start until they are replaced.
func (v *validator) provider(s *Spec) {
	p, ok := rules.LookupProvider(s.Provider)
	if !ok {
		v.add("provider", fmt.Sprintf("unknown provider %q", s.Provider), "use one of: "+strings.Join(Providers, ", "))
		return
	}
	switch p.Name {
	case rules.ProviderScalekit:
		v.url("scalekit.environment_url", rules.CheckIssuerURL(s.Scalekit.EnvironmentURL, s.AllowInsecureHTTP))
		v.check("scalekit.resource_id", rules.CheckScalekitResourceID(s.Scalekit.ResourceID))
	case rules.ProviderEntra:
		if !rules.IsPlaceholder(s.Entra.TenantID) {
			v.check("entra.tenant_id", rules.CheckEntraID("tenant ID", s.Entra.TenantID))
		}
		if !rules.IsPlaceholder(s.Entra.ClientID) {
			v.check("entra.client_id", rules.CheckEntraID("client ID", s.Entra.ClientID))
		}
		if s.Entra.AppIDURI != "" {
			v.check("entra.app_id_uri", rules.CheckAppIDURI(s.Entra.AppIDURI))
		}
	default:
		if !rules.IsPlaceholder(s.OIDC.Issuer) {
			v.url("oidc.issuer", p.CheckIssuer(s.OIDC.Issuer, s.AllowInsecureHTTP))
		}
		if s.OIDC.JWKSURL != "" {
			v.url("oidc.jwks_url", rules.CheckServiceURL(s.OIDC.JWKSURL, s.AllowInsecureHTTP))
		}
	}
	// Settings of another provider would be silently ignored.
	for _, other := range []struct {
		field string
		set   bool
	}{
		{"scalekit", s.Scalekit != (Scalekit{}) && p.Name != rules.ProviderScalekit},
		{"entra", s.Entra != (Entra{}) && p.Name != rules.ProviderEntra},
		{"oidc", s.OIDC != (OIDC{}) && (p.Name == rules.ProviderScalekit || p.Name == rules.ProviderEntra)},
	} {
		if other.set {
			v.add(other.field, fmt.Sprintf("%s settings are given, but the provider is %s", other.field, p.Name), "remove them, or change the provider")
		}
	}
}

// kindScopes checks the scopes and description of a tool, resource or
// prompt; what names it in messages.
func (v *validator) kindScopes(path, what string, required []string, description string, scopes []Scope) {
	for _, sc := range required {
		if !slices.ContainsFunc(scopes, func(s Scope) bool { return s.Name == sc }) {
			v.add(path+".scopes", fmt.Sprintf("%s requires undeclared scope %q", what, sc), "declare it under scopes (--scope "+sc+"=Description), or fix the spelling")
		}
	}
	if dup := firstDuplicate(required); dup != "" {
		v.add(path+".scopes", fmt.Sprintf("%s lists scope %q twice", what, dup), "remove the duplicate")
	}
	if hasControl(description) {
		v.add(path+".description", fmt.Sprintf("description of %s has a line break or control character", what), "keep it to one line")
	}
}

// GoName derives the exported Go identifier of a tool from its name:
// create_todo → CreateTodo, search.v2 → SearchV2, 3d-print → Tool3dPrint.
// Its handler is handle<GoName> and its input type <GoName>Input.
func GoName(tool string) string {
	var b strings.Builder
	upper := true
	for _, r := range tool {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	name := b.String()
	if name != "" && unicode.IsDigit(rune(name[0])) {
		name = "Tool" + name
	}
	return name
}

func firstDuplicate(list []string) string {
	seen := map[string]bool{}
	for _, s := range list {
		if seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}

// hasControl reports whether s has a control character; descriptions end up
// in Go strings, YAML and Markdown tables, where a line break would not fit.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// unwrapModuleErr drops the repeated path prefix from module.CheckPath errors.
func unwrapModuleErr(err error) string {
	var perr *module.InvalidPathError
	if errors.As(err, &perr) {
		return perr.Err.Error()
	}
	return err.Error()
}

func safeExample(mod string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(mod) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "myserver"
	}
	return b.String()
}
