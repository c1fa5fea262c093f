package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// asMetadata is the part of RFC 8414 authorization server metadata (or
// OpenID Connect discovery, a superset) that the token command reads.
type asMetadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
}

// metadataURLs lists where an issuer's metadata may live, in the order the
// MCP authorization spec tries them: RFC 8414 with the issuer's path inserted
// after the well-known prefix, then OpenID Connect discovery path-inserted and
// path-appended. Without a path the last two are the same URL.
func metadataURLs(issuer *url.URL) []string {
	base := issuer.Scheme + "://" + issuer.Host
	path := strings.TrimSuffix(issuer.Path, "/")
	urls := []string{
		base + "/.well-known/oauth-authorization-server" + path,
		base + "/.well-known/openid-configuration" + path,
	}
	if path != "" {
		urls = append(urls, base+path+"/.well-known/openid-configuration")
	}
	return urls
}

// discoverMetadata fetches the first metadata document found for issuer and
// checks it: the issuer it names is the one asked for (RFC 8414 section
// 3.3, which stops a server from passing off another's endpoints), and it
// has a token endpoint that is safe to send a client secret to.
func discoverMetadata(ctx context.Context, hc *http.Client, issuer string) (md asMetadata, from string, err error) {
	iu, err := url.Parse(issuer)
	if err != nil {
		return md, "", err
	}
	var tried []string
	for _, u := range metadataURLs(iu) {
		md = asMetadata{}
		status, err := getJSON(ctx, hc, u, &md)
		if status == 0 {
			// Nothing answered: the other URLs are on the same host.
			return md, u, unreachableError(issuer, "GET "+u, err)
		}
		if err != nil {
			tried = append(tried, fmt.Sprintf("  %s: %v", u, err))
			continue
		}
		if md.Issuer != issuer {
			return md, u, issuerMismatch(u, md.Issuer, issuer)
		}
		if md.TokenEndpoint == "" {
			return md, u, fmt.Errorf("token: the metadata at %s has no token_endpoint, so this server cannot issue tokens to a client", u)
		}
		if err := checkServerURL(md.TokenEndpoint); err != nil {
			return md, u, fmt.Errorf("token: the metadata at %s names token_endpoint %w", u, err)
		}
		return md, u, nil
	}
	return md, "", fmt.Errorf("token: found no authorization server metadata for issuer %s; tried:\n%s\nCheck --issuer: for Scalekit it is the environment URL or {env}/resources/{res_id}",
		issuer, strings.Join(tried, "\n"))
}

// issuerMismatch explains an RFC 8414 section 3.3 failure. When the two
// differ only by a trailing slash (Auth0's issuers end in one), it says
// which --issuer to pass.
func issuerMismatch(u, got, want string) error {
	msg := fmt.Sprintf("token: the metadata at %s is for issuer %q, not %q; RFC 8414 section 3.3 forbids using it", u, got, want)
	if strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/") {
		return fmt.Errorf("%s: pass --issuer %s", msg, got)
	}
	return fmt.Errorf("%s: check --issuer", msg)
}

// unreachableError says which URL could not be reached, and suggests
// starting dev-auth when the issuer is on this machine.
func unreachableError(issuer, tried string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // the URL is in tried already
	}
	msg := fmt.Sprintf("token: cannot reach the authorization server %s (%s): %v", issuer, tried, err)
	if u, perr := url.Parse(issuer); perr == nil && rules.IsLoopbackHost(u.Hostname()) {
		msg += "; is dev-auth running at " + issuer + "?"
	}
	return errors.New(msg)
}

// getJSON GETs u into v. status is 0 when no HTTP response arrived at all.
func getJSON(ctx context.Context, hc *http.Client, u string, v any) (status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, errors.New(resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return resp.StatusCode, fmt.Errorf("not JSON metadata: %v", err)
	}
	return resp.StatusCode, nil
}

// tokenHTTPClient times requests out and follows redirects only for GETs
// (metadata) and only to URLs checkServerURL accepts. A redirected POST is
// never followed: Go would resend the form, client_secret_post included, to
// wherever the redirect points.
func tokenHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 15 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if via[0].Method != http.MethodGet {
				return http.ErrUseLastResponse
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if err := checkServerURL(req.URL.String()); err != nil {
				return fmt.Errorf("redirect to %w", err)
			}
			return nil
		},
	}
}

// checkServerURL accepts https, or http on a loopback host: anything else
// would send the client secret, or the token, across the network in clear.
// The error starts with the URL, so callers can prefix what it is.
func checkServerURL(raw string) error {
	return rules.CheckServiceURL(raw, false)
}
