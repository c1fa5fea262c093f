// Package project brings a generated project on disk in line with a fresh
// render, without ever losing a user's work. Planning reads the disk and
// decides, file by file, what to do; the same Plan is printed by --dry-run,
// shown as diffs by "diff", and carried out by Apply.
//
// The rules, by owner (see generator.Owner):
//   - A file the generator owns is replaced when it differs from the fresh
//     render and is as the generator last wrote it; if the user edited it,
//     that is a conflict, which stops the run unless forced. One the
//     generator no longer renders is deleted the same way, and kept when
//     edited.
//   - A file the user owns is written once, when it does not exist and was
//     never written before (so a deleted one stays deleted), and never
//     again. A Go file is not written when its package already declares
//     one of its names (the user moved the handler elsewhere).
//   - go.mod and go.sum are merged: requirements are raised to what the
//     templates need, never lowered, and the user's own stay.
package project

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// An Action is what a plan does with one file.
type Action int

const (
	Keep     Action = iota // leave the file as it is
	Create                 // write a file that does not exist
	Update                 // replace a file
	Delete                 // remove a file the generator no longer renders
	Merge                  // write go.mod or go.sum merged with the disk's
	Skip                   // do not create a file of the user's (see Reason)
	Conflict               // an owned file the user edited: stop, unless forced
)

func (a Action) String() string {
	return [...]string{"keep", "create", "update", "delete", "merge", "skip", "conflict"}[a]
}

// A Step is the plan for one file.
type Step struct {
	Path   string
	Action Action
	Owner  generator.Owner
	Data   []byte // what to write: Create, Update, Merge, and a forced Conflict
	Disk   []byte // what is on disk now; nil if nothing
	Reason string // why, for people
}

// Changes reports whether the step writes or removes anything.
func (s Step) Changes() bool {
	return s.Action == Create || s.Action == Update || s.Action == Delete || s.Action == Merge
}

// A Plan is what bringing a project to a fresh render takes.
type Plan struct {
	Dir   string
	Steps []Step // in path order, the manifest last
}

// Conflicts returns the steps that stop the plan.
func (p *Plan) Conflicts() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Action == Conflict {
			out = append(out, s)
		}
	}
	return out
}

// Input is what a plan is made from.
type Input struct {
	Dir string
	// Files is the fresh render of the project, without the manifest.
	Files []generator.File
	// Manifest is the manifest to leave in the project, Generated unset:
	// the plan records there what it writes.
	Manifest *generator.Manifest
	// Previous is what the generator wrote into the project before, or
	// nil when it never did.
	Previous *generator.Previous
	// Version is the generator's.
	Version string
	// Force turns conflicts into updates (or, for an owned file no longer
	// rendered, keeps it) instead of stopping.
	Force bool
}

// Make plans in.Dir's way to in.Files.
func Make(in Input) (*Plan, error) {
	prev := in.Previous
	if prev == nil {
		prev = &generator.Previous{Owned: map[string]string{}}
	}
	d := &disk{dir: in.Dir}
	p := &Plan{Dir: in.Dir}
	rendered := map[string]bool{}
	var yours []string
	for _, f := range in.Files {
		rendered[f.Path] = true
		old, err := d.read(f.Path)
		if err != nil {
			return nil, err
		}
		st := Step{Path: f.Path, Owner: f.Owner, Disk: old, Data: f.Data}
		switch f.Owner {
		case generator.OwnedByGenerator:
			ownedStep(&st, prev, in.Force)
		case generator.OwnedByUser:
			if err := d.userStep(&st, prev); err != nil {
				return nil, err
			}
			if st.Action != Skip || slices.Contains(prev.Yours, f.Path) {
				yours = append(yours, f.Path)
			}
		case generator.Merged:
			if err := mergeStep(&st); err != nil {
				return nil, err
			}
		}
		p.Steps = append(p.Steps, st)
	}
	// Files the generator owned and renders no more.
	for _, path := range sortedKeys(prev.Owned) {
		if rendered[path] {
			continue
		}
		old, err := d.read(path)
		if err != nil {
			return nil, err
		}
		if old == nil {
			continue
		}
		st := Step{Path: path, Owner: generator.OwnedByGenerator, Disk: old}
		switch {
		case generator.Hash(old) == prev.Owned[path]:
			st.Action, st.Reason = Delete, "no longer generated; as create-mcp-auth wrote it"
		case in.Force:
			st.Action, st.Reason = Keep, "no longer generated, but you edited it: kept (--force)"
		default:
			st.Action, st.Reason = Conflict, "no longer generated, but you edited it"
		}
		p.Steps = append(p.Steps, st)
	}
	// Files of the user's from before that are not rendered any more (an
	// older layout, a tool removed from the manifest) are theirs: kept, and
	// still recorded as theirs.
	for _, path := range prev.Yours {
		if rendered[path] {
			continue
		}
		yours = append(yours, path)
		if old, err := d.read(path); err != nil {
			return nil, err
		} else if old != nil {
			p.Steps = append(p.Steps, Step{Path: path, Action: Keep, Owner: generator.OwnedByUser, Disk: old,
				Reason: "yours; no longer generated (remove it if nothing uses it)"})
		}
	}
	slices.SortFunc(p.Steps, func(a, b Step) int { return strings.Compare(a.Path, b.Path) })
	return p, p.addManifest(d, in, yours)
}

// ownedStep decides about a file the generator owns.
func ownedStep(st *Step, prev *generator.Previous, force bool) {
	recorded, wasOwned := prev.Owned[st.Path]
	switch {
	case st.Disk == nil:
		st.Action, st.Reason = Create, "new"
		if wasOwned {
			st.Reason = "was deleted; the build needs it"
		}
	case bytes.Equal(st.Disk, st.Data):
		st.Action, st.Reason = Keep, "unchanged"
	case wasOwned && generator.Hash(st.Disk) == recorded:
		st.Action, st.Reason = Update, "as create-mcp-auth wrote it"
	case force:
		st.Action, st.Reason = Update, "replaced (--force)"
		if wasOwned {
			st.Reason = "you edited it; replaced (--force)"
		}
	case wasOwned:
		st.Action, st.Reason = Conflict, "you edited it"
	default:
		st.Action, st.Reason = Conflict, "a file create-mcp-auth did not write is in the way"
	}
}

// userStep decides about a file the user owns.
func (d *disk) userStep(st *Step, prev *generator.Previous) error {
	switch {
	case st.Disk != nil:
		st.Action, st.Reason = Keep, "yours"
		return nil
	case slices.Contains(prev.Yours, st.Path):
		st.Action, st.Reason = Skip, "yours, and you deleted it"
		return nil
	}
	if filepath.Ext(st.Path) == ".go" {
		where, err := d.declaredElsewhere(st.Path, st.Data)
		if err != nil {
			return err
		}
		if where != "" {
			st.Action, st.Reason = Skip, where
			return nil
		}
	}
	st.Action, st.Reason = Create, "new, and yours from now on"
	return nil
}

// addManifest adds the step that writes the manifest, recording what the
// project holds once the plan is carried out: the hash of every file the
// generator owns then (a conflict keeps its old record, so that the edit is
// found again next time), and the user's files.
func (p *Plan) addManifest(d *disk, in Input, yours []string) error {
	m := *in.Manifest
	m.Generated = generator.NewRecord(in.Version, nil, yours)
	for _, st := range p.Steps {
		if st.Owner != generator.OwnedByGenerator {
			continue
		}
		switch {
		case st.Action == Conflict && in.Previous != nil && in.Previous.Owned[st.Path] != "":
			m.Generated.Files[st.Path] = in.Previous.Owned[st.Path]
		case st.Data != nil && (st.Action == Create || st.Action == Update || st.Action == Keep):
			m.Generated.Files[st.Path] = generator.Hash(st.Data)
		}
	}
	data := m.Marshal()
	old, err := d.read(generator.ManifestName)
	if err != nil {
		return err
	}
	st := Step{Path: generator.ManifestName, Owner: generator.ManifestFile, Disk: old, Data: data}
	switch {
	case old == nil:
		st.Action, st.Reason = Create, "new"
	case bytes.Equal(old, data):
		st.Action, st.Reason = Keep, "unchanged"
	case in.Manifest.From != 0 && in.Manifest.From != generator.SpecVersion:
		st.Action, st.Reason = Update, fmt.Sprintf("migrated from manifest version %d to %d", in.Manifest.From, generator.SpecVersion)
	default:
		st.Action, st.Reason = Update, "spec and record of what create-mcp-auth wrote"
	}
	p.Steps = append(p.Steps, st)
	return nil
}

// disk reads the project's files.
type disk struct{ dir string }

// read returns the file at path, or nil if there is none.
func (d *disk) read(path string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(d.dir, filepath.FromSlash(path)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case data == nil:
		return []byte{}, nil // empty, but there
	}
	return data, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
