package devauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// cimdHost serves client ID metadata documents on a loopback URL. docs maps
// a path to a function of the document's own URL.
type cimdHost struct {
	ts      *httptest.Server
	fetches atomic.Int32
}

func newCIMDHost(t *testing.T, docs map[string]func(self string) any) *cimdHost {
	t.Helper()
	h := &cimdHost{}
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fetches.Add(1)
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch v := doc(h.ts.URL + r.URL.Path).(type) {
		case string:
			w.Write([]byte(v))
		default:
			json.NewEncoder(w).Encode(v)
		}
	}))
	t.Cleanup(h.ts.Close)
	return h
}

func (h *cimdHost) url(path string) string { return h.ts.URL + path }

// TestClientIDMetadataDocument: a client_id that is a URL is fetched; its
// name is shown on the consent page, and the whole flow works with it as a
// public client. The document is cached.
func TestClientIDMetadataDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	host := newCIMDHost(t, map[string]func(string) any{
		"/client.json": func(self string) any {
			return map[string]any{"client_id": self, "client_name": "CIMD App", "redirect_uris": []string{cb}, "grant_types": []string{"authorization_code", "refresh_token"}}
		},
	})
	c := regClient{id: host.url("/client.json"), redirect: cb}
	p := newPKCE()
	r, id := e.consentPage(authParams(c, p, "todo:read offline_access", "st-cimd"))
	if !strings.Contains(r.body, "Authorize CIMD App") {
		t.Errorf("consent page does not show the document's client_name")
	}
	if !strings.Contains(r.body, c.id) {
		t.Errorf("consent page does not show the client_id URL")
	}
	loc := e.decide(id, "approve", "alice@example.com", "todo:read", "offline_access").location(t)
	if loc.Query().Get("state") != "st-cimd" {
		t.Errorf("state %q", loc.Query().Get("state"))
	}
	tk := okTokens(t, e.exchange(c, loc.Query().Get("code"), p.verifier))
	if cl := e.verify(tk.access).claims; cl["client_id"] != c.id {
		t.Errorf("client_id claim %v, want %s", cl["client_id"], c.id)
	}
	if tk.refresh == "" {
		t.Errorf("no refresh token for a document listing refresh_token")
	}
	// A second authorization reuses the cached document.
	e.consentPage(authParams(c, newPKCE(), "todo:read", ""))
	if n := host.fetches.Load(); n != 1 {
		t.Errorf("document fetched %d times, want 1 (cached)", n)
	}
	// An exact redirect match applies to documents too.
	q := authParams(c, p, "todo:read", "")
	q.Set("redirect_uri", "http://127.0.0.1:6666/cb")
	if r := e.authorize(q); r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
		t.Errorf("other redirect: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestClientIDMetadataDocumentAutoApprove: the same with --auto-approve,
// which is what scripted clients use.
func TestClientIDMetadataDocumentAutoApprove(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	host := newCIMDHost(t, map[string]func(string) any{
		"/c/doc": func(self string) any { return map[string]any{"client_id": self, "redirect_uris": []string{cb}} },
	})
	c := regClient{id: host.url("/c/doc"), redirect: cb}
	p := newPKCE()
	tk := okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:write", "")), p.verifier))
	if cl := e.verify(tk.access).claims; cl["client_id"] != c.id || cl["scope"] != "todo:write" {
		t.Errorf("claims %v", cl)
	}
}

// TestClientIDMetadataDocumentErrors: documents that do not describe
// themselves, claim a shared secret, are not JSON, are too big, or live at
// an unusable URL are refused on an error page, never with a redirect.
func TestClientIDMetadataDocumentErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	host := newCIMDHost(t, map[string]func(string) any{
		"/mismatch.json": func(string) any {
			return map[string]any{"client_id": "https://elsewhere.example/client.json", "redirect_uris": []string{cb}}
		},
		"/no-id.json": func(string) any { return map[string]any{"redirect_uris": []string{cb}} },
		"/secret.json": func(self string) any {
			return map[string]any{"client_id": self, "redirect_uris": []string{cb}, "token_endpoint_auth_method": "client_secret_basic"}
		},
		"/no-redirect.json": func(self string) any { return map[string]any{"client_id": self} },
		"/bad-redirect.json": func(self string) any {
			return map[string]any{"client_id": self, "redirect_uris": []string{"http://evil.example/cb"}}
		},
		"/cc.json": func(self string) any {
			return map[string]any{"client_id": self, "redirect_uris": []string{cb}, "grant_types": []string{"client_credentials"}}
		},
		"/not-json": func(string) any { return "<html>hello</html>" },
		"/big.json": func(self string) any {
			return `{"client_id":"` + self + `","client_name":"` + strings.Repeat("x", 70<<10) + `"}`
		},
		"/":          func(self string) any { return map[string]any{"client_id": self, "redirect_uris": []string{cb}} },
		"/a/../b.js": func(self string) any { return map[string]any{"client_id": self, "redirect_uris": []string{cb}} },
	})
	tests := []struct{ name, id, want string }{
		{"client_id mismatch", host.url("/mismatch.json"), "own URL"},
		{"no client_id", host.url("/no-id.json"), "own URL"},
		{"shared secret", host.url("/secret.json"), "client_secret_basic"},
		{"no redirect_uris", host.url("/no-redirect.json"), "redirect_uris"},
		{"non-loopback http redirect", host.url("/bad-redirect.json"), "redirect_uris"},
		{"client_credentials", host.url("/cc.json"), "grant_types"},
		{"not JSON", host.url("/not-json"), "not a JSON"},
		{"too big", host.url("/big.json"), "larger than"},
		{"404", host.url("/missing.json"), "404"},
		{"no path", host.ts.URL, "path"},
		{"root path", host.ts.URL + "/", "path"},
		{"dot segments", host.url("/a/../b.js"), ". or .."},
		{"fragment", host.url("/client.json#x"), "fragment"},
		{"user info", strings.Replace(host.ts.URL, "http://", "http://user:pw@", 1) + "/client.json", "credentials"},
		{"plain http elsewhere", "http://clients.example/client.json", "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(regClient{id: tt.id, redirect: cb}, newPKCE(), "todo:read", "st")
			r := e.authorize(q)
			if r.status < 400 || r.status > 499 {
				t.Errorf("status %d, want 4xx", r.status)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("redirected to %s", loc)
			}
			if strings.Contains(r.body, `name="consent"`) {
				t.Errorf("consent form shown")
			}
			if !strings.Contains(html2text(r.body), tt.want) {
				t.Errorf("error page does not mention %q:\n%s", tt.want, pageError(r.body))
			}
		})
	}
}

// pageError extracts the message of an error page.
func pageError(body string) string {
	i := strings.Index(body, "cannot continue</h1>")
	if i < 0 {
		return body
	}
	return body[i:]
}

func html2text(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
