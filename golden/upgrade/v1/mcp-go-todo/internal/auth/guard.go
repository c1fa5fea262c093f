// Package auth makes an MCP endpoint an OAuth 2.1 resource server, as the MCP
// authorization specification (2025-06-18, 2025-11-25) asks: it verifies
// bearer tokens issued by an external authorization server, answers with the
// RFC 6750 / RFC 9728 challenges MCP clients use to find that server, and
// checks each tool call against the scopes the tool needs.
//
// Everything here is plain net/http and independent of the MCP library; the
// server package wires it in front of the MCP handler.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Settings describe this resource server and the authorization server it
// trusts. config.Load fills them from the environment.
type Settings struct {
	// ResourceURL is the MCP endpoint's public URL, exactly as registered
	// with the authorization server. It is the protected resource
	// identifier (RFC 9728 "resource"), the default accepted audience, and
	// the base of the metadata URL in challenges.
	ResourceURL string
	// ResourceName is shown to users by some clients (RFC 9728 resource_name).
	ResourceName string
	// AuthorizationServers are the issuer identifiers clients obtain tokens
	// from (RFC 9728 authorization_servers).
	AuthorizationServers []string
	// Issuers are the accepted "iss" values.
	Issuers []string
	// JWKSURL is where the signing keys are; empty means discover them from
	// Issuers[0].
	JWKSURL string
	// Audiences are the accepted "aud" values.
	Audiences []string
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration
	// StrictType accepts only tokens whose "typ" header is "at+jwt" (RFC
	// 9068); otherwise "JWT" and no typ pass too.
	StrictType bool
	// KeyRefreshMinInterval is the least time between two JWKS fetches
	// prompted by unknown key IDs or by retries after a failure.
	KeyRefreshMinInterval time.Duration
	// AllowInsecureHTTP accepts plain-http URLs for non-loopback hosts.
	AllowInsecureHTTP bool
	// AllowedOrigins are the browser origins, besides the resource's own,
	// allowed to call the MCP endpoint.
	AllowedOrigins []string
	// MaxBodyBytes bounds MCP request bodies.
	MaxBodyBytes int64
}

// A Guard protects an MCP endpoint. It is safe for concurrent use.
type Guard struct {
	resource       *url.URL
	origin         string // the resource's own origin, e.g. "https://mcp.example.com"
	allowedOrigins map[string]bool
	maxBody        int64
	retryAfter     string // seconds, for 503 answers

	verifier *Verifier
	policy   *Policy
	logger   *slog.Logger

	metadata    http.Handler
	metadataURL string
	allScopes   string // every declared scope, space-separated, for challenges
}

// NewGuard returns a Guard for the resource s describes, enforcing policy.
// It does not contact the authorization server; ctx bounds the background
// refresh of its keys.
func NewGuard(ctx context.Context, s Settings, policy *Policy, logger *slog.Logger) (*Guard, error) {
	resource, err := url.Parse(s.ResourceURL)
	if err != nil || resource.Host == "" {
		return nil, fmt.Errorf("auth: resource URL %q is not an absolute URL", s.ResourceURL)
	}
	if s.MaxBodyBytes <= 0 {
		return nil, errors.New("auth: MaxBodyBytes must be positive")
	}
	verifier, err := NewVerifier(ctx, VerifierOptions{
		Issuers:            s.Issuers,
		Audiences:          s.Audiences,
		JWKSURL:            s.JWKSURL,
		Leeway:             s.Leeway,
		StrictType:         s.StrictType,
		MinRefreshInterval: s.KeyRefreshMinInterval,
		AllowInsecureHTTP:  s.AllowInsecureHTTP,
		Logger:             logger,
	})
	if err != nil {
		return nil, err
	}
	md := ProtectedResourceMetadata{
		Resource:               s.ResourceURL,
		AuthorizationServers:   s.AuthorizationServers,
		ScopesSupported:        policy.ScopesSupported(),
		BearerMethodsSupported: []string{"header"},
		ResourceName:           s.ResourceName,
	}
	metadata, err := metadataHandler(md)
	if err != nil {
		return nil, err
	}
	g := &Guard{
		resource:       resource,
		origin:         originOf(resource),
		allowedOrigins: make(map[string]bool, len(s.AllowedOrigins)),
		maxBody:        s.MaxBodyBytes,
		retryAfter:     fmt.Sprint(max(1, int(s.KeyRefreshMinInterval.Round(time.Second)/time.Second))),
		verifier:       verifier,
		policy:         policy,
		logger:         logger,
		metadata:       metadata,
		metadataURL:    metadataURL(resource),
		allScopes:      strings.Join(policy.ScopesSupported(), " "),
	}
	for _, o := range s.AllowedOrigins {
		g.allowedOrigins[o] = true
	}
	return g, nil
}

// Protect wraps the MCP handler. In order, a request must: come from an
// allowed browser origin, if any (CORS preflights are answered here, before
// authentication); not carry a token in the URL; carry a valid bearer token;
// and, for a tools/call, hold the scopes the tool needs. The token is then
// in the request context (FromContext).
func (g *Guard) Protect(next http.Handler) http.Handler {
	return g.checkOrigin(g.refuseQueryToken(g.authenticate(g.checkToolScopes(next))))
}

// MetadataHandler serves the protected resource metadata; mount it at every
// path MetadataPaths returns.
func (g *Guard) MetadataHandler() http.Handler { return g.metadata }

// MetadataPaths returns the paths to mount MetadataHandler at.
func (g *Guard) MetadataPaths() []string { return metadataPaths(g.resource) }

// MetadataURL returns the absolute URL of the protected resource metadata.
func (g *Guard) MetadataURL() string { return g.metadataURL }

// ReadyHandler answers 200 while the issuer's signing keys can be had and
// 503 otherwise, so that a load balancer keeps traffic away from an instance
// that could only refuse it.
func (g *Guard) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*fetchTimeout)
		defer cancel()
		if err := g.verifier.Ready(ctx); err != nil {
			w.Header().Set("Retry-After", g.retryAfter)
			writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
}

// challenge returns the base challenge for this resource.
func (g *Guard) challenge() challenge {
	return challenge{ResourceMetadata: g.metadataURL, Scope: g.allScopes}
}
