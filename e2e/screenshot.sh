#!/usr/bin/env bash
# Screenshot dev-auth's consent page with plain headless Chromium, no test
# framework: registers a client, opens an authorization request for every
# scope but offline_access, and saves what the user would see.
#
#   e2e/screenshot.sh [DEV_AUTH_URL] [OUT.png]
#
# DEV_AUTH_URL is a running dev-auth WITHOUT --auto-approve (default
# http://127.0.0.1:9091, where run.sh starts one). The code is never
# redeemed, so the PKCE pair is RFC 7636's example.
set -euo pipefail

auth=${1:-http://127.0.0.1:9091}
png=${2:-$(dirname "$0")/out/consent-cli.png}
chromium=${CHROMIUM:-/usr/bin/chromium}
mkdir -p "$(dirname "$png")"

redirect=http://127.0.0.1:8799/callback
client_id=$(curl -fsS "$auth/oauth/register" -H 'Content-Type: application/json' \
	-d "{\"client_name\":\"Screenshot client\",\"redirect_uris\":[\"$redirect\"],\"token_endpoint_auth_method\":\"none\"}" |
	sed -n 's/.*"client_id": *"\([^"]*\)".*/\1/p')
[ -n "$client_id" ] || { echo "screenshot.sh: registration at $auth failed" >&2; exit 1; }
scopes=$(curl -fsS "$auth/.well-known/oauth-authorization-server" | tr -d '\n' |
	sed -n 's/.*"scopes_supported": *\[\([^]]*\)\].*/\1/p' | tr -d ' "' | tr ',' '\n' | grep -vx offline_access | paste -sd+ -)

url="$auth/oauth/authorize?response_type=code&client_id=$client_id&redirect_uri=$(printf %s "$redirect" | sed 's/:/%3A/g; s#/#%2F#g')"
url+="&scope=$(printf %s "$scopes" | sed 's/:/%3A/g')&state=screenshot-state"
url+="&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
"$chromium" --headless --user-data-dir="$profile" --no-sandbox --disable-gpu --hide-scrollbars \
	--disable-background-networking --disable-component-update --disable-sync --no-first-run \
	--screenshot="$png" --window-size=900,800 "$url" >/dev/null 2>&1 || true
[ -s "$png" ] || { echo "screenshot.sh: chromium wrote no screenshot for $url" >&2; exit 1; }
echo "consent page ($url) -> $png"
