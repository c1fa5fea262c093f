package project

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// mergeStep decides about go.mod or go.sum, which belong to the generator
// and the user both.
func mergeStep(st *Step) error {
	if st.Disk == nil {
		st.Action, st.Reason = Create, "new"
		return nil
	}
	var (
		merged  []byte
		changes []string
		err     error
	)
	switch st.Path {
	case "go.mod":
		merged, changes, err = mergeGoMod(st.Disk, st.Data)
	case "go.sum":
		merged, changes = mergeGoSum(st.Disk, st.Data)
	default:
		return fmt.Errorf("no way to merge %s", st.Path)
	}
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		st.Action, st.Reason, st.Data = Keep, "has what the templates need", st.Disk
		return nil
	}
	st.Action, st.Reason, st.Data = Merge, strings.Join(changes, "; "), merged
	return nil
}

// mergeGoMod raises the requirements of have to at least what want, the
// templates' go.mod, requires directly, and the go version to want's. It
// never lowers a version, and keeps every other line of have: the module
// path, the user's own requirements, replace and exclude directives,
// comments. A requirement the templates no longer need stays until "go mod
// tidy" drops it.
func mergeGoMod(have, want []byte) ([]byte, []string, error) {
	h, err := modfile.Parse("go.mod", have, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("go.mod: %w", err)
	}
	w, err := modfile.Parse("go.mod (templates)", want, nil)
	if err != nil {
		return nil, nil, err
	}
	var changes []string
	if w.Go != nil && (h.Go == nil || semver.Compare("v"+h.Go.Version, "v"+w.Go.Version) < 0) {
		if err := h.AddGoStmt(w.Go.Version); err != nil {
			return nil, nil, err
		}
		changes = append(changes, "go "+w.Go.Version)
	}
	current := map[string]string{}
	for _, r := range h.Require {
		current[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range w.Require {
		if r.Indirect {
			continue
		}
		path, version := r.Mod.Path, r.Mod.Version
		switch old, ok := current[path]; {
		case !ok:
			changes = append(changes, "require "+path+" "+version)
		case semver.Compare(old, version) < 0:
			changes = append(changes, path+" "+old+" => "+version)
		default:
			continue
		}
		if err := h.AddRequire(path, version); err != nil {
			return nil, nil, err
		}
	}
	if len(changes) == 0 {
		return have, nil, nil
	}
	h.Cleanup()
	out, err := h.Format()
	return out, changes, err
}

// mergeGoSum adds to have the lines of want it lacks, so that the modules
// the templates need can be verified before "go mod tidy" runs.
func mergeGoSum(have, want []byte) ([]byte, []string) {
	lines := strings.Split(strings.TrimRight(string(have), "\n"), "\n")
	added := 0
	for _, line := range strings.Split(strings.TrimRight(string(want), "\n"), "\n") {
		if line != "" && !slices.Contains(lines, line) {
			lines = append(lines, line)
			added++
		}
	}
	if added == 0 {
		return have, nil
	}
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "" })
	slices.Sort(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.Bytes(), []string{fmt.Sprintf("%d checksums added", added)}
}
