package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kinds of downstream service a generated server can call: an HTTP API
// that takes an API key (Scalekit's pattern 3a), and another MCP server
// reached with an access token of its own from the client credentials
// grant (pattern 3b). Forwarding the caller's token (pattern 3c) is not
// one: the MCP authorization specification forbids token passthrough.
const (
	DownstreamAPI = "api"
	DownstreamMCP = "mcp"
)

// DefaultAPIKeyHeader is where an API key goes unless the spec says
// otherwise, after DefaultAPIKeyScheme: "Authorization: Bearer KEY" is
// what most APIs take, and what proxies and HTTP loggers know to redact,
// which they do not for a header such as X-API-Key.
const (
	DefaultAPIKeyHeader = "Authorization"
	DefaultAPIKeyScheme = "Bearer"
)

// NoScheme, as an API key's scheme, sends the key alone in the
// Authorization header.
const NoScheme = "none"

// downstreamNameRE is a downstream service's name: lower-case words of
// letters and digits joined by single underscores. It names the service's
// variables (WEATHER_URL) and its Go field (Weather).
var downstreamNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// CheckDownstreamName checks the name of a downstream service.
func CheckDownstreamName(name string) error {
	if len(name) > 32 || !downstreamNameRE.MatchString(name) {
		return fmt.Errorf("invalid downstream name %q: use up to 32 lower-case letters, digits and single underscores, starting with a letter, e.g. weather or tickets_mcp", name)
	}
	return nil
}

// EnvPrefix is the prefix of a downstream service's variables: its name
// in upper case and an underscore (weather → WEATHER_).
func EnvPrefix(name string) string { return strings.ToUpper(name) + "_" }

// envNameRE is the shape of an environment variable name this project
// uses: POSIX's portable names, upper case.
var envNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

// serverVariables are the environment variables a generated server reads
// for itself. A downstream service's variables must not be one of them;
// the generated config tests check that the list is complete.
var serverVariables = []string{
	"PORT", "LISTEN_HOST", "MCP_SERVER_URL", "MCP_AUDIENCE", "ALLOW_INSECURE_HTTP", "AUTH_PROVIDER",
	"SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_RESOURCE_ID", "OAUTH_ISSUER", "OAUTH_JWKS_URL",
	"ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_APP_ID_URI", "SCOPE_CLAIMS", "TOKEN_LEEWAY",
	"JWKS_REFRESH_MIN_INTERVAL", "TOKEN_TYP_STRICT", "CHALLENGE_SCOPES", "ALLOWED_ORIGINS",
	"LOG_LEVEL", "LOG_FORMAT", "FILTER_LISTS", "FILTER_TOOLS_LIST",
	// The login route of bring your own auth.
	"SCALEKIT_CONNECTION_ID", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET", "APP_ENV",
	// The shell's and the Go runtime's: never a place for a secret.
	"PATH", "HOME", "USER", "SHELL", "PWD", "TMPDIR", "LANG", "GOGC", "GOMEMLIMIT",
}

// serverPrefixes start the families of variables a server reads: more
// issuers (ISSUER_2_URL…), the login route and rate limits.
var serverPrefixes = []string{"ISSUER_", "LOGIN_", "RATE_LIMIT"}

// IsServerVariable reports whether the server reads the variable name for
// itself.
func IsServerVariable(name string) bool {
	return slices.Contains(serverVariables, name) || slices.ContainsFunc(serverPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// CheckServiceVariable checks the name of a variable that configures a
// downstream service, such as the one holding its API key: an upper-case
// environment variable name the server does not read for itself.
func CheckServiceVariable(name string) error {
	switch {
	case !envNameRE.MatchString(name):
		return fmt.Errorf("invalid variable name %q: use up to 64 upper-case letters, digits and underscores, not starting with a digit, e.g. WEATHER_API_KEY", name)
	case IsServerVariable(name):
		return fmt.Errorf("variable %s is the server's own setting", name)
	}
	return nil
}

// tokenRE is an RFC 9110 token: what a header name or an authentication
// scheme is made of.
var tokenRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// notForKeys are headers Go's HTTP client sets itself, or that belong to
// the connection or to a proxy: an API key cannot go there.
var notForKeys = []string{"host", "content-length", "content-type", "transfer-encoding", "connection",
	"keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "user-agent"}

// CheckHeaderName checks the header an API key is sent in.
func CheckHeaderName(name string) error {
	switch {
	case !tokenRE.MatchString(name):
		return fmt.Errorf("invalid header name %q: use letters, digits and - (RFC 9110 token), e.g. X-API-Key", name)
	case slices.Contains(notForKeys, strings.ToLower(name)):
		return fmt.Errorf("header %s is set by the HTTP client or belongs to the connection; an API key cannot go there", name)
	}
	return nil
}

// CheckAuthScheme checks the scheme written before an API key in the
// Authorization header (Bearer, Token…), or NoScheme.
func CheckAuthScheme(scheme string) error {
	if !tokenRE.MatchString(scheme) {
		return fmt.Errorf("invalid scheme %q: one word such as Bearer or Token, or %q for the key alone", scheme, NoScheme)
	}
	return nil
}
