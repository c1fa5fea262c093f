package devauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The bounds the stores must keep: anyone on this machine, or any page it
// serves, can register clients or name metadata documents in a loop.
const (
	wantMaxClients    = 1000
	wantMaxCIMDCached = 256
)

// TestRegisteredClientsBounded: past wantMaxClients registrations the
// least recently used client is forgotten, not the one in use, and never
// the machine client.
func TestRegisteredClientsBounded(t *testing.T) {
	t.Parallel()
	if maxClients != wantMaxClients || maxCIMDCached != wantMaxCIMDCached {
		t.Fatalf("bounds %d and %d changed: update this test and the reasons at the constants", maxClients, maxCIMDCached)
	}
	e, logs := newLoggedEnv(t, true)
	a := e.publicClient(cb)
	b := e.publicClient(cb)
	body := []byte(`{"redirect_uris":["` + cb + `"],"token_endpoint_auth_method":"none"}`)
	for range wantMaxClients - 3 {
		if r := e.postJSON("/oauth/register", "application/json", body); r.status != http.StatusCreated {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
	}
	// wantMaxClients-1 registered; a is used, so b is now the oldest.
	e.code(authParams(a, newPKCE(), "todo:read", ""))
	e.publicClient(cb)
	e.publicClient(cb) // one over: b goes

	r := e.authorize(authParams(b, newPKCE(), "todo:read", ""))
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "no client is registered") {
		t.Errorf("least recently used client after %d registrations: status %d Location %q, want it forgotten (401 page)", wantMaxClients+1, r.status, r.header.Get("Location"))
	}
	if !strings.Contains(logs.String(), "registered client forgotten") || !strings.Contains(logs.String(), b.id) {
		t.Errorf("the log does not say which client was forgotten")
	}
	p := newPKCE()
	okTokens(t, e.exchange(a, e.code(authParams(a, p, "todo:read", "")), p.verifier))
	okTokens(t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, MachineClientID, testSecret))
}

// TestCIMDCacheBounded: at most wantMaxCIMDCached metadata documents are
// kept; the least recently used one is fetched again when next needed.
func TestCIMDCacheBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	var mu sync.Mutex
	fetches := map[string]int{}
	var host *httptest.Server
	host = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetches[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"client_id": host.URL + r.URL.Path, "redirect_uris": []string{cb}})
	}))
	t.Cleanup(host.Close)
	doc := func(i int) regClient {
		return regClient{id: host.URL + "/c/" + strconv.Itoa(i), redirect: cb}
	}
	count := func(i int) int {
		mu.Lock()
		defer mu.Unlock()
		u, _ := url.Parse(doc(i).id)
		return fetches[u.Path]
	}
	for i := range wantMaxCIMDCached + 1 {
		e.code(authParams(doc(i), newPKCE(), "todo:read", ""))
	}
	e.code(authParams(doc(wantMaxCIMDCached), newPKCE(), "todo:read", ""))
	if n := count(wantMaxCIMDCached); n != 1 {
		t.Errorf("most recent document fetched %d times, want 1 (cached)", n)
	}
	e.code(authParams(doc(0), newPKCE(), "todo:read", ""))
	if n := count(0); n != 2 {
		t.Errorf("least recently used document fetched %d times after %d others, want 2 (evicted, fetched again)", n, wantMaxCIMDCached)
	}
}
