package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/create-mcp-auth/create-mcp-auth/internal/devauth"
)

type tokenFlags struct {
	issuer, audience, clientID, clientSecret string
	scopes                                   []string
}

func newTokenCmd(stdout, stderr io.Writer) *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint an access token from a running dev-auth (client credentials)",
		Long: `token asks a running dev-auth (or any authorization server that offers the
client credentials grant) for an access token and prints it on stdout, for
curl or for MCP Inspector's "Bearer token" field.

The client secret comes from $` + secretEnv + ` (dev-auth prints the exact
command at start). Without --scope it asks for every scope the server
advertises except offline_access.`,
		Example: `  export ` + secretEnv + `=…   # printed by dev-auth
  create-mcp-auth token --scope todo:read
  curl -H "Authorization: Bearer $(create-mcp-auth token --scope todo:read)" …`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.clientSecret == "" {
				f.clientSecret = os.Getenv(secretEnv)
			}
			tok, err := mintToken(cmd.Context(), f, stderr)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, tok)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "issuer", "http://"+defaultDevAuthAddr, "authorization server (issuer) URL")
	fl.StringSliceVar(&f.scopes, "scope", nil, "scope to ask for; repeat or separate with commas (default: all advertised but offline_access)")
	fl.StringVar(&f.audience, "audience", "", "resource (RFC 8707) the token is for (default: the server's)")
	fl.StringVar(&f.clientID, "client-id", devauth.MachineClientID, "client ID")
	fl.StringVar(&f.clientSecret, "client-secret", "", "client secret (prefer $"+secretEnv+": flags show up in ps)")
	return cmd
}

// mintToken discovers the token endpoint from the issuer's metadata and runs
// the client credentials grant.
func mintToken(ctx context.Context, f tokenFlags, stderr io.Writer) (string, error) {
	issuer, err := checkIssuerURL(f.issuer)
	if err != nil {
		return "", usageError{fmt.Errorf("--issuer: %w", err)}
	}
	if f.clientSecret == "" {
		return "", usageError{fmt.Errorf("no client secret: set %s to the secret dev-auth printed at start", secretEnv)}
	}
	for i, s := range f.scopes {
		f.scopes[i] = strings.TrimSpace(s)
	}
	hc := &http.Client{Timeout: 10 * time.Second}

	var md struct {
		TokenEndpoint   string   `json:"token_endpoint"`
		ScopesSupported []string `json:"scopes_supported"`
	}
	wellKnown := issuer.Scheme + "://" + issuer.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(issuer.Path, "/")
	if err := getJSON(ctx, hc, wellKnown, &md); err != nil {
		return "", fmt.Errorf("is dev-auth running at %s? %w", f.issuer, err)
	}
	if md.TokenEndpoint == "" {
		return "", fmt.Errorf("%s has no token_endpoint", wellKnown)
	}
	if _, err := checkIssuerURL(md.TokenEndpoint); err != nil {
		return "", fmt.Errorf("token_endpoint: %w", err)
	}
	scopes := f.scopes
	if scopes == nil {
		for _, s := range md.ScopesSupported {
			if s != devauth.OfflineAccess {
				scopes = append(scopes, s)
			}
		}
		fmt.Fprintf(stderr, "token: asking for all scopes: %s\n", strings.Join(scopes, " "))
	}

	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	if f.audience != "" {
		form.Set("resource", f.audience)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, md.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(f.clientID), url.QueryEscape(f.clientSecret))
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken      string `json:"access_token"`
		Scope            string `json:"scope"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		return "", fmt.Errorf("token endpoint answered %s with no JSON: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		if tr.Error == "" {
			tr.Error = resp.Status
		}
		return "", fmt.Errorf("token request refused: %s: %s", tr.Error, tr.ErrorDescription)
	}
	if granted := strings.Fields(tr.Scope); len(scopes) > 0 && !slices.Equal(granted, scopes) {
		fmt.Fprintf(stderr, "token: granted scopes %q\n", tr.Scope)
	}
	return tr.AccessToken, nil
}

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
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// checkIssuerURL accepts https, or http on loopback, for the token command.
func checkIssuerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.Scheme == "http" {
		if !devauth.IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("%q uses plain http on a non-loopback host; the client secret would cross the network in clear", raw)
		}
	}
	return u, nil
}
