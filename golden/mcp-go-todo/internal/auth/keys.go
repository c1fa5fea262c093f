package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// ErrKeysUnavailable means a token could not be checked because the issuer's
// signing keys cannot be fetched right now. It is not the token's fault: the
// middleware answers 503 and the client should retry later.
var ErrKeysUnavailable = errors.New("issuer signing keys are unavailable")

const (
	// fetchTimeout bounds every request to the JWKS and metadata endpoints.
	fetchTimeout = 5 * time.Second
	// refreshInterval is how often the JWKS is fetched in the background,
	// so that keys the issuer added are known before tokens use them and
	// keys it removed stop being trusted.
	refreshInterval = 15 * time.Minute
	// maxKeysBytes bounds a JWKS document; real ones are a few kilobytes.
	maxKeysBytes = 1 << 20
)

// keySet holds the issuer's signing keys as of its last successful JWKS
// fetch and decides when to fetch again.
//
// jwkset parses the keys and golang-jwt checks signatures. The fetch policy
// is this server's own, so it is written here rather than left to a JWKS
// client: what a key ID missing from the JWKS means (a forged token: 401,
// or an issuer that cannot be reached: 503) is an authorization decision,
// and a client library's refetch limiter would make forged tokens wait or
// look like an outage.
type keySet struct {
	ctx        context.Context // ends the background refresh
	jwksURL    string          // empty until discovered from issuer
	issuer     string
	allowHTTP  bool // a discovered JWKS URL may use plain http
	client     *http.Client
	logger     *slog.Logger
	minRefresh time.Duration
	// refetch allows the fetches prompted by unknown key IDs, failed
	// fetches and readiness checks: at most one per minRefresh, so that
	// tokens with made-up key IDs cannot turn this server into a flood
	// against the issuer.
	refetch *rate.Limiter
	// onRevoke runs when a fetch removes keys that were trusted before;
	// the verifier drops its cache of verified tokens there.
	onRevoke func()

	fetchMu sync.Mutex // one fetch at a time; guards jwksURL
	state   atomic.Pointer[keyState]
	refresh sync.Once // starts the background refresh
}

// keyState is the outcome of the latest fetch. It is never modified, only
// replaced.
type keyState struct {
	keys    []publicKey // usable signature keys (see checkSignatureKey)
	healthy bool        // the latest fetch succeeded and found keys
	err     error       // why the latest fetch failed, for logs only
	done    time.Time   // when the latest fetch ended
}

// noFetchYet is the state before the first fetch.
var noFetchYet = &keyState{err: errors.New("no fetch yet")}

func newKeySet(ctx context.Context, opts VerifierOptions) *keySet {
	s := &keySet{
		ctx:        ctx,
		jwksURL:    opts.JWKSURL,
		issuer:     opts.Issuers[0],
		allowHTTP:  opts.AllowInsecureHTTP,
		client:     newFetchClient(),
		logger:     opts.Logger,
		minRefresh: opts.MinRefreshInterval,
		refetch:    rate.NewLimiter(rate.Every(opts.MinRefreshInterval), 1),
	}
	s.state.Store(noFetchYet)
	return s
}

// lookup returns the keys a token with key ID kid may be signed with: those
// with that ID, or every key when the token names none.
//
// A key ID missing from the keys at hand prompts one fetch, if the refetch
// limiter allows, since the issuer may have rotated to a new key. If it is
// still missing, the token is refused as invalid when the latest fetch
// succeeded: it is signed with a key the issuer does not publish, which is
// what a forged token looks like. Only when the latest fetch failed is the
// answer ErrKeysUnavailable, since then a genuine new key cannot be told
// from a forged one.
func (s *keySet) lookup(ctx context.Context, kid string) ([]publicKey, error) {
	st := s.current(ctx)
	if keys := st.find(kid); len(keys) > 0 {
		return keys, nil
	}
	if kid != "" {
		st = s.latest(ctx, st)
		if keys := st.find(kid); len(keys) > 0 {
			return keys, nil
		}
	}
	if !st.healthy {
		return nil, ErrKeysUnavailable
	}
	if kid == "" {
		return nil, errNoKeys
	}
	return nil, errUnknownKey
}

// current returns the state, fetching the keys first if no fetch ever
// found any, so that the server starts while the issuer is unreachable and
// catches up when it returns.
func (s *keySet) current(ctx context.Context) *keyState {
	s.refresh.Do(func() { go s.refreshLoop() })
	switch st := s.state.Load(); {
	case st == noFetchYet:
		return s.fetch(ctx, st)
	case !st.healthy && len(st.keys) == 0:
		return s.latest(ctx, st)
	default:
		return st
	}
}

// latest returns the state after a new fetch, if the refetch limiter allows
// one, or after the fetch already under way, if there is one; else seen.
func (s *keySet) latest(ctx context.Context, seen *keyState) *keyState {
	if s.refetch.Allow() {
		return s.fetch(ctx, seen)
	}
	if !s.fetchMu.TryLock() {
		s.fetchMu.Lock() // wait for the fetch under way
	}
	s.fetchMu.Unlock()
	return s.state.Load()
}

// find returns the keys with ID kid, or all keys when kid is empty.
func (st *keyState) find(kid string) []publicKey {
	if kid == "" {
		return st.keys
	}
	var out []publicKey
	for _, k := range st.keys {
		if k.kid == kid {
			out = append(out, k)
		}
	}
	return out
}

// fetch gets the JWKS and stores the outcome. seen is the state the caller
// looked at: if another fetch ended since, its outcome is used instead of
// asking the issuer again.
func (s *keySet) fetch(ctx context.Context, seen *keyState) *keyState {
	// A client that hangs up must not abort a fetch others wait for.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*fetchTimeout)
	defer cancel()
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	if st := s.state.Load(); st != seen {
		return st
	}
	keys, err := s.fetchKeys(ctx)
	next := &keyState{keys: keys, healthy: err == nil, err: err, done: time.Now()}
	if errors.Is(err, errNoUsableKeys) {
		// The issuer withdrew every key: trust none of the old ones.
		next.keys = nil
	} else if err != nil {
		// Unreachable: keep the known keys, which verify tokens as before.
		next.keys = seen.keys
	}
	s.state.Store(next)
	s.report(seen, next)
	if revoked(seen.keys, next.keys) && s.onRevoke != nil {
		s.onRevoke()
	}
	return next
}

// fetchKeys resolves the JWKS URL on first use and fetches the keys.
func (s *keySet) fetchKeys(ctx context.Context) ([]publicKey, error) {
	if s.jwksURL == "" {
		u, err := discoverJWKSURL(ctx, s.client, s.issuer, s.allowHTTP)
		if err != nil {
			return nil, err
		}
		s.logger.Info("discovered JWKS URL", "issuer", s.issuer, "jwks_uri", u)
		s.jwksURL = u
	}
	return fetchJWKS(ctx, s.client, s.jwksURL, s.logger)
}

// report logs a change of health: an outage once as an error, its end once
// as information, and repeated failures as warnings.
func (s *keySet) report(prev, next *keyState) {
	switch {
	case next.healthy && !prev.healthy:
		s.logger.Info("fetched issuer signing keys", "keys", len(next.keys))
	case !next.healthy && (prev.healthy || prev == noFetchYet):
		s.logger.Error("cannot fetch the issuer's signing keys; tokens signed with keys not fetched before are answered 503 until they can be",
			"jwks_url", s.jwksURL, "error", next.err)
	case !next.healthy:
		s.logger.Warn("still cannot fetch the issuer's signing keys", "error", next.err)
	}
}

// refreshLoop fetches the keys every refreshInterval until ctx ends.
func (s *keySet) refreshLoop() {
	tick := time.NewTicker(refreshInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
			s.fetch(s.ctx, s.state.Load())
		}
	}
}

// Ready reports whether the keys are at hand, fetching them if the latest
// fetch failed (subject to the refetch limiter). The error is for logs; it
// may name internal URLs.
func (s *keySet) Ready(ctx context.Context) error {
	st := s.current(ctx)
	if !st.healthy {
		st = s.latest(ctx, st)
	}
	if st.healthy {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrKeysUnavailable, st.err)
}

// revoked reports whether next lacks a key that prev held.
func revoked(prev, next []publicKey) bool {
	for _, old := range prev {
		if !slices.ContainsFunc(next, old.same) {
			return true
		}
	}
	return false
}

var (
	errUnknownKey   = errors.New("token is signed with a key the issuer does not publish")
	errNoKeys       = errors.New("no published key verifies a token without a key ID")
	errNoUsableKeys = errors.New("the JWKS holds no usable signing keys")
)
