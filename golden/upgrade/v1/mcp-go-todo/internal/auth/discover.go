package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// maxMetadataBytes bounds an authorization server metadata document.
const maxMetadataBytes = 1 << 20

// discoverJWKSURL reads jwks_uri from the issuer's metadata: first RFC 8414
// authorization server metadata, then OpenID Connect discovery.
func discoverJWKSURL(ctx context.Context, client *http.Client, issuer string, allowHTTP bool) (string, error) {
	var errs []error
	for _, u := range metadataURLs(issuer) {
		jwksURL, err := fetchJWKSURL(ctx, client, u, issuer, allowHTTP)
		if err == nil {
			return jwksURL, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("cannot discover the JWKS URL of issuer %q (set OAUTH_JWKS_URL to skip discovery): %w", issuer, errors.Join(errs...))
}

// metadataURLs lists where issuer metadata may live. RFC 8414 §3.1 inserts
// the well-known segment between host and path; OpenID Connect Discovery
// §4 appends it to the issuer. For an issuer without a path the two agree
// on the host root.
func metadataURLs(issuer string) []string {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil
	}
	path := strings.TrimSuffix(u.Path, "/")
	oauth := *u
	oauth.Path = "/.well-known/oauth-authorization-server" + path
	oidc := *u
	oidc.Path = path + "/.well-known/openid-configuration"
	return []string{oauth.String(), oidc.String()}
}

func fetchJWKSURL(ctx context.Context, client *http.Client, metadataURL, issuer string, allowHTTP bool) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", metadataURL, resp.Status)
	}
	var md struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxMetadataBytes)).Decode(&md); err != nil {
		return "", fmt.Errorf("GET %s: %w", metadataURL, err)
	}
	// RFC 8414 §3.3 and OIDC Discovery §4.3: the document must be about
	// this very issuer, or an attacker-controlled document could redirect
	// key lookups.
	if md.Issuer != issuer {
		return "", fmt.Errorf("GET %s: metadata is for issuer %q, want %q", metadataURL, md.Issuer, issuer)
	}
	if md.JWKSURI == "" {
		return "", fmt.Errorf("GET %s: metadata has no jwks_uri", metadataURL)
	}
	if err := CheckServiceURL(md.JWKSURI, allowHTTP); err != nil {
		return "", fmt.Errorf("GET %s: jwks_uri: %w", metadataURL, err)
	}
	return md.JWKSURI, nil
}

// CheckServiceURL requires an absolute https URL, or plain http for a
// loopback host (localhost, 127.0.0.0/8, ::1) so that local development
// works without certificates. Tokens and keys sent over plain http to
// anything else could be read or replaced on the way; allowHTTP lifts that
// rule for networks the operator trusts (ALLOW_INSECURE_HTTP).
func CheckServiceURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q must be an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not contain user credentials", raw)
	}
	if u.Scheme == "http" && !allowHTTP && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q uses plain http, which is allowed only for localhost; use https (or set ALLOW_INSECURE_HTTP=true on a network you trust)", raw)
	}
	return nil
}

// isLoopbackHost reports whether host names this machine: "localhost" or a
// loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
