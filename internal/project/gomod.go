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
	reqs := make([]*modfile.Require, 0, len(h.Require))
	index := map[string]*modfile.Require{}
	for _, r := range h.Require {
		r := &modfile.Require{Mod: r.Mod, Indirect: r.Indirect}
		reqs = append(reqs, r)
		index[r.Mod.Path] = r
	}
	for _, r := range w.Require {
		if r.Indirect {
			continue
		}
		path, version := r.Mod.Path, r.Mod.Version
		switch old, ok := index[path]; {
		case !ok:
			changes = append(changes, "require "+path+" "+version)
			reqs = append(reqs, &modfile.Require{Mod: r.Mod})
		case semver.Compare(old.Mod.Version, version) < 0:
			changes = append(changes, path+" "+old.Mod.Version+" => "+version)
			old.Mod.Version, old.Indirect = version, false
		case old.Indirect:
			old.Indirect = false // the generated code imports it now
		}
	}
	if len(changes) == 0 {
		return have, nil, nil
	}
	// Direct requirements in one block, indirect in another, as go mod
	// tidy keeps them.
	h.SetRequireSeparateIndirect(reqs)
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
