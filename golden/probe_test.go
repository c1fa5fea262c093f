package golden

import (
	"bufio"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

const (
	// inspectorOrigin is allowed by default (ALLOWED_ORIGINS); evilOrigin is not.
	inspectorOrigin = "http://localhost:6274"
	evilOrigin      = "https://evil.example"

	// keyRefreshMinInterval is the servers' JWKS_REFRESH_MIN_INTERVAL: the
	// least time between two key fetches prompted by unknown key IDs or
	// failures (default 30 s), shortened so outage recovery is quick here.
	keyRefreshMinInterval = time.Second
	// keyRecoveryBound bounds how long after its issuer comes back a server
	// that could not fetch keys takes to accept tokens again: the refetch
	// interval, plus jwkset's wait of up to 5 s for its rate limiter, plus
	// slack.
	keyRecoveryBound = keyRefreshMinInterval + 10*time.Second
)

// probe builds the case's binary, starts it against in-test issuers and
// checks the resource-server contract over real HTTP.
//
// The subtests of one server run in order, because the server has state
// that some of them depend on: it fetches keys on first use and caches
// them, and it refetches on an unknown key ID at most once per
// keyRefreshMinInterval (while rate-limited, a token with a new key ID is
// answered 503, not accepted), so the rotation probe comes before anything
// else triggers a refetch.
func probe(t *testing.T, name string) {
	spec := loadSpec(t, name)
	bin := filepath.Join(t.TempDir(), "server")
	goCmd(t, name, "build", "-o", bin, ".")
	if _, real := realTools.Load(name); real {
		realTools.Store(bin, true)
	}

	// The outage probe needs a server that has never had keys, and its
	// recovery has to wait out the refetch interval: start it first, so
	// that the wait overlaps the other probes, and finish it last.
	down := newIssuer(t)
	down.setFailing(true)
	outage := &outageProbe{srv: start(t, bin, spec, down), iss: down, spec: spec}
	outageStarted := t.Run("jwks outage: 503 while keys cannot be fetched", outage.failClosed)

	p := &prober{srv: start(t, bin, spec, newIssuer(t)), spec: spec, stranger: newKey(t)}
	p.iss = p.srv.iss
	t.Run("protected resource metadata", p.metadata)
	t.Run("no credentials: 401 challenge without error", p.noCredentials)
	t.Run("valid token runs each tool", p.validTokens)
	t.Run("jwks rotation: new key accepted, old key refused", p.rotation)
	t.Run("invalid token: 401 invalid_token", p.invalidTokens)
	t.Run("forged key IDs: 401 at once, never 503, no error logs", func(t *testing.T) { forgedKeyIDs(t, bin, spec) })
	t.Run("missing scope: 403 step-up challenge", p.stepUp)
	t.Run("resources and prompts: 403 step-up without their scopes", p.resourcesAndPrompts)
	t.Run("each protocol version answered as it says", p.protocolVersions)
	t.Run("ambiguous body: 400 and no tool run", p.ambiguousBodies)
	t.Run("token outside the Authorization header: refused", p.tokenOutsideHeader)
	t.Run("cors: preflight and exposed headers", p.corsAllowed)
	t.Run("cors: foreign origin refused", p.corsForeign)
	t.Run("slow bodies: answered without waiting for them", p.slowBodies)
	t.Run("key rules: only signature keys for the token's algorithm", func(t *testing.T) { keyRules(t, bin, spec) })
	t.Run("keys behind a redirect: not trusted", func(t *testing.T) { redirectedKeys(t, bin, spec) })
	t.Run("several issuers: each with its own keys", func(t *testing.T) { severalIssuers(t, bin, spec) })

	t.Run("dev-auth: its tokens run each tool", func(t *testing.T) { probeDevAuth(t, bin, spec) })
	if len(spec.Downstream) > 0 {
		t.Run("downstream: each call carries the server's own credential", func(t *testing.T) { probeDownstream(t, bin, spec) })
	}

	if outageStarted {
		t.Run("jwks outage: recovers when the issuer does", outage.recover)
	}
}

// prober holds what the probes of one running server share.
type prober struct {
	srv      *server
	iss      *issuer
	spec     *generator.Spec
	stranger *rsa.PrivateKey // a key the issuer never published
}

func (p *prober) metadata(t *testing.T) {
	for _, u := range []string{p.srv.prm, origin(p.srv.resource) + "/.well-known/oauth-protected-resource"} {
		var prm struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
			ScopesSupported      []string `json:"scopes_supported"`
			BearerMethods        []string `json:"bearer_methods_supported"`
		}
		r := p.srv.send(t, "GET", u, "", nil)
		if r.status != 200 {
			t.Fatalf("want 200\n%s", r)
		}
		if err := json.Unmarshal([]byte(r.body), &prm); err != nil {
			t.Fatalf("metadata is not JSON: %v\n%s", err, r)
		}
		wantAS := p.iss.URL() + "/resources/res_golden"
		if prm.Resource != p.srv.resource || len(prm.AuthorizationServers) != 1 || prm.AuthorizationServers[0] != wantAS ||
			!sameSet(prm.ScopesSupported, scopeNames(p.spec)) || fmt.Sprint(prm.BearerMethods) != "[header]" {
			t.Errorf("want resource %s, authorization server %s, scopes %v, bearer methods [header]; got %+v\n%s",
				p.srv.resource, wantAS, scopeNames(p.spec), prm, r)
		}
	}
}

func (p *prober) noCredentials(t *testing.T) {
	tool := p.spec.Tools[0]
	for _, tc := range []struct{ name, authorization string }{
		{"no Authorization header", ""},
		{"Basic scheme", "Basic dXNlcjpwYXNzd29yZA=="},
		{"Digest scheme", `Digest username="user", realm="mcp", nonce="n", uri="/", response="r"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := p.srv.newSub()
			r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), header{"Authorization": tc.authorization})
			c := r.challenge(t)
			switch {
			case r.status != 401:
				t.Errorf("want 401\n%s", r)
			case c == nil || c["resource_metadata"] != p.srv.prm:
				t.Errorf("want WWW-Authenticate: Bearer with resource_metadata=%q\n%s", p.srv.prm, r)
			case !sameSet(strings.Fields(c["scope"]), scopeNames(p.spec)):
				t.Errorf("want scope=%q (every scope of the server)\n%s", strings.Join(scopeNames(p.spec), " "), r)
			case hasKey(c, "error"):
				t.Errorf("want no error= parameter when no bearer credentials were sent (RFC 6750 §3.1)\n%s", r)
			}
			r.wantNoToolRun(t, sub)
		})
	}
}

func (p *prober) validTokens(t *testing.T) {
	for _, tool := range p.spec.Tools {
		t.Run(tool.Name, func(t *testing.T) {
			sub := p.srv.newSub()
			tok := p.iss.mint(t, p.claims(sub, tool.Scopes...), nil)
			r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), bearer(tok))
			r.wantToolRun(t, tool.Name, sub)
		})
	}
	t.Run("lower-case bearer scheme", func(t *testing.T) {
		tool := p.spec.Tools[0]
		sub := p.srv.newSub()
		tok := p.iss.mint(t, p.claims(sub, tool.Scopes...), nil)
		r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), header{"Authorization": "bearer " + tok})
		r.wantToolRun(t, tool.Name, sub)
	})
}

// rotation: the issuer replaces its key. The server, which cached the old
// key set, must refetch on the unknown key ID and accept the new key, then
// refuse tokens signed with the key the issuer no longer publishes.
func (p *prober) rotation(t *testing.T) {
	tool := p.spec.Tools[0]
	oldKey, oldKID := p.iss.rotate(t)
	// The refetch a new key ID prompts is allowed once per
	// keyRefreshMinInterval; the first request's fetch may have been less
	// than that ago.
	time.Sleep(keyRefreshMinInterval)
	_, newKID := p.iss.signingKey()
	fetches := p.iss.keyFetches()

	sub := p.srv.newSub()
	tok := p.iss.mint(t, p.claims(sub, tool.Scopes...), nil)
	r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), bearer(tok))
	if r.status != 200 {
		t.Fatalf("a token signed with the new key (kid %q) should be accepted after refetching the JWKS (issuer saw %d fetches before, %d after)\n%s",
			newKID, fetches, p.iss.keyFetches(), r)
	}
	r.wantToolRun(t, tool.Name, sub)
	if p.iss.keyFetches() == fetches {
		t.Errorf("the server accepted a token with the new kid %q without fetching the JWKS again", newKID)
	}

	sub = p.srv.newSub()
	tok = p.iss.mintWith(t, signing{key: oldKey, kid: oldKID}, p.claims(sub, tool.Scopes...))
	r = p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), bearer(tok))
	p.wantInvalidToken(t, r, fmt.Sprintf("a new token signed with the rotated-out key (kid %q)", oldKID))
	r.wantNoToolRun(t, sub)
}

func (p *prober) invalidTokens(t *testing.T) {
	tool := p.spec.Tools[0]
	key, _ := p.iss.signingKey()
	now := time.Now()
	for _, tc := range []struct {
		name   string
		sign   signing
		claims map[string]any // overrides of the valid claims
	}{
		{name: "forged signature", sign: signing{key: p.stranger}},
		{name: "expired beyond the 60 s leeway", claims: map[string]any{"iat": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-2 * time.Minute).Unix()}},
		{name: "no exp", claims: map[string]any{"exp": nil}},
		{name: "wrong aud", claims: map[string]any{"aud": "https://other.example/mcp"}},
		{name: "wrong iss", claims: map[string]any{"iss": "https://issuer.evil.example"}},
		{name: "iss with an extra trailing slash", claims: map[string]any{"iss": p.iss.URL() + "/"}},
		{name: "alg none (unsigned)", sign: signing{alg: "none"}},
		{name: "HS256 keyed with the public key PEM", sign: signing{alg: "HS256", secret: publicPEM(t, key)}},
		{name: "HS256 keyed with the public key DER", sign: signing{alg: "HS256", secret: publicDER(t, key)}},
		{name: "unknown kid", sign: signing{key: p.stranger, kid: "not-published"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := p.srv.newSub()
			claims := p.claims(sub, tool.Scopes...)
			for k, v := range tc.claims {
				claims[k] = v
			}
			tok := p.iss.mintWith(t, tc.sign, claims)
			r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), bearer(tok))
			p.wantInvalidToken(t, r, "a token with "+tc.name)
			r.wantNoToolRun(t, sub)
		})
	}
}

func (p *prober) wantInvalidToken(t *testing.T, r *reply, what string) {
	t.Helper()
	c := r.challenge(t)
	switch {
	case r.status != 401:
		t.Errorf("%s: want 401\n%s", what, r)
	case c == nil || c["error"] != "invalid_token":
		t.Errorf(`%s: want WWW-Authenticate: Bearer with error="invalid_token"`+"\n%s", what, r)
	case c["resource_metadata"] != p.srv.prm:
		t.Errorf("%s: want resource_metadata=%q in the challenge\n%s", what, p.srv.prm, r)
	case c["error_description"] == "":
		t.Errorf("%s: want an error_description in the challenge\n%s", what, r)
	}
}

// stepUp: a valid token without a tool's scopes gets 403 naming the scopes
// to ask for (under protocol 2025-06-18 the token's own plus the tool's; from
// 2026-07-28 on exactly the tool's), the same challenge every time, and the
// tool does not run.
func (p *prober) stepUp(t *testing.T) {
	for _, tool := range p.spec.Tools {
		if len(tool.Scopes) == 0 {
			continue
		}
		grants := map[string][]string{"unrelated scope": {"unrelated"}, "no scope claim": nil}
		if others := without(scopeNames(p.spec), tool.Scopes); len(others) > 0 {
			grants["every other scope"] = others
		}
		for label, granted := range grants {
			t.Run(tool.Name+"/"+label, func(t *testing.T) {
				sub := p.srv.newSub()
				tok := p.iss.mint(t, p.claims(sub, granted...), nil)
				var first string
				for i := range 2 {
					r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), bearer(tok))
					r.wantNoToolRun(t, sub)
					c := r.challenge(t)
					switch {
					case r.status != 403:
						t.Fatalf("call %d: want 403\n%s", i+1, r)
					case c == nil || c["error"] != "insufficient_scope":
						t.Fatalf(`call %d: want WWW-Authenticate: Bearer with error="insufficient_scope"`+"\n%s", i+1, r)
					case !sameSet(strings.Fields(c["scope"]), union(granted, tool.Scopes)):
						t.Errorf("call %d: want scope=%q: the token's scopes and those %s needs (protocol 2025-06-18)\n%s", i+1, strings.Join(union(granted, tool.Scopes), " "), tool.Name, r)
					case c["resource_metadata"] != p.srv.prm:
						t.Errorf("call %d: want resource_metadata=%q\n%s", i+1, p.srv.prm, r)
					}
					www := r.header.Get("WWW-Authenticate")
					if i == 0 {
						first = www
					} else if www != first {
						t.Errorf("the same call got two different challenges:\n  %s\n  %s", first, www)
					}
				}
				// From protocol version 2026-07-28 on, clients accumulate
				// scopes themselves: the challenge names only the tool's.
				r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), header{"Authorization": "Bearer " + tok,
					"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool.Name})
				r.wantNoToolRun(t, sub)
				if c := r.challenge(t); r.status != 403 || c == nil || !sameSet(strings.Fields(c["scope"]), tool.Scopes) {
					t.Errorf("protocol 2026-07-28: want 403 with scope=%q, exactly the scopes %s needs\n%s", strings.Join(tool.Scopes, " "), tool.Name, r)
				}
			})
		}
	}
}

// union is a followed by the elements of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ambiguousBodies: with a token that may call every tool, a body the
// HTTP-level scope check and the MCP library could read differently must be
// refused before anything runs.
func (p *prober) ambiguousBodies(t *testing.T) {
	tool := p.spec.Tools[0].Name
	call := callBody(tool)
	params := fmt.Sprintf(`{"name":%q,"arguments":{}}`, tool)
	for _, tc := range []struct{ name, body string }{
		{"batch of one", "[" + call + "]"},
		{"batch of two", "[" + call + "," + strings.Replace(call, `"id":1`, `"id":2`, 1) + "]"},
		{`duplicate "method"`, `{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":` + params + `}`},
		{`duplicate "method", second one \u-escaped`, `{"jsonrpc":"2.0","id":1,"method":"tools/list","me\u0074hod":"tools/call","params":` + params + `}`},
		{`case-variant "Params"`, `{"jsonrpc":"2.0","id":1,"method":"tools/call","Params":` + params + `}`},
		{`"params" and "Params"`, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":` + params + `,"Params":` + params + `}`},
		{`case-variant "Method"`, `{"jsonrpc":"2.0","id":1,"Method":"tools/call","params":` + params + `}`},
		{`duplicate params "name"`, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool","name":` + fmt.Sprintf("%q", tool) + `,"arguments":{}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := p.srv.newSub()
			tok := p.iss.mint(t, p.claims(sub, scopeNames(p.spec)...), nil)
			r := p.srv.send(t, "POST", p.srv.resource, tc.body, bearer(tok))
			if r.status != 400 {
				t.Errorf("want 400\n%s", r)
			}
			r.wantNoToolRun(t, sub)
		})
	}
}

// tokenOutsideHeader: tokens are accepted only in the Authorization header.
// The guard answers 400 invalid_request to a token in the URL (middleware.go,
// refuseQueryToken); a token in a form body is not read at all, so that
// request has no credentials (401).
func (p *prober) tokenOutsideHeader(t *testing.T) {
	tool := p.spec.Tools[0]
	for _, tc := range []struct {
		name        string
		inQuery     bool
		inHeader    bool
		formBody    bool
		wantStatus  int
		wantErrCode string // in the challenge; "" means no error= at all
	}{
		{name: "query string only", inQuery: true, wantStatus: 400, wantErrCode: "invalid_request"},
		{name: "query string and header", inQuery: true, inHeader: true, wantStatus: 400, wantErrCode: "invalid_request"},
		{name: "form body", formBody: true, wantStatus: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := p.srv.newSub()
			tok := p.iss.mint(t, p.claims(sub, tool.Scopes...), nil)
			u, body, h := p.srv.resource, callBody(tool.Name), header{}
			if tc.inQuery {
				u += "?access_token=" + url.QueryEscape(tok)
			}
			if tc.inHeader {
				h["Authorization"] = "Bearer " + tok
			}
			if tc.formBody {
				body = url.Values{"access_token": {tok}, "payload": {callBody(tool.Name)}}.Encode()
				h["Content-Type"] = "application/x-www-form-urlencoded"
			}
			r := p.srv.send(t, "POST", u, body, h)
			r.wantNoToolRun(t, sub)
			c := r.challenge(t)
			switch {
			case r.status != tc.wantStatus:
				t.Errorf("want %d\n%s", tc.wantStatus, r)
			case c != nil && c["error"] != tc.wantErrCode:
				t.Errorf("want error=%q in the challenge\n%s", tc.wantErrCode, r)
			}
		})
	}
}

func (p *prober) corsAllowed(t *testing.T) {
	t.Run("preflight", func(t *testing.T) {
		r := p.srv.send(t, "OPTIONS", p.srv.resource, "", header{
			"Content-Type":                   "",
			"Accept":                         "",
			"MCP-Protocol-Version":           "",
			"Origin":                         inspectorOrigin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version",
		})
		if r.status < 200 || r.status > 299 {
			t.Fatalf("want 2xx\n%s", r)
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != inspectorOrigin {
			t.Errorf("want Access-Control-Allow-Origin: %s\n%s", inspectorOrigin, r)
		}
		if m := missingFromList(r.header, "Access-Control-Allow-Methods", "POST"); len(m) > 0 {
			t.Errorf("Access-Control-Allow-Methods lacks %v\n%s", m, r)
		}
		// The three the preflight asked for, and the others DESIGN §4 and
		// issue 3 require for MCP clients in a browser.
		if m := missingFromList(r.header, "Access-Control-Allow-Headers",
			"Authorization", "Content-Type", "MCP-Protocol-Version", "Mcp-Session-Id", "Mcp-Method", "Mcp-Name", "Last-Event-ID"); len(m) > 0 {
			t.Errorf("Access-Control-Allow-Headers lacks %v\n%s", m, r)
		}
	})

	tool := p.spec.Tools[0]
	type exposeCase struct {
		name       string
		scopes     []string // granted; nil and !withToken: no token
		withToken  bool
		wantStatus int
	}
	cases := []exposeCase{
		{"200", tool.Scopes, true, 200},
		{"401", nil, false, 401},
	}
	if len(tool.Scopes) > 0 {
		cases = append(cases, exposeCase{"403", []string{"unrelated"}, true, 403})
	}
	for _, tc := range cases {
		t.Run("exposed headers on "+tc.name, func(t *testing.T) {
			h := header{"Origin": inspectorOrigin}
			sub := p.srv.newSub()
			if tc.withToken {
				h["Authorization"] = "Bearer " + p.iss.mint(t, p.claims(sub, tc.scopes...), nil)
			}
			r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), h)
			if r.status != tc.wantStatus {
				t.Fatalf("want %d\n%s", tc.wantStatus, r)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != inspectorOrigin {
				t.Errorf("want Access-Control-Allow-Origin: %s, or the browser hides the whole response\n%s", inspectorOrigin, r)
			}
			if m := missingFromList(r.header, "Access-Control-Expose-Headers", "WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version"); len(m) > 0 {
				t.Errorf("Access-Control-Expose-Headers lacks %v\n%s", m, r)
			}
		})
	}
}

func (p *prober) corsForeign(t *testing.T) {
	tool := p.spec.Tools[0]
	t.Run("tool call with a valid token", func(t *testing.T) {
		sub := p.srv.newSub()
		tok := p.iss.mint(t, p.claims(sub, scopeNames(p.spec)...), nil)
		r := p.srv.send(t, "POST", p.srv.resource, callBody(tool.Name), header{"Origin": evilOrigin, "Authorization": "Bearer " + tok})
		if r.status != 403 {
			t.Errorf("want 403 for Origin %s\n%s", evilOrigin, r)
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("want no Access-Control-Allow-Origin for a refused origin\n%s", r)
		}
		r.wantNoToolRun(t, sub)
	})
	t.Run("preflight", func(t *testing.T) {
		r := p.srv.send(t, "OPTIONS", p.srv.resource, "", header{
			"Content-Type": "", "Accept": "", "MCP-Protocol-Version": "",
			"Origin":                         evilOrigin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization, content-type",
		})
		if r.status >= 200 && r.status <= 299 || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("want the preflight from %s refused, without Access-Control-Allow-Origin\n%s", evilOrigin, r)
		}
	})
}

// claims are valid claims for this server, granting scopes.
func (p *prober) claims(sub string, scopes ...string) map[string]any {
	c := map[string]any{"aud": p.srv.resource, "sub": sub}
	if scopes != nil {
		c["scope"] = strings.Join(scopes, " ")
	}
	return c
}

// outageProbe checks that a server whose issuer cannot serve its keys fails
// closed and recovers by itself.
type outageProbe struct {
	srv       *server
	iss       *issuer
	spec      *generator.Spec
	token     string
	sub       string
	recovered time.Time
}

// failClosed runs while the issuer's /keys answers 500 and the server has
// never had keys: a well-formed token gets 503 (not 401, which would send
// clients into a re-authorization loop), and /readyz says 503. It ends by
// bringing the issuer back.
func (o *outageProbe) failClosed(t *testing.T) {
	defer func() {
		o.iss.setFailing(false)
		o.recovered = time.Now()
	}()
	tool := o.spec.Tools[0]
	o.sub = o.srv.newSub()
	o.token = o.iss.mint(t, map[string]any{"aud": o.srv.resource, "sub": o.sub, "scope": strings.Join(tool.Scopes, " ")}, nil)
	// Twice: the first request makes the server fetch (and refetch on the
	// unknown kid); the second meets the refetch rate limit.
	for i := range 2 {
		r := o.srv.send(t, "POST", o.srv.resource, callBody(tool.Name), bearer(o.token))
		r.wantNoToolRun(t, o.sub)
		if r.status != 503 {
			t.Fatalf("request %d during the outage: want 503 (cannot verify now)\n%s", i+1, r)
		}
		if c := r.challenge(t); c != nil && c["error"] == "invalid_token" {
			t.Errorf("request %d during the outage: the token is not at fault, want no invalid_token challenge\n%s", i+1, r)
		}
		if r.header.Get("Retry-After") == "" {
			t.Errorf("request %d during the outage: want a Retry-After header\n%s", i+1, r)
		}
	}
	if o.iss.keyFetches() == 0 {
		t.Errorf("the server answered 503 without trying to fetch the issuer's keys")
	}
	if r := o.srv.send(t, "GET", origin(o.srv.resource)+"/readyz", "", nil); r.status != 503 {
		t.Errorf("/readyz during the outage: want 503\n%s", r)
	}
	o.readyzSaysNothing(t)
}

// recover waits for the server to accept the same token once the issuer
// is back, within keyRecoveryBound, answering only 503 meanwhile.
func (o *outageProbe) recover(t *testing.T) {
	tool := o.spec.Tools[0]
	for {
		r := o.srv.send(t, "POST", o.srv.resource, callBody(tool.Name), bearer(o.token))
		waited := time.Since(o.recovered).Round(100 * time.Millisecond)
		if r.status == 200 {
			r.wantToolRun(t, tool.Name, o.sub)
			t.Logf("token accepted %v after the issuer recovered", waited)
			break
		}
		r.wantNoToolRun(t, o.sub)
		if r.status != 503 {
			t.Fatalf("%v after the issuer recovered: want 503 until the keys are refetched, then 200\n%s", waited, r)
		}
		if waited > keyRecoveryBound {
			t.Fatalf("the server still cannot verify tokens %v after the issuer recovered (bound %v)\n%s", waited, keyRecoveryBound, r)
		}
		time.Sleep(time.Second)
	}
	if r := o.srv.send(t, "GET", origin(o.srv.resource)+"/readyz", "", nil); r.status != 200 {
		t.Errorf("/readyz after recovery: want 200\n%s", r)
	}
}

// server is a generated project's binary running on loopback.
type server struct {
	resource string // MCP_SERVER_URL: the endpoint and expected audience
	prm      string // path-inserted protected-resource metadata URL
	iss      *issuer
	logs     *logBuffer
	subs     atomic.Int64
	// realTools: the tools are real code, not the stubs that answer with
	// their name and the caller's subject.
	realTools bool
}

func loadSpec(t *testing.T, name string) *generator.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(name, generator.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := generator.ParseSpec(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// start runs the server binary on a free loopback port, with iss standing
// in for the Scalekit environment.
func start(t *testing.T, bin string, spec *generator.Spec, iss *issuer) *server {
	t.Helper()
	port := freePort(t)
	srv := launch(t, bin, port, resourceURL(spec, port), iss.URL(), "res_golden")
	srv.iss = iss
	return srv
}

// resourceURL is the MCP endpoint of spec's server on a loopback port.
func resourceURL(spec *generator.Spec, port int) string {
	u, _ := url.Parse(spec.ServerURL)
	return fmt.Sprintf("http://127.0.0.1:%d%s", port, u.Path)
}

// launch runs the server binary on port with envURL standing in for the
// Scalekit environment and waits until it is healthy.
func launch(t *testing.T, bin string, port int, resource, envURL, resourceID string, env ...string) *server {
	t.Helper()
	srv := &server{resource: resource, prm: prmURL(resource), logs: new(logBuffer)}
	_, srv.realTools = realTools.Load(bin)

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = t.TempDir() // no .env from the project directory
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("PORT=%d", port),
		"MCP_SERVER_URL="+resource,
		"AUTH_PROVIDER=scalekit",
		"SCALEKIT_ENVIRONMENT_URL="+envURL,
		"SCALEKIT_RESOURCE_ID="+resourceID,
		"LOG_LEVEL=debug",
		"JWKS_REFRESH_MIN_INTERVAL="+keyRefreshMinInterval.String(),
		// Read only by servers with a login route (bring your own auth).
		"SCALEKIT_CONNECTION_ID=conn_golden", "SCALEKIT_CLIENT_ID=skc_golden", "SCALEKIT_CLIENT_SECRET=golden-client-secret",
	)
	cmd.Env = append(cmd.Env, downstreamEnv...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = srv.logs, srv.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log (%s):\n%s", resource, srv.logs)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return srv
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v\nlog:\n%s", err, srv.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// newSub returns a subject no other request of this test uses. The tools
// answer with the caller's subject, so finding it in a response body means
// the tool ran for that request.
func (s *server) newSub() string {
	return fmt.Sprintf("user_probe_%d", s.subs.Add(1))
}

// header lists request headers to set; an empty value removes a default.
type header map[string]string

func bearer(token string) header { return header{"Authorization": "Bearer " + token} }

// httpClient bounds every probe request, so that a server that hangs fails
// the test instead of stalling it.
var httpClient = &http.Client{Timeout: 20 * time.Second}

// send makes one request. POSTs carry the headers of an MCP client unless h
// overrides them.
func (s *server) send(t *testing.T, method, u, body string, h header) *reply {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == "POST" || method == "OPTIONS" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	}
	for k, v := range h {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	mark := s.logs.Len()
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\nserver log meanwhile:\n%s", method, u, err, s.logs.Since(mark))
	}
	defer resp.Body.Close()
	return &reply{
		method: method, url: u, reqHeader: req.Header, reqBody: body,
		status: resp.StatusCode, header: resp.Header, body: readRPC(resp),
		elapsed: time.Since(start), srv: s, logMark: mark,
	}
}

// reply is one request and its response, printable in failure messages
// together with what the server logged meanwhile.
type reply struct {
	method, url string
	reqHeader   http.Header
	reqBody     string
	status      int
	header      http.Header
	body        string
	elapsed     time.Duration
	srv         *server
	logMark     int
}

func (r *reply) String() string {
	time.Sleep(100 * time.Millisecond) // let the log pipe catch up
	var b strings.Builder
	fmt.Fprintf(&b, "  request: %s %s\n", r.method, r.url)
	for _, k := range slices.Sorted(maps.Keys(r.reqHeader)) {
		v := strings.Join(r.reqHeader[k], ", ")
		if k == "Authorization" && len(v) > 60 {
			v = v[:60] + "…"
		}
		fmt.Fprintf(&b, "    %s: %s\n", k, v)
	}
	if r.reqBody != "" {
		fmt.Fprintf(&b, "    body: %s\n", truncate(r.reqBody, 300))
	}
	fmt.Fprintf(&b, "  response (%v): %d\n", r.elapsed.Round(time.Millisecond), r.status)
	for _, k := range []string{"WWW-Authenticate", "Content-Type", "Retry-After",
		"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers"} {
		if v := r.header.Values(k); len(v) > 0 {
			fmt.Fprintf(&b, "    %s: %s\n", k, strings.Join(v, " | "))
		}
	}
	fmt.Fprintf(&b, "    body: %s\n", truncate(strings.TrimSpace(r.body), 1000))
	fmt.Fprintf(&b, "  server log during the request:\n%s", indent(r.srv.logs.Since(r.logMark)))
	return b.String()
}

// challenge parses the WWW-Authenticate header: nil when there is none,
// a test failure when it is not one well-formed Bearer challenge.
func (r *reply) challenge(t *testing.T) map[string]string {
	t.Helper()
	values := r.header.Values("WWW-Authenticate")
	if len(values) == 0 {
		return nil
	}
	if len(values) > 1 {
		t.Errorf("want one WWW-Authenticate header\n%s", r)
	}
	params, err := parseBearerChallenge(values[0])
	if err != nil {
		t.Errorf("WWW-Authenticate: %v\n%s", err, r)
		return nil
	}
	return params
}

// wantToolRun checks that the response is the tool's result for sub.
// With real tools, whose replies are their own and who may refuse the
// empty arguments the probes send (a tool error, after every check passed),
// it checks that the call got past every check: 200 and a JSON-RPC result.
func (r *reply) wantToolRun(t *testing.T, tool, sub string) {
	t.Helper()
	switch {
	case r.srv != nil && r.srv.realTools:
		if r.status != 200 || !hasRPCResult(r.body) {
			t.Errorf("want 200 and a result from %s\n%s", tool, r)
		}
	case r.status != 200 || !strings.Contains(r.body, tool) || !strings.Contains(r.body, sub) || strings.Contains(r.body, `"isError":true`):
		t.Errorf("want 200 and the result of %s for %s\n%s", tool, sub, r)
	}
}

// wantNoToolRun checks that no tool ran for sub, and that the body is no
// JSON-RPC result at all.
func (r *reply) wantNoToolRun(t *testing.T, sub string) {
	t.Helper()
	switch {
	case strings.Contains(r.body, sub):
		t.Errorf("a tool ran (its result names %s), but the request should have been refused\n%s", sub, r)
	case hasRPCResult(r.body):
		t.Errorf("the response carries a JSON-RPC result, but the request should have been refused\n%s", r)
	}
}

// hasRPCResult reports whether body is a JSON-RPC response with a result,
// or a batch holding one.
func hasRPCResult(body string) bool {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return false
	}
	msgs, ok := v.([]any)
	if !ok {
		msgs = []any{v}
	}
	for _, m := range msgs {
		if obj, ok := m.(map[string]any); ok && obj["result"] != nil {
			return true
		}
	}
	return false
}

// parseBearerChallenge parses one RFC 9110 §11.6.1 challenge with the
// Bearer scheme into its auth-params (names lower-cased).
func parseBearerChallenge(h string) (map[string]string, error) {
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, fmt.Errorf("scheme %q, want Bearer", scheme)
	}
	params := map[string]string{}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		name, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, fmt.Errorf("%q: auth-param without '='", rest)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		after = strings.TrimLeft(after, " ")
		var value string
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
				}
				b.WriteByte(after[i])
			}
			if i == len(after) {
				return nil, fmt.Errorf("%q: unterminated quoted string", after)
			}
			value, after = b.String(), after[i+1:]
		} else {
			value, after, _ = strings.Cut(after, ",")
			value, after = strings.TrimSpace(value), ","+after
		}
		if _, dup := params[name]; dup {
			return nil, fmt.Errorf("parameter %s appears twice", name)
		}
		params[name] = value
		after = strings.TrimSpace(after)
		if after != "" && after != "," {
			if after[0] != ',' {
				return nil, fmt.Errorf("%q: want ',' between parameters", after)
			}
		}
		rest = strings.TrimSpace(strings.TrimPrefix(after, ","))
	}
	return params, nil
}

// missingFromList returns the items not named (case-insensitively) in the
// comma-separated header.
func missingFromList(h http.Header, name string, items ...string) []string {
	have := map[string]bool{}
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			have[strings.ToLower(strings.TrimSpace(item))] = true
		}
	}
	var missing []string
	for _, item := range items {
		if !have[strings.ToLower(item)] && !have["*"] {
			missing = append(missing, item)
		}
	}
	return missing
}

func callBody(tool string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"arguments":{}}}`, tool)
}

func scopeNames(spec *generator.Spec) []string {
	var names []string
	for _, s := range spec.Scopes {
		names = append(names, s.Name)
	}
	return names
}

// sameSet reports whether a and b hold the same strings, each once.
func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b) && len(slices.Compact(a)) == len(b)
}

func without(all, drop []string) []string {
	var out []string
	for _, s := range all {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)\n"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

// logBuffer collects a server's output; the probes read it while the
// server writes.
type logBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *logBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.b)
}

// Since returns what was written after the first n bytes.
func (l *logBuffer) Since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b[n:])
}

func (l *logBuffer) String() string { return l.Since(0) }

// prmURL is the path-inserted metadata URL of RFC 9728 §3.1.
func prmURL(resource string) string {
	u, _ := url.Parse(resource)
	return origin(resource) + "/.well-known/oauth-protected-resource" + strings.TrimSuffix(u.Path, "/")
}

func origin(resource string) string {
	u, _ := url.Parse(resource)
	return u.Scheme + "://" + u.Host
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// readRPC returns the body of a response; for a server-sent event stream,
// the data of its first event (the JSON-RPC response of a stateless call).
func readRPC(resp *http.Response) string {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, err := io.ReadAll(resp.Body)
		if err != nil && !errors.Is(err, io.EOF) {
			return string(b) + fmt.Sprintf(" [reading body: %v]", err)
		}
		return string(b)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return data
		}
	}
	return ""
}
