// Package config reads the server's settings from the environment (and an
// optional .env file) and checks them, reporting every problem at once with
// the variable to fix.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/todo/internal/auth"
)

// Defaults that do not depend on how the project was generated.
const (
	// DefaultAllowedOrigins lets the MCP Inspector (npx
	// @modelcontextprotocol/inspector, on port 6274) call the server from
	// the browser, whether it is opened as localhost or as 127.0.0.1 (which
	// recent versions print).
	DefaultAllowedOrigins = "http://localhost:6274,http://127.0.0.1:6274"
	// DefaultLeeway is the clock skew tolerated on token times.
	DefaultLeeway = 60 * time.Second
	// DefaultMaxBodyBytes bounds MCP request bodies.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultKeyRefreshMinInterval is the least time between two fetches
	// of the issuer's keys prompted by unknown key IDs or failed fetches.
	DefaultKeyRefreshMinInterval = 30 * time.Second
)

// Provider names for AUTH_PROVIDER.
const (
	ProviderScalekit = "scalekit"
	ProviderOIDC     = "oidc"
)

// Config is the checked configuration.
type Config struct {
	Port      int
	LogLevel  slog.Level
	LogFormat string // "json" or "text"
	// FilterToolsList makes tools/list show only the tools the caller's
	// token may call (FILTER_TOOLS_LIST).
	FilterToolsList bool
	Provider        string
	Auth            auth.Settings
}

// Load reads the configuration through getenv (os.Getenv, or Getenv for a
// .env file) and checks it. The error lists every problem, one per line.
func Load(getenv func(string) string) (Config, error) {
	// Variables are read in about the order of .env.example, so that
	// problems are reported in that order too.
	l := &loader{getenv: getenv}
	var cfg Config
	cfg.Port = l.port("PORT", DefaultPort)
	l.allowHTTP = l.boolean("ALLOW_INSECURE_HTTP", DefaultAllowInsecureHTTP) // before the URLs it governs
	cfg.Auth.ResourceURL = l.resourceURL("MCP_SERVER_URL", DefaultServerURL)
	cfg.Provider = l.oneOf("AUTH_PROVIDER", DefaultProvider, ProviderScalekit, ProviderOIDC)
	var defaultAudiences []string
	switch cfg.Provider {
	case ProviderScalekit:
		defaultAudiences = l.scalekit(&cfg.Auth)
	case ProviderOIDC:
		l.oidc(&cfg.Auth)
	}
	cfg.Auth.Audiences = l.list("MCP_AUDIENCE", append([]string{cfg.Auth.ResourceURL}, defaultAudiences...))
	cfg.Auth.Leeway = l.duration("TOKEN_LEEWAY", DefaultLeeway, 0, 5*time.Minute)
	cfg.Auth.KeyRefreshMinInterval = l.duration("JWKS_REFRESH_MIN_INTERVAL", DefaultKeyRefreshMinInterval, time.Second, time.Hour)
	cfg.Auth.StrictType = l.boolean("TOKEN_TYP_STRICT", false)
	cfg.Auth.AllowedOrigins = l.origins("ALLOWED_ORIGINS", DefaultAllowedOrigins)
	cfg.LogLevel = l.logLevel("LOG_LEVEL")
	cfg.LogFormat = l.oneOf("LOG_FORMAT", "json", "json", "text")
	cfg.FilterToolsList = l.boolean("FILTER_TOOLS_LIST", false)

	cfg.Auth.ResourceName = DefaultServerName
	cfg.Auth.MaxBodyBytes = DefaultMaxBodyBytes
	cfg.Auth.AllowInsecureHTTP = l.allowHTTP
	return cfg, errors.Join(l.errs...)
}

// scalekit fills the issuer settings for a Scalekit environment and returns
// the resource ID, which Scalekit may put in "aud" instead of the URL.
func (l *loader) scalekit(s *auth.Settings) []string {
	env := strings.TrimSuffix(l.str("SCALEKIT_ENVIRONMENT_URL", DefaultScalekitEnvironmentURL), "/")
	resourceID := l.str("SCALEKIT_RESOURCE_ID", DefaultScalekitResourceID)

	const envHelp = "copy the Environment URL from the Scalekit dashboard → Settings → API Credentials"
	switch {
	case env == "":
		l.fail("SCALEKIT_ENVIRONMENT_URL is not set; %s", envHelp)
	case isPlaceholder(env):
		l.fail("SCALEKIT_ENVIRONMENT_URL is the placeholder %q; %s", env, envHelp)
	default:
		if err := l.checkBaseURL(env); err != nil {
			l.fail("SCALEKIT_ENVIRONMENT_URL: %v", err)
		}
	}
	const idHelp = "copy it from the Scalekit dashboard → MCP Servers → your server → Resource ID"
	switch {
	case resourceID == "":
		l.fail("SCALEKIT_RESOURCE_ID is not set; %s", idHelp)
	case isPlaceholder(resourceID):
		l.fail("SCALEKIT_RESOURCE_ID is the placeholder %q; %s", resourceID, idHelp)
	case !strings.HasPrefix(resourceID, "res_") || strings.ContainsAny(resourceID, "/?#% "):
		l.fail("SCALEKIT_RESOURCE_ID %q is not a Scalekit resource ID (they look like res_1234…); %s", resourceID, idHelp)
	}

	// Scalekit issues tokens for an MCP server from the environment's
	// per-resource authorization server; depending on the environment the
	// "iss" claim names either.
	resourceAS := env + "/resources/" + resourceID
	s.Issuers = []string{env, resourceAS}
	s.JWKSURL = env + "/keys"
	s.AuthorizationServers = []string{resourceAS}
	return []string{resourceID}
}

// oidc fills the issuer settings for any OpenID Connect / OAuth 2.0
// authorization server.
func (l *loader) oidc(s *auth.Settings) {
	issuer := l.str("OAUTH_ISSUER", DefaultOAuthIssuer)
	if issuer == "" {
		l.fail(`OAUTH_ISSUER is not set; use your authorization server's issuer identifier exactly as it appears in the "iss" claim of its tokens`)
	} else if err := l.checkBaseURL(issuer); err != nil {
		l.fail("OAUTH_ISSUER: %v", err)
	}
	jwksURL := l.str("OAUTH_JWKS_URL", DefaultOAuthJWKSURL)
	if jwksURL != "" {
		if err := auth.CheckServiceURL(jwksURL, l.allowHTTP); err != nil {
			l.fail("OAUTH_JWKS_URL: %v", err)
		}
	}
	s.Issuers = []string{issuer}
	s.JWKSURL = jwksURL
	s.AuthorizationServers = []string{issuer}
}

// isPlaceholder recognises the values create-mcp-auth writes when it was not
// told the real ones.
func isPlaceholder(v string) bool {
	lower := strings.ToLower(v)
	for _, p := range []string{"example.scalekit.com", "your-env", "replace", "<"} {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// checkBaseURL checks an issuer or environment URL.
func (l *loader) checkBaseURL(raw string) error {
	if err := auth.CheckServiceURL(raw, l.allowHTTP); err != nil {
		return err
	}
	if u, _ := url.Parse(raw); u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	return nil
}

// isPathChar reports whether r may appear in the MCP endpoint's path: an
// RFC 3986 unreserved character or "/". Anything else would need escaping
// in routes and metadata URLs.
func isPathChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~/", r)
}

// A loader reads variables and collects problems.
type loader struct {
	getenv    func(string) string
	errs      []error
	allowHTTP bool // ALLOW_INSECURE_HTTP
}

func (l *loader) fail(format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

// str returns the trimmed variable, or def when it is unset or blank.
func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

func (l *loader) port(name string, def int) int {
	v := l.str(name, strconv.Itoa(def))
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		l.fail("%s: %q is not a port number (1-65535)", name, v)
		return def
	}
	return p
}

func (l *loader) boolean(name string, def bool) bool {
	v := l.str(name, strconv.FormatBool(def))
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.fail("%s: %q is not true or false", name, v)
	}
	return b
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(l.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail("%s: %q is not one of %s", name, v, strings.Join(allowed, ", "))
	return def
}

func (l *loader) logLevel(name string) slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.str(name, "info"))); err != nil {
		l.fail("%s: %q is not one of debug, info, warn, error", name, l.getenv(name))
	}
	return level
}

func (l *loader) duration(name string, def, least, most time.Duration) time.Duration {
	v := l.str(name, def.String())
	d, err := time.ParseDuration(v)
	if err != nil || d < least || d > most {
		l.fail("%s: %q is not a duration from %s to %s, e.g. %s", name, v, shortDuration(least), shortDuration(most), shortDuration(def))
		return def
	}
	return d
}

// shortDuration writes 5m0s as 5m and 1h0m0s as 1h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// list splits a comma-separated variable.
func (l *loader) list(name string, def []string) []string {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		l.fail("%s: %q lists nothing", name, v)
		return def
	}
	return out
}

func (l *loader) origins(name, def string) []string {
	var out []string
	for _, o := range l.list(name, strings.Split(def, ",")) {
		n, err := auth.NormalizeOrigin(o)
		if err != nil {
			l.fail("%s: %v", name, err)
			continue
		}
		out = append(out, n)
	}
	return out
}

// resourceURL reads the MCP endpoint URL. It must be exactly what the
// authorization server has registered, so it is checked but not rewritten.
func (l *loader) resourceURL(name, def string) string {
	v := l.str(name, def)
	if err := auth.CheckServiceURL(v, l.allowHTTP); err != nil {
		l.fail("%s: %v", name, err)
		return v
	}
	u, _ := url.Parse(v)
	switch {
	case u.RawQuery != "" || u.Fragment != "":
		l.fail("%s: %q must not have a query or fragment", name, v)
	case strings.ContainsFunc(u.EscapedPath(), func(r rune) bool { return !isPathChar(r) }):
		l.fail("%s: the path of %q may only contain letters, digits and - . _ ~ /", name, v)
	case strings.Contains(u.Path, "//"):
		l.fail("%s: the path of %q has an empty segment", name, v)
	}
	return v
}
