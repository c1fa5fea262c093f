#!/usr/bin/env bash
# Every test of this repository, on a fresh machine: installs what the tests
# need and is missing (Debian's chromium for the end-to-end tests, and
# redis-server for the generated projects' shared rate limits), checks
# formatting and vet, then runs the unit, CLI and golden build-and-run tests
# (go test ./...) and the end-to-end tests with real MCP clients
# (e2e/run.sh). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# need PACKAGE...: installs Debian packages that are missing.
need() {
	local missing=()
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing ${missing[*]} (Debian packages the tests use)"
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

go version
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	need chromium
fi
# The generated projects' tests of shared rate limits start their own
# redis-server; the golden tests require it (CREATE_MCP_AUTH_REQUIRE_REDIS).
command -v redis-server >/dev/null || need redis-server

unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed:"
	echo "$unformatted"
	exit 1
fi
go vet ./...

# The golden package builds and runs every template's output: minutes, not
# the default ten-minute ceiling on a slow 2-core runner.
go test -timeout 25m ./...
e2e/run.sh
