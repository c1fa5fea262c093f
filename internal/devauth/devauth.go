// Package devauth is a development-only OAuth 2.1 authorization server. It
// lays out its URLs like a Scalekit environment, so a generated MCP server
// works against it by changing only SCALEKIT_ENVIRONMENT_URL and
// SCALEKIT_RESOURCE_ID, and it serves plain RFC 8414 and OpenID Connect
// discovery for the oidc provider.
//
// The protocol core (authorization codes, PKCE, refresh rotation, client
// authentication, RFC 6749 errors) is ory/fosite. This package adds what
// fosite leaves to its embedder: metadata, JWKS, dynamic client
// registration, client ID metadata documents, RFC 8707 resource indicators,
// exact redirect-URI matching and a consent page.
//
// It keeps everything in memory and trusts anyone who can reach it, which is
// why it only ever listens on loopback. Never put it in front of real users.
package devauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	fjwt "github.com/ory/fosite/token/jwt"
)

// MachineClientID is the pre-registered client for the client credentials
// grant, the one `create-mcp-auth token` uses.
const MachineClientID = "dev-machine"

// OfflineAccess is the scope that asks for a refresh token.
const OfflineAccess = "offline_access"

// Scope is a scope the server may grant, with the description the consent
// page shows for it.
type Scope struct {
	Name        string
	Description string
}

// Config configures a Server.
type Config struct {
	// Issuer is the server's base URL, e.g. http://127.0.0.1:9090. Tokens
	// carry it as "iss"; per-resource metadata names Issuer/resources/{id}.
	Issuer string
	// Resource is the one protected resource (the MCP server URL) tokens are
	// issued for; it is the "aud" when a client names no resource.
	Resource string
	// ResourceID is the Scalekit-style resource ID (res_…) in the
	// per-resource metadata path.
	ResourceID string
	// Scopes are the scopes clients may ask for; offline_access is added.
	Scopes []Scope
	// Users are the dev users the consent page offers; the first one is
	// signed in when AutoApprove is set. Any other name may be typed in.
	Users []string
	// AutoApprove skips the consent page and grants what was asked, as the
	// first user, when the redirect URI is on loopback; other requests still
	// get the consent page.
	AutoApprove bool
	// NoDCR turns dynamic client registration off: clients must identify
	// themselves with a client ID metadata document, the registration MCP
	// 2026-07-28 prefers.
	NoDCR bool
	// Key signs access tokens.
	Key *rsa.PrivateKey
	// MachineSecret is the client secret of MachineClientID.
	MachineSecret string
	// AccessTokenTTL is the access token lifetime (default one hour).
	AccessTokenTTL time.Duration
	// HTTPClient fetches client ID metadata documents (default: 5 s
	// timeout). Its CheckRedirect is not used: redirects are never
	// followed, and no fetch takes longer than 5 s.
	HTTPClient *http.Client
	// Logger receives one line per decision; never a token or a secret.
	Logger *slog.Logger

	// LoginURL, when set, is the MCP server's own login route (bring your
	// own auth): /oauth/authorize sends users there instead of asking who
	// they are (see byoa.go). It must be on loopback.
	LoginURL string
	// ConnectionID is the bring your own auth connection's ID, conn_…
	// (default DefaultConnectionID).
	ConnectionID string
	// APISecret is the client secret of APIClientID, whose API tokens
	// authorise the login route's posts; needed with LoginURL.
	APISecret string
}

// Server is the authorization server; it is an http.Handler.
type Server struct {
	cfg      Config
	issuer   *url.URL
	jwk      jose.JSONWebKey
	scopes   []string // what clients may ask for, offline_access included
	clients  *clientStore
	provider fosite.OAuth2Provider
	consents *consentStore
	hasher   fosite.Hasher
	mux      *http.ServeMux
	log      *slog.Logger
	logins   *loginStore
}

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	issuer, err := url.Parse(cfg.Issuer)
	if err != nil || issuer.Host == "" || !rules.IsLoopbackHost(issuer.Hostname()) || issuer.Path != "" {
		return nil, fmt.Errorf("issuer %q must be a loopback base URL such as http://127.0.0.1:9090", cfg.Issuer)
	}
	if cfg.Resource == "" {
		return nil, errors.New("no resource: name the MCP server URL tokens are for")
	}
	if cfg.Key == nil {
		return nil, errors.New("no signing key")
	}
	if len(cfg.MachineSecret) < 16 {
		return nil, fmt.Errorf("the machine client secret must be at least 16 characters, not %d", len(cfg.MachineSecret))
	}
	if len(cfg.Users) == 0 {
		cfg.Users = DefaultUsers
	}
	if cfg.LoginURL != "" {
		if err := checkLoginURL(cfg.LoginURL); err != nil {
			return nil, err
		}
		if cfg.ConnectionID == "" {
			cfg.ConnectionID = DefaultConnectionID
		}
		if err := rules.CheckScalekitConnectionID(cfg.ConnectionID); err != nil {
			return nil, err
		}
		if len(cfg.APISecret) < 16 {
			return nil, fmt.Errorf("the API client secret must be at least 16 characters, not %d", len(cfg.APISecret))
		}
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	scopes := make([]string, 0, len(cfg.Scopes)+1)
	for _, sc := range cfg.Scopes {
		scopes = append(scopes, sc.Name)
	}
	if !slices.Contains(scopes, OfflineAccess) {
		scopes = append(scopes, OfflineAccess)
		cfg.Scopes = append(slices.Clip(cfg.Scopes), Scope{OfflineAccess, "Stay signed in: the client gets a refresh token"})
	}

	jwk := jose.JSONWebKey{Key: cfg.Key, Algorithm: string(jose.RS256), Use: "sig"}
	jwk.KeyID, err = keyID(&cfg.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	globalSecret := make([]byte, 32)
	rand.Read(globalSecret)
	fcfg := &fosite.Config{
		AccessTokenLifespan:   cfg.AccessTokenTTL,
		RefreshTokenLifespan:  24 * time.Hour,
		AuthorizeCodeLifespan: 2 * time.Minute,
		GlobalSecret:          globalSecret,
		AccessTokenIssuer:     cfg.Issuer,
		TokenURL:              cfg.Issuer + "/oauth/token",
		// OAuth 2.1: PKCE for every client, S256 only.
		EnforcePKCE:                    true,
		EnablePKCEPlainChallengeMethod: false,
		// Scopes and audiences are opaque strings compared whole; fosite's
		// default would let "todo" imply "todo.write".
		ScopeStrategy:            fosite.ExactScopeStrategy,
		AudienceMatchingStrategy: fosite.ExactAudienceMatchingStrategy,
		JWTScopeClaimKey:         fjwt.JWTScopeFieldString,
		RefreshTokenScopes:       []string{OfflineAccess},
		// Client secrets are hashed with bcrypt; the default cost 12 costs
		// ~250 ms per token request, pointless for in-memory dev secrets.
		HashCost: 4,
		// Errors tell clients the RFC 6749 error and fosite's hint; the
		// debug detail (library and Go error text) goes to the log only.
		SendDebugMessagesToClients: false,
	}
	s := &Server{
		cfg:      cfg,
		issuer:   issuer,
		jwk:      jwk,
		scopes:   scopes,
		consents: newConsentStore(10 * time.Minute),
		log:      cfg.Logger,
		hasher:   fcfg.GetSecretsHasher(context.Background()),
		logins:   newLoginStore(),
	}
	s.clients = newClientStore(s.cimdFetcher(), s.log)
	hashed, err := s.hasher.Hash(context.Background(), []byte(cfg.MachineSecret))
	if err != nil {
		return nil, err
	}
	s.clients.addStatic(&client{
		DefaultOpenIDConnectClient: fosite.DefaultOpenIDConnectClient{
			DefaultClient: &fosite.DefaultClient{
				ID:         MachineClientID,
				Secret:     hashed,
				GrantTypes: []string{"client_credentials"},
				// No offline_access: the client credentials grant has no
				// refresh tokens.
				Scopes:   slices.DeleteFunc(slices.Clone(s.scopes), func(sc string) bool { return sc == OfflineAccess }),
				Audience: []string{cfg.Resource},
			},
			TokenEndpointAuthMethod: "client_secret_basic",
		},
		Name: "create-mcp-auth token (machine client)",
	})
	if cfg.LoginURL != "" {
		hashed, err := s.hasher.Hash(context.Background(), []byte(cfg.APISecret))
		if err != nil {
			return nil, err
		}
		s.clients.addStatic(&client{
			DefaultOpenIDConnectClient: fosite.DefaultOpenIDConnectClient{
				DefaultClient: &fosite.DefaultClient{
					ID:         APIClientID,
					Secret:     hashed,
					GrantTypes: []string{"client_credentials"},
					Audience:   []string{s.apiAudience()},
				},
				// In the form, as Scalekit's API documentation shows.
				TokenEndpointAuthMethod: "client_secret_post",
			},
			Name: "login route API client (bring your own auth)",
		})
	}
	signer := &jose.JSONWebKey{Key: cfg.Key, KeyID: jwk.KeyID, Algorithm: jwk.Algorithm, Use: jwk.Use}
	s.provider = compose.Compose(fcfg, s.clients, &compose.CommonStrategy{
		CoreStrategy: compose.NewOAuth2JWTStrategy(
			func(context.Context) (any, error) { return signer, nil },
			compose.NewOAuth2HMACStrategy(fcfg), fcfg),
	},
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2PKCEFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenRevocationFactory,
	)
	s.routes()
	return s, nil
}

// DefaultUsers are offered on the consent page when none are configured.
var DefaultUsers = []string{"alice@example.com", "bob@example.com"}

// ResourceIssuer is the per-resource authorization server's issuer, the one
// a Scalekit-provider MCP server lists in its protected-resource metadata.
func (s *Server) ResourceIssuer() string {
	return s.cfg.Issuer + "/resources/" + s.cfg.ResourceID
}

// KeyID is the "kid" of the signing key.
func (s *Server) KeyID() string { return s.jwk.KeyID }

// Scopes lists the scopes clients may ask for, offline_access included.
func (s *Server) Scopes() []string { return slices.Clone(s.scopes) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Only loopback host names: a page on another site cannot reach this
	// server through DNS rebinding.
	if host := hostOnly(r.Host); !rules.IsLoopbackHost(host) {
		http.Error(w, "dev-auth answers only requests addressed to localhost or a loopback IP", http.StatusForbidden)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

func hostOnly(hostport string) string {
	if u, err := url.Parse("http://" + hostport); err == nil {
		return u.Hostname()
	}
	return hostport
}
