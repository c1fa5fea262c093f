package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/project"
)

// changeOptions are the flags of the commands that change a project.
type changeOptions struct {
	dryRun, force, skipTidy bool
}

func (o *changeOptions) register(cmd *cobra.Command, what string) {
	f := cmd.Flags()
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be done to each file (create, update, keep, conflict, ...); change nothing")
	f.BoolVar(&o.force, "force", false, "replace files create-mcp-auth owns even if you edited them ("+what+" stops otherwise)")
	f.BoolVar(&o.skipTidy, "skip-tidy", false, "do not run 'go mod tidy' afterwards")
}

func newUpgradeCmd(stdout, stderr io.Writer) *cobra.Command {
	var opts changeOptions
	cmd := &cobra.Command{
		Use:   "upgrade [DIR]",
		Short: "Bring a project to this version of create-mcp-auth, never touching your files",
		Long: `upgrade regenerates the files create-mcp-auth owns in the project in DIR
(default: the current directory) from its .create-mcp-auth.yaml, with this
version of create-mcp-auth. Use it to take in fixes to the auth core, and
after editing the manifest (tools, scopes, provider, URL).

Files that are yours (tool handlers, internal/extend, README, Makefile,
Dockerfile, .env*) are never changed. go.mod requirements are raised to what
the templates need; yours stay. A file create-mcp-auth owns that you edited
is a conflict: upgrade stops, lists it with your changes, and changes
nothing, unless --force. The manifest of an older version is migrated.`,
		Example: `  create-mcp-auth upgrade --dry-run
  create-mcp-auth upgrade
  create-mcp-auth upgrade services/todo --skip-tidy`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUpgrade(cmd.Context(), dirArg(args), opts, stdout, stderr)
		},
	}
	opts.register(cmd, "upgrade")
	return cmd
}

func runUpgrade(ctx context.Context, dir string, opts changeOptions, stdout, stderr io.Writer) error {
	m, err := readManifest(dir, true)
	if err != nil {
		return err
	}
	return change(ctx, dir, m, opts, "upgrade", stdout, stderr)
}

// change brings the project in dir to a fresh render of m: plan, print,
// stop on conflicts, apply, tidy. upgrade and add both end here.
func change(ctx context.Context, dir string, m *generator.Manifest, opts changeOptions, command string, stdout, stderr io.Writer) error {
	prev, err := generator.PreviousOf(m)
	if err != nil {
		return err
	}
	from := m.FromGenerator
	if m.Generated != nil {
		from = m.Generated.By
	}
	plan, err := planProject(dir, m, prev, opts.force)
	if err != nil {
		return refuse(err, true)
	}
	fmt.Fprintf(stdout, "%s: %s template, made by create-mcp-auth %s (manifest version %d); this is %s.\n",
		dir, m.Template, orUnknown(from), m.From, version())
	plan.Print(stdout, false)
	if opts.dryRun {
		fmt.Fprintln(stdout, "Dry run: nothing was changed.")
		return nil
	}
	if len(plan.Conflicts()) > 0 {
		return conflictError(stderr, plan, command)
	}
	if err := project.Apply(plan); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Done: %s.\n", counts(plan))
	if !opts.skipTidy {
		if err := goModTidy(ctx, dir, stdout); err != nil {
			return fmt.Errorf("the project is upgraded, but go mod tidy failed: %w\nfix the problem and run 'go mod tidy' there yourself", err)
		}
	}
	fmt.Fprintf(stdout, "\nNext: cd %s && go build ./... && go test ./...\n", shellQuote(dir))
	return nil
}

func orUnknown(v string) string {
	if v == "" {
		return "(unknown)"
	}
	return v
}

// dirArg is the optional DIR argument, the current directory by default.
func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// maxOneDir accepts at most one DIR argument.
func maxOneDir(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageError{fmt.Errorf("%s takes one DIR, got %d arguments", cmd.Name(), len(args))}
	}
	return nil
}
