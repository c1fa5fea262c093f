// Package cli is the create-mcp-auth command line. Run executes it in
// process with explicit streams, so tests drive it exactly as a user would.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // something went wrong at run time
	exitUsage   = 2 // bad input: flags, spec file, target directory
	exitSIGINT  = 130
)

// badInput is input a command refuses, every problem at once: exit status
// 2. writes says whether the command would have written files, so that the
// message can say that it wrote nothing.
type badInput struct {
	problems []generator.Problem
	writes   bool
}

func (e *badInput) Error() string {
	return (&generator.ValidationError{Problems: e.problems}).Error()
}

// refuse turns the problems in err, if it holds any, into bad input; other
// errors pass through.
func refuse(err error, writes bool) error {
	var verr *generator.ValidationError
	if errors.As(err, &verr) {
		return &badInput{problems: verr.Problems, writes: writes}
	}
	return err
}

// exitError ends a command with a given status and message, for outcomes
// that are neither success nor a failure to run: drift found by diff, an
// upgrade stopped by conflicts.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError marks an error caused by how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Run runs the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var (
		bad  *badInput
		verr *generator.ValidationError
		exit *exitError
	)
	if !errors.As(err, &bad) && errors.As(err, &verr) {
		bad = &badInput{problems: verr.Problems}
	}
	switch {
	case bad != nil:
		suffix := ""
		if bad.writes {
			suffix = "; nothing was written"
		}
		fmt.Fprintf(stderr, "create-mcp-auth: invalid input (%d problem%s)%s:\n", len(bad.problems), plural(len(bad.problems)), suffix)
		for _, p := range bad.problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		return exitUsage
	case errors.As(err, &exit):
		if exit.msg != "" {
			fmt.Fprintf(stderr, "create-mcp-auth: %s\n", exit.msg)
		}
		return exit.code
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(stderr, "create-mcp-auth: %v\n", err)
		return exitSIGINT
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "create-mcp-auth: %v\nRun 'create-mcp-auth --help' for usage.\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "create-mcp-auth: %v\n", err)
		return exitFailure
	}
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "create-mcp-auth",
		Short: "Scaffold a Go MCP server secured as an OAuth 2.1 resource server",
		Long: `create-mcp-auth generates a complete Go MCP server (streamable HTTP) that is an
OAuth 2.1 resource server: it publishes protected-resource metadata, answers 401
with the right WWW-Authenticate header, validates JWTs against the issuer's keys
and enforces per-tool scopes. Tokens come from Scalekit or any OIDC issuer.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// Flag parse errors are usage errors (exit 2), like every other bad input.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newNewCmd(stdin, stdout, stderr), newUpgradeCmd(stdout, stderr), newDiffCmd(stdout, stderr), newAddCmd(stdout, stderr),
		newDoctorCmd(stdin, stdout), newDevAuthCmd(stdout, stderr), newTokenCmd(stdout, stderr), newVersionCmd(stdout))
	return root
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit of this build",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			v, commit := buildVersion()
			if commit != "" {
				fmt.Fprintf(stdout, "create-mcp-auth %s (commit %s)\n", v, commit)
			} else {
				fmt.Fprintf(stdout, "create-mcp-auth %s\n", v)
			}
			return nil
		},
	}
}

// buildVersion reports the module version ("(devel)" for a source build) and
// the VCS commit, when the build recorded one.
func buildVersion() (version, commit string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)", ""
	}
	version = info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit != "" && dirty {
		commit += "+dirty"
	}
	return version, commit
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// noArgs is cobra.NoArgs as a usage error (exit 2), like every other bad
// input.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return usageError{err}
	}
	return nil
}
