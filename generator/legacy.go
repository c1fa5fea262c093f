package generator

import (
	"fmt"

	"github.com/create-mcp-auth/create-mcp-auth/templates"
)

// v1UserFiles are the files a version 1 project holds for its user: they
// were written once and are the user's now, as the same files are in
// version 2. internal/tools/tools.go held every tool's handler.
var v1UserFiles = []string{
	".dockerignore", ".env.example", ".gitignore", "Dockerfile", "Makefile", "README.md",
	"internal/tools/tools.go",
}

// Previous is what an earlier run of the generator wrote into a project,
// as far as can be known: the files it owned and their content (or hash),
// and the files it wrote for the user.
type Previous struct {
	// Owned maps each file the generator owned to its hash (see Hash).
	Owned map[string]string
	// Yours lists the files it wrote for the user.
	Yours []string
}

// PreviousOf returns what the generator wrote into the project m describes.
// A version 2 manifest records it; for version 1, which recorded nothing,
// the frozen version 1 templates are rendered with the manifest's spec and
// the version its header names, giving exactly what that generator wrote.
func PreviousOf(m *Manifest) (*Previous, error) {
	if m.Generated != nil {
		return &Previous{Owned: m.Generated.Files, Yours: m.Generated.Yours}, nil
	}
	if m.From != 1 {
		return &Previous{Owned: map[string]string{}}, nil
	}
	dirs, ok := templates.LegacyV1[m.Template]
	if !ok {
		return nil, fmt.Errorf("no version 1 template %q", m.Template)
	}
	version := m.FromGenerator
	if version == "" {
		version = "(devel)"
	}
	files, err := renderTree(templates.FS, dirs, newData(&m.Spec, version))
	if err != nil {
		return nil, fmt.Errorf("rendering the version 1 templates: %w", err)
	}
	prev := &Previous{Owned: map[string]string{}, Yours: v1UserFiles}
	for _, f := range files {
		prev.Owned[f.Path] = Hash(f.Data)
	}
	return prev, nil
}
