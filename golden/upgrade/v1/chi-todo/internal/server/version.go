package server

import "runtime/debug"

// version is the module version the binary was built from, "(devel)" for
// a local build.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
