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
		Use:   "add tool|scope",
		Short: "Add a tool or a scope to a project through its manifest",
		Long: `add changes the project's .create-mcp-auth.yaml and regenerates the files
create-mcp-auth owns, as upgrade does. A new tool gets a handler stub in a
file of its own (internal/tools/NAME.go), which is yours; nothing you wrote is
touched. Run it in the project, or pass --dir.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown thing to add %q: use add tool or add scope", args[0])}
			}
			return usageError{fmt.Errorf("add what? use add tool NAME or add scope NAME")}
		},
	}
	cmd.AddCommand(newAddToolCmd(stdout, stderr), newAddScopeCmd(stdout, stderr))
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
			if !cmd.Flags().Changed("scope") {
				return &badInput{writes: true, problems: []generator.Problem{{Path: "--scope", Message: "say which scopes the tool needs",
					Fix: "pass --scope S[,S] with declared scopes, or --scope '' for a tool any valid token may call"}}}
			}
			return runAdd(cmd.Context(), dir, opts, stdout, stderr, func(s *generator.Spec) []generator.Problem {
				name := args[0]
				if slices.ContainsFunc(s.Tools, func(t generator.Tool) bool { return t.Name == name }) {
					return []generator.Problem{{Path: "NAME", Message: fmt.Sprintf("tool %q already exists", name), Fix: "choose another name, or change the tool in " + generator.ManifestName}}
				}
				t := generator.Tool{Name: name, Description: desc}
				for _, sc := range scopes {
					if sc = strings.TrimSpace(sc); sc != "" {
						t.Scopes = append(t.Scopes, sc)
					}
				}
				s.Tools = append(s.Tools, t)
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
