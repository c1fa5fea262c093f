package doctor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"github.com/create-mcp-auth/create-mcp-auth/internal/doctor/doctortest"
)

// newRun is a run with no steps taken yet, for testing one step.
func newRun(t *testing.T, rawURL string) *run {
	t.Helper()
	u, err := ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return &run{opts: Options{URL: rawURL, Timeout: 2 * time.Second, Now: time.Now}, url: u, hc: noRedirects(nil), report: &Report{}}
}

// only returns the one check with id, or fails the test.
func only(t *testing.T, r *run, id string) Check {
	t.Helper()
	got := checks(r.report, id)
	if len(got) != 1 {
		t.Fatalf("want one %s check, got %+v", id, r.report.Checks)
	}
	return got[0]
}

func TestTransport(t *testing.T) {
	for _, tc := range []struct {
		url          string
		https, port  Status
		detailPhrase string
	}{
		{"https://mcp.example.com/mcp", Pass, Pass, ""},
		{"https://mcp.example.com:443/mcp", Pass, Pass, ""},
		{"https://mcp.example.com:8443/mcp", Pass, Warn, "Claude Desktop"},
		{"http://mcp.example.com/mcp", Fail, Pass, "in clear"},
		{"http://localhost:3002/mcp", Pass, Pass, "loopback"},
		{"http://[::1]:3002/mcp", Pass, Pass, "loopback"},
	} {
		r := newRun(t, tc.url)
		r.transport()
		h, p := only(t, r, "transport.https"), only(t, r, "transport.port")
		if h.Status != tc.https || p.Status != tc.port || !strings.Contains(h.Detail+p.Detail, tc.detailPhrase) {
			t.Errorf("%s: https %s %q, port %s %q; want %s, %s, %q", tc.url, h.Status, h.Detail, p.Status, p.Detail, tc.https, tc.port, tc.detailPhrase)
		}
		if p.Status == Warn && !strings.Contains(p.Fix, "443") {
			t.Errorf("%s: port fix %q does not say 443", tc.url, p.Fix)
		}
	}
}

// TestRedirects: a POST redirect fails (clients do not follow it); a GET
// redirect is followed and reported as a warning.
func TestRedirects(t *testing.T) {
	srv := doctortest.New(t, doctortest.Faults{})
	mux := http.NewServeMux()
	mux.Handle("/old/mcp", http.RedirectHandler(srv.URL, http.StatusTemporaryRedirect))
	mux.Handle("/.well-known/oauth-protected-resource/old/mcp", http.RedirectHandler(strings.Replace(srv.URL, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1), http.StatusMovedPermanently))
	front := httptest.NewServer(mux)
	t.Cleanup(front.Close)

	rep := Run(context.Background(), Options{URL: front.URL + "/old/mcp"})
	c := checks(rep, "challenge.status")
	if len(c) != 1 || c[0].Status != Fail || !strings.Contains(c[0].Detail, "do not follow redirects on POST") || !strings.Contains(c[0].Fix, srv.URL) {
		t.Errorf("challenge.status = %+v", c)
	}
	c = checks(rep, "prm.path_inserted")
	if len(c) != 1 || c[0].Status != Warn || !strings.Contains(c[0].Detail, "followed "+front.URL) {
		t.Errorf("prm.path_inserted = %+v", c)
	}
}

// TestTimeout: a server that never answers fails within --timeout, and
// every other check is listed as skipped.
func TestTimeout(t *testing.T) {
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices the client leaving only after the body
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(stall.Close)
	start := time.Now()
	rep := Run(context.Background(), Options{URL: stall.URL + "/mcp", Timeout: 200 * time.Millisecond, Token: "opaque-token-value-123456"})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s with a 200ms timeout", d)
	}
	c := checks(rep, "challenge.status")
	if rep.OK || len(c) != 1 || !strings.Contains(c[0].Detail, "timed out") {
		t.Errorf("challenge.status = %+v", c)
	}
	if rep.Summary.Skip != len(CheckIDs())-len(checks(rep, "transport.https"))-len(checks(rep, "transport.port"))-1 {
		t.Errorf("want every other check skipped, summary %+v", rep.Summary)
	}
}

func TestBodyLimit(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resource":"`))
		w.Write([]byte(strings.Repeat("x", 2<<20)))
	}))
	t.Cleanup(big.Close)
	r := newRun(t, big.URL+"/mcp")
	var md resourceMetadata
	if _, err := r.getJSON(context.Background(), big.URL, &md); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("err = %v, want the 1 MiB limit", err)
	}
}

func TestRedact(t *testing.T) {
	tok := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
	r := &run{opts: Options{Token: tok}}
	for _, s := range []string{
		"token " + tok + " refused",
		"payload eyJzdWIiOiJhbGljZSJ9 seen",
		"starts eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi…",
		"tail: LWJ5dGVzLWhlcmU",
	} {
		got := r.redact(s)
		if strings.Contains(got, "eyJzdWIiOi") || strings.Contains(got, "dGVzLWhlcmU") || !strings.Contains(got, "[token]") {
			t.Errorf("redact(%q) = %q", s, got)
		}
	}
	if got := r.redact("https://mcp.example.com/.well-known/oauth-protected-resource"); got != "https://mcp.example.com/.well-known/oauth-protected-resource" {
		t.Errorf("redact changed a URL: %q", got)
	}
}

// TestKeySets checks the JWKS rules on crafted key sets.
func TestKeySets(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := doctortest.Key(t)
	for _, tc := range []struct {
		name         string
		keys         []jose.JSONWebKey
		key, kid     Status
		detailPhrase string
	}{
		{"rsa and ec", []jose.JSONWebKey{{Key: &good.PublicKey, KeyID: "a", Use: "sig"}, {Key: &ecKey.PublicKey, KeyID: "b"}}, Pass, Pass, "EC P-256"},
		{"short rsa", []jose.JSONWebKey{{Key: &rsaKey.PublicKey, KeyID: "a"}}, Fail, Pass, "fewer than 2048"},
		{"encryption key", []jose.JSONWebKey{{Key: &good.PublicKey, KeyID: "a", Use: "enc"}}, Fail, Pass, `for "enc"`},
		{"private key", []jose.JSONWebKey{{Key: good, KeyID: "a"}}, Fail, Pass, "secret key material"},
		{"symmetric key", []jose.JSONWebKey{{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "a"}}, Fail, Pass, "secret key material"},
		{"no kid", []jose.JSONWebKey{{Key: &good.PublicKey}}, Pass, Warn, "1 key without kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(jose.JSONWebKeySet{Keys: tc.keys})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
			t.Cleanup(srv.Close)
			r := newRun(t, srv.URL+"/mcp")
			r.checkKeySet(context.Background(), srv.URL)
			k, kid := only(t, r, "jwks.signing_key"), only(t, r, "jwks.kid")
			if k.Status != tc.key || kid.Status != tc.kid || !strings.Contains(k.Detail+kid.Detail, tc.detailPhrase) {
				t.Errorf("signing_key %s %q, kid %s %q; want %s, %s, %q", k.Status, k.Detail, kid.Status, kid.Detail, tc.key, tc.kid, tc.detailPhrase)
			}
		})
	}
}
