// Package authtest is an authorization server for tests: it generates an RSA
// key, publishes it as a JWKS over httptest, and mints signed access tokens.
// It can rotate its key and make its JWKS fail, to test how the server
// copes. It is for tests only.
package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Subject and ClientID are the "sub" and "client_id" of minted tokens.
const (
	Subject  = "user-123"
	ClientID = "client-abc"
)

// An Issuer is a test authorization server. Its URL is the issuer identifier.
// The JWKS is served at /jwks and, as Scalekit does, at /keys; RFC 8414 and
// OpenID Connect discovery documents point at /jwks.
type Issuer struct {
	URL     string
	JWKSURL string

	server   *httptest.Server
	mu       sync.Mutex
	keys     []signingKey // published; the last one signs
	failing  atomic.Bool
	requests atomic.Int64
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// NewIssuer starts an issuer with one fresh key. It is shut down when the
// test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	iss := &Issuer{}
	iss.server = httptest.NewServer(http.HandlerFunc(iss.serve))
	t.Cleanup(iss.server.Close)
	iss.URL = iss.server.URL
	iss.JWKSURL = iss.server.URL + "/jwks"
	iss.RotateKey(t, false)
	return iss
}

func (iss *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/jwks", "/keys":
		iss.requests.Add(1)
		if iss.failing.Load() {
			http.Error(w, "JWKS unavailable (authtest)", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(iss.jwks())
	case "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.JWKSURL})
	default:
		http.NotFound(w, r)
	}
}

// jwks renders the published public keys.
func (iss *Issuer) jwks() []byte {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	set := jwkset.JWKSMarshal{}
	for _, k := range iss.keys {
		jwk, err := jwkset.NewJWKFromKey(&k.key.PublicKey, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: jwkset.AlgRS256, USE: jwkset.UseSig},
		})
		if err != nil {
			panic(err) // a freshly generated RSA key always marshals
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}

// RotateKey generates a new signing key and publishes it. With keepOld the
// previous keys stay published (a graceful rotation); without, they are
// withdrawn at once.
func (iss *Issuer) RotateKey(t testing.TB, keepOld bool) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate RSA key: %v", err)
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	k := signingKey{kid: fmt.Sprintf("key-%d", len(iss.keys)+1), key: key}
	if keepOld {
		iss.keys = append(iss.keys, k)
	} else {
		iss.keys = []signingKey{k}
	}
}

// SetFailing makes the JWKS endpoints answer 503 (true) or work again.
func (iss *Issuer) SetFailing(failing bool) { iss.failing.Store(failing) }

// JWKSRequests counts requests to the JWKS endpoints so far.
func (iss *Issuer) JWKSRequests() int64 { return iss.requests.Load() }

// KeyID returns the key ID of the current signing key.
func (iss *Issuer) KeyID() string {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[len(iss.keys)-1].kid
}

// PublicKeyDER returns the current public key, PKIX-encoded: what an
// attacker would use as an HMAC secret.
func (iss *Issuer) PublicKeyDER(t testing.TB) []byte {
	t.Helper()
	iss.mu.Lock()
	defer iss.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&iss.keys[len(iss.keys)-1].key.PublicKey)
	if err != nil {
		t.Fatalf("authtest: %v", err)
	}
	return der
}

// Claims returns the claims of a valid token for audience with the given
// scopes, valid for five minutes. Tests change them to make bad tokens.
func (iss *Issuer) Claims(audience string, scopes ...string) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss":       iss.URL,
		"sub":       Subject,
		"aud":       audience,
		"client_id": ClientID,
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(5 * time.Minute).Unix(),
		"jti":       rand.Text(),
	}
	if len(scopes) > 0 {
		scope := scopes[0]
		for _, s := range scopes[1:] {
			scope += " " + s
		}
		c["scope"] = scope
	}
	return c
}

// Mint signs claims with the current key (RS256, with its kid).
func (iss *Issuer) Mint(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	return iss.MintWithHeader(t, nil, claims)
}

// MintWithHeader is Mint with extra JOSE header fields; a nil value removes
// the field (e.g. "typ": nil for an untyped token).
func (iss *Issuer) MintWithHeader(t testing.TB, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	iss.mu.Lock()
	k := iss.keys[len(iss.keys)-1]
	iss.mu.Unlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	s, err := tok.SignedString(k.key)
	if err != nil {
		t.Fatalf("authtest: sign token: %v", err)
	}
	return s
}

// Sign signs claims with any method and key, for forged tokens. An empty
// kid leaves the header without one.
func Sign(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("authtest: sign token: %v", err)
	}
	return s
}
