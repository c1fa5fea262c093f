package rules

import _ "embed" // for Source

// Source is rules.go itself, which the generator writes into every project
// as internal/rules/rules.go.
//
//go:embed rules.go
var Source []byte
