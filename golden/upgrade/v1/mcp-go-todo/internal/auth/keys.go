package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// ErrKeysUnavailable means a token could not be checked because the issuer's
// signing keys cannot be fetched right now. It is not the token's fault: the
// middleware answers 503 and the client should retry later.
var ErrKeysUnavailable = errors.New("issuer signing keys are unavailable")

const (
	// fetchTimeout bounds every request to the JWKS and metadata endpoints,
	// and how long a request waits for the refetch rate limiter.
	fetchTimeout = 5 * time.Second
	// refreshInterval is how often the JWKS is refetched in the background,
	// so that keys the issuer removed stop being trusted.
	refreshInterval = 15 * time.Minute
	// probeKID is looked up by Ready to make jwkset refetch the JWKS; no
	// issuer uses it.
	probeKID = "create-mcp-auth readiness probe"
)

// keySet is the issuer's JSON Web Key Set, fetched on first use and cached.
//
// Fetching, caching, background refresh and the rate-limited refetch on an
// unknown key ID are jwkset's; keySet adds only the lazy start (so the server
// starts while the issuer is unreachable) and a record of whether the last
// fetch worked, which tells "this token's key does not exist" (401) apart from
// "keys cannot be fetched now" (503).
type keySet struct {
	ctx        context.Context // ends the background refresh
	jwksURL    string          // empty: discover it from issuer
	issuer     string
	allowHTTP  bool // a discovered JWKS URL may use plain http
	client     *http.Client
	minRefresh time.Duration
	logger     *slog.Logger

	kf     atomic.Pointer[keyfunc.Keyfunc]
	cached jwkset.Storage // the keys of the last successful fetch; reading it never fetches

	startMu sync.Mutex // serialises start-up
	nextTry time.Time  // earliest retry of a failed start-up; guarded by startMu

	healthy   atomic.Bool  // the last fetch succeeded and returned keys
	fetchedAt atomic.Int64 // when the last successful fetch was stored, in Unix nanoseconds

	// onFetch runs after every successful fetch; the verifier drops its
	// cache of verified tokens there, so that a key the issuer withdrew
	// stops being trusted at once.
	onFetch func()

	errMu   sync.Mutex
	lastErr error // why the last fetch failed; guarded by errMu
}

func newKeySet(ctx context.Context, opts VerifierOptions) *keySet {
	return &keySet{
		ctx:        ctx,
		jwksURL:    opts.JWKSURL,
		issuer:     opts.Issuers[0],
		allowHTTP:  opts.AllowInsecureHTTP,
		client:     &http.Client{Timeout: fetchTimeout},
		minRefresh: opts.MinRefreshInterval,
		logger:     opts.Logger,
		cached:     jwkset.NewMemoryStorage(),
	}
}

// lookup returns the key lookup, starting the key set on first use.
func (s *keySet) lookup(ctx context.Context) (keyfunc.Keyfunc, error) {
	if kf := s.kf.Load(); kf != nil {
		return *kf, nil
	}
	s.startMu.Lock()
	defer s.startMu.Unlock()
	if kf := s.kf.Load(); kf != nil {
		return *kf, nil
	}
	if time.Now().Before(s.nextTry) {
		return nil, s.unavailable()
	}
	// A client that hangs up must not fail the start-up for everyone.
	kf, err := s.start(context.WithoutCancel(ctx))
	if err != nil {
		s.nextTry = time.Now().Add(s.minRefresh)
		s.fetchFailed(ctx, err)
		return nil, s.unavailable()
	}
	s.kf.Store(&kf)
	return kf, nil
}

// start resolves the JWKS URL and builds the jwkset storage, which performs
// the first fetch. A failed first fetch is not an error: jwkset retries on
// the next unknown key ID, and healthy stays false meanwhile.
func (s *keySet) start(ctx context.Context) (keyfunc.Keyfunc, error) {
	jwksURL := s.jwksURL
	if jwksURL == "" {
		var err error
		if jwksURL, err = discoverJWKSURL(ctx, s.client, s.issuer, s.allowHTTP); err != nil {
			return nil, err
		}
		s.logger.Info("discovered JWKS URL", "issuer", s.issuer, "jwks_uri", jwksURL)
	}
	remote, err := jwkset.NewStorageFromHTTP(jwksURL, jwkset.HTTPClientStorageOptions{
		Client:                    s.client,
		Ctx:                       s.ctx,
		HTTPTimeout:               fetchTimeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshErrorHandler:       s.fetchFailed,
		RefreshInterval:           refreshInterval,
		Storage:                   observedStorage{Storage: s.cached, set: s},
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS URL %q: %w", jwksURL, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs: map[string]jwkset.Storage{jwksURL: remote},
		// An unknown key ID triggers a refetch (the issuer may have rotated
		// its keys), at most once per minRefresh so that tokens with made-up
		// key IDs cannot turn this server into a JWKS flooder.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(s.minRefresh), 1),
		RateLimitWaitMax:  fetchTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS URL %q: %w", jwksURL, err)
	}
	return keyfunc.New(keyfunc.Options{
		Ctx:     s.ctx,
		Storage: client,
		// Keys published for encryption never verify signatures; keys that
		// do not say what they are for ("use" absent) are allowed.
		UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
	})
}

// fetchFailed is jwkset's RefreshErrorHandler.
func (s *keySet) fetchFailed(_ context.Context, err error) {
	s.errMu.Lock()
	s.lastErr = err
	s.errMu.Unlock()
	if s.healthy.Swap(false) {
		s.logger.Error("issuer signing keys became unreachable; tokens signed with unknown keys are refused with 503 until they return", "error", err)
	} else {
		s.logger.Warn("cannot fetch issuer signing keys", "error", err)
	}
}

// fetched records a successful fetch of n keys.
func (s *keySet) fetched(n int) {
	if n == 0 {
		s.fetchFailed(s.ctx, errors.New("the JWKS holds no usable signing keys"))
		return
	}
	s.fetchedAt.Store(time.Now().UnixNano())
	if s.onFetch != nil {
		s.onFetch()
	}
	if !s.healthy.Swap(true) {
		s.logger.Info("fetched issuer signing keys", "keys", n)
	}
}

// holds reports whether the cached key set has a key with ID kid.
func (s *keySet) holds(ctx context.Context, kid string) bool {
	_, err := s.cached.KeyRead(ctx, kid)
	return err == nil
}

// fetchedSince reports whether a fetch succeeded at or after t.
func (s *keySet) fetchedSince(t time.Time) bool {
	return s.fetchedAt.Load() >= t.UnixNano()
}

// unavailable reports whether keys cannot be had right now, with the reason.
func (s *keySet) unavailable() error {
	if s.healthy.Load() {
		return nil
	}
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.lastErr == nil {
		return ErrKeysUnavailable
	}
	return fmt.Errorf("%w: %v", ErrKeysUnavailable, s.lastErr)
}

// Ready reports whether the issuer's keys are at hand, fetching them if they
// never were or the last fetch failed (subject to the refetch rate limit).
func (s *keySet) Ready(ctx context.Context) error {
	kf, err := s.lookup(ctx)
	if err != nil {
		return err
	}
	if s.healthy.Load() {
		return nil
	}
	// jwkset refetches only when asked for a key it does not hold.
	_, _ = kf.Storage().KeyRead(ctx, probeKID)
	return s.unavailable()
}

// observedStorage tells its keySet when jwkset has stored a freshly fetched
// JWKS: jwkset calls KeyReplaceAll only after a fetch succeeded.
type observedStorage struct {
	jwkset.Storage
	set *keySet
}

func (o observedStorage) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	if err := o.Storage.KeyReplaceAll(ctx, given); err != nil {
		return err
	}
	o.set.fetched(len(given))
	return nil
}
