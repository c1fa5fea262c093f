package golden

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// The probes here hold every template to the fixes of a security review
// (issue 9): connections that trickle bodies, forged key IDs, keys from
// anywhere but the configured URL, keys used against their rules, and
// /readyz telling strangers about the inside.

// slowBodies: a request announcing a body of 1000 bytes and sending one,
// with no token or to a public route, is answered at once and its
// connection closed: nothing waits for a body it will not read.
func (p *prober) slowBodies(t *testing.T) {
	u, err := url.Parse(p.srv.resource)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, method, path, status string }{
		{"unauthenticated POST to the MCP endpoint", "POST", u.EscapedPath(), "401"},
		{"GET /healthz", "GET", "/healthz", "200"},
		{"GET protected resource metadata", "GET", "/.well-known/oauth-protected-resource", "200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const bound = 2 * time.Second
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			began := time.Now()
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", tc.method, tc.path, u.Host)
			conn.SetReadDeadline(time.Now().Add(bound + 5*time.Second))
			br := bufio.NewReader(conn)
			status, err := br.ReadString('\n')
			if err != nil || !strings.Contains(status, " "+tc.status+" ") {
				t.Fatalf("status line %q (%v) after %v, want %s without waiting for the body", status, err, time.Since(began).Round(time.Millisecond), tc.status)
			}
			if _, err := io.Copy(io.Discard, br); err != nil || time.Since(began) > bound {
				t.Errorf("connection still open %v after the answer (read error %v); want it closed within %v", time.Since(began).Round(time.Millisecond), err, bound)
			}
		})
	}
}

// forgedKeyIDs: tokens signed with made-up key IDs, which anyone can mint,
// are invalid (401), answered at once however fast they come, never "keys
// unavailable" (503) while the issuer's keys are healthy, and none is
// logged as an error. The server runs with the default refetch interval of
// 30 s, so that all but the first hit the refetch limit.
func forgedKeyIDs(t *testing.T, bin string, spec *generator.Spec) {
	iss := newIssuer(t)
	port := freePort(t)
	srv := launch(t, bin, port, resourceURL(spec, port), iss.URL(), "res_golden", "JWKS_REFRESH_MIN_INTERVAL=30s")
	srv.iss = iss
	p := &prober{srv: srv, iss: iss, spec: spec, stranger: newKey(t)}
	tool := spec.Tools[0]
	sub := srv.newSub()
	srv.send(t, "POST", srv.resource, callBody(tool.Name), bearer(iss.mint(t, p.claims(sub, tool.Scopes...), nil))).wantToolRun(t, tool.Name, sub)

	mark := srv.logs.Len()
	for i := range 12 {
		sub := srv.newSub()
		tok := iss.mintWith(t, signing{key: p.stranger, kid: fmt.Sprintf("forged-%d", i)}, p.claims(sub, tool.Scopes...))
		r := srv.send(t, "POST", srv.resource, callBody(tool.Name), bearer(tok))
		p.wantInvalidToken(t, r, fmt.Sprintf("forged token %d with a made-up key ID", i+1))
		r.wantNoToolRun(t, sub)
		if r.elapsed > time.Second {
			t.Errorf("forged token %d answered after %v; a refusal must not wait for the refetch limiter", i+1, r.elapsed)
		}
	}
	if log := srv.logs.Since(mark); strings.Contains(log, `"level":"ERROR"`) {
		t.Errorf("forged tokens caused ERROR log lines:\n%s", log)
	}
}

// keyRules starts a server whose issuer publishes, beside its signing key,
// a key for encryption, a key for RS512 and a 1024-bit key. Tokens signed
// with them are refused, with or without a key ID: only the signing key
// verifies.
func keyRules(t *testing.T, bin string, spec *generator.Spec) {
	iss := newIssuer(t)
	odd := map[string]struct {
		key      *rsa.PrivateKey
		use, alg string
	}{
		"encryption key": {newKey(t), "enc", "RSA-OAEP"},
		"RS512 key":      {newKey(t), "sig", "RS512"},
		"1024-bit key":   {weakKey(t), "sig", "RS256"},
	}
	for name, k := range odd {
		iss.publish(k.key, name, k.use, k.alg)
	}
	srv := start(t, bin, spec, iss)
	tool := spec.Tools[0]
	p := &prober{srv: srv, iss: iss, spec: spec}
	for name, k := range odd {
		for _, noKID := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, key ID in the token: %v", name, !noKID), func(t *testing.T) {
				sub := srv.newSub()
				tok := iss.mintWith(t, signing{key: k.key, kid: name, noKID: noKID}, p.claims(sub, tool.Scopes...))
				r := srv.send(t, "POST", srv.resource, callBody(tool.Name), bearer(tok))
				p.wantInvalidToken(t, r, "a token signed with the "+name)
				r.wantNoToolRun(t, sub)
			})
		}
	}
	t.Run("signing key, no key ID in the token", func(t *testing.T) {
		sub := srv.newSub()
		tok := iss.mintWith(t, signing{noKID: true}, p.claims(sub, tool.Scopes...))
		srv.send(t, "POST", srv.resource, callBody(tool.Name), bearer(tok)).wantToolRun(t, tool.Name, sub)
	})
}

// redirectedKeys starts a server whose issuer's /keys redirects to another
// issuer's: tokens signed by that other issuer's key, claiming to come from
// the server's issuer, must not run a tool.
func redirectedKeys(t *testing.T, bin string, spec *generator.Spec) {
	iss, elsewhere := newIssuer(t), newIssuer(t)
	iss.redirectKeys(elsewhere.URL() + "/keys")
	srv := start(t, bin, spec, iss)
	tool := spec.Tools[0]
	p := &prober{srv: srv, iss: iss, spec: spec}
	key, kid := elsewhere.signingKey()
	sub := srv.newSub()
	tok := iss.mintWith(t, signing{key: key, kid: kid}, p.claims(sub, tool.Scopes...))
	r := srv.send(t, "POST", srv.resource, callBody(tool.Name), bearer(tok))
	if r.status == 200 {
		t.Errorf("a token signed with the key found behind a redirect was accepted\n%s", r)
	}
	r.wantNoToolRun(t, sub)
}

// readyzSaysNothing checks that /readyz, during an outage, names neither
// the issuer's address nor the network error.
func (o *outageProbe) readyzSaysNothing(t *testing.T) {
	r := o.srv.send(t, "GET", origin(o.srv.resource)+"/readyz", "", nil)
	host := strings.TrimPrefix(o.iss.URL(), "http://")
	for _, leak := range []string{host, "/keys", "500", "dial", "refused"} {
		if strings.Contains(r.body, leak) {
			t.Errorf("/readyz tells strangers %q\n%s", leak, r)
		}
	}
}

// weakKey is an RSA key too short to be trusted.
func weakKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
