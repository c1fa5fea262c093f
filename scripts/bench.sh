#!/usr/bin/env bash
# Load benchmark of the generated servers, side by side on loopback.
#
#   scripts/bench.sh                 # REPS=5 DURATION=5 CONNS=32 THREADS=2 BASE=a804a7b
#
# RAW_DIR=dir keeps each run's numbers (name req/s cpu_us p50 p99 rss).
# SERVER_ENV='LOG_LEVEL=warn' adds variables to the generated servers'
# environment (that one turns off their access log, to tell its cost from
# the auth layer's); SKIP_LARGE=1 skips the large-request tables.
#
# It generates golden/stdlib-greeting.yaml's greeting server once per
# template, with a small real greet_user tool put over the stub
# (scripts/testdata/bench), and builds:
#
#   base            the stdlib server as the generator at $BASE made it (the "before")
#   stdlib chi      the generated go-sdk servers
#   mcp-go          the generated mcp-go server
#   go-sdk-noauth   the same go-sdk MCP server and stateless handler, no auth
#   mcp-go-noauth   the same mcp-go MCP server and stateless transport, no auth
#   bare            net/http + encoding/json answering the call, no MCP library
#
# The no-auth and bare servers are written only into this script's temporary
# copies. dev-auth (--auto-approve) issues the bearer token, the way a user
# tries a project. wrk (Debian's, installed when missing) posts tools/call
# greet_user over CONNS connections; each repetition runs every server in
# turn, fresh, after a one-second warm-up. Reported per server, the median
# over the repetitions of: requests/s, server CPU per request (utime+stime
# from /proc/PID/stat over the run), p50 and p99 latency, peak RSS (VmHWM),
# and the auth overhead: CPU per request of a generated server against the
# no-auth build of its library, from those runs and, steadier on a shared
# machine, from paired runs (the server and its no-auth build at once, each
# with its own wrk, so that both see the same other load). A second table
# sends LARGE_BYTES-long requests (near the 1 MiB body limit) to show peak
# RSS under such a burst, with no memory limit and, where this script can
# make one (root, cgroup v1 or v2), in a memory cgroup of MEM_LIMIT_MIB, from
# which the generated main derives GOMEMLIMIT as it would in a container.
#
# The servers run with their own defaults, except that the no-auth and bare
# ones get the generated main's GOGC (they have no main of their own to set
# it), so that the overhead measured is the auth layer's alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
reps=${REPS:-5}
duration=${DURATION:-5}
conns=${CONNS:-32}
threads=${THREADS:-2}
base=${BASE:-a804a7b}
large_bytes=${LARGE_BYTES:-1000000}
large_duration=${LARGE_DURATION:-5}
mem_limit_mib=${MEM_LIMIT_MIB:-256}
read -r -a server_env <<<"${SERVER_ENV:-}"
bench=$root/scripts/testdata/bench

if ! command -v wrk >/dev/null; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing wrk (Debian package) for the load benchmark" >&2
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >&2
fi

work=$(mktemp -d)
pids=()
cgroup=
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

# wait_up URL PID: waits until URL answers, or fails when PID died.
wait_up() {
	for _ in $(seq 200); do
		curl -sf -o /dev/null "$1" && return
		kill -0 "$2" 2>/dev/null || { echo "bench: server for $1 exited" >&2; return 1; }
		sleep 0.05
	done
	echo "bench: $1 not up" >&2
	return 1
}

log "building create-mcp-auth at HEAD and at $base"
mkdir -p "$work/bin" "$work/base-src"
go build -o "$work/bin/cli" ./cmd/create-mcp-auth
git archive "$base" | tar -x -C "$work/base-src"
(cd "$work/base-src" && go build -o "$work/bin/cli-base" ./cmd/create-mcp-auth)

# generate NAME CLI TEMPLATE: the greeting server for TEMPLATE in $work/NAME,
# with the benchmark's greet_user.
generate() {
	local name=$1 cli=$2 tmpl=$3 lib=go-sdk
	[ "$tmpl" = mcp-go ] && lib=mcp-go
	sed "s/^template: .*/template: $tmpl/" golden/stdlib-greeting.yaml >"$work/$name.yaml"
	"$cli" new "$work/$name" --config "$work/$name.yaml" --yes --skip-tidy >/dev/null
	cp "$bench/$lib/greet_user.go" "$work/$name/internal/tools/greet_user.go"
	(cd "$work/$name" && go build -o "$work/bin/$name" .)
}
log "generating and building the servers"
generate base "$work/bin/cli-base" stdlib
generate stdlib "$work/bin/cli" stdlib
generate chi "$work/bin/cli" chi
generate mcp-go "$work/bin/cli" mcp-go
for lib in go-sdk mcp-go; do
	dir=$work/stdlib
	[ "$lib" = mcp-go ] && dir=$work/mcp-go
	mkdir -p "$dir/cmd/noauth"
	cp "$bench/$lib/noauth.go" "$dir/cmd/noauth/main.go"
	(cd "$dir" && go build -o "$work/bin/$lib-noauth" ./cmd/noauth)
done
mkdir -p "$work/bare"
cp "$bench/bare/main.go" "$work/bare/"
(cd "$work/bare" && go mod init bare >/dev/null 2>&1 && go build -o "$work/bin/bare" .)

# The GOGC the generated main sets when none is given.
gogc=$(sed -n 's/^\s*defaultGOGC\s*=\s*\([0-9]*\).*/\1/p' "$work/stdlib/main.go")
gogc=${gogc:-100}

auth_port=39590
port=39591
DEV_AUTH_CLIENT_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DEV_AUTH_CLIENT_SECRET
(cd "$work/stdlib" && exec "$work/bin/cli" dev-auth --auto-approve --addr "127.0.0.1:$auth_port" --resource-id res_bench) >"$work/dev-auth.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$auth_port/.well-known/oauth-authorization-server" "$!"
TOKEN=$("$work/bin/cli" token --issuer "http://127.0.0.1:$auth_port" --scope usr:read --resource http://localhost:3002/)
export TOKEN

servers=(base stdlib chi go-sdk-noauth mcp-go mcp-go-noauth bare)

# make_cgroup: a memory cgroup of $mem_limit_mib MiB in $cgroup, with its
# file of OOM kills in $oom_file, or a note on stderr saying why not.
make_cgroup() {
	local limit=$((mem_limit_mib << 20))
	if [ -w /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
		cgroup=/sys/fs/cgroup/create-mcp-auth-bench-$$
		mkdir "$cgroup" && echo "$limit" >"$cgroup/memory.max" && oom_file=$cgroup/memory.events && return
	elif [ -w /sys/fs/cgroup/memory ]; then
		cgroup=/sys/fs/cgroup/memory/create-mcp-auth-bench-$$
		mkdir "$cgroup" && echo "$limit" >"$cgroup/memory.limit_in_bytes" && oom_file=$cgroup/memory.oom_control && return
	fi
	cgroup=
	log "cannot make a memory cgroup here (needs root and a writable cgroup v1 or v2 memory controller); skipping that table"
	return 1
}

# start NAME [CGROUP]: starts server NAME on $port, in CGROUP if given; sets
# pid.
start() {
	local env=(PORT=$port)
	case $1 in
	*-noauth | bare) env+=(GOGC=$gogc) ;;
	*) env+=(SCALEKIT_ENVIRONMENT_URL=http://127.0.0.1:$auth_port SCALEKIT_RESOURCE_ID=res_bench "${server_env[@]}") ;;
	esac
	if [ -n "${2:-}" ]; then
		sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec env "$@"' sh "$2" "${env[@]}" "$work/bin/$1" >>"$work/$1.log" 2>&1 &
	else
		env "${env[@]}" "$work/bin/$1" >>"$work/$1.log" 2>&1 &
	fi
	pid=$!
	pids+=($pid)
	wait_up "http://127.0.0.1:$port/healthz" "$pid"
}

# check NAME: one call must answer the greeting.
check() {
	local out
	out=$(curl -s -X POST "http://127.0.0.1:$port/" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
		-H 'MCP-Protocol-Version: 2025-06-18' \
		-d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet_user","arguments":{"language":"fr"}}}')
	case $out in
	*Bonjour*) ;;
	*) echo "bench: $1 did not greet: $out" >&2; exit 1 ;;
	esac
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_s=$(getconf CLK_TCK)

# measure NAME SECONDS [NOTE_BYTES [CGROUP]]: one run against a fresh
# server; prints "NAME req/s cpu_us/req p50_ms p99_ms peak_rss_MiB".
measure() {
	local name=$1 secs=$2 note=${3:-0} t0 t1 result
	local load=(wrk -t"$threads" -c"$conns" --timeout 30s -s "$bench/call.lua" "http://127.0.0.1:$port/")
	start "$name" "${4:-}"
	check "$name"
	NOTE_BYTES=$note "${load[@]}" -d1s >/dev/null
	t0=$(cpu_ticks "$pid")
	result=$(NOTE_BYTES=$note "${load[@]}" -d"${secs}s" | grep '^RESULT')
	if ! kill -0 "$pid" 2>/dev/null; then
		log "$name exited during the run (killed for memory?); see $work/$name.log"
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	t1=$(cpu_ticks "$pid")
	local hwm
	hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	read -r _ requests micros p50 p99 non2xx sockerr <<<"$result"
	if [ "$non2xx" -ne 0 ] || [ "$sockerr" -ne 0 ]; then
		echo "bench: $name: $non2xx non-2xx answers, $sockerr socket errors" >&2
		exit 1
	fi
	awk -v n="$name" -v r="$requests" -v us="$micros" -v dt="$((t1 - t0))" -v hz="$ticks_per_s" \
		-v p50="$p50" -v p99="$p99" -v hwm="$hwm" 'BEGIN {
		printf "%s %.0f %.1f %.2f %.2f %.1f\n", n, r / (us / 1e6), dt / hz * 1e6 / r, p50 / 1000, p99 / 1000, hwm / 1024
	}'
}

# measure_pair NAME NOAUTH SECONDS: NAME and its no-auth build at once, each
# on its own port with its own wrk of CONNS connections, so that both see
# the same other load on the machine; prints "NAME cpu_ratio", the ratio of
# their CPU per request.
measure_pair() {
	local a=$1 b=$2 secs=$3 base_port=$port pid_a pid_b ta0 tb0 ta1 tb1 ra rb
	start "$a"
	pid_a=$pid
	check "$a"
	port=$((base_port + 1))
	start "$b"
	pid_b=$pid
	check "$b"
	port=$base_port
	local load=(wrk -t1 -c"$conns" --timeout 30s -s "$bench/call.lua")
	"${load[@]}" -d1s "http://127.0.0.1:$base_port/" >/dev/null &
	local other=$!
	"${load[@]}" -d1s "http://127.0.0.1:$((base_port + 1))/" >/dev/null
	wait "$other"
	ta0=$(cpu_ticks "$pid_a")
	tb0=$(cpu_ticks "$pid_b")
	"${load[@]}" -d"${secs}s" "http://127.0.0.1:$base_port/" | grep '^RESULT' >"$work/pair-a" &
	other=$!
	"${load[@]}" -d"${secs}s" "http://127.0.0.1:$((base_port + 1))/" | grep '^RESULT' >"$work/pair-b"
	wait "$other"
	ta1=$(cpu_ticks "$pid_a")
	tb1=$(cpu_ticks "$pid_b")
	kill "$pid_a" "$pid_b"
	wait "$pid_a" "$pid_b" 2>/dev/null || true
	read -r _ ra _ <"$work/pair-a"
	read -r _ rb _ <"$work/pair-b"
	awk -v n="$a" -v ca=$((ta1 - ta0)) -v cb=$((tb1 - tb0)) -v ra="$ra" -v rb="$rb" \
		'BEGIN {printf "%s %.4f\n", n, (ca / ra) / (cb / rb)}'
}

# noauth_of NAME: the no-auth build of NAME's library, for a server of
# HEAD's (base runs with Go's default GOGC, so the ratio would not be the
# auth layer's).
noauth_of() {
	case $1 in
	stdlib | chi) echo go-sdk-noauth ;;
	mcp-go) echo mcp-go-noauth ;;
	esac
}

# median: the median of the numbers on stdin.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# col FILE NAME N: the median of column N of NAME's lines.
col() { awk -v n="$2" -v c="$3" '$1 == n {print $c}' "$1" | median; }

log "$reps repetitions of ${duration}s per server, $conns connections, GOGC=$gogc for no-auth and bare"
for rep in $(seq "$reps"); do
	# Every other repetition in reverse, so that a drift in the machine's
	# other load does not fall on the same servers each time.
	order=("${servers[@]}")
	if [ $((rep % 2)) -eq 0 ]; then
		order=()
		for ((i = ${#servers[@]} - 1; i >= 0; i--)); do order+=("${servers[i]}"); done
	fi
	for s in "${order[@]}"; do
		measure "$s" "$duration" >>"$work/small"
	done
	log "repetition $rep done"
done
log "auth overhead: each generated server at once with its no-auth build, $reps times ${duration}s"
for rep in $(seq "$reps"); do
	for s in stdlib chi mcp-go; do
		measure_pair "$s" "$(noauth_of "$s")" "$duration" >>"$work/paired"
	done
done

large=(base stdlib chi mcp-go)
if [ "${SKIP_LARGE:-}" != 1 ]; then
	log "large requests: $large_bytes-byte notes, ${large_duration}s, 3 repetitions"
	for rep in 1 2 3; do
		for s in "${large[@]}"; do
			measure "$s" "$large_duration" "$large_bytes" >>"$work/large"
		done
	done
	if make_cgroup; then
		log "large requests in a $mem_limit_mib MiB memory cgroup"
		for rep in 1 2 3; do
			for s in "${large[@]}"; do
				measure "$s" "$large_duration" "$large_bytes" "$cgroup" >>"$work/limited"
			done
		done
		oom_kills=$(awk '$1 == "oom_kill" {print $2}' "$oom_file")
	fi
fi

echo
echo "tools/call greet_user, $conns connections, wrk -t$threads, median of $reps runs of ${duration}s ($(nproc) CPUs, $(go version | cut -d' ' -f3))"
echo
echo "| server | req/s | vs base | server CPU µs/req | auth overhead (CPU/req vs no-auth) | paired | p50 ms | p99 ms | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
base_rps=$(col "$work/small" base 2)
for s in "${servers[@]}"; do
	rps=$(col "$work/small" "$s" 2)
	cpu=$(col "$work/small" "$s" 3)
	overhead= paired=
	if na=$(noauth_of "$s"); [ -n "$na" ]; then
		overhead=$(awk -v a="$cpu" -v b="$(col "$work/small" "$na" 3)" 'BEGIN {printf "%+.1f %%", (a / b - 1) * 100}')
		paired=$(awk -v r="$(col "$work/paired" "$s" 2)" 'BEGIN {printf "%+.1f %%", (r - 1) * 100}')
	fi
	awk -v s="$s" -v rps="$rps" -v base="$base_rps" -v cpu="$cpu" -v o="$overhead" -v po="$paired" \
		-v p50="$(col "$work/small" "$s" 4)" -v p99="$(col "$work/small" "$s" 5)" -v rss="$(col "$work/small" "$s" 6)" \
		'BEGIN {printf "| %s | %.0f | %.2f× | %.1f | %s | %s | %.2f | %.2f | %.1f |\n", s, rps, rps / base, cpu, o, po, p50, p99, rss}'
done
echo
mcp=$(col "$work/small" mcp-go 2)
bare=$(col "$work/small" bare 2)
awk -v m="$mcp" -v b="$bare" 'BEGIN {printf "mcp-go at %.0f %% of the bare handler'"'"'s throughput\n", m / b * 100}'
echo
if [ "${SKIP_LARGE:-}" != 1 ]; then
	echo "$large_bytes-byte requests (body limit 1 MiB), $conns connections, median of 3 runs of ${large_duration}s"
	echo
	if [ -s "$work/limited" ]; then
		echo "| server | req/s | p99 ms | peak RSS MiB | in a $mem_limit_mib MiB cgroup: req/s | p99 ms | peak RSS MiB |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
	else
		echo "| server | req/s | p99 ms | peak RSS MiB |"
		echo "|---|---:|---:|---:|"
	fi
	for s in "${large[@]}"; do
		printf '| %s | %.1f | %.0f | %.1f |' "$s" "$(col "$work/large" "$s" 2)" "$(col "$work/large" "$s" 5)" "$(col "$work/large" "$s" 6)"
		if [ -s "$work/limited" ]; then
			printf ' %.1f | %.0f | %.1f |' "$(col "$work/limited" "$s" 2)" "$(col "$work/limited" "$s" 5)" "$(col "$work/limited" "$s" 6)"
		fi
		echo
	done
	if [ -s "$work/limited" ]; then
		echo
		echo "OOM kills in the cgroup: ${oom_kills:-0}"
	fi
fi
if [ -n "${RAW_DIR:-}" ]; then
	mkdir -p "$RAW_DIR"
	cp "$work"/small "$work"/paired "$RAW_DIR"/
	[ ! -s "$work/large" ] || cp "$work/large" "$RAW_DIR"/
	[ ! -s "$work/limited" ] || cp "$work/limited" "$RAW_DIR"/
fi
