package golden

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// issuer is a stand-in authorization server laid out like a Scalekit
// environment: its URL is the issuer and it serves its keys at /keys. Keys
// are generated per test; nothing secret is stored in the repository.
//
// It publishes exactly one signing key at a time. rotate replaces it (new
// key, new kid) and setFailing makes /keys answer 500, for the probes of key
// rotation and of an issuer outage.
//
// Signing is written out here (RS256 is a dozen lines) so the repository's
// own module needs no JOSE dependency; the generated servers verify with a
// maintained library.
type issuer struct {
	srv *httptest.Server

	mu      sync.Mutex
	key     *rsa.PrivateKey // the published key; guarded by mu
	kid     string          // its key ID; guarded by mu
	serial  int             // numbers key IDs; guarded by mu
	failing bool            // /keys answers 500; guarded by mu
	fetches int             // requests to /keys so far; guarded by mu
	// redirect, if set, is where /keys sends clients instead; extra are
	// published beside the signing key. Both guarded by mu.
	redirect string
	extra    []map[string]string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	iss := &issuer{}
	iss.rotate(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.mu.Lock()
		iss.fetches++
		failing, key, kid, redirect, extra := iss.failing, iss.key, iss.kid, iss.redirect, iss.extra
		iss.mu.Unlock()
		if failing {
			http.Error(w, "issuer outage (test)", http.StatusInternalServerError)
			return
		}
		if redirect != "" {
			http.Redirect(w, r, redirect, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"keys": append(slices.Clone(extra), jwk(key, kid, "sig", "RS256"))})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

func (iss *issuer) URL() string { return iss.srv.URL }

// jwk is the public JWK of key.
func jwk(key *rsa.PrivateKey, kid, use, alg string) map[string]string {
	return map[string]string{
		"kty": "RSA", "use": use, "alg": alg, "kid": kid,
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}
}

// publish adds key to /keys beside the signing key, with "use" and "alg".
func (iss *issuer) publish(key *rsa.PrivateKey, kid, use, alg string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.extra = append(iss.extra, jwk(key, kid, use, alg))
}

// redirectKeys makes /keys redirect to url.
func (iss *issuer) redirectKeys(url string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.redirect = url
}

// signingKey returns the published key and its key ID.
func (iss *issuer) signingKey() (*rsa.PrivateKey, string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.key, iss.kid
}

// rotate replaces the published key with a new one under a new key ID and
// returns the key it replaced, which /keys no longer serves.
func (iss *issuer) rotate(t *testing.T) (old *rsa.PrivateKey, oldKID string) {
	t.Helper()
	key := newKey(t)
	iss.mu.Lock()
	defer iss.mu.Unlock()
	old, oldKID = iss.key, iss.kid
	iss.serial++
	iss.key, iss.kid = key, fmt.Sprintf("test-key-%d", iss.serial)
	return old, oldKID
}

// setFailing makes /keys answer 500 (true) or the key set again (false).
func (iss *issuer) setFailing(failing bool) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.failing = failing
}

// keyFetches is the number of requests /keys has had.
func (iss *issuer) keyFetches() int {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.fetches
}

// mint signs claims with RS256 under the published key ID, with the
// published key or with key when it is not nil (a forgery). See mintWith.
func (iss *issuer) mint(t *testing.T, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	return iss.mintWith(t, signing{key: key}, claims)
}

// signing says how mintWith signs a token. The zero value signs like the
// issuer does: RS256, with the published key, under its key ID.
type signing struct {
	alg    string          // "RS256" (default), "HS256" or "none"
	kid    string          // key ID header; "" means the published one
	noKID  bool            // leave the key ID header out
	key    *rsa.PrivateKey // RS256 key; nil means the published one
	secret []byte          // HS256 secret
}

// mintWith makes a token with the claims, filling iss, iat, exp, sub and
// client_id unless set; a claim set to nil is left out.
func (iss *issuer) mintWith(t *testing.T, s signing, claims map[string]any) string {
	t.Helper()
	key, kid := iss.signingKey()
	if s.key != nil {
		key = s.key
	}
	if s.kid != "" {
		kid = s.kid
	}
	if s.alg == "" {
		s.alg = "RS256"
	}
	now := time.Now()
	defaults := map[string]any{"iss": iss.URL(), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "sub": "user_123", "client_id": "client_abc"}
	for k, v := range defaults {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	for k, v := range claims {
		if v == nil {
			delete(claims, k)
		}
	}
	h := map[string]string{"alg": s.alg, "typ": "at+jwt", "kid": kid}
	if s.noKID {
		delete(h, "kid")
	}
	header, _ := json.Marshal(h)
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signingInput := b64(header) + "." + b64(payload)
	var sig []byte
	switch s.alg {
	case "RS256":
		sum := sha256.Sum256([]byte(signingInput))
		if sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	case "HS256":
		mac := hmac.New(sha256.New, s.secret)
		mac.Write([]byte(signingInput))
		sig = mac.Sum(nil)
	case "none":
		// RFC 7519 §6.1: an unsecured JWT has an empty signature.
	default:
		t.Fatalf("mintWith: unsupported alg %q", s.alg)
	}
	return signingInput + "." + b64(sig)
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// publicPEM and publicDER are the encodings of an RSA public key that a
// confused verifier might use as an HMAC secret (the RS256/HS256
// algorithm-confusion attack of RFC 8725 §2.1).
func publicPEM(t *testing.T, key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER(t, key)})
}

func publicDER(t *testing.T, key *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
