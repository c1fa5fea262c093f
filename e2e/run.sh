#!/usr/bin/env bash
# End-to-end proof of `create-mcp-auth dev-auth` with clients nobody here wrote.
#
#   1. builds the CLI and generates a fresh stdlib project from golden/stdlib-todo.yaml;
#   2. starts two dev-auths from inside it (one --auto-approve for scripted
#      clients, one showing the real consent page) and the generated server;
#   3. runs the project's example agent (examples/agent, Go, the official MCP
#      Go SDK's client) with dev-auth's machine client, then the Node tests:
#      the official MCP TypeScript SDK client with its OAuth support
#      (sdk.test.mjs), Chromium driving the consent page (consent.test.mjs),
#      and bring your own auth (byoa.test.mjs): a project generated from
#      golden/stdlib-byoa.yaml behind a dev-auth started with --login-url, its
#      login page driven in Chromium;
#   4. runs the MCP conformance suite's authorization-server scenarios against
#      dev-auth, once for the plain issuer and once for the Scalekit-style
#      per-resource issuer the generated server advertises.
#
# Logs, results and screenshots go to e2e/out/. Needs Go, Node >= 20 with npm
# (the tests themselves run on the Node 22 the lock file pins), curl and
# Debian's chromium at /usr/bin/chromium (or $CHROMIUM).
#
# Ports (override if taken): E2E_MCP_PORT (3002), E2E_AUTH_PORT (9090),
# E2E_CONSENT_PORT (9091), E2E_CALLBACK_PORT (3010), E2E_BYOA_MCP_PORT (3003),
# E2E_BYOA_AUTH_PORT (9092).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$here/out
mcp_port=${E2E_MCP_PORT:-3002}
auth_port=${E2E_AUTH_PORT:-9090}
consent_port=${E2E_CONSENT_PORT:-9091}
callback_port=${E2E_CALLBACK_PORT:-3010}
byoa_mcp_port=${E2E_BYOA_MCP_PORT:-3003}
byoa_auth_port=${E2E_BYOA_AUTH_PORT:-9092}
byoa_auth_url=http://127.0.0.1:$byoa_auth_port
byoa_resource=http://localhost:$byoa_mcp_port/mcp
byoa_connection=conn_e2e
auth_url=http://127.0.0.1:$auth_port
consent_url=http://127.0.0.1:$consent_port
resource=http://localhost:$mcp_port/mcp
resource_id=res_dev
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

start=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - start)); }
die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/create-mcp-auth-e2e.XXXXXX")
pids=()

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$status" -ne 0 ]; then
		for log in "$out"/dev-auth.log "$out"/dev-auth-consent.log "$out"/server.log "$out"/dev-auth-byoa.log "$out"/server-byoa.log "$out"/conformance*.log; do
			[ -s "$log" ] || continue
			printf '\n----- %s (last 60 lines) -----\n' "${log#"$here"/}" >&2
			tail -n 60 "$log" >&2
		done
		printf '\ne2e: FAILED after %ds (exit %d); logs in %s\n' $((SECONDS - start)) "$status" "$out" >&2
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http URL PID NAME: until URL answers 200, while PID lives.
wait_http() {
	local url=$1 pid=$2 name=$3 i
	for ((i = 0; i < 300; i++)); do
		if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || die "$name exited before $url answered"
		sleep 0.2
	done
	die "$name: $url did not answer 200 within 60s"
}

# json FIELD: prints FIELD of the JSON object on stdin.
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined)process.exit(1);console.log(v)})' "$1"; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (Node >= 20)"
command -v curl >/dev/null || die "curl is required"
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM (Debian: apt-get install chromium)"
for p in "$mcp_port" "$auth_port" "$consent_port" "$callback_port" "$byoa_mcp_port" "$byoa_auth_port"; do
	port_free "$p" || die "port $p is in use; stop what listens there or set E2E_*_PORT"
done

step "build create-mcp-auth"
cli=$tmp/bin/create-mcp-auth
(cd "$root" && go build -o "$cli" ./cmd/create-mcp-auth)

step "generate the stdlib todo project"
project=$tmp/todo
"$cli" new "$project" --config "$root/golden/stdlib-todo.yaml" --yes \
	--server-url "$resource" --port "$mcp_port" >"$out/new.log" 2>&1 || { cat "$out/new.log" >&2; die "create-mcp-auth new failed"; }
(cd "$project" && go build -o "$tmp/bin/todo-server" . && go build -o "$tmp/bin/agent" ./examples/agent)

# The machine client's secret: dev-auth takes it from the environment and
# `create-mcp-auth token` (run by sdk.test.mjs) reads it from there too.
DEV_AUTH_CLIENT_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DEV_AUTH_CLIENT_SECRET

step "start dev-auth (auto-approve) on $auth_url and (consent page) on $consent_url"
(cd "$project" && exec "$cli" dev-auth --auto-approve --addr "127.0.0.1:$auth_port") >"$out/dev-auth.log" 2>&1 &
pids+=($!)
auth_pid=$!
(cd "$project" && exec "$cli" dev-auth --addr "127.0.0.1:$consent_port") >"$out/dev-auth-consent.log" 2>&1 &
pids+=($!)
consent_pid=$!
wait_http "$auth_url/.well-known/oauth-authorization-server" "$auth_pid" dev-auth
wait_http "$consent_url/.well-known/oauth-authorization-server" "$consent_pid" "dev-auth (consent)"

step "start the generated server on $resource"
(cd "$project" && SCALEKIT_ENVIRONMENT_URL=$auth_url SCALEKIT_RESOURCE_ID=$resource_id \
	PORT=$mcp_port LOG_LEVEL=debug exec "$tmp/bin/todo-server") >"$out/server.log" 2>&1 &
pids+=($!)
wait_http "http://localhost:$mcp_port/healthz" "$!" "generated server"

step "example agent: client credentials from dev-auth, tools listed, a tool called"
# With no -issuer, the agent finds dev-auth through the server's protected
# resource metadata (its per-resource issuer) and asks for a token for the
# server (RFC 8707 resource).
AGENT_CLIENT_ID=dev-machine AGENT_CLIENT_SECRET=$DEV_AUTH_CLIENT_SECRET MCP_SERVER_URL=$resource \
	"$tmp/bin/agent" -tool list_todos >"$out/agent.log" 2>&1 || { cat "$out/agent.log" >&2; die "the example agent failed"; }
cat "$out/agent.log"
grep -q "^tools: .*create_todo" "$out/agent.log" || die "the agent did not list the tools"
grep -q "^list_todos: list_todos called by dev-machine" "$out/agent.log" || die "the agent's tool call did not run as dev-machine"
# With the plain issuer and only todo:read, a tool that needs todo:write is
# refused (403 insufficient_scope): machine clients are held to scopes too.
if AGENT_CLIENT_ID=dev-machine AGENT_CLIENT_SECRET=$DEV_AUTH_CLIENT_SECRET MCP_SERVER_URL=$resource \
	"$tmp/bin/agent" -issuer "$auth_url" -scope todo:read -tool create_todo >"$out/agent-refused.log" 2>&1; then
	cat "$out/agent-refused.log" >&2
	die "the agent called create_todo with a todo:read token"
fi
cat "$out/agent-refused.log"
grep -qi "forbidden\|insufficient_scope\|403" "$out/agent-refused.log" || die "the under-scoped call failed for another reason"
if grep -qF "$DEV_AUTH_CLIENT_SECRET" "$out/agent.log" "$out/agent-refused.log"; then
	die "the agent printed the client secret"
fi

step "bring your own auth: generate golden/stdlib-byoa.yaml, start dev-auth --login-url on $byoa_auth_url and the server on $byoa_resource"
byoa=$tmp/notes
"$cli" new "$byoa" --config "$root/golden/stdlib-byoa.yaml" --yes \
	--server-url "$byoa_resource" --port "$byoa_mcp_port" >"$out/new-byoa.log" 2>&1 || { cat "$out/new-byoa.log" >&2; die "create-mcp-auth new (byoa) failed"; }
(cd "$byoa" && go build -o "$tmp/bin/notes-server" .)
# The API client's secret: dev-auth takes it from the environment, and the
# server gets the same as SCALEKIT_CLIENT_SECRET.
DEV_AUTH_API_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DEV_AUTH_API_SECRET
(cd "$byoa" && exec "$cli" dev-auth --auto-approve --addr "127.0.0.1:$byoa_auth_port" \
	--login-url "http://localhost:$byoa_mcp_port/login" --connection-id "$byoa_connection") >"$out/dev-auth-byoa.log" 2>&1 &
pids+=($!)
wait_http "$byoa_auth_url/.well-known/oauth-authorization-server" "$!" "dev-auth (byoa)"
(cd "$byoa" && SCALEKIT_ENVIRONMENT_URL=$byoa_auth_url SCALEKIT_RESOURCE_ID=$resource_id \
	SCALEKIT_CONNECTION_ID=$byoa_connection SCALEKIT_CLIENT_ID=dev-api SCALEKIT_CLIENT_SECRET=$DEV_AUTH_API_SECRET \
	PORT=$byoa_mcp_port LOG_LEVEL=debug exec "$tmp/bin/notes-server") >"$out/server-byoa.log" 2>&1 &
pids+=($!)
wait_http "http://localhost:$byoa_mcp_port/healthz" "$!" "generated server (byoa)"

step "npm ci"
cd "$here"
# Reinstall only when the lock file changed since the last install.
stamp=node_modules/.e2e-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	npm ci --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
else
	echo "node_modules matches package-lock.json"
fi
node22=$here/node_modules/node/bin/node
"$node22" --version

step "Node tests: TypeScript SDK client, the consent page and bring your own auth in Chromium"
export E2E_CLI=$cli E2E_MCP_URL=$resource E2E_AUTH_URL=$auth_url E2E_CONSENT_URL=$consent_url E2E_RESOURCE_ID=$resource_id E2E_OUT=$out
export E2E_BYOA_MCP_URL=$byoa_resource E2E_BYOA_AUTH_URL=$byoa_auth_url E2E_BYOA_CONNECTION_ID=$byoa_connection
"$node22" --test --test-reporter=spec --test-concurrency=2 --test-timeout=120000 sdk.test.mjs consent.test.mjs byoa.test.mjs 2>&1 | tee "$out/node-tests.log"

step "consent page screenshot with the chromium CLI"
./screenshot.sh "$consent_url" "$out/consent-cli.png"

# run_conformance ISSUER LOG: the conformance suite's authorization-server
# scenarios against ISSUER. The authorization-code scenario prints an
# authorization URL and waits for its own callback server to receive the
# code; dev-auth auto-approves, so following the redirects with curl plays
# the user's browser.
run_conformance() {
	local issuer=$1 log=$2 client_id cpid url i
	client_id=$(curl -fsS "$auth_url/oauth/register" -H 'Content-Type: application/json' \
		-d "{\"client_name\":\"MCP conformance suite\",\"redirect_uris\":[\"http://127.0.0.1:$callback_port/callback\"],\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"]}" | json client_id)
	"$node22" node_modules/@modelcontextprotocol/conformance/dist/index.js authorization \
		--url "$issuer" --client-id "$client_id" --resource "$resource" -p "$callback_port" \
		-o "$out/conformance" >"$log" 2>&1 &
	cpid=$!
	url=
	for ((i = 0; i < 300; i++)); do
		url=$(grep -m1 -o "^$issuer/oauth/authorize?[^[:space:]]*" "$log" || true)
		if [ -n "$url" ] && grep -q "Callback server started" "$log"; then
			break
		fi
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.2
	done
	local status=0
	if [ -z "$url" ]; then
		echo "e2e: the suite printed no authorization URL" >>"$log"
		kill "$cpid" 2>/dev/null || true
	elif ! curl -fsSL -o /dev/null --max-time 10 "$url" 2>>"$log"; then
		echo "e2e: following the authorization URL failed" >>"$log"
		kill "$cpid" 2>/dev/null || true
	fi
	wait "$cpid" || status=$?
	cat "$log"
	[ "$status" -eq 0 ] || die "conformance suite exited $status for $issuer"
	grep -Eq '^Total: [0-9]+ passed, 0 failed' "$log" || die "conformance suite reports failures for $issuer"
}

step "MCP conformance suite: authorization server at $auth_url"
run_conformance "$auth_url" "$out/conformance.log"
step "MCP conformance suite: per-resource authorization server at $auth_url/resources/$resource_id"
run_conformance "$auth_url/resources/$resource_id" "$out/conformance-resource.log"

step "e2e passed"
