package project

import (
	"fmt"
	"io"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// Print writes the plan, a line per file: what happens to it, and why.
// Unchanged files are counted, not listed, unless all is set.
func (p *Plan) Print(w io.Writer, all bool) {
	unchanged := 0
	for _, s := range p.Steps {
		if !all && s.Action == Keep && s.Reason == "unchanged" {
			unchanged++
			continue
		}
		fmt.Fprintf(w, "  %-9s %-44s %s\n", s.Action, s.Path, s.Reason)
	}
	if unchanged > 0 {
		fmt.Fprintf(w, "  %-9s %d file%s unchanged\n", "keep", unchanged, plural(unchanged))
	}
}

// Drift returns the steps by which the files the generator owns, and the
// requirements it needs, differ from a fresh render: what "diff" reports
// and "upgrade" would change. The manifest is not among them.
func (p *Plan) Drift() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Owner == generator.OwnedByGenerator || s.Owner == generator.Merged {
			if s.Changes() || s.Action == Conflict {
				out = append(out, s)
			}
		}
	}
	return out
}

// Diff writes a unified diff, disk against fresh render, of each drifted
// step; with yours, also of the user's files that a fresh render would
// write differently (for information: they are never changed).
func (p *Plan) Diff(w io.Writer, yours bool) {
	for _, s := range p.Drift() {
		writeDiff(w, s, s.Data)
	}
	if !yours {
		return
	}
	for _, s := range p.Steps {
		if s.Owner == generator.OwnedByUser && s.Disk != nil && s.Data != nil && string(s.Disk) != string(s.Data) {
			writeDiff(w, Step{Path: s.Path, Action: s.Action, Disk: s.Disk, Reason: "yours: a new project would have this"}, s.Data)
		}
	}
}

func writeDiff(w io.Writer, s Step, want []byte) {
	from, to := "a/"+s.Path, "b/"+s.Path
	if s.Disk == nil {
		from = "/dev/null"
	}
	if s.Action == Delete {
		to, want = "/dev/null", nil
	}
	fmt.Fprintf(w, "# %s: %s (%s)\n", s.Path, s.Action, s.Reason)
	d := udiff.Unified(from, to, string(s.Disk), string(want))
	if !strings.HasSuffix(d, "\n") && d != "" {
		d += "\n"
	}
	fmt.Fprint(w, d)
}
