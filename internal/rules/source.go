package rules

import "embed"

// Sources are this package's files but this one and its tests, by name,
// which the generator writes into every project's internal/rules.
//
//go:embed rules.go providers.go downstream.go
var Sources embed.FS
