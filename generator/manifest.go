package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// SpecVersion is the schema version of spec files and manifests this
// generator writes. Version 1 (before files were recorded) is read too.
const SpecVersion = 2

// ManifestName is the file, at the root of a generated project, that records
// the spec the project is generated from and what the generator wrote.
const ManifestName = ".create-mcp-auth.yaml"

// A Manifest is a project's .create-mcp-auth.yaml: the spec, which is the
// source of truth for tools, scopes, provider and URL, and the record of
// what the generator wrote. The same schema, without the record, is a spec
// file for --config.
type Manifest struct {
	Spec      `yaml:",inline"`
	Generated *Record `yaml:"generated,omitempty"`

	// From is the schema version the manifest was read in: SpecVersion,
	// or an older one it was migrated from. It is not written.
	From int `yaml:"-"`
	// FromGenerator is the generator version an old (version 1) manifest
	// names in its header comment; version 2 keeps it in Generated.By.
	FromGenerator string `yaml:"-"`
}

// A Record says what the generator wrote into a project, so that a later
// run can tell a file the user edited from one the generator may replace.
type Record struct {
	// By is the version of the generator that last wrote the project.
	By string `yaml:"by"`
	// Files maps each generator-owned file to the SHA-256 of what the
	// generator wrote into it (hex, first 128 bits).
	Files map[string]string `yaml:"files"`
	// Yours lists the files written once for the user, who owns them now:
	// the generator never writes them again, nor brings back one that was
	// deleted.
	Yours []string `yaml:"yours,omitempty"`
}

// v1Header is the first line of a version 1 manifest, naming its generator.
var v1Header = regexp.MustCompile(`(?m)^# The spec this project was generated from by create-mcp-auth (.+)\.$`)

// ParseManifest reads a manifest or spec file and migrates it to the
// current schema. Unknown fields are errors, so a typo in a checked-in spec
// cannot silently fall back to a default.
func ParseManifest(name string, data []byte) (*Manifest, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fileProblem(name, "", "the spec file is empty", "start from a generated project's "+ManifestName)
		}
		return nil, fileProblem(name, "", strings.TrimPrefix(err.Error(), "yaml: "), "correct the YAML")
	}
	m.From = m.Version
	switch m.Version {
	case SpecVersion:
	case 1:
		// Version 2 adds the record of what was written; the spec is
		// unchanged.
		if m.Generated != nil {
			return nil, fileProblem(name, "generated", "a version 1 spec has no generated section", "remove it, or set version: 2")
		}
		if match := v1Header.FindSubmatch(data); match != nil {
			m.FromGenerator = string(match[1])
		}
		m.Version = SpecVersion
	default:
		return nil, fileProblem(name, "version", fmt.Sprintf("unsupported spec version %d", m.Version),
			fmt.Sprintf("set version: %d (this create-mcp-auth reads versions 1 and %d)", SpecVersion, SpecVersion))
	}
	// A downstream service added to the manifest by hand, as the
	// generated README shows, gets the variable and header names new would
	// have given it.
	m.Spec.applyDownstreamDefaults()
	return &m, nil
}

// ParseSpec reads a spec file: a manifest whose record, if any, is ignored.
func ParseSpec(name string, data []byte) (*Spec, error) {
	m, err := ParseManifest(name, data)
	if err != nil {
		return nil, err
	}
	return &m.Spec, nil
}

// Marshal renders the manifest as stored in the project.
func (m *Manifest) Marshal() []byte {
	var buf bytes.Buffer
	buf.WriteString(`# create-mcp-auth manifest: the spec this project is generated from.
# Edit the spec (or use "create-mcp-auth add"), then run "create-mcp-auth
# upgrade" to regenerate the files create-mcp-auth owns; "create-mcp-auth
# diff" shows what would change. The generated: section is create-mcp-auth's
# record of what it wrote; leave it as it is.
`)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		// A manifest holds only strings, ints, bools and slices and maps
		// of them.
		panic("encoding manifest: " + err.Error())
	}
	return buf.Bytes()
}

// fileProblem is a problem with a spec or manifest file.
func fileProblem(file, path, msg, fix string) error {
	return &ValidationError{Problems: []Problem{{File: file, Path: path, Message: msg, Fix: fix}}}
}
