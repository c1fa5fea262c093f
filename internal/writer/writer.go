// Package writer puts files on disk without ever leaving half of them: a
// new project is written into a temporary directory beside its target and
// renamed into place, so a failure leaves nothing behind; a file of an
// existing project is staged beside itself and renamed over it.
package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is one file to write.
type File struct {
	Path string // slash-separated, relative to the directory
	Data []byte
}

// TargetError says why a directory cannot receive a new project.
type TargetError struct {
	Dir    string
	Reason string
	Fix    string
}

func (e *TargetError) Error() string { return e.Reason }

// CheckTarget reports why dir cannot receive a new project, or nil if it
// can: it is missing or empty, or force allows writing into it.
func CheckTarget(dir string, force bool) *TargetError {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &TargetError{dir, err.Error(), "choose another directory"}
	case !info.IsDir():
		return &TargetError{dir, fmt.Sprintf("%s is a file, not a directory", dir), "choose a directory path"}
	}
	if force {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &TargetError{dir, err.Error(), "choose another directory"}
	}
	if len(entries) > 0 {
		return &TargetError{dir, fmt.Sprintf("directory %s exists and is not empty", dir),
			"choose a new directory, or pass --force to write into it (files that are yours are kept, nothing is deleted)"}
	}
	return nil
}

// WriteNew writes files into dir, which must be missing or empty, all at
// once: into a temporary sibling of dir, renamed into place.
func WriteNew(dir string, files []File) (err error) {
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
		if err := WriteFile(filepath.Join(tmp, filepath.FromSlash(f.Path)), f.Data); err != nil {
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

// WriteFile replaces name atomically.
func WriteFile(name string, data []byte) error {
	tmp, err := Stage(name, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Stage writes data to a new temporary file beside name, creating its
// directory if need be, and returns the temporary file's name, to be
// renamed over name (or removed).
func Stage(name string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return "", err
	}
	if info, err := os.Lstat(name); err == nil && !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s exists and is not a regular file; move it away", name)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
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
