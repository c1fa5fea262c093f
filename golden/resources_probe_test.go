package golden

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// templateVar matches an RFC 6570 expression of a resource URI template.
var templateVar = regexp.MustCompile(`\{[^}]*\}`)

// resourcesAndPrompts: resources/read and prompts/get without the scopes of
// the resource or prompt get 403 with a step-up challenge naming them, and
// the handler does not run; with them, it runs for the caller.
func (p *prober) resourcesAndPrompts(t *testing.T) {
	type target struct {
		what, method string
		params       map[string]any
		scopes       []string
	}
	var targets []target
	for _, r := range p.spec.Resources {
		uri := templateVar.ReplaceAllString(r.URI, "42")
		targets = append(targets, target{"resource " + r.URI, "resources/read", map[string]any{"uri": uri}, r.Scopes})
	}
	for _, pr := range p.spec.Prompts {
		targets = append(targets, target{"prompt " + pr.Name, "prompts/get", map[string]any{"name": pr.Name}, pr.Scopes})
	}
	if len(targets) == 0 {
		t.Skip("the spec declares no resources or prompts")
	}
	for _, tg := range targets {
		t.Run(tg.what, func(t *testing.T) {
			body := rpcBody(tg.method, tg.params)
			if len(tg.scopes) > 0 {
				sub := p.srv.newSub()
				r := p.srv.send(t, "POST", p.srv.resource, body, bearer(p.iss.mint(t, p.claims(sub, "unrelated"), nil)))
				r.wantNoToolRun(t, sub)
				if c := r.challenge(t); r.status != 403 || c == nil || c["error"] != "insufficient_scope" || !sameSet(strings.Fields(c["scope"]), union([]string{"unrelated"}, tg.scopes)) {
					t.Errorf("without its scopes: want 403 insufficient_scope naming %q\n%s", tg.scopes, r)
				}
			}
			sub := p.srv.newSub()
			r := p.srv.send(t, "POST", p.srv.resource, body, bearer(p.iss.mint(t, p.claims(sub, tg.scopes...), nil)))
			if r.status != 200 || !strings.Contains(r.body, sub) || !hasRPCResult(r.body) {
				t.Errorf("with its scopes: want 200 and the handler's answer for %s\n%s", sub, r)
			}
		})
	}
}

// protocolVersions: a client of each MCP revision the server supports lists
// the tools and calls one, and the answers are as that revision says:
// before 2026-07-28 after an initialize handshake that agrees on the
// version; on 2026-07-28 statelessly, with server/discover, per-request
// _meta and Mcp-Method/Mcp-Name headers, results marked cacheScope private.
func (p *prober) protocolVersions(t *testing.T) {
	tool := p.spec.Tools[0]
	for _, v := range []string{"2025-06-18", "2025-11-25", "2026-07-28"} {
		t.Run(v, func(t *testing.T) {
			sub := p.srv.newSub()
			tok := p.iss.mint(t, p.claims(sub, scopeNames(p.spec)...), nil)
			h := func(method, name string) header {
				h := bearer(tok)
				h["MCP-Protocol-Version"] = v
				if v >= "2026-07-28" {
					h["Mcp-Method"] = method
					if name != "" {
						h["Mcp-Name"] = name
					}
				}
				return h
			}
			params := func(extra map[string]any) map[string]any {
				if v >= "2026-07-28" {
					extra["_meta"] = map[string]any{
						"io.modelcontextprotocol/protocolVersion":    v,
						"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "golden", "version": "1"},
						"io.modelcontextprotocol/clientCapabilities": map[string]any{},
					}
				}
				return extra
			}
			var handshake string
			if v < "2026-07-28" {
				r := p.srv.send(t, "POST", p.srv.resource, rpcBody("initialize", map[string]any{
					"protocolVersion": v, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "golden", "version": "1"},
				}), h("initialize", ""))
				got := resultField(t, r, "protocolVersion")
				if r.status != 200 || got != v {
					t.Errorf("initialize: want 200 agreeing on %s, got %q\n%s", v, got, r)
				}
				handshake = fmt.Sprintf("initialize %d, protocolVersion %s", r.status, got)
			} else {
				r := p.srv.send(t, "POST", p.srv.resource, rpcBody("server/discover", params(map[string]any{})), h("server/discover", ""))
				if r.status != 200 || !strings.Contains(r.body, v) {
					t.Errorf("server/discover: want 200 naming %s among the supported versions\n%s", v, r)
				}
				handshake = fmt.Sprintf("server/discover %d (no initialize)", r.status)
			}
			r := p.srv.send(t, "POST", p.srv.resource, rpcBody("tools/list", params(map[string]any{})), h("tools/list", ""))
			if r.status != 200 || !strings.Contains(r.body, `"`+tool.Name+`"`) {
				t.Errorf("tools/list: want 200 listing %s\n%s", tool.Name, r)
			}
			if scope := resultField(t, r, "cacheScope"); v >= "2026-07-28" && scope != "private" {
				t.Errorf("tools/list: want cacheScope private, got %q\n%s", scope, r)
			}
			listed, cache := r.status, resultField(t, r, "cacheScope")
			r = p.srv.send(t, "POST", p.srv.resource, rpcBody("tools/call", params(map[string]any{"name": tool.Name, "arguments": map[string]any{}})), h("tools/call", tool.Name))
			r.wantToolRun(t, tool.Name, sub)
			// One row of the protocol × template table (go test -v).
			t.Logf("seen: %s | %s | tools/list %d, cacheScope %s | tools/call %d, %s", v, handshake, listed, cache, r.status, r.header.Get("Content-Type"))
		})
	}
}

// rpcBody is a JSON-RPC request with id 1.
func rpcBody(method string, params map[string]any) string {
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// resultField returns the string field name of the JSON-RPC result in r.
func resultField(t *testing.T, r *reply, name string) string {
	t.Helper()
	var resp struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(r.body), &resp); err != nil {
		return ""
	}
	return fmt.Sprint(resp.Result[name])
}
