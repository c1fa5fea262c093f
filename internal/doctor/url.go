package doctor

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// ParseURL checks that raw is an absolute http(s) URL the doctor can
// check: it is what the command line rejects as bad input.
func ParseURL(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("URL %q has no scheme; write it in full, e.g. https://mcp.example.com/mcp", raw)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("URL %q does not parse: %v", raw, errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("URL %q is not http or https; MCP's streamable HTTP transport needs an http(s) URL", raw)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("URL %q has no host", raw)
	case u.User != nil:
		return nil, fmt.Errorf("URL %q carries credentials; MCP clients authenticate with OAuth, remove the user:password@ part", raw)
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return nil, fmt.Errorf("URL %q has a fragment; remove the #… part", raw)
	}
	return u, nil
}

// ParseOrigin checks that raw is a browser origin, scheme://host[:port],
// and returns it as browsers send it.
func ParseOrigin(raw string) (string, error) {
	return rules.NormalizeOrigin(raw)
}

// checkServiceURL checks a URL a client will talk to: absolute, http(s),
// https unless on loopback, no fragment. It returns a problem or "".
func checkServiceURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "missing"
	case err != nil || !u.IsAbs() || u.Host == "":
		return fmt.Sprintf("%q is not an absolute URL", raw)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("%q is not an http(s) URL", raw)
	case u.Scheme == "http" && !rules.IsLoopbackHost(u.Hostname()):
		return fmt.Sprintf("%q uses plain http on a non-loopback host; clients refuse it and tokens would cross the network in clear", raw)
	case u.Fragment != "":
		return fmt.Sprintf("%q has a fragment", raw)
	}
	return ""
}

// wellKnown inserts /.well-known/<name> between the host and the path of
// u (RFC 8414 §3.1, RFC 9728 §3.1), dropping a trailing slash of the path
// as MCP clients do.
func wellKnown(u *url.URL, name string) string {
	w := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/.well-known/" + name + strings.TrimSuffix(u.Path, "/"), RawQuery: u.RawQuery}
	return w.String()
}

// wellKnownRoot is /.well-known/<name> at u's host.
func wellKnownRoot(u *url.URL, name string) string {
	w := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/.well-known/" + name}
	return w.String()
}

// wellKnownAppended is OpenID Connect Discovery's form: the path with
// /.well-known/<name> appended.
func wellKnownAppended(u *url.URL, name string) string {
	w := url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, "/") + "/.well-known/" + name}
	return w.String()
}

// hasPath reports whether u has a path beyond "/".
func hasPath(u *url.URL) bool { return strings.TrimSuffix(u.Path, "/") != "" }

// slashTwin reports whether a and b differ only by a trailing slash.
func slashTwin(a, b string) bool {
	return a != b && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// transport checks the scheme and port of the MCP URL.
func (r *run) transport() {
	u := r.url
	loop := rules.IsLoopbackHost(u.Hostname())
	switch {
	case u.Scheme == "https":
		r.pass("transport.https", "https")
	case loop:
		r.pass("transport.https", "plain http on a loopback host: fine for development, use https anywhere else")
	default:
		r.fail("transport.https", fmt.Sprintf("plain http to %s: tokens would cross the network in clear, and MCP clients require https for remote servers", u.Hostname()),
			"serve the MCP endpoint over https, e.g. behind a TLS-terminating reverse proxy or load balancer, and give clients the https:// URL")
	}
	switch port := u.Port(); {
	case u.Scheme == "http" && loop:
		r.pass("transport.port", "loopback development URL")
	case u.Scheme != "https" || port == "" || port == "443":
		r.pass("transport.port", "default port")
	default:
		r.warn("transport.port", fmt.Sprintf("https on port %s: some clients ignore custom ports and connect to 443 (Claude Desktop, per Scalekit's troubleshooting guide)", port),
			fmt.Sprintf("serve it on port 443, e.g. a reverse proxy or load balancer listening on 443 that forwards to :%s", port))
	}
}
