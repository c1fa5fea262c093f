package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is wrapped by every error that means "this token is not
// acceptable": the middleware answers 401 with error="invalid_token".
var ErrInvalidToken = errors.New("invalid token")

// InvalidTokenError says why a token was refused. Description is safe to send
// to the client as error_description.
type InvalidTokenError struct {
	Description string
	Err         error // the underlying cause, for logs
}

func (e *InvalidTokenError) Error() string {
	if e.Err == nil {
		return e.Description
	}
	return e.Description + ": " + e.Err.Error()
}

func (e *InvalidTokenError) Unwrap() []error { return []error{ErrInvalidToken, e.Err} }

// allowedAlgorithms are the asymmetric JWS algorithms accepted (RFC 8725
// §3.1). "none" and the HMAC algorithms are absent on purpose: with a public
// key as the HMAC secret anyone could mint tokens.
var allowedAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
}

// maxTokenBytes bounds the tokens worth parsing; real access tokens are a
// few kilobytes at most.
const maxTokenBytes = 16 << 10

// VerifierOptions configure a Verifier.
type VerifierOptions struct {
	// Issuers are the accepted "iss" values, compared exactly.
	Issuers []string
	// Audiences are the accepted "aud" values; the token must name one.
	Audiences []string
	// JWKSURL is where the issuer publishes its keys. If empty, it is
	// discovered from the metadata of Issuers[0] on first use.
	JWKSURL string
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration
	// StrictType accepts only tokens typed "at+jwt" (RFC 9068).
	StrictType bool
	// MinRefreshInterval is the least time between two JWKS fetches caused
	// by unknown key IDs or by retries after a failed fetch.
	MinRefreshInterval time.Duration
	// AllowInsecureHTTP accepts a discovered plain-http JWKS URL on a
	// non-loopback host.
	AllowInsecureHTTP bool
	// Logger receives key-fetching events.
	Logger *slog.Logger
}

// A Verifier checks JWT access tokens against the issuer's keys and this
// resource's expectations.
type Verifier struct {
	opts      VerifierOptions
	parser    *jwt.Parser
	validator *jwt.Validator
	keys      *keySet
	cache     *tokenCache // nil disables caching
}

// NewVerifier returns a Verifier. It does not contact the issuer: keys are
// fetched on first use, so the server starts even while the issuer is down.
// ctx bounds the background key refresh.
func NewVerifier(ctx context.Context, opts VerifierOptions) (*Verifier, error) {
	if len(opts.Issuers) == 0 || len(opts.Audiences) == 0 {
		return nil, errors.New("auth: a verifier needs at least one issuer and one audience")
	}
	if opts.MinRefreshInterval <= 0 {
		return nil, errors.New("auth: MinRefreshInterval must be positive")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	timeClaims := []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
	}
	cache := newTokenCache(defaultCacheSize)
	keys := newKeySet(ctx, opts)
	keys.onFetch = cache.clear
	return &Verifier{
		opts:      opts,
		parser:    jwt.NewParser(append(timeClaims, jwt.WithValidMethods(allowedAlgorithms))...),
		validator: jwt.NewValidator(timeClaims...),
		keys:      keys,
		cache:     cache,
	}, nil
}

// Verify checks raw and returns what it says. The error wraps either
// ErrInvalidToken (refuse with 401) or ErrKeysUnavailable (answer 503).
func (v *Verifier) Verify(ctx context.Context, raw string) (*Token, error) {
	if len(raw) > maxTokenBytes {
		return nil, &InvalidTokenError{Description: "the access token is too large"}
	}
	var key [sha256.Size]byte
	if v.cache != nil {
		key = sha256.Sum256([]byte(raw))
		if tok := v.cache.get(key, time.Now()); tok != nil {
			return tok, nil
		}
	}

	var claims accessClaims
	if _, err := v.parser.ParseWithClaims(raw, &claims, v.keyFor(ctx)); err != nil {
		return nil, v.classify(err)
	}
	tok := claims.token()
	if v.cache != nil {
		v.cache.put(key, tok, time.Now())
	}
	return tok, nil
}

// Ready reports whether the issuer's signing keys can be had.
func (v *Verifier) Ready(ctx context.Context) error { return v.keys.Ready(ctx) }

// keyFor returns the jwt.Keyfunc for one verification. It checks the
// claims before looking up the key, so that expired, mis-addressed or
// foreign tokens are refused as invalid without touching the JWKS, even
// while it is unreachable. The parser checks the time claims again after
// the signature.
//
// Only the "kid" header selects a key. "jku", "x5u", "jwk" and "x5c" are
// never consulted: a token must not choose the key that verifies it.
func (v *Verifier) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		// RFC 7515 §4.1.11: extensions listed in "crit" must be understood;
		// this server understands none.
		if _, ok := t.Header["crit"]; ok {
			return nil, errCritical
		}
		if err := checkType(t.Header["typ"], v.opts.StrictType); err != nil {
			return nil, err
		}
		claims := t.Claims.(*accessClaims)
		if err := checkIssuer(claims, v.opts.Issuers); err != nil {
			return nil, err
		}
		if err := checkAudience(claims, v.opts.Audiences); err != nil {
			return nil, err
		}
		if err := v.validator.Validate(claims); err != nil {
			return nil, err
		}

		kf, err := v.keys.lookup(ctx)
		if err != nil {
			return nil, err
		}
		// An unknown key ID makes jwkset refetch the JWKS with this context;
		// a client that hangs up must not abort a refetch others wait for.
		asked := time.Now()
		key, err := kf.KeyfuncCtx(context.WithoutCancel(ctx))(t)
		if set, ok := key.(jwt.VerificationKeySet); ok && len(set.Keys) == 0 && err == nil {
			err = errors.New("no keys") // token without "kid" and an empty JWKS
		}
		if err == nil {
			return key, nil
		}
		if unavailable := v.keys.unavailable(); unavailable != nil {
			return nil, unavailable
		}
		if kid, _ := t.Header["kid"].(string); kid != "" && !v.keys.fetchedSince(asked) && !v.keys.holds(ctx, kid) {
			// The key ID is not in the cached JWKS, and the refetch that would
			// tell whether the issuer just rotated to it is rate-limited. Only
			// a fresh JWKS can prove the token wrong: until then, "retry" (503)
			// rather than "re-authorize" (401), which would send clients
			// holding a genuine new-key token into a loop.
			return nil, fmt.Errorf("%w: key ID not in the cached JWKS, and refetching it is rate-limited", ErrKeysUnavailable)
		}
		return nil, fmt.Errorf("%w: %v", errUnknownKey, err)
	}
}

// checkType applies the "typ" header rules. RFC 9068 §2.1 types access
// tokens "at+jwt" (or "application/at+jwt") so that an ID token or another
// JWT from the same issuer cannot be replayed as one (RFC 8725 §3.11). Many
// issuers, Scalekit among them, still send "JWT" or nothing, so those pass
// unless strict is set (TOKEN_TYP_STRICT=true); any other type is refused.
func checkType(typ any, strict bool) error {
	s, isString := typ.(string)
	switch {
	case typ == nil:
		if strict {
			return errType
		}
		return nil
	case !isString:
		return errType
	}
	switch strings.ToLower(s) {
	case "at+jwt", "application/at+jwt":
		return nil
	case "jwt":
		if strict {
			return errType
		}
		return nil
	}
	return errType
}

var (
	errType       = errors.New(`token "typ" is not an access token type`)
	errCritical   = errors.New("token has critical header parameters this server does not understand")
	errUnknownKey = errors.New("token is signed with a key the issuer does not publish")
)

// classify maps a parser error to ErrKeysUnavailable or an
// InvalidTokenError with a description fit for the client.
func (v *Verifier) classify(err error) error {
	if errors.Is(err, ErrKeysUnavailable) {
		return err
	}
	desc := "the access token is invalid"
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		desc = "the access token is malformed"
	case errors.Is(err, errIssuer):
		desc = "the access token was issued by an issuer this server does not accept"
	case errors.Is(err, errAudience):
		desc = "the access token is not meant for this resource (aud)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		desc = "the access token lacks a required claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		desc = "the access token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		desc = "the access token is not valid yet"
	case errors.Is(err, errType):
		desc = "the token is not an access token (typ)"
	case errors.Is(err, errCritical):
		desc = "the access token uses critical header parameters this server does not understand"
	case errors.Is(err, errUnknownKey):
		desc = "the access token is signed with an unknown key"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		desc = "the access token signature is invalid or uses a disallowed algorithm"
	}
	return &InvalidTokenError{Description: desc, Err: err}
}
