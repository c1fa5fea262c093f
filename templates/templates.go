// Package templates embeds the project templates, in layers: shared/ holds
// every file that is the same whatever the framework; go-sdk/ what the
// templates built on the official MCP Go SDK share; stdlib/, chi/ and
// mcp-go/ only what their framework needs. A later layer wins where two have
// a path. Each file is named after its output path plus ".tmpl".
package templates

import "embed"

// FS holds the templates. "all:" keeps dotfiles such as .gitignore.
//
//go:embed all:shared all:go-sdk all:stdlib all:chi all:mcp-go
var FS embed.FS

// Layers lists, for each template in the order they are offered, the
// directories of FS it is rendered from.
var Layers = []struct {
	Name, Description string
	Dirs              []string
}{
	{"stdlib", "net/http and the official MCP Go SDK: fewest dependencies", []string{"shared", "go-sdk", "stdlib"}},
	{"chi", "go-chi/chi router and the official MCP Go SDK: for services that grow more routes", []string{"shared", "go-sdk", "chi"}},
	{"mcp-go", "net/http and mark3labs/mcp-go, its server and streamable HTTP transport", []string{"shared", "mcp-go"}},
}
