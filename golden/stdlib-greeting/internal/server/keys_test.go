package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/greeting/internal/authtest"
	"example.com/greeting/internal/config"
	"example.com/greeting/internal/tools"
)

// These tests are about the issuer's signing keys: where they come from,
// which of them may verify a token, and what a client is told when they
// cannot be had.

func TestKeyRotation(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	s.wantRun(t, s.call(t, "before", tool, scopes...), "before", tool)
	unused := s.token(t, "old-key", scopes...) // signed with the old key, never presented

	s.Issuer.RotateKey(t, false)
	time.Sleep(30 * time.Millisecond) // the refetch interval
	s.wantRun(t, s.call(t, "after", tool, scopes...), "after", tool)
	if resp := s.rpc(t, unused, "tools/call", callParams(tool)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token signed with a withdrawn key: %d, want 401", resp.StatusCode)
	}
	s.wantNoRun(t, "old-key")
}

// TestForgedKeyIDsAreNotAnOutage: anyone can mint a token with a key ID the
// issuer never published (iss and aud are public). While the issuer's keys
// are healthy, each such token is invalid (401), however often the refetch
// it prompts is rate-limited, and none is logged as an error: a flood of
// them must neither look like an outage to clients nor page anyone. A key
// the issuer does publish later is accepted once it has been fetched.
func TestForgedKeyIDsAreNotAnOutage(t *testing.T) {
	const interval = 500 * time.Millisecond
	s := start(t, nil, func(cfg *config.Config) { cfg.Auth.KeyRefreshMinInterval = interval })
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	s.wantRun(t, s.call(t, "genuine", tool, scopes...), "genuine", tool)

	forger := authtest.NewIssuer(t)
	for i := range 12 {
		sub := fmt.Sprintf("forger-%d", i)
		c := s.claims(sub, scopes...)
		resp := s.rpc(t, forger.Mint(t, c), "tools/call", callParams(tool))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("forged token %d: %d %s, want 401 invalid_token", i, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		s.wantNoRun(t, sub)
	}
	if logs := s.Logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("forged tokens were logged as errors:\n%s", logs)
	}

	s.Issuer.RotateKey(t, true)
	time.Sleep(interval + 100*time.Millisecond)
	s.wantRun(t, s.call(t, "after rotation", tool, scopes...), "after rotation", tool)
}

// TestKeysComeOnlyFromTheConfiguredURL: a JWKS or metadata URL that
// redirects elsewhere, or serves an oversized document, yields no keys:
// tokens signed with the redirect target's key never run a tool.
func TestKeysComeOnlyFromTheConfiguredURL(t *testing.T) {
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	for _, tc := range []struct {
		name  string
		setup func(s *testServer, elsewhere *authtest.Issuer)
		env   func(env map[string]string)
	}{
		{name: "JWKS redirects", setup: func(s *testServer, elsewhere *authtest.Issuer) { s.Issuer.Redirect(elsewhere.URL) }},
		{name: "metadata redirects", setup: func(s *testServer, elsewhere *authtest.Issuer) {
			// Metadata elsewhere that claims to be the issuer's, naming
			// other keys.
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, s.Issuer.URL, elsewhere.JWKSURL)
			}))
			t.Cleanup(fake.Close)
			s.Issuer.Redirect(fake.URL)
		}, env: func(env map[string]string) { env["OAUTH_JWKS_URL"] = "" }},
		{name: "JWKS too large", setup: func(s *testServer, _ *authtest.Issuer) { s.Issuer.Pad(2 << 20) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.env, nil)
			elsewhere := authtest.NewIssuer(t)
			tc.setup(s, elsewhere)
			for _, signer := range []*authtest.Issuer{elsewhere, s.Issuer} {
				sub := "signed by " + signer.URL
				c := s.claims(sub, scopes...)
				resp := s.rpc(t, signer.Mint(t, c), "tools/call", callParams(tool))
				if resp.StatusCode == http.StatusOK {
					t.Errorf("token signed by %s: 200", signer.URL)
				}
				s.wantNoRun(t, sub)
			}
		})
	}
}

// TestKeyRules: only the issuer's signature keys that fit the token's
// algorithm verify it, whether or not the token names its key: not a key
// published for encryption, not one published for another algorithm, not
// an RSA key shorter than 2048 bits.
func TestKeyRules(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	scopes := tools.ToolScopes[tool]
	cases := []struct {
		name           string
		bits           int
		use, alg       string
		withoutKID, ok bool
	}{
		{name: "encryption key, no kid", bits: 2048, use: "enc", alg: "RSA-OAEP", withoutKID: true},
		{name: "encryption key, its kid", bits: 2048, use: "enc", alg: "RSA-OAEP"},
		{name: "RS512 key used for RS256, no kid", bits: 2048, use: "sig", alg: "RS512", withoutKID: true},
		{name: "RS512 key used for RS256, its kid", bits: 2048, use: "sig", alg: "RS512"},
		{name: "1024-bit key, no kid", bits: 1024, use: "sig", alg: "RS256", withoutKID: true},
		{name: "1024-bit key, its kid", bits: 1024, use: "sig", alg: "RS256"},
		{name: "signature key without use or alg, no kid", bits: 2048, withoutKID: true, ok: true},
	}
	// Every key is published before the server first fetches the JWKS: a
	// token without a key ID never prompts a fetch.
	keys := make([]authtest.Key, len(cases))
	for i, tc := range cases {
		keys[i] = s.Issuer.PublishKey(t, tc.bits, tc.use, tc.alg)
	}
	for i, tc := range cases {
		key := keys[i]
		header := map[string]any{}
		if tc.withoutKID {
			header["kid"] = nil
		}
		sub := "signed with the " + tc.name
		resp := s.rpc(t, authtest.MintWith(t, key, header, s.claims(sub, scopes...)), "tools/call", callParams(tool))
		if tc.ok {
			s.wantRun(t, resp, sub, tool)
			continue
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, resp.StatusCode)
		}
		s.wantNoRun(t, sub)
	}
}

func TestJWKSOutage(t *testing.T) {
	s := start(t, nil, nil)
	s.Issuer.SetFailing(true)
	tool := sortedTools()[0]
	token := s.token(t, "patient", tools.ToolScopes[tool]...)

	resp := s.rpc(t, token, "tools/call", callParams(tool))
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("during outage: %d %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if code := getStatus(t, s.Base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz during outage: %d", code)
	}
	// Forged tokens are still refused as invalid, not with a 5xx.
	expired := s.claims("expired")
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	if resp := s.rpc(t, s.Issuer.Mint(t, expired), "tools/call", callParams(tool)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired token during outage: %d", resp.StatusCode)
	}

	s.Issuer.SetFailing(false)
	deadline := time.Now().Add(5 * time.Second)
	for getStatus(t, s.Base+"/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.wantRun(t, s.rpc(t, token, "tools/call", callParams(tool)), "patient", tool)
}

// TestReadyzTellsStrangersNothing: during an outage /readyz answers 503
// with a generic reason; the JWKS URL and the network error are for the
// log only.
func TestReadyzTellsStrangersNothing(t *testing.T) {
	s := start(t, nil, nil)
	s.Issuer.SetFailing(true)
	resp, err := http.Get(s.Base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	issuer, _ := url.Parse(s.Issuer.URL)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz during outage: %d", resp.StatusCode)
	}
	for _, secret := range []string{issuer.Host, "jwks", "503", "dial", "refused"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("readyz tells strangers %q: %s", secret, body)
		}
	}
	if !strings.Contains(s.Logs.String(), issuer.Host) {
		t.Errorf("the log does not say which URL failed:\n%s", s.Logs.String())
	}
}

// TestBadCredentialsAre400Or401: a malformed credential may be answered 400
// invalid_request; every other bad token 401 invalid_token; never a 5xx.
func TestBadCredentialsAre400Or401(t *testing.T) {
	s := start(t, nil, nil)
	tool := sortedTools()[0]
	for _, authz := range []string{"Bearer eyJ!!!.e30.@@@", "Bearer a.b.c", "Bearer " + strings.Repeat("A", 20000)} {
		resp := s.rpc(t, "", "tools/call", callParams(tool), "Authorization: "+authz)
		c := resp.Header.Get("WWW-Authenticate")
		switch {
		case resp.StatusCode == http.StatusBadRequest && strings.Contains(c, `error="invalid_request"`):
		case resp.StatusCode == http.StatusUnauthorized && strings.Contains(c, `error="invalid_token"`):
		default:
			t.Errorf("%.40s: %d %s", authz, resp.StatusCode, c)
		}
	}
	none := authtest.Sign(t, jwt.SigningMethodNone, "", jwt.UnsafeAllowNoneSignatureType, s.claims("none"))
	if resp := s.rpc(t, none, "tools/call", callParams(tool)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("alg none without kid: %d", resp.StatusCode)
	}
}
