// Package rules holds the checks and defaults that create-mcp-auth and the
// servers it generates must agree on: which hosts are loopback, what makes a
// server, issuer or resource URL acceptable, what a scope, tool name or
// Scalekit resource or connection ID looks like, and which values are
// placeholders.
//
// Each rule lives here once. The CLI, dev-auth and the generator call it,
// and every generated project carries this very file, unchanged, as
// internal/rules/rules.go, where its configuration checks call it too: a
// value the generator accepts is one the generated server accepts.
//
// It depends on the standard library only.
package rules

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Placeholders written when no real Scalekit values are given. A server
// refuses to start while one is in place.
const (
	PlaceholderScalekitEnv        = "https://example.scalekit.com"
	PlaceholderScalekitResourceID = "res_REPLACE_ME"
)

// InspectorOrigins are the browser origins of the MCP Inspector (npx
// @modelcontextprotocol/inspector, port 6274), opened as localhost or as
// 127.0.0.1, which recent versions print.
var InspectorOrigins = []string{"http://localhost:6274", "http://127.0.0.1:6274"}

// IsPlaceholder reports whether v is, or still contains, a value written in
// place of a real one: a placeholder above or a hint such as "<your-env>".
func IsPlaceholder(v string) bool {
	lower := strings.ToLower(v)
	for _, p := range []string{"example.scalekit.com", "your-env", "replace_me", "<"} {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// IsLoopbackHost reports whether host names this machine: "localhost", a
// name under ".localhost" (RFC 6761 §6.3: resolvers and browsers keep those
// on loopback) or a loopback IP address.
func IsLoopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ErrPlainHTTP is wrapped by the error for a plain-http URL to a host other
// than loopback.
var ErrPlainHTTP = errors.New("uses plain http for a host other than localhost")

// CheckServiceURL requires an absolute http(s) URL without user info, and
// https unless the host is loopback or allowHTTP is set: tokens, secrets
// and keys sent in clear to another machine could be read or replaced on
// the way.
func CheckServiceURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("missing URL")
	case err != nil:
		return fmt.Errorf("%q is not a URL", raw)
	case u.Scheme == "" && strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//"):
		return fmt.Errorf("%q is a path, not an absolute URL; write it in full, e.g. https://mcp.example.com%s", raw, raw)
	case u.Scheme == "" || u.Opaque != "" && !strings.Contains(raw, "://"):
		return fmt.Errorf("%q has no scheme; write it in full, e.g. https://%s", raw, strings.TrimPrefix(raw, "//"))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q has scheme %q; use https (or http for localhost)", raw, u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return fmt.Errorf("%q contains user credentials; remove the user:password@ part", raw)
	case u.Scheme == "http" && !allowHTTP && !IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("%q %w; use https", raw, ErrPlainHTTP)
	}
	return nil
}

// CheckIssuerURL checks an authorization server's issuer identifier (or a
// Scalekit environment URL): a service URL without query or fragment
// (RFC 8414 §2).
func CheckIssuerURL(raw string, allowHTTP bool) error {
	if err := CheckServiceURL(raw, allowHTTP); err != nil {
		return err
	}
	if u, _ := url.Parse(raw); u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q has a query or fragment; an issuer has neither", raw)
	}
	return nil
}

// CheckResourceURL checks the public URL of an MCP endpoint: the resource
// identifier clients ask tokens for and the "aud" the server expects. On top
// of CheckServiceURL it must have no query or fragment (RFC 8707 §2), a
// plain path the server can route on (letters, digits, - . _ ~ /, no empty
// segment), and a lower-case host, as clients lower-case it before they ask
// for a token.
func CheckResourceURL(raw string, allowHTTP bool) error {
	if err := CheckServiceURL(raw, allowHTTP); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q has a query; the resource identifier is the plain URL clients connect to", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("%q has a fragment, which RFC 8707 forbids in resource identifiers", raw)
	case strings.ContainsFunc(u.EscapedPath(), func(r rune) bool { return !isPathChar(r) }):
		return fmt.Errorf("the path of %q has characters other than letters, digits and - . _ ~ /; use a plain path such as /mcp", raw)
	case strings.Contains(u.Path, "//"):
		return fmt.Errorf("the path of %q has an empty segment; remove the doubled slash", raw)
	case u.Host != strings.ToLower(u.Host) || !strings.HasPrefix(raw, u.Scheme+"://"): // url.Parse lower-cases the scheme
		return fmt.Errorf("%q has capitals in its scheme or host; write them in lower case, as clients send them to the authorization server", raw)
	}
	return nil
}

// isPathChar reports whether r may appear in an MCP endpoint's path: an RFC
// 3986 unreserved character or "/".
func isPathChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~/", r)
}

// CheckScopeName applies RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B /
// %x5D-7E ), printable ASCII without space, double quote or backslash.
func CheckScopeName(name string) error {
	if name == "" {
		return errors.New("empty scope name")
	}
	for _, r := range name {
		switch {
		case r == ' ' || r == '\t':
			return fmt.Errorf("scope %q contains a space; scope names are printable ASCII without spaces, quotes or backslashes, e.g. todo:read", name)
		case r == '"':
			return fmt.Errorf("scope %q contains a double quote; scope names are printable ASCII without spaces, quotes or backslashes, e.g. todo:read", name)
		case r == '\\':
			return fmt.Errorf("scope %q contains a backslash; scope names are printable ASCII without spaces, quotes or backslashes, e.g. todo:read", name)
		case r < 0x21 || r > 0x7e:
			return fmt.Errorf("scope %q contains %q, which is not printable ASCII; use e.g. todo:read", name, r)
		}
	}
	return nil
}

// toolNameRE is MCP's rule for tool names.
var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// CheckToolName applies MCP's rule for tool names: 1 to 128 characters of
// A-Z a-z 0-9 _ . -.
func CheckToolName(name string) error {
	if !toolNameRE.MatchString(name) {
		return fmt.Errorf("invalid tool name %q: MCP tool names are 1-128 characters of A-Z a-z 0-9 _ . -", name)
	}
	return nil
}

// scalekitIDRE is the shape of Scalekit's resource IDs: res_ and letters,
// digits, underscores or hyphens.
var scalekitIDRE = regexp.MustCompile(`^res_[A-Za-z0-9_-]+$`)

// CheckScalekitResourceID checks a Scalekit resource ID (res_…), which names
// the MCP server in Scalekit's per-resource authorization server URL.
func CheckScalekitResourceID(id string) error {
	if !scalekitIDRE.MatchString(id) {
		return fmt.Errorf("%q is not a Scalekit resource ID: they are res_ followed by letters and digits, e.g. res_123456789 (dashboard → MCP Servers → your server)", id)
	}
	return nil
}

// scalekitConnIDRE is the shape of Scalekit's connection IDs: conn_ and
// letters, digits, underscores or hyphens.
var scalekitConnIDRE = regexp.MustCompile(`^conn_[A-Za-z0-9_-]+$`)

// CheckScalekitConnectionID checks the ID of a Scalekit "bring your own
// auth" connection (conn_…), which names the connection in the URLs of the
// login hand-back. The classic mistake is the MCP server's resource ID
// (res_…) in its place: Scalekit then answers 404 or "invalid ID".
func CheckScalekitConnectionID(id string) error {
	switch {
	case strings.HasPrefix(id, "res_"):
		return fmt.Errorf("%q is the MCP server's resource ID (res_…), not the connection ID: bring your own auth needs the conn_… ID from the dashboard → MCP Servers → your server → Advanced Configurations → Connection ID", id)
	case !scalekitConnIDRE.MatchString(id):
		return fmt.Errorf("%q is not a Scalekit connection ID: they are conn_ followed by letters and digits, e.g. conn_123456789 (dashboard → MCP Servers → your server → Advanced Configurations → Connection ID)", id)
	}
	return nil
}

// CheckLoginPath checks the path of a server's own login route, the one a
// Scalekit "bring your own auth" connection sends users to: an absolute
// path of letters, digits, - . _ ~ and /, with no empty segment, that is
// not taken by the protected resource metadata, /healthz or /readyz.
func CheckLoginPath(path string) error {
	switch {
	case !strings.HasPrefix(path, "/") || path == "/":
		return fmt.Errorf("login path %q must start with / and name a route, e.g. /login", path)
	case strings.ContainsFunc(path, func(r rune) bool { return !isPathChar(r) }) || strings.Contains(path, "//"):
		return fmt.Errorf("login path %q may hold only letters, digits, - . _ ~ and single slashes", path)
	case path == "/healthz" || path == "/readyz" || strings.HasPrefix(path, "/.well-known/"):
		return fmt.Errorf("login path %q is taken by the server's own routes (/healthz, /readyz, /.well-known/…); use e.g. /login", path)
	}
	return nil
}

// loginRequestIDRE is the shape accepted for the login_request_id an
// authorization server hands a login route: 1 to 256 URL-safe characters
// (RFC 3986 unreserved), since it becomes a segment of an API URL's path.
var loginRequestIDRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,256}$`)

// CheckLoginRequestID checks a login_request_id a login route received.
func CheckLoginRequestID(id string) error {
	switch {
	case id == "":
		return errors.New("login_request_id is missing")
	case !loginRequestIDRE.MatchString(id):
		return errors.New("login_request_id is not 1 to 256 letters, digits or - . _ ~")
	}
	return nil
}

// CheckLoginState checks the state a login route received, which it must
// hand back unchanged. OAuth's state is opaque (RFC 6749 appendix A.5:
// visible ASCII), so any printable ASCII but the space is accepted, up to
// 1024 characters: no line breaks, markup-breaking controls or unbounded
// sizes, and it always travels query-escaped.
func CheckLoginState(state string) error {
	switch {
	case state == "":
		return errors.New("state is missing")
	case len(state) > 1024 || strings.ContainsFunc(state, func(r rune) bool { return r <= ' ' || r > '~' }):
		return errors.New("state is not 1 to 1024 printable ASCII characters")
	}
	return nil
}

// NormalizeOrigin returns origin as browsers serialise it (RFC 6454 §6.1):
// lower-case scheme and host, no default port, no path.
func NormalizeOrigin(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.User != nil || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin; write scheme://host[:port], e.g. https://app.example.com", origin)
	}
	return OriginOf(u), nil
}

// OriginOf returns the origin of u.
func OriginOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if port == "" || scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}

// OfflineAccess is the scope that asks an authorization server for a
// refresh token. It is not a permission a resource server grants: MCP
// 2026-07-28 (SEP-2207) keeps it out of protected resource metadata and
// challenges, so a server must not declare it as one of its scopes.
const OfflineAccess = "offline_access"

// CheckResourceURI checks an MCP resource's URI, or RFC 6570 URI template:
// a scheme, no spaces or control characters, and balanced {…} expressions
// of variable names (with the operators + # . / ; ? &).
func CheckResourceURI(uri string) error {
	scheme, _, ok := strings.Cut(uri, ":")
	if !ok || scheme == "" || strings.ContainsFunc(scheme, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')
	}) {
		return fmt.Errorf("resource URI %q has no scheme; write it in full, e.g. todo://items/{id}", uri)
	}
	if strings.ContainsFunc(uri, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("resource URI %q contains spaces or control characters", uri)
	}
	for rest := uri; ; {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			return nil
		}
		if rest[open] == '}' {
			return fmt.Errorf("resource URI template %q has a } without a {", uri)
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return fmt.Errorf("resource URI template %q has a { without a }", uri)
		}
		expr := strings.TrimLeft(rest[open+1:open+end], "+#./;?&")
		for _, v := range strings.Split(expr, ",") {
			v = strings.TrimSuffix(v, "*")
			if name, _, _ := strings.Cut(v, ":"); !uriVarRE.MatchString(name) {
				return fmt.Errorf("resource URI template %q has an invalid expression {%s}", uri, rest[open+1:open+end])
			}
		}
		rest = rest[open+end+1:]
	}
}

// uriVarRE is RFC 6570's varname.
var uriVarRE = regexp.MustCompile(`^([A-Za-z0-9_]|%[0-9A-Fa-f]{2})+(\.([A-Za-z0-9_]|%[0-9A-Fa-f]{2})+)*$`)
