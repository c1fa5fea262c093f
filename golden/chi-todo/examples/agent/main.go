// Command agent is an example machine client of this MCP server: an agent,
// a job or another service calling it with no user present (Scalekit's
// "agent to MCP" pattern). It is yours: copy it into your agent and change
// it.
//
// It gets an access token with the OAuth 2.1 client credentials grant,
// asking for this server as the RFC 8707 resource (the token's "aud"),
// from the token endpoint named in the authorization server's metadata
// (RFC 8414, else OpenID Connect discovery). golang.org/x/oauth2 caches the
// token and gets a new one shortly before it expires. With it, the official
// MCP Go SDK's client connects over streamable HTTP, lists the tools and
// calls one.
//
// Configuration, each flag over its variable:
//
//	-server     MCP_SERVER_URL       this server's MCP endpoint (default http://localhost:3002/mcp)
//	-issuer     AGENT_ISSUER         the authorization server (default: the first one the
//	                                 server's protected resource metadata names, RFC 9728)
//	-token-url  AGENT_TOKEN_URL      its token endpoint, instead of discovering it
//	-client-id  AGENT_CLIENT_ID      the agent's client ID
//	            AGENT_CLIENT_SECRET  its secret: from the environment only, never a flag
//	                                 (flags show in ps and in shell history)
//	-scope      AGENT_SCOPES         scopes to ask for, space- or comma-separated
//	                                 (default: todo:read todo:write)
//	-resource   AGENT_RESOURCE       the RFC 8707 resource (default: -server)
//	-audience   AGENT_AUDIENCE       an "audience" parameter, for servers that want one (Auth0)
//	-tool       AGENT_TOOL           the tool to call (default create_todo)
//	-args       AGENT_ARGS           its arguments, a JSON object (default {})
//
// Against create-mcp-auth dev-auth, whose machine client is dev-machine:
//
//	export AGENT_CLIENT_ID=dev-machine AGENT_CLIENT_SECRET=…   # the secret dev-auth printed
//	go run ./examples/agent
//
// It prints what it did, never the token or the secret.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Timeouts: of each request to the authorization server, and of each MCP
// request, a tool call included.
const (
	authTimeout = 15 * time.Second
	mcpTimeout  = 60 * time.Second
)

func main() {
	opts, err := parseOptions(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
}

// options are what the agent does.
type options struct {
	server, issuer, tokenURL string
	clientID, clientSecret   string
	resource, audience, tool string
	scopes                   []string
	args                     map[string]any
}

// parseOptions reads the flags over the variables getenv returns.
func parseOptions(args []string, getenv func(string) string) (options, error) {
	or := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var c options
	var scopes, toolArgs string
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.StringVar(&c.server, "server", or("MCP_SERVER_URL", "http://localhost:3002/mcp"), "the MCP server's endpoint")
	fs.StringVar(&c.issuer, "issuer", or("AGENT_ISSUER", ""), "authorization server (default: from the server's protected resource metadata)")
	fs.StringVar(&c.tokenURL, "token-url", or("AGENT_TOKEN_URL", ""), "token endpoint, instead of discovering it")
	fs.StringVar(&c.clientID, "client-id", or("AGENT_CLIENT_ID", ""), "client ID (the secret comes from $AGENT_CLIENT_SECRET only)")
	fs.StringVar(&scopes, "scope", or("AGENT_SCOPES", "todo:read todo:write"), "scopes to ask for, space- or comma-separated")
	fs.StringVar(&c.resource, "resource", or("AGENT_RESOURCE", ""), "RFC 8707 resource (default: -server)")
	fs.StringVar(&c.audience, "audience", or("AGENT_AUDIENCE", ""), `"audience" parameter, for authorization servers that want one`)
	fs.StringVar(&c.tool, "tool", or("AGENT_TOOL", "create_todo"), "tool to call")
	fs.StringVar(&toolArgs, "args", or("AGENT_ARGS", "{}"), "the tool's arguments, a JSON object")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q; see -help", fs.Args())
	}
	c.clientSecret = strings.TrimSpace(getenv("AGENT_CLIENT_SECRET"))
	c.scopes = strings.FieldsFunc(scopes, func(r rune) bool { return r == ' ' || r == ',' })
	if c.resource == "" {
		c.resource = c.server
	}
	var problems []string
	if c.clientID == "" {
		problems = append(problems, "no client ID: set AGENT_CLIENT_ID or pass -client-id")
	}
	if c.clientSecret == "" {
		problems = append(problems, "no client secret: set AGENT_CLIENT_SECRET")
	}
	if c.issuer != "" && c.tokenURL != "" {
		problems = append(problems, "-issuer and -token-url are both set: the token endpoint is discovered from the issuer; give one")
	}
	if err := json.Unmarshal([]byte(toolArgs), &c.args); err != nil {
		problems = append(problems, fmt.Sprintf("-args: not a JSON object: %v", err))
	}
	for _, u := range []struct{ name, value string }{
		{"-server", c.server}, {"-issuer", c.issuer}, {"-token-url", c.tokenURL},
	} {
		if err := checkURL(u.value); u.value != "" && err != nil {
			problems = append(problems, u.name+": "+err.Error())
		}
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}

// checkURL accepts https, and http on loopback only: a client secret or a
// token sent in clear across a network can be read on the way.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q is not an http(s) URL", raw)
	case u.Scheme == "http" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" && u.Hostname() != "::1":
		return fmt.Errorf("%q uses plain http for a host other than this machine; use https", raw)
	}
	return nil
}

// run gets a token, connects, lists the tools and calls opts.tool.
func run(ctx context.Context, opts options, out io.Writer) error {
	authClient := &http.Client{Timeout: authTimeout, CheckRedirect: noRedirects}
	tokenURL := opts.tokenURL
	if tokenURL == "" {
		issuer := opts.issuer
		if issuer == "" {
			var err error
			if issuer, err = authorizationServer(ctx, authClient, opts.server); err != nil {
				return err
			}
		}
		var err error
		if tokenURL, err = tokenEndpoint(ctx, authClient, issuer); err != nil {
			return err
		}
	}

	cc := clientcredentials.Config{
		ClientID:       opts.clientID,
		ClientSecret:   opts.clientSecret,
		TokenURL:       tokenURL,
		Scopes:         opts.scopes,
		EndpointParams: url.Values{"resource": {opts.resource}},
	}
	if opts.audience != "" {
		cc.EndpointParams.Set("audience", opts.audience)
	}
	// The token source caches the token and fetches the next one when it
	// is about to expire; ctx carries the HTTP client it fetches with.
	tokens := cc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, authClient))
	tok, err := tokens.Token() // now, to fail early and clearly
	if err != nil {
		return fmt.Errorf("token from %s: %w", tokenURL, tokenError(err))
	}
	granted, _ := tok.Extra("scope").(string)
	fmt.Fprintf(out, "token: for client %s from %s, scope %q, expires in %s\n",
		opts.clientID, tokenURL, granted, time.Until(tok.Expiry).Round(time.Second))

	// Every request of this client carries the token. It talks to the
	// MCP server's origin only: oauth2.Transport would add the token to a
	// redirected request too, wherever it went.
	origin, _ := url.Parse(opts.server)
	httpClient := &http.Client{
		Timeout:   mcpTimeout,
		Transport: &oauth2.Transport{Source: tokens},
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host {
				return fmt.Errorf("not following a redirect to %s with the token", req.URL.Host)
			}
			return nil
		},
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "example-agent", Version: "0.1.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:   opts.server,
		HTTPClient: httpClient,
		// Replies to its own requests are all this agent waits for.
		DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", opts.server, err)
	}
	defer session.Close()

	var names []string
	for tool, err := range session.Tools(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list tools: %w", err)
		}
		names = append(names, tool.Name)
	}
	fmt.Fprintf(out, "tools: %s\n", strings.Join(names, ", "))

	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: opts.tool, Arguments: opts.args})
	if err != nil {
		return fmt.Errorf("call %s: %w", opts.tool, err)
	}
	text := contentText(res)
	if res.IsError {
		return &toolError{tool: opts.tool, text: text}
	}
	fmt.Fprintf(out, "%s: %s\n", opts.tool, text)
	return nil
}

// toolError is a tool's own failure: the call got through, the tool said
// no.
type toolError struct{ tool, text string }

func (e *toolError) Error() string { return fmt.Sprintf("tool %s failed: %s", e.tool, e.text) }

// contentText joins the text of a result, with its structured content
// when there is no text.
func contentText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	if len(parts) == 0 && res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "\n")
}

// tokenError shortens a refusal by the token endpoint to its RFC 6749
// error; the client secret is never part of it.
func tokenError(err error) error {
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) && rerr.ErrorCode != "" {
		msg := rerr.ErrorCode
		if rerr.ErrorDescription != "" {
			msg += ": " + rerr.ErrorDescription
		}
		return errors.New(msg)
	}
	return err
}

// authorizationServer reads the MCP server's protected resource metadata
// (RFC 9728), at the well-known URL with the server's path inserted, and
// returns the first authorization server it names. The metadata must be
// the server's own: its "resource" is the server's URL.
func authorizationServer(ctx context.Context, hc *http.Client, server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	metadataURL := u.Scheme + "://" + u.Host + "/.well-known/oauth-protected-resource" + strings.TrimSuffix(u.Path, "/")
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	if err := getJSON(ctx, hc, metadataURL, &prm); err != nil {
		return "", fmt.Errorf("protected resource metadata: %w (or pass -issuer)", err)
	}
	switch {
	case prm.Resource != server:
		return "", fmt.Errorf("the metadata at %s is for %q, not %q (RFC 9728 §3.3)", metadataURL, prm.Resource, server)
	case len(prm.AuthorizationServers) == 0:
		return "", fmt.Errorf("the metadata at %s names no authorization server; pass -issuer", metadataURL)
	}
	return prm.AuthorizationServers[0], nil
}

// tokenEndpoint reads the token endpoint from the issuer's metadata: RFC
// 8414 (the issuer's path after /.well-known/oauth-authorization-server),
// then OpenID Connect discovery, in the order the MCP authorization
// specification tries them. The metadata must be the issuer's own (RFC 8414
// §3.3).
func tokenEndpoint(ctx context.Context, hc *http.Client, issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", err
	}
	base, path := u.Scheme+"://"+u.Host, strings.TrimSuffix(u.Path, "/")
	candidates := []string{base + "/.well-known/oauth-authorization-server" + path, base + "/.well-known/openid-configuration" + path}
	if path != "" {
		candidates = append(candidates, base+path+"/.well-known/openid-configuration")
	}
	var tried []string
	for _, c := range candidates {
		var md struct {
			Issuer        string `json:"issuer"`
			TokenEndpoint string `json:"token_endpoint"`
		}
		if err := getJSON(ctx, hc, c, &md); err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if md.Issuer != issuer {
			return "", fmt.Errorf("the metadata at %s is for issuer %q, not %q (RFC 8414 §3.3)", c, md.Issuer, issuer)
		}
		if err := checkURL(md.TokenEndpoint); err != nil {
			return "", fmt.Errorf("the metadata at %s names token_endpoint %w", c, err)
		}
		return md.TokenEndpoint, nil
	}
	return "", fmt.Errorf("no metadata for issuer %s (%s); pass -token-url", issuer, strings.Join(tried, "; "))
}

// getJSON GETs u into v, reading at most 1 MiB.
func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// noRedirects keeps requests to the authorization server where they were
// sent: a redirected token request would carry the client secret along.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
