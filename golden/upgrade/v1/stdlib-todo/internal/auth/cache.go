package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

const (
	// defaultCacheSize bounds the verification cache.
	defaultCacheSize = 10000
	// maxCacheAge bounds how long a verification is reused. Every fresh
	// JWKS also clears the cache, so a withdrawn key stops being trusted as
	// soon as the server sees the new key set.
	maxCacheAge = time.Minute
)

// tokenCache remembers tokens that verified, keyed by the SHA-256 of the
// raw token (the token itself is never stored), until they expire.
type tokenCache struct {
	mu      sync.RWMutex
	max     int
	entries map[[sha256.Size]byte]cacheEntry
}

type cacheEntry struct {
	tok   *Token
	until time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: make(map[[sha256.Size]byte]cacheEntry)}
}

// get returns the cached token for key, or nil.
func (c *tokenCache) get(key [sha256.Size]byte, now time.Time) *Token {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return nil
	}
	return e.tok
}

// put caches tok until it expires or maxCacheAge passes, whichever is first.
func (c *tokenCache) put(key [sha256.Size]byte, tok *Token, now time.Time) {
	until := now.Add(maxCacheAge)
	if tok.Expiry.Before(until) {
		until = tok.Expiry
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[key] = cacheEntry{tok: tok, until: until}
}

// clear forgets every verification: the issuer's keys have been refetched,
// and a token signed with a key that is gone must not pass on memory.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// evict drops expired entries and, if that frees less than a tenth of the
// cache, arbitrary others (Go's map order is unspecified) until it does, so
// that a full cache is swept once per max/10 insertions rather than on each.
func (c *tokenCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) <= c.max*9/10 {
			return
		}
		delete(c.entries, k)
	}
}
