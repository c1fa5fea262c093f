package cli

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/create-mcp-auth/create-mcp-auth/internal/writer"
	"github.com/create-mcp-auth/create-mcp-auth/templates"
)

// interview asks for every spec value that neither a flag nor the spec file
// gave. Each question validates its answer inline, so what comes out passes
// generator.Validate.
type interview struct {
	p        Prompter
	changed  *pflag.FlagSet // flags the user set: their values are not asked again
	fromFile bool
	force    bool
}

func (in *interview) asked(flag string, fileValue bool) bool {
	return !in.changed.Changed(flag) && !(in.fromFile && fileValue)
}

func (in *interview) run(dir *string, s *generator.Spec) error {
	var err error
	if *dir == "" {
		if *dir, err = in.p.Input(Question{
			Message: "Project directory:", Default: "mcp-server",
			Help: "Where the new project is written. It must not exist yet, or be empty.",
			Validate: func(d string) error {
				if e := writer.CheckTarget(d, in.force); e != nil {
					return errors.New(e.Reason + "; choose another directory")
				}
				return nil
			},
		}); err != nil {
			return err
		}
	}
	if in.asked("template", s.Template != "") && len(generator.Templates) > 1 {
		if s.Template, err = in.p.Select(Question{Message: "Template:", Default: generator.DefaultTemplate,
			Help: "The HTTP framework and MCP library of the generated server."}, templateChoices()); err != nil {
			return err
		}
	}
	if in.asked("module", s.Module != "") {
		if s.Module, err = in.p.Input(Question{
			Message: "Go module path:", Default: defaultModule(*dir),
			Help: "The module line of go.mod, usually where the code will live, e.g. github.com/you/" + defaultModule(*dir) + ".",
			Validate: func(m string) error {
				if err := generator.CheckModule(m); err != nil {
					return fmt.Errorf("invalid module path: %v", err)
				}
				return nil
			},
		}); err != nil {
			return err
		}
	}
	if in.asked("server-url", s.ServerURL != "") {
		if s.ServerURL, err = in.p.Input(Question{
			Message: "Public URL of the MCP endpoint:", Default: generator.DefaultServerURL,
			Help: "The URL MCP clients connect to. Register it exactly so in your authorization server (Scalekit: dashboard → MCP Servers → Add MCP Server → Server URL): " +
				"it is the protected-resource identifier and the audience tokens must carry.",
			Validate: func(u string) error { return rules.CheckResourceURL(u, s.AllowInsecureHTTP) },
		}); err != nil {
			return err
		}
	}
	if err := in.provider(s); err != nil {
		return err
	}
	if err := in.login(s); err != nil {
		return err
	}
	if in.asked("scope", len(s.Scopes) > 0) {
		if s.Scopes, err = in.scopes(); err != nil {
			return err
		}
	}
	if in.asked("tool", len(s.Tools) > 0) {
		tools, err := in.entries(toolEntries, s.Scopes)
		if err != nil {
			return err
		}
		s.Tools = nil // none: the defaults add an example tool
		for _, e := range tools {
			s.Tools = append(s.Tools, generator.Tool{Name: e.name, Scopes: e.scopes})
		}
	}
	if in.asked("resource", len(s.Resources) > 0) {
		resources, err := in.entries(resourceEntries, s.Scopes)
		if err != nil {
			return err
		}
		for _, e := range resources {
			s.Resources = append(s.Resources, generator.Resource{URI: e.name, Scopes: e.scopes})
		}
	}
	if in.asked("prompt", len(s.Prompts) > 0) {
		prompts, err := in.entries(promptEntries, s.Scopes)
		if err != nil {
			return err
		}
		for _, e := range prompts {
			s.Prompts = append(s.Prompts, generator.Prompt{Name: e.name, Scopes: e.scopes})
		}
	}
	if !in.changed.Changed(downstreamAPIFlag) && in.asked(downstreamMCPFlag, len(s.Downstream) > 0) {
		if s.Downstream, err = in.downstream(s.AllowInsecureHTTP); err != nil {
			return err
		}
	}
	if in.asked("port", s.Port != 0) {
		ans, err := in.p.Input(Question{
			Message: "Listen port:", Default: strconv.Itoa(generator.DefaultPort),
			Help: "The port the server listens on (PORT in .env overrides it at run time).",
			Validate: func(v string) error {
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
					return errors.New("enter a number from 1 to 65535")
				}
				return nil
			},
		})
		if err != nil {
			return err
		}
		s.Port, _ = strconv.Atoi(ans)
	}
	return nil
}

func templateChoices() []Choice {
	var out []Choice
	for _, l := range templates.Layers {
		out = append(out, Choice{Value: l.Name, Description: l.Description})
	}
	return out
}

func (in *interview) scopes() ([]generator.Scope, error) {
	def := generator.DefaultScopes()
	names := make([]string, len(def))
	for i, sc := range def {
		names[i] = sc.Name
	}
	useDefault, err := in.p.Confirm(Question{Message: "Use the default scopes " + strings.Join(names, ", ") + "?", Default: "y",
		Help: "Scopes are the permissions tokens carry. Define the same names in Scalekit dashboard → MCP Servers → your server → Scopes."})
	if err != nil || useDefault {
		return def, err
	}
	var scopes []generator.Scope
	for {
		name, err := in.p.Input(Question{
			Message: fmt.Sprintf("Scope %d name (empty to finish):", len(scopes)+1),
			Help:    "For example todo:read. Printable ASCII, no spaces or quotes (RFC 6749 scope-token).",
			Validate: func(n string) error {
				if n == "" {
					if len(scopes) == 0 {
						return errors.New("declare at least one scope")
					}
					return nil
				}
				if slices.ContainsFunc(scopes, func(sc generator.Scope) bool { return sc.Name == n }) {
					return fmt.Errorf("scope %q is already declared", n)
				}
				return rules.CheckScopeName(n)
			},
		})
		if err != nil || name == "" {
			return scopes, err
		}
		desc, err := in.p.Input(Question{Message: "Description of " + name + ":", Help: "Shown to users on the consent screen; one line.",
			Validate: func(d string) error {
				if strings.ContainsAny(d, "\r\n") {
					return errors.New("keep it to one line")
				}
				return nil
			}})
		if err != nil {
			return nil, err
		}
		scopes = append(scopes, generator.Scope{Name: name, Description: desc})
	}
}

// An entry is a tool, resource or prompt as the interview has it: its
// name (a URI for resources) and the scopes it requires.
type entry struct {
	name   string
	scopes []string
}

// entryKind words the questions for one kind of entry and checks names.
type entryKind struct {
	kind, noun string // "Tool", "name"
	none       string // what an empty first answer means
	help       string
	// check checks a new name against the rules and the names taken.
	check func(name string, taken []entry) error
}

var (
	toolEntries = entryKind{kind: "Tool", noun: "name", none: "one example tool, hello",
		help:  "An MCP tool, e.g. list_todos: 1-128 characters of A-Z a-z 0-9 _ . -. Each gets a stub handler to fill in.",
		check: namedEntry("tool")}
	resourceEntries = entryKind{kind: "Resource", noun: "URI", none: "none",
		help: "An MCP resource clients read: a URI such as todo://stats, or an RFC 6570 template such as todo://items/{id}. Each gets a stub read handler to fill in.",
		check: func(u string, taken []entry) error {
			if err := rules.CheckResourceURI(u); err != nil {
				return err
			}
			name := generator.ResourceName(u)
			if slices.ContainsFunc(taken, func(e entry) bool { return generator.GoName(generator.ResourceName(e.name)) == generator.GoName(name) }) {
				return fmt.Errorf("resource %q is already declared (or its handler would have the same name, %s)", u, name)
			}
			return nil
		}}
	promptEntries = entryKind{kind: "Prompt", noun: "name", none: "none",
		help:  "An MCP prompt, e.g. plan_day: 1-128 characters of A-Z a-z 0-9 _ . -. Each gets a stub handler to fill in.",
		check: namedEntry("prompt")}
)

// namedEntry checks the name of a new tool or prompt: tool-name rules,
// and a Go handler name of its own.
func namedEntry(kind string) func(string, []entry) error {
	return func(n string, taken []entry) error {
		if slices.ContainsFunc(taken, func(e entry) bool { return e.name == n || generator.GoName(e.name) == generator.GoName(n) }) {
			return fmt.Errorf("%s %q is already declared (or maps to the same Go name)", kind, n)
		}
		return rules.CheckToolName(n)
	}
}

// entries asks for entries of one kind and the scopes each requires, until
// an empty name.
func (in *interview) entries(k entryKind, scopes []generator.Scope) ([]entry, error) {
	declared := make([]string, len(scopes))
	for i, sc := range scopes {
		declared[i] = sc.Name
	}
	var out []entry
	for {
		msg := fmt.Sprintf("%s %d %s (empty to finish):", k.kind, len(out)+1, k.noun)
		if len(out) == 0 {
			msg = fmt.Sprintf("%s 1 %s (empty: %s):", k.kind, k.noun, k.none)
		}
		name, err := in.p.Input(Question{
			Message: msg,
			Help:    k.help,
			Validate: func(n string) error {
				if n == "" {
					return nil
				}
				return k.check(n, out)
			},
		})
		if err != nil || name == "" {
			return out, err
		}
		ans, err := in.p.Input(Question{
			Message: "Scopes " + name + " requires (comma-separated; - for none):", Default: declared[0],
			Help: "Declared scopes: " + strings.Join(declared, ", ") + ". A token must carry every one of them; with none, any valid token may.",
			Validate: func(v string) error {
				if v == "-" {
					return nil
				}
				for _, sc := range splitList(v) {
					if !slices.Contains(declared, sc) {
						return fmt.Errorf("scope %q is not declared; declared: %s", sc, strings.Join(declared, ", "))
					}
				}
				return nil
			},
		})
		if err != nil {
			return nil, err
		}
		e := entry{name: name}
		if ans != "-" {
			e.scopes = splitList(ans)
		}
		out = append(out, e)
	}
}

// splitList splits a comma-separated answer, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
