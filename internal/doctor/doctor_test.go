package doctor

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/doctor/doctortest"
)

// methodRecorder is an http.RoundTripper that notes every method sent.
type methodRecorder struct {
	mu      sync.Mutex
	methods []string
}

func (m *methodRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.methods = append(m.methods, req.Method)
	m.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// checks returns the checks of rep with id.
func checks(rep *Report, id string) []Check {
	var out []Check
	for _, c := range rep.Checks {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// dump formats rep for a failure message.
func dump(rep *Report) string {
	var b strings.Builder
	rep.WriteText(&b, TextOptions{Width: 200})
	return b.String()
}

// TestHealthy runs the doctor against correct deployments, stateless with
// JSON answers and with sessions and SSE: every check passes, the tools are
// listed, only GET, POST and OPTIONS are sent and no tool is called.
func TestHealthy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults doctortest.Faults
	}{
		{"stateless JSON", doctortest.Faults{}},
		{"sessions and SSE", doctortest.Faults{Sessions: true, SSE: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := doctortest.New(t, tc.faults)
			rec := &methodRecorder{}
			rep := Run(context.Background(), Options{
				URL:        srv.URL,
				Token:      srv.Token(t, srv.Claims()),
				HTTPClient: &http.Client{Transport: rec},
			})
			if !rep.OK || rep.Summary.Fail+rep.Summary.Warn+rep.Summary.Skip > 0 {
				t.Fatalf("want every check to pass:\n%s", dump(rep))
			}
			var seen []string
			for _, c := range rep.Checks {
				seen = append(seen, c.ID)
			}
			if want := CheckIDs(); !slices.Equal(seen, want) {
				t.Errorf("checks run:\n %v\nwant every check once, in catalogue order:\n %v", seen, want)
			}
			if !slices.Equal(rep.Tools, doctortest.Tools) {
				t.Errorf("tools = %v, want %v", rep.Tools, doctortest.Tools)
			}
			if srv.ToolCalls() != 0 {
				t.Errorf("the doctor called a tool %d times", srv.ToolCalls())
			}
			for _, m := range rec.methods {
				if m != "GET" && m != "POST" && m != "OPTIONS" {
					t.Errorf("the doctor sent a %s request", m)
				}
			}
		})
	}
}

// TestBroken runs the doctor against one misconfiguration at a time: each
// produces its own failed check, with the fix, and fails the report.
func TestBroken(t *testing.T) {
	other := func(k string, v any) func(*doctortest.Server) map[string]any {
		return func(s *doctortest.Server) map[string]any {
			c := s.Claims()
			c[k] = v
			return c
		}
	}
	for _, tc := range []struct {
		name    string
		faults  doctortest.Faults
		claims  func(*doctortest.Server) map[string]any // token claims, when the case needs a token
		foreign string                                  // sign with a key the server does not publish, with this kid
		id      string
		detail  []string // phrases the detail must contain; {url} is the MCP URL
		fix     []string // phrases the fix must contain
	}{
		{name: "200 without a token", faults: doctortest.Faults{NoChallenge: true},
			id: "challenge.status", detail: []string{"200 OK", "does not ask for authorization"}, fix: []string{"401", "resource_metadata"}},
		{name: "401 without WWW-Authenticate", faults: doctortest.Faults{NoWWWAuthenticate: true},
			id: "challenge.bearer", detail: []string{"no WWW-Authenticate"}, fix: []string{`Bearer resource_metadata="{prm}"`}},
		{name: "challenge without resource_metadata", faults: doctortest.Faults{NoResourceMetadata: true},
			id: "challenge.resource_metadata", detail: []string{"no resource_metadata"}, fix: []string{`resource_metadata="{prm}"`}},
		{name: "error= without a token", faults: doctortest.Faults{ErrorWithoutToken: true},
			id: "challenge.no_error", detail: []string{`error="invalid_token"`}, fix: []string{"RFC 6750 §3.1"}},
		{name: "resource with a trailing slash", faults: doctortest.Faults{ResourceSlash: true},
			id: "prm.resource", detail: []string{"trailing slash", "registered as {url}/ but served as {url};"}, fix: []string{"to {url}"}},
		{name: "no metadata at the path-inserted URL", faults: doctortest.Faults{NoPathInserted: true},
			id: "prm.path_inserted", detail: []string{"404 Not Found", "look here first"}, fix: []string{"serve the same metadata JSON at {prm}"}},
		{name: "authorization server without S256", faults: doctortest.Faults{NoS256: true},
			id: "as.pkce", detail: []string{"without S256"}, fix: []string{"code_challenge_methods_supported"}},
		{name: "neither DCR nor CIMD", faults: doctortest.Faults{NoRegistration: true},
			id: "as.registration", detail: []string{"registration_endpoint", "client_id_metadata_document_supported", "pre-registered"},
			fix: []string{"Dashboard → MCP Servers → enable Dynamic Client Registration / CIMD", "mcp-remote"}},
		{name: "no answer to the preflight", faults: doctortest.Faults{NoPreflight: true},
			id: "cors.preflight", detail: []string{"405 Method Not Allowed", "browser clients cannot connect"}, fix: []string{"answer OPTIONS"}},
		{name: "401 hides WWW-Authenticate", faults: doctortest.Faults{NoExpose: true},
			id: "cors.expose", detail: []string{"does not list WWW-Authenticate", "never start OAuth"}, fix: []string{"Access-Control-Expose-Headers: WWW-Authenticate"}},
		{name: "token for another resource", claims: other("aud", "https://other.example.com/mcp"),
			id: "token.aud", detail: []string{"https://other.example.com/mcp", "another resource"}, fix: []string{"resource={url}"}},
		{name: "token for the URL with a trailing slash", claims: other("aud", "{url}/"),
			id: "token.aud", detail: []string{"trailing slash", "for {url}/ but the server is {url};"}, fix: []string{"exactly as {url}"}},
		{name: "token for a Scalekit resource ID", claims: other("aud", "res_123456789"),
			id: "token.aud", detail: []string{"Scalekit resource ID res_123456789 instead of the URL"}, fix: []string{"Server URL to {url}"}},
		{name: "expired token", claims: other("exp", time.Now().Add(-2*time.Hour).Unix()),
			id: "token.exp", detail: []string{"expired 2h0m ago"}, fix: []string{"new token"}},
		{name: "token signed by an unknown key", foreign: "fake-key-2",
			id: "token.signature", detail: []string{`kid "fake-key-2"`, "not in the key set"}, fix: []string{"new token"}},
		{name: "token forged with the published kid", foreign: "fake-key-1",
			id: "token.signature", detail: []string{"does not verify"}, fix: []string{"new token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := doctortest.New(t, tc.faults)
			opts := Options{URL: srv.URL, Timeout: 5 * time.Second}
			switch {
			case tc.claims != nil:
				c := tc.claims(srv)
				if a, ok := c["aud"].(string); ok {
					c["aud"] = strings.ReplaceAll(a, "{url}", srv.URL)
				}
				opts.Token = srv.Token(t, c)
			case tc.foreign != "":
				opts.Token = doctortest.Sign(t, doctortest.StrangerKey(t), tc.foreign, srv.Claims())
			}
			rep := Run(context.Background(), opts)
			if rep.OK {
				t.Fatalf("want the report to fail:\n%s", dump(rep))
			}
			got := checks(rep, tc.id)
			if len(got) != 1 || got[0].Status != Fail {
				t.Fatalf("want one failed %s check, got %+v:\n%s", tc.id, got, dump(rep))
			}
			expand := strings.NewReplacer("{url}", srv.URL, "{prm}", strings.Replace(srv.URL, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1))
			for _, p := range tc.detail {
				if p = expand.Replace(p); !strings.Contains(got[0].Detail, p) {
					t.Errorf("%s detail %q lacks %q", tc.id, got[0].Detail, p)
				}
			}
			for _, p := range tc.fix {
				if p = expand.Replace(p); !strings.Contains(got[0].Fix, p) {
					t.Errorf("%s fix %q lacks %q", tc.id, got[0].Fix, p)
				}
			}
			if srv.ToolCalls() != 0 {
				t.Errorf("the doctor called a tool")
			}
		})
	}
}
