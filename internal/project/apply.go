package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/writer"
)

// ConflictError stops a plan that would overwrite the user's edits.
type ConflictError struct {
	Steps []Step
}

func (e *ConflictError) Error() string {
	paths := make([]string, len(e.Steps))
	for i, s := range e.Steps {
		paths[i] = s.Path
	}
	return fmt.Sprintf("%d file%s create-mcp-auth owns %s been edited: %s", len(paths), plural(len(paths)), hasHave(len(paths)), strings.Join(paths, ", "))
}

// Apply carries out p. A plan with conflicts is not applied at all. An
// empty or missing directory gets every file at once (writer.WriteNew);
// otherwise every new content is first written beside its file, then all
// are renamed into place and obsolete files removed, the manifest last, so
// that a failure while writing changes nothing.
func Apply(p *Plan) error {
	if c := p.Conflicts(); len(c) > 0 {
		return &ConflictError{Steps: c}
	}
	if empty, err := isEmptyDir(p.Dir); err != nil {
		return err
	} else if empty {
		var files []writer.File
		for _, s := range p.Steps {
			if s.Changes() {
				files = append(files, writer.File{Path: s.Path, Data: s.Data})
			}
		}
		return writer.WriteNew(p.Dir, files)
	}

	type staged struct{ tmp, target string }
	var done []staged
	defer func() {
		for _, s := range done {
			os.Remove(s.tmp) // no-op once renamed
		}
	}()
	for _, s := range p.Steps {
		if s.Action != Create && s.Action != Update && s.Action != Merge {
			continue
		}
		target := filepath.Join(p.Dir, filepath.FromSlash(s.Path))
		tmp, err := writer.Stage(target, s.Data)
		if err != nil {
			return fmt.Errorf("writing %s: %w (nothing was changed)", s.Path, err)
		}
		done = append(done, staged{tmp, target})
	}
	manifest := filepath.Join(p.Dir, generator.ManifestName)
	for _, s := range done {
		if s.target == manifest {
			continue // last: it records what the others hold
		}
		if err := os.Rename(s.tmp, s.target); err != nil {
			return err
		}
	}
	for _, s := range p.Steps {
		if s.Action == Delete {
			if err := os.Remove(filepath.Join(p.Dir, filepath.FromSlash(s.Path))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	for _, s := range done {
		if s.target == manifest {
			return os.Rename(s.tmp, s.target)
		}
	}
	return nil
}

// isEmptyDir reports whether dir is missing or empty.
func isEmptyDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	return len(entries) == 0, err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
