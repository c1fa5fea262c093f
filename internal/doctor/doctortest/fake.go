// Package doctortest is a fake MCP deployment for tests of the doctor: a
// resource server (the MCP endpoint and its protected-resource metadata),
// an authorization server (metadata and JWKS) and a token minter. It is
// correct by default; each field of Faults breaks it the way real
// deployments break.
package doctortest

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/go-jose/go-jose/v3/jwt"
)

// Faults lists the misconfigurations a Server can have.
type Faults struct {
	NoChallenge        bool // serve requests without a token (200)
	NoWWWAuthenticate  bool // 401 without WWW-Authenticate
	NoResourceMetadata bool // challenge without resource_metadata
	ErrorWithoutToken  bool // error="invalid_token" on requests without a token
	ResourceSlash      bool // metadata resource with a trailing slash the URL lacks
	NoPathInserted     bool // metadata only at the root well-known URL
	NoS256             bool // authorization server offers only plain PKCE
	NoRegistration     bool // neither DCR nor CIMD
	NoPreflight        bool // OPTIONS answered 405
	NoExpose           bool // 401 without Access-Control-Expose-Headers
	SSE                bool // JSON-RPC answers as text/event-stream
	Sessions           bool // hand out an Mcp-Session-Id and require it
}

// Scopes and Tools are what the fake server offers.
var (
	Scopes = []string{"todo:read", "todo:write"}
	Tools  = []string{"create_todo", "list_todos"}
)

// Server is a running fake deployment.
type Server struct {
	URL    string // the MCP endpoint, <host>/mcp
	Issuer string // the authorization server
	KID    string // the key ID of the published signing key

	faults    Faults
	key       *rsa.PrivateKey
	toolCalls atomic.Int32
}

// New starts a fake deployment with the given faults; it stops when the
// test ends.
func New(t testing.TB, f Faults) *Server {
	t.Helper()
	s := &Server{faults: f, key: Key(t), KID: "fake-key-1"}
	as := httptest.NewServer(s.authServer())
	t.Cleanup(as.Close)
	s.Issuer = as.URL
	rs := httptest.NewServer(s.resourceServer())
	t.Cleanup(rs.Close)
	s.URL = rs.URL + "/mcp"
	return s
}

var (
	keyOnce sync.Once
	keys    [2]*rsa.PrivateKey
)

// Key is the signing key of every fake server; StrangerKey is a key none
// of them publishes. Both are generated once per test binary.
func Key(t testing.TB) *rsa.PrivateKey { return genKeys(t)[0] }

// StrangerKey is an RSA key no fake server publishes.
func StrangerKey(t testing.TB) *rsa.PrivateKey { return genKeys(t)[1] }

func genKeys(t testing.TB) [2]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
	})
	return keys
}

// ToolCalls counts the tools/call requests the server received.
func (s *Server) ToolCalls() int { return int(s.toolCalls.Load()) }

// Claims returns the claims of a valid token for the server; tests change
// them to break it.
func (s *Server) Claims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss":   s.Issuer,
		"sub":   "alice@example.com",
		"aud":   []string{s.URL},
		"iat":   now.Unix(),
		"nbf":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"scope": strings.Join(Scopes, " "),
	}
}

// Token mints a token with claims, signed by the server's published key.
func (s *Server) Token(t testing.TB, claims map[string]any) string {
	return Sign(t, s.key, s.KID, claims)
}

// Sign mints an RS256 JWT with key and kid.
func Sign(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// authServer serves RFC 8414 metadata and the JWKS.
func (s *Server) authServer() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		md := map[string]any{
			"issuer":                                s.Issuer,
			"authorization_endpoint":                s.Issuer + "/authorize",
			"token_endpoint":                        s.Issuer + "/token",
			"jwks_uri":                              s.Issuer + "/jwks",
			"scopes_supported":                      Scopes,
			"response_types_supported":              []string{"code"},
			"code_challenge_methods_supported":      []string{"S256"},
			"registration_endpoint":                 s.Issuer + "/register",
			"client_id_metadata_document_supported": true,
		}
		if s.faults.NoS256 {
			md["code_challenge_methods_supported"] = []string{"plain"}
		}
		if s.faults.NoRegistration {
			delete(md, "registration_endpoint")
			delete(md, "client_id_metadata_document_supported")
		}
		writeJSON(w, http.StatusOK, md)
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		pub := jose.JSONWebKey{Key: &s.key.PublicKey, KeyID: s.KID, Algorithm: "RS256", Use: "sig"}
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	})
	return mux
}
