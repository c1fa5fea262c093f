package devauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/go-jose/go-jose/v3"
)

// NewKey generates a fresh RS256 signing key.
func NewKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
}

// LoadOrCreateKey reads an RSA private key (PEM, PKCS#8 or PKCS#1) from
// file. If the file does not exist it generates a key and writes it there,
// readable only by its owner, so that tokens survive a restart. created
// reports which happened.
func LoadOrCreateKey(file string) (key *rsa.PrivateKey, created bool, err error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = NewKey()
		if err != nil {
			return nil, false, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, false, err
		}
		out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		// O_EXCL: never overwrite a file that appeared in the meantime.
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, err
		}
		if _, err := f.Write(out); err != nil {
			f.Close()
			os.Remove(file)
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			os.Remove(file)
			return nil, false, err
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	key, err = parseKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", file, err)
	}
	return key, false, nil
}

func parseKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block; expected an RSA private key (openssl genpkey -algorithm RSA)")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T; dev-auth signs RS256 and needs an RSA key", parsed)
	}
	if key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("the RSA key has %d bits; use at least 2048", key.N.BitLen())
	}
	return key, nil
}

// keyID is the RFC 7638 thumbprint of the public key, so a key loaded
// with --keys keeps its kid across restarts.
func keyID(pub *rsa.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}
