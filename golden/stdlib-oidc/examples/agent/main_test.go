package main

// These tests run the agent against this project's own server, in-process,
// with tokens from an in-test authorization server that has a token
// endpoint for machine clients. They are yours, like the agent.

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"

	"example.com/notes/internal/authtest"
	"example.com/notes/internal/config"
	"example.com/notes/internal/server"
	"example.com/notes/internal/tools"
)

const (
	testClientID = "agent-under-test"
	testSecret   = "agent-secret-2b1f0c9e77d4"
)

// startServer runs this project's server against iss and returns its MCP
// endpoint, the URL tokens must be for.
func startServer(t *testing.T, iss *authtest.Issuer) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	u, err := url.Parse(config.DefaultServerURL)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ts.Listener.Addr().String() + u.EscapedPath()
	cfg, err := config.Load(config.FromMap(map[string]string{
		"MCP_SERVER_URL": endpoint, "AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": iss.URL, "OAUTH_JWKS_URL": iss.JWKSURL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	handler, err := server.New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = handler
	ts.Start()
	t.Cleanup(ts.Close)
	return endpoint
}

// env is a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// TestAgent: the agent finds the token endpoint (through the server's
// protected resource metadata, the issuer, or a given URL), gets one token
// for the server with its client credentials, lists every tool and calls
// the default one.
func TestAgent(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(iss *authtest.Issuer) []string
	}{
		{"issuer from the protected resource metadata", func(*authtest.Issuer) []string { return nil }},
		{"-issuer", func(iss *authtest.Issuer) []string { return []string{"-issuer", iss.URL} }},
		{"-token-url", func(iss *authtest.Issuer) []string { return []string{"-token-url", iss.URL + "/token"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iss := authtest.NewIssuer(t)
			iss.AddClient(testClientID, testSecret)
			endpoint := startServer(t, iss)
			opts, err := parseOptions(tc.args(iss), env(map[string]string{
				"MCP_SERVER_URL": endpoint, "AGENT_CLIENT_ID": testClientID, "AGENT_CLIENT_SECRET": testSecret,
			}))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err = run(t.Context(), opts, &out)
			var toolErr *toolError
			var rpcErr *jsonrpc.Error
			switch {
			case err == nil, errors.As(err, &toolErr):
				// The call reached the tool: its answer, or its own
				// refusal (a tool of yours may want arguments).
			case errors.As(err, &rpcErr) && rpcErr.Code == jsonrpc.CodeInvalidParams:
				// It reached the tool's input check.
			default:
				t.Fatalf("run: %v\noutput:\n%s", err, &out)
			}

			requests := iss.TokenRequests()
			if len(requests) != 1 {
				t.Fatalf("%d token requests, want 1: the token is fetched once and reused", len(requests))
			}
			r := requests[0]
			if r.Get("grant_type") != "client_credentials" || r.Get("client_id") != testClientID || r.Get("resource") != endpoint {
				t.Errorf("token request %v: want client_credentials for %s with resource %s", r, testClientID, endpoint)
			}
			if got, want := strings.Fields(r.Get("scope")), opts.scopes; !slices.Equal(got, want) {
				t.Errorf("asked for scopes %q, want %q", got, want)
			}
			for name := range tools.ToolScopes {
				if !strings.Contains(out.String(), name) {
					t.Errorf("tool %s not listed:\n%s", name, &out)
				}
			}
			if strings.Contains(out.String(), testSecret) || strings.Contains(out.String(), "eyJ") {
				t.Errorf("the output shows the secret or a token:\n%s", &out)
			}
		})
	}
}

// TestAgentRefused: a wrong secret is refused by the token endpoint; the
// agent says so without showing the secret, and never calls the server.
func TestAgentRefused(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddClient(testClientID, testSecret)
	endpoint := startServer(t, iss)
	wrong := "wrong-secret-5e0aa1c3"
	opts, err := parseOptions([]string{"-issuer", iss.URL}, env(map[string]string{
		"MCP_SERVER_URL": endpoint, "AGENT_CLIENT_ID": testClientID, "AGENT_CLIENT_SECRET": wrong,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = run(t.Context(), opts, &out)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("run with a wrong secret: %v, want invalid_client", err)
	}
	if strings.Contains(err.Error()+out.String(), wrong) {
		t.Errorf("the secret shows in %q / %q", err, &out)
	}
	if strings.Contains(out.String(), "tools:") {
		t.Errorf("the agent went on to the server without a token:\n%s", &out)
	}
}

// TestAgentOptions: what the agent refuses before it sends anything.
func TestAgentOptions(t *testing.T) {
	good := map[string]string{"AGENT_CLIENT_ID": testClientID, "AGENT_CLIENT_SECRET": testSecret}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for gk, gv := range good {
			m[gk] = gv
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no secret", nil, with("AGENT_CLIENT_SECRET", ""), "AGENT_CLIENT_SECRET"},
		{"no client ID", nil, with("AGENT_CLIENT_ID", ""), "AGENT_CLIENT_ID"},
		{"the secret as a flag", []string{"-client-secret", testSecret}, good, "flag provided but not defined"},
		{"issuer and token URL", []string{"-issuer", "https://auth.example.com", "-token-url", "https://auth.example.com/token"}, good, "both"},
		{"plain http elsewhere", []string{"-issuer", "http://auth.example.com"}, good, "plain http"},
		{"arguments not an object", []string{"-args", "[1]"}, good, "-args"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseOptions(tc.args, env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseOptions: %v, want an error saying %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	if _, err := parseOptions(nil, env(good)); err != nil {
		t.Errorf("the defaults with credentials: %v", err)
	}
}
