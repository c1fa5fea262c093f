package golden

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// issuer is a stand-in authorization server laid out like a Scalekit
// environment: its URL is the issuer and it serves its keys at /keys. The
// key is generated per test; nothing secret is stored in the repository.
//
// Signing is written out here (RS256 is a dozen lines) so the repository's
// own module needs no JOSE dependency; the generated servers verify with a
// maintained library.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &issuer{key: key, kid: "test-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": iss.kid,
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

func (iss *issuer) URL() string { return iss.srv.URL }

// mint signs claims with the issuer's key, or with key when it is not nil
// (a forgery), and fills iss, iat and exp unless set.
func (iss *issuer) mint(t *testing.T, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	if key == nil {
		key = iss.key
	}
	now := time.Now()
	defaults := map[string]any{"iss": iss.URL(), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "sub": "user_123", "client_id": "client_abc"}
	for k, v := range defaults {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "at+jwt", "kid": iss.kid})
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signingInput := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signingInput + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
