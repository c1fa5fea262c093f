#!/usr/bin/env bash
# Measures, for the golden project of each template, the size of its binary
# and its cold start: from exec to the first 200 from /healthz, median of
# RUNS starts. Used for the comparison table in README.md.
#
#   scripts/measure-templates.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

port=39517
printf '| template | golden case | binary | stripped (-s -w) | cold start (median of %d) |\n|---|---|---|---|---|\n' "$runs"
for dir in golden/stdlib-todo golden/chi-todo golden/mcp-go-todo; do
  [ -d "$dir" ] || continue
  tmpl=$(sed -n 's/^template: //p' "$dir/.create-mcp-auth.yaml")
  (cd "$dir" && go build -o "$work/plain" . && go build -ldflags='-s -w' -o "$work/stripped" .)
  size=$(stat -c %s "$work/plain")
  stripped=$(stat -c %s "$work/stripped")
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    PORT=$port SCALEKIT_ENVIRONMENT_URL=https://acme.scalekit.com SCALEKIT_RESOURCE_ID=res_measure \
      "$work/plain" >/dev/null 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do :; done
    times+=($(( ($(date +%s%N) - start) / 1000 )))
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '| `%s` | %s | %.1f MB | %.1f MB | %.1f ms |\n' "$tmpl" "${dir#golden/}" \
    "$(echo "$size/1000000" | bc -l)" "$(echo "$stripped/1000000" | bc -l)" "$(echo "$median/1000" | bc -l)"
done
