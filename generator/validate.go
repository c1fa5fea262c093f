package generator

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/mod/module"
)

// Problem is one thing wrong with the input, named by the flag and spec field
// that carry it, with what to do about it.
type Problem struct {
	Field   string // e.g. "--scope (scopes[1].name)"
	Message string
	Fix     string
}

func (p Problem) String() string {
	if p.Fix == "" {
		return p.Field + ": " + p.Message
	}
	return p.Field + ": " + p.Message + "; " + p.Fix
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

// toolNameRE is MCP's rule for tool names.
var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// Validate checks a spec with defaults applied and reports every problem.
func Validate(s *Spec) error {
	var v validator
	if !slices.Contains(Templates, s.Template) {
		v.add("--template (template)", fmt.Sprintf("unknown template %q", s.Template), "use one of: "+strings.Join(Templates, ", "))
	}
	if err := CheckModule(s.Module); err != nil {
		v.add("--module (module)", fmt.Sprintf("invalid module path %q: %v", s.Module, unwrapModuleErr(err)), "pass a path like example.com/you/"+safeExample(s.Module))
	}
	if strings.TrimSpace(s.Name) == "" || hasControl(s.Name) {
		v.add("name", fmt.Sprintf("invalid server name %q", s.Name), "use a short single-line name")
	}
	v.url("--server-url (server_url)", s.ServerURL, s.AllowInsecureHTTP, true)
	if s.Port < 1 || s.Port > 65535 {
		v.add("--port (port)", fmt.Sprintf("port %d is out of range", s.Port), "use 1-65535")
	}
	switch s.Provider {
	case "scalekit":
		v.url("--scalekit-env (scalekit.environment_url)", s.Scalekit.EnvironmentURL, s.AllowInsecureHTTP, false)
		if id := s.Scalekit.ResourceID; !strings.HasPrefix(id, "res_") || strings.ContainsAny(id, " \t\"\\/?#%") || hasControl(id) {
			v.add("--scalekit-resource-id (scalekit.resource_id)", fmt.Sprintf("invalid resource id %q", id), "copy it from Scalekit dashboard → MCP Servers → your server → Resource ID (res_…)")
		}
	case "oidc":
		if s.OIDC.Issuer == "" {
			v.add("--issuer (oidc.issuer)", "the oidc provider needs an issuer", "pass the authorization server's issuer URL, e.g. --issuer https://auth.example.com")
		} else {
			v.url("--issuer (oidc.issuer)", s.OIDC.Issuer, s.AllowInsecureHTTP, false)
		}
		if s.OIDC.JWKSURL != "" {
			v.url("--jwks-url (oidc.jwks_url)", s.OIDC.JWKSURL, s.AllowInsecureHTTP, false)
		}
	default:
		v.add("--provider (provider)", fmt.Sprintf("unknown provider %q", s.Provider), "use one of: "+strings.Join(Providers, ", "))
	}
	v.scopes(s.Scopes)
	v.tools(s.Tools, s.Scopes)
	return v.err()
}

type validator struct{ problems []Problem }

func (v *validator) add(field, msg, fix string) {
	v.problems = append(v.problems, Problem{Field: field, Message: msg, Fix: fix})
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// url records the problem with a URL field, if any.
func (v *validator) url(field, raw string, insecure, resource bool) {
	if err := CheckURL(raw, insecure, resource); err != nil {
		p := err.(*urlError)
		v.add(field, p.msg, p.fix)
	}
}

type urlError struct{ msg, fix string }

func (e *urlError) Error() string { return e.msg + "; " + e.fix }

// CheckURL checks an absolute http(s) URL. Plain http is for loopback hosts
// only, unless insecure is set: tokens and keys must not cross a network in
// clear. A resource identifier (RFC 8707 §2) must also carry no query.
func CheckURL(raw string, insecure, resource bool) error {
	const example = "pass an absolute URL like https://mcp.example.com/mcp"
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return &urlError{"missing URL", example}
	case err != nil:
		return &urlError{fmt.Sprintf("invalid URL %q", raw), example}
	case u.Scheme == "" || u.Opaque != "" && !strings.Contains(raw, "://"):
		return &urlError{fmt.Sprintf("URL %q has no scheme", raw), "write it in full, e.g. https://" + strings.TrimPrefix(raw, "//")}
	case u.Scheme != "http" && u.Scheme != "https":
		return &urlError{fmt.Sprintf("URL %q has scheme %q", raw, u.Scheme), "use http:// (loopback only) or https://"}
	case u.Host == "" || u.Hostname() == "":
		return &urlError{fmt.Sprintf("URL %q has no host", raw), example}
	case u.User != nil:
		return &urlError{fmt.Sprintf("URL %q contains credentials", raw), "remove the user:password@ part"}
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return &urlError{fmt.Sprintf("URL %q has a fragment", raw), "remove the #… part (RFC 8707 forbids fragments in resource identifiers)"}
	case resource && (u.RawQuery != "" || u.ForceQuery):
		return &urlError{fmt.Sprintf("URL %q has a query", raw), "remove the ?… part: the resource identifier is the plain URL clients connect to"}
	case resource && strings.ContainsFunc(u.EscapedPath(), func(r rune) bool { return !isPathChar(r) }):
		// The generated server routes on this path and refuses others at start.
		return &urlError{fmt.Sprintf("the path of URL %q has characters other than letters, digits and - . _ ~ /", raw), "use a plain path such as /mcp"}
	case resource && strings.Contains(u.Path, "//"):
		return &urlError{fmt.Sprintf("the path of URL %q has an empty segment", raw), "remove the doubled slash"}
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return &urlError{fmt.Sprintf("URL %q uses plain http for a non-loopback host", raw), "use https, or pass --allow-insecure-http if a TLS proxy sits in front"}
	}
	return nil
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

// CheckScopeName checks one scope name against RFC 6749's scope-token.
func CheckScopeName(name string) error {
	if msg := scopeTokenProblem(name); msg != "" {
		return errors.New(msg + ": use printable ASCII without spaces, quotes or backslashes, e.g. todo:read")
	}
	return nil
}

// CheckToolName checks one tool name against MCP's rule.
func CheckToolName(name string) error {
	if !toolNameRE.MatchString(name) || GoName(name) == "" {
		return fmt.Errorf("invalid tool name %q: use 1-128 characters of A-Z a-z 0-9 _ . - with at least one letter or digit", name)
	}
	return nil
}

func isPathChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~/", r)
}

// isLoopback reports whether host names this machine: localhost or a
// loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (v *validator) scopes(scopes []Scope) {
	seen := map[string]bool{}
	for i, sc := range scopes {
		field := fmt.Sprintf("--scope (scopes[%d].name)", i)
		if msg := scopeTokenProblem(sc.Name); msg != "" {
			v.add(field, msg, "scope names are RFC 6749 scope-tokens: printable ASCII without spaces, quotes or backslashes, e.g. todo:read")
		} else if seen[sc.Name] {
			v.add(field, fmt.Sprintf("scope %q is declared twice", sc.Name), "remove the duplicate")
		}
		seen[sc.Name] = true
		if hasControl(sc.Description) {
			v.add(fmt.Sprintf("--scope (scopes[%d].description)", i), fmt.Sprintf("description of %q has a line break or control character", sc.Name), "keep it to one line")
		}
	}
	for i, sc := range scopes {
		for _, imp := range sc.Implies {
			field := fmt.Sprintf("scopes[%d].implies", i)
			switch {
			case imp == sc.Name:
				v.add(field, fmt.Sprintf("scope %q implies itself", sc.Name), "remove it from its own implies list")
			case !seen[imp]:
				v.add(field, fmt.Sprintf("scope %q implies undeclared scope %q", sc.Name, imp), "declare "+imp+" under scopes, or remove it")
			}
		}
	}
}

// scopeTokenProblem applies RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
func scopeTokenProblem(name string) string {
	if name == "" {
		return "empty scope name"
	}
	for _, r := range name {
		switch {
		case r == ' ' || r == '\t':
			return fmt.Sprintf("scope %q contains a space", name)
		case r == '"':
			return fmt.Sprintf("scope %q contains a double quote", name)
		case r == '\\':
			return fmt.Sprintf("scope %q contains a backslash", name)
		case r < 0x21 || r > 0x7e:
			return fmt.Sprintf("scope %q contains %q, which is not printable ASCII", name, r)
		}
	}
	return ""
}

func (v *validator) tools(tools []Tool, scopes []Scope) {
	declared := map[string]bool{}
	for _, sc := range scopes {
		declared[sc.Name] = true
	}
	names := map[string]bool{}
	goNames := map[string]string{}
	for i, t := range tools {
		field := fmt.Sprintf("--tool (tools[%d].name)", i)
		switch {
		case !toolNameRE.MatchString(t.Name):
			v.add(field, fmt.Sprintf("invalid tool name %q", t.Name), "MCP tool names are 1-128 characters of A-Z a-z 0-9 _ . -")
			continue
		case names[t.Name]:
			v.add(field, fmt.Sprintf("tool %q is declared twice", t.Name), "remove the duplicate")
			continue
		}
		names[t.Name] = true
		if g := GoName(t.Name); g == "" {
			v.add(field, fmt.Sprintf("tool name %q has no letters or digits to name its Go handler", t.Name), "include at least one letter")
		} else if other, ok := goNames[g]; ok {
			v.add(field, fmt.Sprintf("tools %q and %q would both be implemented by Go function %s", other, t.Name, g), "rename one of them")
		} else {
			goNames[g] = t.Name
		}
		if hasControl(t.Description) {
			v.add(fmt.Sprintf("tools[%d].description", i), fmt.Sprintf("description of %q has a line break or control character", t.Name), "keep it to one line")
		}
		for _, sc := range t.Scopes {
			if !declared[sc] {
				v.add(fmt.Sprintf("--tool (tools[%d].scopes)", i), fmt.Sprintf("tool %q requires undeclared scope %q", t.Name, sc), "declare it with --scope "+sc+"=Description, or fix the spelling")
			}
		}
		if dup := firstDuplicate(t.Scopes); dup != "" {
			v.add(fmt.Sprintf("--tool (tools[%d].scopes)", i), fmt.Sprintf("tool %q lists scope %q twice", t.Name, dup), "remove the duplicate")
		}
	}
}

// GoName derives the exported Go identifier of a tool's handler from its
// name: create_todo → CreateTodo, search.v2 → SearchV2, 3d-print → Tool3dPrint.
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
