package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/MicahParks/jwkset"
)

// minRSABits is the smallest RSA modulus accepted for signatures (NIST SP
// 800-57, RFC 7518 §3.3 requires 2048 bits for RS256).
const minRSABits = 2048

// newFetchClient returns the client for the issuer's metadata and keys. It
// never follows a redirect: the keys that decide who may call this server
// come only from the URL the operator configured (or the issuer's own
// metadata named), not from wherever that URL sends the request.
func newFetchClient() *http.Client {
	return &http.Client{
		Timeout: fetchTimeout,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("redirected to %s, and redirects are not followed for signing keys: configure the final URL", req.URL.Redacted())
		},
	}
}

// getJSON fetches url into v, reading at most limit bytes.
func getJSON(ctx context.Context, client *http.Client, url string, limit int64, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if int64(len(body)) > limit {
		return fmt.Errorf("GET %s: the document is larger than %d bytes", url, limit)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// A publicKey is one of the issuer's keys for verifying signatures.
type publicKey struct {
	kid string
	alg string // the JWK "alg"; empty if it names none
	key any    // *rsa.PublicKey or *ecdsa.PublicKey
}

// same reports whether k and o are the same key under the same ID.
func (k publicKey) same(o publicKey) bool {
	eq, ok := k.key.(interface{ Equal(crypto.PublicKey) bool })
	return k.kid == o.kid && k.alg == o.alg && ok && eq.Equal(o.key)
}

// fetchJWKS fetches a JSON Web Key Set and returns its usable signature
// keys. Keys that are not usable are logged and left out; a set without a
// single usable key is an error.
func fetchJWKS(ctx context.Context, client *http.Client, url string, logger *slog.Logger) ([]publicKey, error) {
	var set jwkset.JWKSMarshal
	if err := getJSON(ctx, client, url, maxKeysBytes, &set); err != nil {
		return nil, err
	}
	var keys []publicKey
	for i, m := range set.Keys {
		k, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err == nil {
			err = checkSignatureKey(k)
		}
		if err != nil {
			logger.Warn("ignoring a key of the issuer's JWKS", "index", i, "kid", m.KID, "reason", err.Error())
			continue
		}
		keys = append(keys, publicKey{kid: m.KID, alg: m.ALG.String(), key: k.Key()})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("GET %s: %w", url, errNoUsableKeys)
	}
	return keys, nil
}

// checkSignatureKey applies the rules every key must meet to verify tokens,
// whatever the token: published for signatures ("use" absent or "sig", and
// "verify" among its "key_ops" if it lists them), of a type and size this
// server accepts.
func checkSignatureKey(k jwkset.JWK) error {
	m := k.Marshal()
	if m.USE != "" && m.USE != jwkset.UseSig {
		return fmt.Errorf("published for %q, not for signatures", m.USE)
	}
	if len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify) {
		return errors.New(`its "key_ops" do not include "verify"`)
	}
	switch key := k.Key().(type) {
	case *rsa.PublicKey:
		if key.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits; at least %d are required", key.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		if curveAlgorithm(key.Curve) == "" {
			return fmt.Errorf("elliptic curve %s is not accepted", key.Curve.Params().Name)
		}
	default:
		return fmt.Errorf("key type %T is not accepted", key)
	}
	return nil
}

// fits reports whether k may verify a token signed with alg: its "alg",
// if it names one, must be alg, and its type (and curve) must be the one alg
// uses. This holds with and without a "kid" in the token, so a token cannot
// pick a key published for another algorithm by leaving its key ID out.
func (k publicKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return curveAlgorithm(key.Curve) == alg
	}
	return false
}

// curveAlgorithm is the one JWS algorithm that uses curve (RFC 7518 §3.4).
func curveAlgorithm(curve elliptic.Curve) string {
	switch curve {
	case elliptic.P256():
		return "ES256"
	case elliptic.P384():
		return "ES384"
	case elliptic.P521():
		return "ES512"
	}
	return ""
}
