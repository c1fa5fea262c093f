package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/project"
)

// Every command that writes a project goes one way: a spec (from flags, a
// spec file or the manifest) → validate once → render → plan → print the
// plan (--dry-run stops here) → apply → go mod tidy. The functions here are
// the steps after the spec.

// planProject renders m's spec and plans dir's way to it. prev is what the
// generator wrote into dir before, nil if nothing.
func planProject(dir string, m *generator.Manifest, prev *generator.Previous, force bool) (*project.Plan, error) {
	files, err := generator.RenderProject(&m.Spec, version())
	if err != nil {
		return nil, err
	}
	return project.Make(project.Input{Dir: dir, Files: files, Manifest: m, Previous: prev, Version: version(), Force: force})
}

// readManifest reads the manifest of the project in dir. A missing or
// invalid manifest is bad input; writes says whether the command would have
// written files.
func readManifest(dir string, writes bool) (*generator.Manifest, error) {
	path := filepath.Join(dir, generator.ManifestName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &badInput{writes: writes, problems: []generator.Problem{{File: path, Message: "no such file: " + dir + " is not a project made by create-mcp-auth",
			Fix: "run this in a generated project, or pass its directory"}}}
	}
	if err != nil {
		return nil, err
	}
	m, err := generator.ParseManifest(path, data)
	if err != nil {
		return nil, refuse(err, writes)
	}
	if err := generator.Validate(&m.Spec); err != nil {
		var verr *generator.ValidationError
		if errors.As(err, &verr) {
			for i := range verr.Problems {
				verr.Problems[i].File = path
			}
		}
		return nil, refuse(err, writes)
	}
	return m, nil
}

// conflictError stops a command whose plan would overwrite the user's
// edits. It prints each conflict's diff first.
func conflictError(w io.Writer, p *project.Plan, command string) error {
	conflicts := p.Conflicts()
	fmt.Fprintf(w, "\n%d file%s create-mcp-auth owns %s been edited since it wrote them:\n\n", len(conflicts), plural(len(conflicts)), hasHave(len(conflicts)))
	for _, c := range conflicts {
		fmt.Fprintf(w, "  %s  (%s)\n", c.Path, c.Reason)
	}
	fmt.Fprintln(w, "\nYour changes (a/ is your file, b/ what create-mcp-auth would write):")
	(&project.Plan{Steps: conflicts}).Diff(w, false)
	return &exitError{code: exitFailure, msg: fmt.Sprintf(`%s stopped: nothing was changed. Move your changes to a file that is yours
(tool handlers in internal/tools, routes and middleware in internal/extend), or
run "create-mcp-auth %s --force" to replace them with what create-mcp-auth writes.`, command, command)}
}

// goModTidy runs "go mod tidy" in dir.
func goModTidy(ctx context.Context, dir string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "Running go mod tidy in %s (downloads modules on first use)...\n", dir)
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// counts summarises what a plan did, e.g. "3 created, 12 updated".
func counts(p *project.Plan) string {
	n := map[project.Action]int{}
	for _, s := range p.Steps {
		n[s.Action]++
	}
	var parts []string
	for _, a := range []project.Action{project.Create, project.Update, project.Merge, project.Delete, project.Skip} {
		if n[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[a], pastTense(a)))
		}
	}
	if len(parts) == 0 {
		return "nothing to change"
	}
	return strings.Join(parts, ", ")
}

func pastTense(a project.Action) string {
	switch a {
	case project.Create:
		return "created"
	case project.Update:
		return "updated"
	case project.Merge:
		return "merged"
	case project.Delete:
		return "deleted"
	}
	return "skipped"
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
