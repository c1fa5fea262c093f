package devauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadOrCreateKey: a missing file is created (PEM, 0600) and reloading
// it gives the same key, so a new server keeps the kid and still verifies
// tokens minted before the restart.
func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "dev-auth.pem")
	key, created, err := LoadOrCreateKey(file)
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKey: created %v, %v", created, err)
	}
	if key.N.BitLen() < 2048 {
		t.Errorf("%d-bit key", key.N.BitLen())
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	if block, _ := pem.Decode(data); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("file is not a PKCS#8 PEM private key:\n%s", data)
	}

	again, created, err := LoadOrCreateKey(file)
	if err != nil || created {
		t.Fatalf("reload: created %v, %v", created, err)
	}
	if !again.Equal(key) {
		t.Fatal("reloaded key differs")
	}
	after, _ := os.ReadFile(file)
	if string(after) != string(data) {
		t.Error("reloading rewrote the file")
	}

	// Two servers, one before and one after a "restart", share the kid, and
	// a token from the first verifies against the second's /keys.
	first := newEnv(t, true, func(c *Config) { c.Key = key })
	tk := okTokens(t, first.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, MachineClientID, testSecret))
	second := newEnv(t, true, func(c *Config) { c.Key = again })
	if first.srv.KeyID() != second.srv.KeyID() {
		t.Errorf("kid changed across reload: %s, %s", first.srv.KeyID(), second.srv.KeyID())
	}
	second.verify(tk.access)
	// A different key has a different kid.
	if other := newEnv(t, true); other.srv.KeyID() == first.srv.KeyID() {
		t.Error("two keys share a kid")
	}
}

// TestLoadKeyPKCS1: an "RSA PRIVATE KEY" file (openssl genrsa -traditional)
// is accepted too.
func TestLoadKeyPKCS1(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "k.pem")
	writePEM(t, file, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testKey()))
	key, created, err := LoadOrCreateKey(file)
	if err != nil || created || !key.Equal(testKey()) {
		t.Fatalf("created %v err %v", created, err)
	}
}

// TestLoadKeyRefused: anything but an RSA private key of 2048 bits or more
// is refused with an error that names the file and the problem; nothing is
// overwritten.
func TestLoadKeyRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	pubDER, _ := x509.MarshalPKIXPublicKey(&testKey().PublicKey)

	tests := []struct {
		name, want string
		write      func(file string)
	}{
		{"garbage", "no PEM block", func(f string) { os.WriteFile(f, []byte("not a key\n"), 0o600) }},
		{"empty", "no PEM block", func(f string) { os.WriteFile(f, nil, 0o600) }},
		{"EC key", "needs an RSA key", func(f string) { writePEM(t, f, "PRIVATE KEY", ecDER) }},
		{"1024-bit RSA", "1024 bits; use at least 2048", func(f string) { writePEM(t, f, "PRIVATE KEY", smallDER) }},
		{"1024-bit RSA PKCS#1", "1024 bits", func(f string) { writePEM(t, f, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)) }},
		{"public key", "not a private key", func(f string) { writePEM(t, f, "PUBLIC KEY", pubDER) }},
		{"certificate block", "not a private key", func(f string) { writePEM(t, f, "CERTIFICATE", []byte("junk")) }},
		{"corrupt DER", "", func(f string) { writePEM(t, f, "PRIVATE KEY", []byte("junk")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".pem")
			tt.write(file)
			before, _ := os.ReadFile(file)
			key, created, err := LoadOrCreateKey(file)
			if err == nil || key != nil || created {
				t.Fatalf("accepted: key %v created %v err %v", key != nil, created, err)
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the file and %q", err, tt.want)
			}
			if after, _ := os.ReadFile(file); string(after) != string(before) {
				t.Errorf("file was changed")
			}
		})
	}

	// A path in a directory that does not exist: an error, nothing created.
	if _, _, err := LoadOrCreateKey(filepath.Join(dir, "nope", "k.pem")); err == nil {
		t.Error("created a key in a missing directory")
	}
	// A directory is not a key file.
	if _, _, err := LoadOrCreateKey(dir); err == nil {
		t.Error("accepted a directory")
	}
}

func writePEM(t *testing.T, file, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
