-- wrk script of scripts/bench.sh: POSTs one tools/call of greet_user, with
-- the bearer token in $TOKEN (none when empty) and, when $NOTE_BYTES is set,
-- a note argument of that many bytes. done() prints one RESULT line:
-- requests, duration (µs), p50 and p99 latency (µs), non-2xx answers and
-- socket errors.
local token = os.getenv("TOKEN") or ""
local note = tonumber(os.getenv("NOTE_BYTES") or "0")

local args = '{"language":"fr"'
if note > 0 then
  args = args .. ',"note":"' .. string.rep("x", note) .. '"'
end
args = args .. '}'

wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet_user","arguments":' .. args .. '}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
