package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

func newAddCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add tool|resource|prompt|scope",
		Short: "Add a tool, resource, prompt or scope to a project through its manifest",
		Long: `add changes the project's .create-mcp-auth.yaml and regenerates the files
create-mcp-auth owns, as upgrade does. A new tool, resource or prompt gets a
handler stub in a file of its own (internal/tools/NAME.go, NAME_resource.go,
NAME_prompt.go), which is yours; nothing you wrote is touched. Run it in the
project, or pass --dir.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown thing to add %q: use add tool, add resource, add prompt or add scope", args[0])}
			}
			return usageError{fmt.Errorf("add what? use add tool NAME, add resource URI, add prompt NAME or add scope NAME")}
		},
	}
	cmd.AddCommand(newAddToolCmd(stdout, stderr), newAddResourceCmd(stdout, stderr), newAddPromptCmd(stdout, stderr), newAddScopeCmd(stdout, stderr))
	return cmd
}

func newAddToolCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		opts      changeOptions
		dir, desc string
		scopes    []string
	)
	cmd := &cobra.Command{
		Use:   "tool NAME --scope S[,S] [--description D]",
		Short: "Add a tool: a handler stub of yours and its entry in the scope table",
		Example: `  create-mcp-auth add tool archive_todo --scope todo:write --description "Archive a todo item."
  create-mcp-auth add tool ping --scope ''   # callable with any valid token`,
		Args: exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := scopeGiven(cmd, "tool"); err != nil {
				return err
			}
			return runAdd(cmd.Context(), dir, opts, stdout, stderr, func(s *generator.Spec) []generator.Problem {
				name := args[0]
				if slices.ContainsFunc(s.Tools, func(t generator.Tool) bool { return t.Name == name }) {
					return exists("tool", name)
				}
				s.Tools = append(s.Tools, generator.Tool{Name: name, Description: desc, Scopes: trimmed(scopes)})
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&scopes, "scope", nil, "scopes the tool needs, all of them; repeat or separate with commas; each must be declared")
	f.StringVar(&desc, "description", "", "what the tool does, shown to MCP clients")
	f.StringVar(&dir, "dir", ".", "the project's directory")
	opts.register(cmd, "add")
	return cmd
}

func newAddResourceCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		opts                  changeOptions
		dir, name, desc, mime string
		scopes                []string
	)
	cmd := &cobra.Command{
		Use:   "resource URI --scope S[,S] [--name N] [--description D] [--mime-type M]",
		Short: "Add a resource (a URI or a URI template): a read handler stub of yours and its entry in the scope table",
		Example: `  create-mcp-auth add resource 'todo://items/{id}' --scope todo:read --mime-type application/json
  create-mcp-auth add resource todo://stats --scope ''   # readable with any valid token`,
		Args: exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := scopeGiven(cmd, "resource"); err != nil {
				return err
			}
			return runAdd(cmd.Context(), dir, opts, stdout, stderr, func(s *generator.Spec) []generator.Problem {
				uri := args[0]
				if slices.ContainsFunc(s.Resources, func(r generator.Resource) bool { return r.URI == uri }) {
					return exists("resource", uri)
				}
				s.Resources = append(s.Resources, generator.Resource{URI: uri, Name: name, Description: desc, MIMEType: mime, Scopes: trimmed(scopes)})
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&scopes, "scope", nil, "scopes reading it needs, all of them; repeat or separate with commas; each must be declared")
	f.StringVar(&name, "name", "", "the resource's name (default: derived from the URI)")
	f.StringVar(&desc, "description", "", "what the resource holds, shown to MCP clients")
	f.StringVar(&mime, "mime-type", "", "the MIME type of its contents, e.g. application/json")
	f.StringVar(&dir, "dir", ".", "the project's directory")
	opts.register(cmd, "add")
	return cmd
}

func newAddPromptCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		opts      changeOptions
		dir, desc string
		scopes    []string
	)
	cmd := &cobra.Command{
		Use:     "prompt NAME --scope S[,S] [--description D]",
		Short:   "Add a prompt: a handler stub of yours and its entry in the scope table",
		Example: `  create-mcp-auth add prompt weekly_review --scope todo:read --description "Review the week's todos."`,
		Args:    exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := scopeGiven(cmd, "prompt"); err != nil {
				return err
			}
			return runAdd(cmd.Context(), dir, opts, stdout, stderr, func(s *generator.Spec) []generator.Problem {
				name := args[0]
				if slices.ContainsFunc(s.Prompts, func(p generator.Prompt) bool { return p.Name == name }) {
					return exists("prompt", name)
				}
				s.Prompts = append(s.Prompts, generator.Prompt{Name: name, Description: desc, Scopes: trimmed(scopes)})
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&scopes, "scope", nil, "scopes getting it needs, all of them; repeat or separate with commas; each must be declared")
	f.StringVar(&desc, "description", "", "what the prompt is for, shown to MCP clients")
	f.StringVar(&dir, "dir", ".", "the project's directory")
	opts.register(cmd, "add")
	return cmd
}

// scopeGiven insists on --scope: what a tool, resource or prompt needs is
// a decision, never a default.
func scopeGiven(cmd *cobra.Command, kind string) error {
	if cmd.Flags().Changed("scope") {
		return nil
	}
	return &badInput{writes: true, problems: []generator.Problem{{Path: "--scope", Message: "say which scopes the " + kind + " needs",
		Fix: "pass --scope S[,S] with declared scopes, or --scope '' for a " + kind + " any valid token may use"}}}
}

// exists is the problem of adding what the manifest already has.
func exists(kind, name string) []generator.Problem {
	return []generator.Problem{{Path: "NAME", Message: fmt.Sprintf("%s %q already exists", kind, name),
		Fix: "choose another, or change the " + kind + " in " + generator.ManifestName}}
}

// trimmed drops blanks from a list of scopes.
func trimmed(scopes []string) []string {
	var out []string
	for _, sc := range scopes {
		if sc = strings.TrimSpace(sc); sc != "" {
			out = append(out, sc)
		}
	}
	return out
}

func newAddScopeCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		opts    changeOptions
		dir     string
		implies []string
	)
	cmd := &cobra.Command{
		Use:     "scope NAME[=Description] [--implies S[,S]]",
		Short:   "Declare a scope the server understands",
		Example: `  create-mcp-auth add scope todo:admin="Manage everyone's todos" --implies todo:write,todo:read`,
		Args:    exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, desc, _ := strings.Cut(args[0], "=")
			return runAdd(cmd.Context(), dir, opts, stdout, stderr, func(s *generator.Spec) []generator.Problem {
				if slices.ContainsFunc(s.Scopes, func(sc generator.Scope) bool { return sc.Name == name }) {
					return []generator.Problem{{Path: "NAME", Message: fmt.Sprintf("scope %q is already declared", name), Fix: "choose another name, or change the scope in " + generator.ManifestName}}
				}
				s.Scopes = append(s.Scopes, generator.Scope{Name: name, Description: desc, Implies: implies})
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&implies, "implies", nil, "narrower declared scopes a token with this one holds too")
	f.StringVar(&dir, "dir", ".", "the project's directory")
	opts.register(cmd, "add")
	return cmd
}

// runAdd changes the manifest of the project in dir with edit, which
// returns problems with the addition itself, checks the result, and brings
// the project in line. Any problem is bad input, and nothing is changed.
func runAdd(ctx context.Context, dir string, opts changeOptions, stdout, stderr io.Writer, edit func(*generator.Spec) []generator.Problem) error {
	m, err := readManifest(dir, true)
	if err != nil {
		return err
	}
	if problems := edit(&m.Spec); len(problems) > 0 {
		return &badInput{problems: problems, writes: true}
	}
	m.Spec.ApplyDefaults(defaultModule(dir)) // what was added may leave some unset
	if err := generator.Validate(&m.Spec); err != nil {
		return refuse(err, true)
	}
	return change(ctx, dir, m, opts, "add", stdout, stderr)
}

// exactlyOneName accepts exactly one NAME argument.
func exactlyOneName(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("%s takes one NAME, got %d arguments", cmd.CommandPath(), len(args))}
	}
	return nil
}
