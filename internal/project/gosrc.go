package project

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// declaredElsewhere reports where the package that file would join already
// declares one of the top-level names file declares, as a reason to skip
// it ("" if nowhere): a handler stub for a tool whose handler the user
// wrote in another file, or that an earlier layout kept in one file for
// all tools, must not be written beside it, or the package would not
// build.
func (d *disk) declaredElsewhere(file string, src []byte) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("parse rendered %s: %w", file, err)
	}
	wanted := topLevelNames(f)
	dir := filepath.Join(d.dir, filepath.FromSlash(path.Dir(file)))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil // no package there yet
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		other, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil || other.Name.Name != f.Name.Name {
			continue // not this package, or not Go the compiler would take
		}
		for _, name := range topLevelNames(other) {
			if slices.Contains(wanted, name) {
				return fmt.Sprintf("%s is already declared in %s", name, path.Join(path.Dir(file), e.Name())), nil
			}
		}
	}
	return "", nil
}

// topLevelNames lists the names a file declares at package level.
func topLevelNames(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				names = append(names, decl.Name.Name)
			}
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					names = append(names, spec.Name.Name)
				case *ast.ValueSpec:
					for _, n := range spec.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}
