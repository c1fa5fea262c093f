// Package authtest is an authorization server for tests: it generates an RSA
// key, publishes it as a JWKS over httptest, and mints signed access tokens.
// It can rotate its key and make its JWKS fail, to test how the server
// copes. It is for tests only.
package authtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
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
	keys     []Key // published; the last one signs
	redirect string
	padding  int
	failing  atomic.Bool
	requests atomic.Int64
}

// A Key is a published key and its private half.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
	Use     string // the JWK "use": "sig", "enc" or empty
	Alg     string // the JWK "alg"; empty for none
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
	iss.mu.Lock()
	redirect := iss.redirect
	iss.mu.Unlock()
	switch r.URL.Path {
	case "/jwks", "/keys":
		iss.requests.Add(1)
		if iss.failing.Load() {
			http.Error(w, "JWKS unavailable (authtest)", http.StatusServiceUnavailable)
			return
		}
		if redirect != "" {
			http.Redirect(w, r, redirect+r.URL.Path, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(iss.jwks())
	case "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration":
		if redirect != "" {
			http.Redirect(w, r, redirect+r.URL.Path, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.JWKSURL})
	default:
		http.NotFound(w, r)
	}
}

// Redirect makes the JWKS and metadata endpoints answer with a redirect to
// the same path under base (another server's URL), or, with "", serve
// again.
func (iss *Issuer) Redirect(base string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.redirect = base
}

// Pad makes the JWKS n bytes longer, with whitespace, to test size limits.
func (iss *Issuer) Pad(n int) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.padding = n
}

// jwks renders the published public keys.
func (iss *Issuer) jwks() []byte {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	set := jwkset.JWKSMarshal{}
	for _, k := range iss.keys {
		jwk, err := jwkset.NewJWKFromKey(&k.Private.PublicKey, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.ID, ALG: jwkset.ALG(k.Alg), USE: jwkset.USE(k.Use)},
		})
		if err != nil {
			panic(err) // a generated RSA key always marshals
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return append(b, bytes.Repeat([]byte(" "), iss.padding)...)
}

// RotateKey generates a new signing key and publishes it. With keepOld the
// previous keys stay published (a graceful rotation); without, they are
// withdrawn at once.
func (iss *Issuer) RotateKey(t testing.TB, keepOld bool) {
	t.Helper()
	k := iss.newKey(t, 2048, "sig", "RS256")
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if keepOld {
		iss.keys = append(iss.keys, k)
	} else {
		iss.keys = []Key{k}
	}
}

// PublishKey publishes one more key, of the given size, "use" and "alg",
// beside the signing key, and returns it for MintWith.
func (iss *Issuer) PublishKey(t testing.TB, bits int, use, alg string) Key {
	t.Helper()
	k := iss.newKey(t, bits, use, alg)
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys = append([]Key{k}, iss.keys...) // the signing key stays last
	return k
}

func (iss *Issuer) newKey(t testing.TB, bits int, use, alg string) Key {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatalf("authtest: generate RSA key: %v", err)
	}
	// Key IDs are unique across issuers too, so that another issuer's
	// token names a key ID this one never published.
	return Key{ID: "key-" + rand.Text()[:12], Private: key, Use: use, Alg: alg}
}

// SetFailing makes the JWKS endpoints answer 503 (true) or work again.
func (iss *Issuer) SetFailing(failing bool) { iss.failing.Store(failing) }

// JWKSRequests counts requests to the JWKS endpoints so far.
func (iss *Issuer) JWKSRequests() int64 { return iss.requests.Load() }

// KeyID returns the key ID of the current signing key.
func (iss *Issuer) KeyID() string {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[len(iss.keys)-1].ID
}

// PublicKeyDER returns the current public key, PKIX-encoded: what an
// attacker would use as an HMAC secret.
func (iss *Issuer) PublicKeyDER(t testing.TB) []byte {
	t.Helper()
	iss.mu.Lock()
	defer iss.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&iss.keys[len(iss.keys)-1].Private.PublicKey)
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
	return MintWith(t, k, header, claims)
}

// MintWith signs claims with k (RS256, with k's key ID) and extra JOSE
// header fields; a nil value removes the field (e.g. "kid": nil).
func MintWith(t testing.TB, k Key, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.ID
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	s, err := tok.SignedString(k.Private)
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
