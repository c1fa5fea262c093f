package devauth

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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
// an unusable URL are refused on an error page, never with a redirect. The
// page names the kind of failure, not what the URL served (see
// TestClientIDMetadataDocumentOracle).
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
		{"client_id mismatch", host.url("/mismatch.json"), "does not match its URL"},
		{"no client_id", host.url("/no-id.json"), "does not match its URL"},
		{"shared secret", host.url("/secret.json"), "token_endpoint_auth_method must be none"},
		{"no redirect_uris", host.url("/no-redirect.json"), "redirect_uris"},
		{"non-loopback http redirect", host.url("/bad-redirect.json"), "redirect_uris"},
		{"client_credentials", host.url("/cc.json"), "grant_types"},
		{"not JSON", host.url("/not-json"), "not valid JSON"},
		{"too big", host.url("/big.json"), "larger than"},
		{"404", host.url("/missing.json"), "could not be fetched"},
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

// TestClientIDMetadataDocumentOracle: dev-auth fetches whatever URL a
// client_id names, so its error must not tell the requester what is
// listening on this machine or what a URL there serves. Each failure gets
// one generic sentence per class, at the authorization endpoint (the page)
// and the token endpoint (JSON); the detail is in the log only.
func TestClientIDMetadataDocumentOracle(t *testing.T) {
	t.Parallel()
	e, logs := newLoggedEnv(t, false, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	var redirectTargetFetched atomic.Bool
	var host *httptest.Server
	host = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		self := host.URL + r.URL.Path
		doc := func(v map[string]any) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
		switch r.URL.Path {
		case "/html":
			w.Write([]byte("<html>secret-page-content</html>"))
		case "/private-api":
			w.Write([]byte(`{"user":"secret-user","token":"secret-token"}`))
		case "/mismatch":
			doc(map[string]any{"client_id": "https://secret-mismatch.example/c", "redirect_uris": []string{cb}})
		case "/redirect-uri":
			doc(map[string]any{"client_id": self, "redirect_uris": []string{"http://secret-redirect.example/cb"}})
		case "/grant":
			doc(map[string]any{"client_id": self, "redirect_uris": []string{cb}, "grant_types": []string{"secret-grant"}})
		case "/auth-method":
			doc(map[string]any{"client_id": self, "redirect_uris": []string{cb}, "token_endpoint_auth_method": "secret-method"})
		case "/wrong-type":
			w.Write([]byte(`{"client_id":"` + self + `","redirect_uris":"secret-string"}`))
		case "/redirect":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/target":
			redirectTargetFetched.Store(true)
			doc(map[string]any{"client_id": self, "redirect_uris": []string{cb}})
		case "/slow":
			time.Sleep(time.Second)
		case "/status":
			http.Error(w, "secret-error-body", http.StatusTeapot)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(host.Close)
	closed := "http://127.0.0.1:" + freeLoopbackPort(t) + "/client.json"

	const fetchFail = "the client ID metadata document could not be fetched"
	tests := []struct{ name, id, want string }{
		{"closed port", closed, fetchFail},
		{"404", host.URL + "/missing.json", fetchFail},
		{"418 with a body", host.URL + "/status", fetchFail},
		{"too slow", host.URL + "/slow", fetchFail},
		{"redirect", host.URL + "/redirect", "redirects are not followed"},
		{"HTML", host.URL + "/html", "the client ID metadata document is not valid JSON"},
		{"other JSON", host.URL + "/private-api", "the client ID metadata document does not match its URL"},
		{"client_id mismatch", host.URL + "/mismatch", "the client ID metadata document does not match its URL"},
		{"bad redirect URI", host.URL + "/redirect-uri", "redirect_uris"},
		{"bad grant type", host.URL + "/grant", "grant_types"},
		{"shared secret", host.URL + "/auth-method", "token_endpoint_auth_method"},
		{"wrong type", host.URL + "/wrong-type", "redirect_uris"},
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(host.URL, "http://"), ":")
	leaks := []string{"secret-", "dial tcp", "connection refused", "connect:", "404", "418", "Not Found", "teapot", "invalid character", "Client.Timeout", "deadline", "/target", "Go struct"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(regClient{id: tt.id, redirect: cb}, newPKCE(), "todo:read", "st")
			r := e.authorize(q)
			page := html2text(pageError(r.body))
			if r.status < 400 || r.status > 499 || r.header.Get("Location") != "" {
				t.Errorf("authorize: status %d Location %q, want a 4xx page", r.status, r.header.Get("Location"))
			}
			tok := e.postForm("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {cb}, "code_verifier": {newPKCE().verifier}, "client_id": {tt.id}}, "", "")
			desc, _ := wantOAuthError(t, tok, http.StatusUnauthorized, "invalid_client")["error_description"].(string)
			for what, text := range map[string]string{"page": page, "token error": desc} {
				if !strings.Contains(text, tt.want) {
					t.Errorf("%s does not say %q: %s", what, tt.want, text)
				}
				for _, leak := range leaks {
					if strings.Contains(text, leak) {
						t.Errorf("%s leaks %q: %s", what, leak, text)
					}
				}
				// The requester's own client_id may come back; no other address.
				if strings.Contains(strings.ReplaceAll(text, tt.id, ""), port) {
					t.Errorf("%s names port %s: %s", what, port, text)
				}
			}
		})
	}
	if redirectTargetFetched.Load() {
		t.Errorf("the redirect was followed")
	}
	// The developer can still find out what went wrong.
	for _, want := range []string{"connection refused", "404", "418", "/target", "secret-mismatch.example"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// freeLoopbackPort is a loopback port nothing listens on (at the time of
// asking).
func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

// TestNoDCR: with NoDCR the metadata offers no registration endpoint and
// registration is refused, saying to use a client ID metadata document.
func TestNoDCR(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true, func(c *Config) { c.NoDCR = true })
	m := e.get("/.well-known/oauth-authorization-server").json(t)
	if _, ok := m["registration_endpoint"]; ok || m["client_id_metadata_document_supported"] != true {
		t.Errorf("metadata: registration_endpoint %v, client_id_metadata_document_supported %v", m["registration_endpoint"], m["client_id_metadata_document_supported"])
	}
	r := e.postJSON("/oauth/register", "application/json", []byte(`{"redirect_uris":["http://127.0.0.1:5555/cb"]}`))
	if r.status != http.StatusNotFound || !strings.Contains(r.body, "client ID metadata document") {
		t.Errorf("register with --no-dcr: %d %s", r.status, r.body)
	}
}
