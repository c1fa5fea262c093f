package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/create-mcp-auth/create-mcp-auth/internal/devauth"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// The variables Scalekit's guides keep a machine client's credentials in.
// dev-auth's secret is in secretEnv.
const (
	scalekitClientIDEnv     = "SCALEKIT_CLIENT_ID"
	scalekitClientSecretEnv = "SCALEKIT_CLIENT_SECRET"
)

// The two client authentication methods the token command can use
// (RFC 6749 section 2.3.1).
const (
	authBasic = "client_secret_basic"
	authPost  = "client_secret_post"
)

// notForClientCredentials are advertised scopes the default request leaves
// out: no refresh token comes with this grant, and OpenID Connect's user
// scopes ask for claims about a user, of which there is none.
var notForClientCredentials = []string{devauth.OfflineAccess, "openid", "profile", "email", "address", "phone"}

type tokenFlags struct {
	issuer, clientID, clientSecret string
	resource, audience, authMethod string
	scopes                         []string
	scopesGiven                    bool // --scope was passed, even as ''
}

func newTokenCmd(stdout, stderr io.Writer) *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint an access token with the client credentials grant, from dev-auth or any authorization server",
		Long: `token asks an OAuth 2.1 authorization server for an access token with the
client credentials grant and prints the token on stdout, and nothing else, for
curl or for MCP Inspector's "Bearer token" field. Notes and errors go to stderr.

The server is --issuer (default: dev-auth at http://` + defaultDevAuthAddr + `). token finds
its token endpoint in the issuer's RFC 8414 metadata
(/.well-known/oauth-authorization-server with the issuer's path after it), else
through OpenID Connect discovery. For Scalekit the issuer is the environment
URL, or {env}/resources/{res_id} as an MCP server's protected-resource metadata
names it. The metadata must be for exactly that issuer, and the token endpoint
must use https (plain http only on loopback).

Credentials (the first one set wins, for each of the two):
  client ID      --client-id, $` + scalekitClientIDEnv + `, dev-auth's "` + devauth.MachineClientID + `"
  client secret  --client-secret, $` + scalekitClientSecretEnv + `, $` + secretEnv + `
Prefer the environment: flags show up in ps. dev-auth prints its secret at
start. The secret goes out as client_secret_basic or client_secret_post, as the
server's token_endpoint_auth_methods_supported says (basic when it lists both
or says nothing); --auth-method overrides.

Without --scope, token asks for every scope the server advertises except
offline_access and OpenID Connect's user scopes (openid, profile, email,
address, phone); when it advertises none, or with --scope '', token sends no
scope and the server decides.

--resource sends RFC 8707's resource indicator: the MCP server URL the token is
for, which becomes its "aud" (dev-auth and MCP clients use it). --audience
sends the "audience" parameter that some servers (Auth0, Scalekit's M2M
examples) take instead. Both may be given.

Exit status: 0 token printed, 1 the server refused or could not be reached,
2 bad flags or no client secret.`,
		Example: `  export ` + secretEnv + `=…   # printed by dev-auth
  create-mcp-auth token --scope todo:read
  curl -H "Authorization: Bearer $(create-mcp-auth token --scope todo:read)" …

  export ` + scalekitClientIDEnv + `=… ` + scalekitClientSecretEnv + `=…
  create-mcp-auth token --issuer https://acme.scalekit.dev/resources/res_123 \
    --scope todo:read --resource https://mcp.example.com/mcp`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.scopesGiven = cmd.Flags().Changed("scope")
			tok, err := mintToken(cmd.Context(), f, stderr)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, tok)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "issuer", "http://"+defaultDevAuthAddr, "authorization server (issuer) `URL`")
	fl.StringSliceVar(&f.scopes, "scope", nil, "scope to ask for; repeat or separate with commas (default: all advertised but offline_access and OIDC user scopes)")
	fl.StringVar(&f.resource, "resource", "", "RFC 8707 resource indicator: the MCP server `URL` the token is for")
	fl.StringVar(&f.audience, "audience", "", "value of the non-standard \"audience\" parameter (Auth0 and others)")
	fl.StringVar(&f.clientID, "client-id", "", "client ID (default: $"+scalekitClientIDEnv+", else dev-auth's "+devauth.MachineClientID+")")
	fl.StringVar(&f.clientSecret, "client-secret", "", "client secret (prefer $"+scalekitClientSecretEnv+" or $"+secretEnv+": flags show up in ps)")
	fl.StringVar(&f.authMethod, "auth-method", "", "how to send the client secret: basic or post (default: as the server advertises)")
	return cmd
}

// mintToken checks the flags, discovers the token endpoint and runs the
// client credentials grant through golang.org/x/oauth2/clientcredentials.
func mintToken(ctx context.Context, f tokenFlags, stderr io.Writer) (string, error) {
	if err := checkTokenFlags(&f); err != nil {
		return "", err
	}
	creds, err := resolveCredentials(f)
	if err != nil {
		return "", err
	}

	hc := tokenHTTPClient()
	md, _, err := discoverMetadata(ctx, hc, f.issuer)
	if err != nil {
		return "", err
	}
	if len(md.GrantTypesSupported) > 0 && !slices.Contains(md.GrantTypesSupported, "client_credentials") {
		fmt.Fprintf(stderr, "token: note: the server does not list client_credentials in grant_types_supported (%s); trying anyway\n", strings.Join(md.GrantTypesSupported, " "))
	}
	method, err := pickAuthMethod(f.authMethod, md.TokenEndpointAuthMethodsSupported)
	if err != nil {
		return "", err
	}
	scopes := f.scopes
	if !f.scopesGiven {
		scopes = defaultScopes(md.ScopesSupported)
		if len(scopes) > 0 {
			fmt.Fprintf(stderr, "token: asking for all scopes: %s\n", strings.Join(scopes, " "))
		} else {
			fmt.Fprintln(stderr, "token: the server advertises no scopes to ask for; asking for none")
		}
	}
	fmt.Fprintf(stderr, "token: client %s (%s), secret from %s, %s, at %s\n", creds.id, creds.idFrom, creds.secretFrom, method, md.TokenEndpoint)

	cc := clientcredentials.Config{
		ClientID:       creds.id,
		ClientSecret:   creds.secret,
		TokenURL:       md.TokenEndpoint,
		Scopes:         scopes,
		EndpointParams: url.Values{},
		AuthStyle:      oauth2.AuthStyleInHeader,
	}
	if method == authPost {
		cc.AuthStyle = oauth2.AuthStyleInParams
	}
	if f.resource != "" {
		cc.EndpointParams.Set("resource", f.resource)
	}
	if f.audience != "" {
		cc.EndpointParams.Set("audience", f.audience)
	}
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return "", tokenError(err, md, creds)
	}

	if granted, ok := tok.Extra("scope").(string); ok && len(scopes) > 0 && !sameScopes(strings.Fields(granted), scopes) {
		fmt.Fprintf(stderr, "token: granted scopes %q\n", granted)
	}
	if !tok.Expiry.IsZero() {
		fmt.Fprintf(stderr, "token: expires in %s\n", time.Until(tok.Expiry).Round(time.Second))
	}
	return tok.AccessToken, nil
}

// checkTokenFlags rejects bad flags before anything goes over the network,
// and normalises --scope (commas or spaces) and --auth-method.
func checkTokenFlags(f *tokenFlags) error {
	if err := rules.CheckIssuerURL(f.issuer, false); err != nil {
		return usageError{fmt.Errorf("token: --issuer %w", err)}
	}
	var scopes []string
	for _, s := range f.scopes {
		for _, name := range strings.Fields(s) {
			if err := rules.CheckScopeName(name); err != nil {
				return usageError{fmt.Errorf("token: --scope: %w", err)}
			}
			scopes = append(scopes, name)
		}
	}
	f.scopes = scopes
	if f.resource != "" {
		// RFC 8707 section 2: an absolute URI without a fragment.
		if u, err := url.Parse(f.resource); err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(f.resource, "#") {
			return usageError{fmt.Errorf("token: --resource %q: a resource indicator is an absolute URL without a fragment, e.g. https://mcp.example.com/mcp", f.resource)}
		}
	}
	switch strings.ToLower(f.authMethod) {
	case "":
	case "basic", authBasic:
		f.authMethod = authBasic
	case "post", authPost:
		f.authMethod = authPost
	default:
		return usageError{fmt.Errorf("token: --auth-method %q: use basic (client_secret_basic) or post (client_secret_post)", f.authMethod)}
	}
	return nil
}

// credentials is a client ID and secret with where each came from, so
// notes and hints can name the source without showing the secret.
type credentials struct {
	id, idFrom, secret, secretFrom string
}

// resolveCredentials takes each of the ID and the secret from its flag, else
// Scalekit's variable, else dev-auth's default.
func resolveCredentials(f tokenFlags) (credentials, error) {
	c := credentials{id: f.clientID, idFrom: "--client-id", secret: f.clientSecret, secretFrom: "--client-secret"}
	if c.id == "" {
		c.id, c.idFrom = os.Getenv(scalekitClientIDEnv), "$"+scalekitClientIDEnv
	}
	if c.id == "" {
		c.id, c.idFrom = devauth.MachineClientID, "dev-auth's default"
	}
	if c.secret == "" {
		c.secret, c.secretFrom = os.Getenv(scalekitClientSecretEnv), "$"+scalekitClientSecretEnv
	}
	if c.secret == "" {
		c.secret, c.secretFrom = os.Getenv(secretEnv), "$"+secretEnv
	}
	if c.secret == "" {
		return c, usageError{fmt.Errorf("token: no client secret: set %s and %s to your machine client's credentials, or %s to the secret dev-auth printed at start (or pass --client-secret)",
			scalekitClientIDEnv, scalekitClientSecretEnv, secretEnv)}
	}
	return c, nil
}

// pickAuthMethod is --auth-method when given, else client_secret_basic
// when the server lists it or lists nothing (RFC 8414 section 2's
// default), else client_secret_post when it lists that.
func pickAuthMethod(flag string, supported []string) (string, error) {
	switch {
	case flag != "":
		return flag, nil
	case len(supported) == 0 || slices.Contains(supported, authBasic):
		return authBasic, nil
	case slices.Contains(supported, authPost):
		return authPost, nil
	}
	return "", fmt.Errorf("token: the token endpoint accepts only %s for client authentication; this command sends a client secret (client_secret_basic or client_secret_post): pass --auth-method basic or post to try anyway",
		strings.Join(supported, ", "))
}

// defaultScopes is every advertised scope a client credentials token can
// use.
func defaultScopes(advertised []string) []string {
	var out []string
	for _, s := range advertised {
		if !slices.Contains(notForClientCredentials, s) {
			out = append(out, s)
		}
	}
	return out
}

// sameScopes compares scope lists as sets.
func sameScopes(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// tokenError explains a failed token request. An RFC 6749 section 5.2
// error is shown as code and description, with a hint for the usual
// causes; anything else names the token endpoint. The secret is never
// part of the message, even if a server echoes it back.
func tokenError(err error, md asMetadata, c credentials) error {
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return fmt.Errorf("token: cannot reach the token endpoint %s: %v", md.TokenEndpoint, uerr.Err)
		}
		return fmt.Errorf("token: the token endpoint %s: %v", md.TokenEndpoint, err)
	}
	if rerr.ErrorCode == "" {
		body := strings.Join(strings.Fields(string(rerr.Body)), " ")
		if len(body) > 200 {
			body = body[:200] + "…"
		}
		return fmt.Errorf("token: the token endpoint %s answered %s: %s", md.TokenEndpoint, rerr.Response.Status, redact(body, c.secret))
	}
	msg := "token: the authorization server refused: " + rerr.ErrorCode
	if rerr.ErrorDescription != "" {
		msg += ": " + rerr.ErrorDescription
	}
	if rerr.ErrorURI != "" {
		msg += " (" + rerr.ErrorURI + ")"
	}
	switch rerr.ErrorCode {
	case "invalid_client", "unauthorized_client":
		msg += fmt.Sprintf("\n  client ID %q came from %s, the secret from %s", c.id, c.idFrom, c.secretFrom)
	case "invalid_scope":
		if len(md.ScopesSupported) > 0 {
			msg += "\n  the server advertises: " + strings.Join(md.ScopesSupported, " ")
		}
	}
	return errors.New(redact(msg, c.secret))
}

// redact blanks out the secret in text from a server. Very short secrets
// are left alone: replacing them would garble the message, not hide them.
func redact(text, secret string) string {
	if len(secret) < 8 {
		return text
	}
	return strings.ReplaceAll(text, secret, "[secret]")
}
