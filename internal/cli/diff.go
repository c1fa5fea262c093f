package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

func newDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	var yours bool
	cmd := &cobra.Command{
		Use:   "diff [DIR]",
		Short: "Show how the files create-mcp-auth owns differ from a fresh render; exit 1 on drift",
		Long: `diff renders, in memory, the files create-mcp-auth owns in the project in DIR
(default: the current directory) from its .create-mcp-auth.yaml, and prints a
unified diff against the disk (a/ is the disk, b/ the fresh render), as well
as the go.mod requirements the templates need. It changes nothing.

Exit status: 0 when nothing drifted, 1 when something did (an owned file was
edited, the manifest changed, or this create-mcp-auth writes something
newer: "create-mcp-auth upgrade" brings it in line), 2 on bad input. Use it
as a CI gate.

With --yours, the files that are yours are compared too, for information
only: what a new project would have there. They never count as drift.`,
		Example: `  create-mcp-auth diff
  create-mcp-auth diff services/todo || echo "run create-mcp-auth upgrade"`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := dirArg(args)
			m, err := readManifest(dir, false)
			if err != nil {
				return err
			}
			prev, err := generator.PreviousOf(m)
			if err != nil {
				return err
			}
			plan, err := planProject(dir, m, prev, false)
			if err != nil {
				return refuse(err, false)
			}
			plan.Diff(stdout, yours)
			if drift := plan.Drift(); len(drift) > 0 {
				return &exitError{code: exitFailure, msg: fmt.Sprintf("%d file%s differ%s from a fresh render; \"create-mcp-auth upgrade\" brings them in line",
					len(drift), plural(len(drift)), map[bool]string{true: "s", false: ""}[len(drift) == 1])}
			}
			fmt.Fprintf(stderr, "create-mcp-auth: %s matches a fresh render\n", dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yours, "yours", false, "also show how your files differ from what a new project would have (information only)")
	return cmd
}
