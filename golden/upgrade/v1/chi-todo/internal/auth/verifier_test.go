package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/todo/internal/authtest"
)

const testAudience = "https://mcp.example.com/mcp"

// newTestVerifier returns a verifier trusting iss, with a short refetch
// interval so that outage tests run fast.
func newTestVerifier(t *testing.T, iss *authtest.Issuer) *Verifier {
	t.Helper()
	v, err := NewVerifier(t.Context(), VerifierOptions{
		Issuers:            []string{iss.URL},
		Audiences:          []string{testAudience},
		JWKSURL:            iss.JWKSURL,
		Leeway:             time.Minute,
		MinRefreshInterval: 20 * time.Millisecond,
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAcceptsValidToken(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	claims := iss.Claims(testAudience, "todo:read")
	claims["scp"] = []string{"todo:write"}
	claims["scopes"] = "extra todo:read"

	tok, err := v.Verify(t.Context(), iss.Mint(t, claims))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if tok.Subject != authtest.Subject || tok.ClientID != authtest.ClientID || tok.Issuer != iss.URL {
		t.Errorf("token = %+v", tok)
	}
	if want := []string{"todo:read", "todo:write", "extra"}; !slices.Equal(tok.Scopes, want) {
		t.Errorf("Scopes = %q, want the union %q", tok.Scopes, want)
	}
}

func TestVerifyAudience(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	for _, tc := range []struct {
		aud  any
		want bool
	}{
		{testAudience, true},
		{testAudience + "/", true}, // trailing slash tolerated
		{[]string{"https://other.example.com", testAudience}, true},
		{"https://mcp.example.com", false},
		{"https://mcp.example.com/mcp/extra", false},
		{"https://MCP.example.com/mcp", false},
		{[]string{}, false},
		{nil, false},
	} {
		claims := iss.Claims("")
		claims["aud"] = tc.aud
		if tc.aud == nil {
			delete(claims, "aud")
		}
		_, err := v.Verify(t.Context(), iss.Mint(t, claims))
		if got := err == nil; got != tc.want {
			t.Errorf("aud %v: accepted = %v, want %v (err %v)", tc.aud, got, tc.want, err)
		}
	}
}

// TestVerifyRefuses covers tokens that must be refused as invalid_token.
func TestVerifyRefuses(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	now := time.Now()
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() jwt.MapClaims { return iss.Claims(testAudience, "todo:read") }
	with := func(k string, val any) jwt.MapClaims {
		c := valid()
		if val == nil {
			delete(c, k)
		} else {
			c[k] = val
		}
		return c
	}

	tests := []struct {
		name  string
		token string
		desc  string // expected error_description fragment
	}{
		{"wrong audience", iss.Mint(t, with("aud", "https://evil.example.com")), "not meant for this resource"},
		{"wrong issuer", iss.Mint(t, with("iss", "https://evil.example.com")), "issuer"},
		{"issuer with trailing slash", iss.Mint(t, with("iss", iss.URL+"/")), "issuer"},
		{"expired", iss.Mint(t, with("exp", now.Add(-2*time.Minute).Unix())), "expired"},
		{"no exp", iss.Mint(t, with("exp", nil)), "required claim"},
		{"not yet valid", iss.Mint(t, with("nbf", now.Add(5*time.Minute).Unix())), "not valid yet"},
		{"issued in the future", iss.Mint(t, with("iat", now.Add(5*time.Minute).Unix())), "not valid yet"},
		{"scope claim of wrong type", iss.Mint(t, with("scope", 42)), "malformed"},
		{"alg none", authtest.Sign(t, jwt.SigningMethodNone, iss.KeyID(), jwt.UnsafeAllowNoneSignatureType, valid()), "signature"},
		{"HS256 keyed with the public key", authtest.Sign(t, jwt.SigningMethodHS256, iss.KeyID(), iss.PublicKeyDER(t), valid()), "signature"},
		{"signed by another key under the issuer's kid", authtest.Sign(t, jwt.SigningMethodRS256, iss.KeyID(), otherKey, valid()), "signature"},
		{"unknown kid", authtest.Sign(t, jwt.SigningMethodRS256, "no-such-key", otherKey, valid()), "unknown key"},
		{"no kid, foreign key", authtest.Sign(t, jwt.SigningMethodRS256, "", otherKey, valid()), "signature"},
		{"ES256 under the kid of an RS256 key", authtest.Sign(t, jwt.SigningMethodES256, iss.KeyID(), ecKey, valid()), "unknown key"},
		{"embedded jwk header", attackerToken(t, otherKey, map[string]any{"kid": "attacker", "jwk": publicJWK(otherKey)}, valid()), "unknown key"},
		{"embedded jwk header under the issuer's kid", attackerToken(t, otherKey, map[string]any{"kid": iss.KeyID(), "jwk": publicJWK(otherKey)}, valid()), "signature"},
		{"jku header", attackerToken(t, otherKey, map[string]any{"kid": "attacker", "jku": iss.URL + "/evil"}, valid()), "unknown key"},
		{"critical header", iss.MintWithHeader(t, map[string]any{"crit": []string{"exp"}}, valid()), "critical"},
		{"garbage", "not.a.jwt", "malformed"},
		{"two parts", "abc.def", "malformed"},
		{"too large", strings.Repeat("a", maxTokenBytes+1), "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tc.token)
			var invalid *InvalidTokenError
			if !errors.As(err, &invalid) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want an InvalidTokenError", err)
			}
			if !strings.Contains(invalid.Description, tc.desc) {
				t.Errorf("description %q does not mention %q", invalid.Description, tc.desc)
			}
		})
	}
}

// TestVerifyType checks the "typ" header rules of RFC 9068 and RFC 8725:
// access-token types always pass, "JWT" and no type pass unless strict, any
// other type (an ID token, say) never does.
func TestVerifyType(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tests := []struct {
		typ             any // nil: no typ header
		lenient, strict bool
	}{
		{"at+jwt", true, true},
		{"application/at+jwt", true, true},
		{"AT+JWT", true, true},
		{"JWT", true, false},
		{nil, true, false},
		{"id_token+jwt", false, false},
		{"JOSE", false, false},
		{42, false, false},
	}
	for _, strict := range []bool{false, true} {
		v := newTestVerifier(t, iss)
		v.opts.StrictType = strict
		for _, tc := range tests {
			tok := iss.MintWithHeader(t, map[string]any{"typ": tc.typ}, iss.Claims(testAudience, "todo:read"))
			_, err := v.Verify(t.Context(), tok)
			want := tc.lenient
			if strict {
				want = tc.strict
			}
			if got := err == nil; got != want {
				t.Errorf("typ %v, strict %v: accepted = %v, want %v (err %v)", tc.typ, strict, got, want, err)
			}
			if err != nil && !errors.Is(err, ErrInvalidToken) {
				t.Errorf("typ %v: err = %v, want an invalid-token error", tc.typ, err)
			}
		}
	}
}

// attackerToken signs claims with key, which the issuer never published,
// adding header fields an attacker would use to smuggle that key in.
func attackerToken(t *testing.T, key *rsa.PrivateKey, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	maps.Copy(tok.Header, header)
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func publicJWK(key *rsa.PrivateKey) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e":   "AQAB",
	}
}

func sha256Key(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

func TestVerifyKeyRotation(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	if _, err := v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience))); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	oldToken := iss.Mint(t, iss.Claims(testAudience, "x"))
	if _, err := v.Verify(t.Context(), oldToken); err != nil { // now in the cache
		t.Fatalf("before rotation: %v", err)
	}

	iss.RotateKey(t, false) // the old key is withdrawn at once
	time.Sleep(30 * time.Millisecond)
	if _, err := v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience))); err != nil {
		t.Fatalf("token signed with the new key: %v", err)
	}
	// The refetch for the new key cleared the cache of verified tokens.
	if _, err := v.Verify(t.Context(), oldToken); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token signed with the withdrawn key: err = %v, want invalid", err)
	}
}

// TestVerifyRotationWhileRateLimited: when the refetch an unknown key ID
// would trigger is rate-limited (a made-up key ID just used it up), a token
// signed with the issuer's genuine new key is answered "cannot verify now",
// never "invalid token": clients retry instead of re-authorizing in a loop.
func TestVerifyRotationWhileRateLimited(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	v.keys.minRefresh = time.Hour
	if _, err := v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience))); err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// A made-up key ID: the refetch it triggers proves the key is unknown.
	forged := authtest.Sign(t, jwt.SigningMethodRS256, "made-up", otherKey, iss.Claims(testAudience))
	if _, err := v.Verify(t.Context(), forged); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("made-up key ID: err = %v, want invalid", err)
	}

	iss.RotateKey(t, false)
	_, err = v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience)))
	if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("new key while refetching is rate-limited: err = %v, want keys unavailable", err)
	}
}

func TestVerifyJWKSOutage(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.SetFailing(true)
	v := newTestVerifier(t, iss)
	token := iss.Mint(t, iss.Claims(testAudience))

	// Keys were never fetched: a well-formed token cannot be checked.
	if _, err := v.Verify(t.Context(), token); !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("during outage: err = %v, want ErrKeysUnavailable", err)
	}
	if err := v.Ready(t.Context()); err == nil {
		t.Fatal("Ready during outage = nil")
	}
	// Tokens that are bad on their face are still refused as invalid.
	expired := iss.Claims(testAudience)
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	if _, err := v.Verify(t.Context(), iss.Mint(t, expired)); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("expired token during outage: err = %v, want invalid", err)
	}

	iss.SetFailing(false)
	waitFor(t, func() bool { _, err := v.Verify(t.Context(), token); return err == nil })
	if err := v.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after recovery: %v", err)
	}

	// Once keys are cached, an outage does not affect tokens signed with them.
	iss.SetFailing(true)
	v.cache = nil
	if _, err := v.Verify(t.Context(), token); err != nil {
		t.Fatalf("known key during outage: %v", err)
	}
	// But a token with a key ID never seen cannot be told from a rotation.
	iss.RotateKey(t, false)
	time.Sleep(30 * time.Millisecond)
	if _, err := v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience))); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("unknown kid during outage: err = %v, want ErrKeysUnavailable", err)
	}
}

func TestVerifyDiscoversJWKS(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v, err := NewVerifier(t.Context(), VerifierOptions{
		Issuers:            []string{iss.URL},
		Audiences:          []string{testAudience},
		MinRefreshInterval: time.Second,
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), iss.Mint(t, iss.Claims(testAudience))); err != nil {
		t.Fatalf("Verify with discovered JWKS: %v", err)
	}
}

func TestVerifyCachesAndFetchesLazily(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newTestVerifier(t, iss)
	if n := iss.JWKSRequests(); n != 0 {
		t.Fatalf("JWKS fetched %d times before first use", n)
	}
	token := iss.Mint(t, iss.Claims(testAudience))
	for range 5 {
		if _, err := v.Verify(t.Context(), token); err != nil {
			t.Fatal(err)
		}
	}
	if n := iss.JWKSRequests(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
	key := sha256Key(token)
	if v.cache.get(key, time.Now()) == nil {
		t.Error("verified token not cached")
	}
}

func TestTokenCacheExpiresAndBounds(t *testing.T) {
	c := newTokenCache(10)
	now := time.Now()
	tok := &Token{Expiry: now.Add(time.Minute)}
	c.put(sha256Key("a"), tok, now)
	if c.get(sha256Key("a"), now) != tok {
		t.Fatal("miss right after put")
	}
	if c.get(sha256Key("a"), now.Add(time.Minute)) != nil {
		t.Error("hit at expiry")
	}
	long := &Token{Expiry: now.Add(time.Hour)}
	c.put(sha256Key("b"), long, now)
	if c.get(sha256Key("b"), now.Add(maxCacheAge)) != nil {
		t.Error("hit after maxCacheAge")
	}
	for i := range 100 {
		c.put(sha256Key(string(rune('c'+i))), long, now)
	}
	if len(c.entries) > 10 {
		t.Errorf("cache holds %d entries, bound is 10", len(c.entries))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not met in 5s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
