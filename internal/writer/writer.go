// Package writer puts a rendered project on disk without ever losing a
// user's file: a new project is written into a temporary directory beside
// its target and renamed into place, so a failure leaves nothing behind; with
// force, files are written one by one into an existing directory, each
// replaced atomically, and no file is ever deleted.
package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// Result says what a write did.
type Result struct {
	Overwritten []string // existing files replaced (only with force)
}

// CheckTarget reports why dir cannot receive a project, as an input problem
// for the user, or nil if it can.
func CheckTarget(dir string, force bool) *generator.Problem {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &generator.Problem{Field: "DIR", Message: err.Error(), Fix: "choose another directory"}
	case !info.IsDir():
		return &generator.Problem{Field: "DIR", Message: fmt.Sprintf("%s is a file, not a directory", dir), Fix: "choose a directory path"}
	}
	if force {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &generator.Problem{Field: "DIR", Message: err.Error(), Fix: "choose another directory"}
	}
	if len(entries) > 0 {
		return &generator.Problem{Field: "DIR", Message: fmt.Sprintf("directory %s exists and is not empty", dir), Fix: "choose a new directory, or pass --force to write into it (existing files with the same names are overwritten, nothing is deleted)"}
	}
	return nil
}

// Write puts files under dir. A missing or empty dir is filled atomically;
// a non-empty one only with force, and then every conflict (a directory
// where a file should go) is found before anything is written.
func Write(dir string, files []generator.File, force bool) (Result, error) {
	if p := CheckTarget(dir, force); p != nil {
		return Result{}, &generator.ValidationError{Problems: []generator.Problem{*p}}
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return Result{}, writeFresh(dir, files)
	}
	if err != nil {
		return Result{}, err
	}
	return writeInto(dir, files)
}

// writeFresh writes into a temporary sibling of dir and renames it into place.
func writeFresh(dir string, files []generator.File) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	created, err := mkdirAllTracked(parent)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && created != "" {
			os.RemoveAll(created)
		}
	}()
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		if err := writeFile(filepath.Join(tmp, filepath.FromSlash(f.Path)), f.Data); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// An existing empty directory cannot be renamed over everywhere.
		if rmErr := os.Remove(dir); rmErr != nil {
			return err
		}
		return os.Rename(tmp, dir)
	}
	return nil
}

// writeInto writes files into an existing, non-empty dir.
func writeInto(dir string, files []generator.File) (Result, error) {
	var res Result
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		info, err := os.Lstat(target)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return Result{}, err
		case !info.Mode().IsRegular():
			return Result{}, &generator.ValidationError{Problems: []generator.Problem{{
				Field: "DIR", Message: fmt.Sprintf("%s exists and is not a regular file", target), Fix: "move it away; nothing was written",
			}}}
		default:
			res.Overwritten = append(res.Overwritten, f.Path)
		}
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data); err != nil {
			return res, err
		}
	}
	return res, nil
}

// writeFile replaces name atomically: write a temporary file beside it, then
// rename it over the old one.
func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// mkdirAllTracked creates dir and its missing parents, returning the topmost
// directory it created ("" if dir existed) so a failure can undo it.
func mkdirAllTracked(dir string) (string, error) {
	top := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		top = d
		if filepath.Dir(d) == d {
			break
		}
	}
	if top == "" {
		return "", nil
	}
	return top, os.MkdirAll(dir, 0o755)
}
