package auth

import (
	"context"
	"time"
)

// A Token is what a verified access token says about the caller. Tokens are
// shared between requests (see the verification cache): treat them as
// read-only.
type Token struct {
	// Subject is the "sub" claim: the user (or, for client-credentials
	// tokens, the client) the token was issued to.
	Subject string
	// ClientID is the OAuth client that obtained the token, from the
	// "client_id" claim (RFC 9068) or, failing that, "azp".
	ClientID string
	// Issuer is the "iss" claim, one of the accepted issuers.
	Issuer string
	// Scopes is the union of the "scope", "scp" and "scopes" claims.
	Scopes []string
	// Expiry is the "exp" claim.
	Expiry time.Time
}

type tokenKey struct{}

// NewContext returns a copy of ctx carrying tok.
func NewContext(ctx context.Context, tok *Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// FromContext returns the verified token that the middleware stored in ctx,
// or nil if there is none.
func FromContext(ctx context.Context) *Token {
	tok, _ := ctx.Value(tokenKey{}).(*Token)
	return tok
}
