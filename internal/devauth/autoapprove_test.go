package devauth

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestAutoApproveLoopbackOnly: --auto-approve grants at once only when the
// code goes back to this machine. Otherwise a page the developer visits
// could register a client (or serve a metadata document) redirecting to
// itself, send the browser to /oauth/authorize and collect a code with no
// one asked; such requests get the consent page instead.
func TestAutoApproveLoopbackOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, redirect := range []string{
		"http://127.0.0.1:5555/cb",
		"http://localhost:6274/oauth/callback",
		"http://[::1]:8080/cb",
		"https://localhost/cb",
		"http://127.9.9.9/cb",
	} {
		c := e.publicClient(redirect)
		p := newPKCE()
		okTokens(t, e.exchange(c, e.code(authParams(c, p, "todo:read", "")), p.verifier))
	}
	host := newCIMDHost(t, map[string]func(string) any{
		"/evil.json": func(self string) any {
			return map[string]any{"client_id": self, "client_name": "Evil", "redirect_uris": []string{"https://evil.example/cb"}}
		},
	})
	for _, tt := range []struct {
		name string
		c    regClient
	}{
		{"registered https", e.publicClient("https://evil.example/cb")},
		{"look-alike host", e.publicClient("https://127.0.0.1.evil.example/cb")},
		{"localhost subdomain", e.publicClient("https://localhost.evil.example/cb")},
		{"private-use scheme", e.publicClient("com.example.app:/cb")},
		{"web+ scheme a page can claim", e.publicClient("web+evil:/cb")},
		{"metadata document", regClient{id: host.url("/evil.json"), redirect: "https://evil.example/cb"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPKCE()
			r := e.authorize(authParams(tt.c, p, "todo:read todo:write", "st"))
			if loc := r.header.Get("Location"); loc != "" {
				code := ""
				if i := strings.Index(loc, "code="); i >= 0 {
					code = strings.SplitN(loc[i+5:], "&", 2)[0]
				}
				x := e.exchange(tt.c, code, p.verifier)
				t.Fatalf("auto-approved: %d Location %s; redeeming the code: %d %.60s…", r.status, loc, x.status, x.body)
			}
			if r.status != http.StatusOK || !consentIDRe.MatchString(r.body) {
				t.Fatalf("status %d, want the consent page: %s", r.status, pageError(r.body))
			}
			if !strings.Contains(r.body, "--auto-approve") {
				t.Errorf("the page does not say why it asks despite --auto-approve")
			}
			if !strings.Contains(html.UnescapeString(r.body), tt.c.redirect) {
				t.Errorf("the page does not show where the code would go")
			}
		})
	}
}
