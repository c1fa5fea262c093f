// Package templates embeds the project templates, in layers: shared/ holds
// every file that is the same whatever the framework; go-sdk/ what the
// templates built on the official MCP Go SDK share; stdlib/, chi/ and
// mcp-go/ only what their framework needs. A later layer wins where two have
// a path. Each file is named after its output path plus ".tmpl"; a file
// named _tool_.go.tmpl is rendered once per tool.
//
// partials/ holds templates that others include by name, such as the
// README's setup section of each provider; every template can use them.
//
// legacy/v1/ is a frozen copy of the templates of manifest version 1, the
// layout before files had owners, without those of the user's files. It is
// never edited: upgrade renders it to tell which files of an old project the
// user changed.
package templates

import "embed"

// FS holds the templates. "all:" keeps dotfiles such as .gitignore.
//
//go:embed all:shared all:go-sdk all:stdlib all:chi all:mcp-go all:legacy partials all:login
var FS embed.FS

// A Layer is a template: its name and the directories of FS it is rendered
// from, in order.
type Layer struct {
	Name, Description string
	Dirs              []string
}

// Layers lists the templates in the order they are offered.
var Layers = []Layer{
	{"stdlib", "net/http and the official MCP Go SDK: fewest dependencies", []string{"shared", "go-sdk", "stdlib"}},
	{"chi", "go-chi/chi router and the official MCP Go SDK: for services that grow more routes", []string{"shared", "go-sdk", "chi"}},
	{"mcp-go", "net/http and mark3labs/mcp-go, its server and streamable HTTP transport", []string{"shared", "mcp-go"}},
}

// LegacyV1 are the layers of manifest version 1, by template name.
var LegacyV1 = map[string][]string{
	"stdlib": {"legacy/v1/shared", "legacy/v1/go-sdk"},
	"chi":    {"legacy/v1/shared", "legacy/v1/go-sdk", "legacy/v1/chi"},
	"mcp-go": {"legacy/v1/shared", "legacy/v1/mcp-go"},
}
