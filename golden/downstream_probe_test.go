package golden

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// The credentials of the downstream services of stdlib-downstream. Every
// server the probes launch gets them (launch): one with downstream
// services does not start without them, the others ignore them.
const (
	weatherKey    = "wk_golden_3f9a1c7e52d8"
	ticketsClient = "golden-tickets-client"
	ticketsSecret = "cs_golden_b81d6e0f24a9"
)

// downstreamEnv is what launch gives every server.
var downstreamEnv = []string{
	"WEATHER_API_KEY=" + weatherKey,
	"TICKETS_CLIENT_ID=" + ticketsClient,
	"TICKETS_CLIENT_SECRET=" + ticketsSecret,
}

// probeDownstream checks, over real HTTP, that the tools of a server with
// downstream services call them with the server's own credentials: the
// weather API gets its key in the configured header, and the tickets MCP
// server, a second instance of the same binary with an audience of its
// own, gets a token this server obtained for it with client credentials
// and accepts it. Neither credential, nor the caller's token, shows in the
// server's log, and the caller's token never reaches a downstream.
func probeDownstream(t *testing.T, bin string, spec *generator.Spec) {
	var api *generator.Downstream
	for i, d := range spec.Downstream {
		if d.Kind == rules.DownstreamAPI {
			api = &spec.Downstream[i]
		}
	}

	var mu sync.Mutex
	var apiHeaders []http.Header
	weather := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		apiHeaders = append(apiHeaders, r.Header.Clone())
		mu.Unlock()
		if r.URL.Path != "/v1/forecast" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"summary":"sunny in %s"}`, r.URL.Query().Get("city"))
	}))
	t.Cleanup(weather.Close)

	// tickets: the same binary, trusting the same issuer, at its own URL.
	iss := newIssuer(t)
	tickets := start(t, bin, spec, iss)

	// The tickets authorization server: metadata naming a token endpoint
	// that checks this server's client credentials and issues a token for
	// the resource asked for, signed by the issuer tickets trusts.
	var tokenForms []url.Values
	var issued []string
	var as *httptest.Server
	as = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"issuer": as.URL, "token_endpoint": as.URL + "/token"})
		case "/token":
			r.ParseForm()
			id, secret, ok := r.BasicAuth()
			if !ok {
				id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
			}
			mu.Lock()
			tokenForms = append(tokenForms, r.PostForm)
			mu.Unlock()
			if id != ticketsClient || secret != ticketsSecret || r.PostForm.Get("grant_type") != "client_credentials" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"invalid_client"}`)
				return
			}
			tok := iss.mint(t, map[string]any{"aud": r.PostForm.Get("resource"), "sub": id, "client_id": id, "scope": r.PostForm.Get("scope")}, nil)
			mu.Lock()
			issued = append(issued, tok)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 300})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(as.Close)

	callerIss := newIssuer(t)
	port := freePort(t)
	srv := launch(t, bin, port, resourceURL(spec, port), callerIss.URL(), "res_golden",
		"WEATHER_URL="+weather.URL+"/v1", "TICKETS_URL="+tickets.resource, "TICKETS_ISSUER="+as.URL)
	srv.iss = callerIss
	p := &prober{srv: srv, iss: callerIss, spec: spec}
	call := func(t *testing.T, tool, args string, scopes ...string) (*reply, string) {
		t.Helper()
		tok := callerIss.mint(t, p.claims(srv.newSub(), scopes...), nil)
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, tool, args)
		return srv.send(t, "POST", srv.resource, body, bearer(tok)), tok
	}

	var callerTokens []string
	t.Run("api: the key in its header", func(t *testing.T) {
		r, tok := call(t, "forecast", `{"city":"Paris"}`, "weather:read")
		callerTokens = append(callerTokens, tok)
		if r.status != 200 || !strings.Contains(r.body, "sunny in Paris") || strings.Contains(r.body, `"isError":true`) {
			t.Fatalf("forecast: want the API's reply\n%s", r)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(apiHeaders) != 1 {
			t.Fatalf("the API got %d requests, want 1", len(apiHeaders))
		}
		if got := apiHeaders[0].Get(api.Header); got != weatherKey {
			t.Errorf("%s: %q, want the key from WEATHER_API_KEY", api.Header, got)
		}
		if got := apiHeaders[0].Get("Authorization"); got != "" {
			t.Errorf("the API got Authorization %q: the caller's token must not reach it", got)
		}
	})
	t.Run("mcp: a token of the server's own, for the other server", func(t *testing.T) {
		for range 2 {
			r, tok := call(t, "open_ticket", `{"title":"printer on fire"}`, "tickets:write")
			callerTokens = append(callerTokens, tok)
			if r.status != 200 || strings.Contains(r.body, `"isError":true`) {
				t.Fatalf("open_ticket: want tickets' whoami to answer\n%s", r)
			}
		}
		// Who tickets saw, from its own access log rather than from what
		// its whoami replies: its tool code may say anything.
		callers := toolCallers(t, tickets.logs.String(), "whoami")
		if len(callers) != 2 {
			t.Fatalf("tickets logged %d allowed whoami calls, want 2:\n%s", len(callers), tickets.logs)
		}
		for _, c := range callers {
			if c != ticketsClient {
				t.Errorf("tickets ran whoami for client %q, want this server's own client %s", c, ticketsClient)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(tokenForms) != 1 {
			t.Fatalf("%d token requests for two calls, want 1: the token is cached", len(tokenForms))
		}
		if f := tokenForms[0]; f.Get("resource") != tickets.resource || f.Get("scope") != "tickets:write" {
			t.Errorf("token request %v: want resource %s and scope tickets:write", f, tickets.resource)
		}
	})
	t.Run("no credential in the log", func(t *testing.T) {
		mu.Lock()
		secrets := append(append([]string{weatherKey, ticketsSecret}, issued...), callerTokens...)
		mu.Unlock()
		logs := srv.logs.String()
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("a credential (%.8s…) is in the server's log:\n%s", s, logs)
			}
		}
		if !strings.Contains(logs, "WEATHER_API_KEY") {
			t.Errorf("the log does not say where the key comes from:\n%s", logs)
		}
	})
}

// toolCallers returns the client_id of each allowed call of tool in a
// server's JSON log: its access log line ("mcp request") records the
// verified token's client, whatever the tool itself answers.
func toolCallers(t *testing.T, logs, tool string) []string {
	t.Helper()
	var clients []string
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Msg, Tool, Outcome string
			ClientID           string `json:"client_id"`
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "mcp request" || l.Tool != tool {
			continue
		}
		if l.Outcome == "allowed" {
			clients = append(clients, l.ClientID)
		}
	}
	return clients
}
