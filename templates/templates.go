// Package templates embeds the project templates. shared/ holds every file
// that is the same whatever the framework; stdlib/, chi/ and mcp-go/ hold
// only what differs, and win over shared/ where both have a path. Each file
// is named after its output path plus ".tmpl".
package templates

import "embed"

// FS holds the templates. "all:" keeps dotfiles such as .gitignore.
//
//go:embed all:shared all:stdlib
var FS embed.FS
