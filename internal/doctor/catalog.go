package doctor

// A Step is one group of checks, in the order a client meets them.
type Step struct {
	ID      string
	Heading string
}

// Steps lists the steps in report order.
var Steps = []Step{
	{"transport", "Transport"},
	{"challenge", "Unauthenticated request: the 401 challenge"},
	{"prm", "Protected resource metadata (RFC 9728)"},
	{"as", "Authorization server metadata (RFC 8414 / OpenID)"},
	{"jwks", "Signing keys (JWKS)"},
	{"cors", "Browser clients (CORS)"},
	{"token", "Access token (--token)"},
	{"mcp", "MCP session with the token"},
}

// catalog lists every check ID with its title. IDs are a stable interface
// (CI matches on them); titles may be reworded.
var catalog = []struct{ id, title string }{
	{"transport.https", "https"},
	{"transport.port", "standard port"},

	{"challenge.status", "401 without a token"},
	{"challenge.bearer", "Bearer challenge"},
	{"challenge.resource_metadata", "resource_metadata"},
	{"challenge.scope", "scope"},
	{"challenge.no_error", "no error= without a token"},

	{"prm.fetch", "at the challenge's URL"},
	{"prm.path_inserted", "at the path-inserted URL"},
	{"prm.root", "at the root URL"},
	{"prm.resource", "resource equals the URL"},
	{"prm.authorization_servers", "authorization_servers"},
	{"prm.scopes_supported", "scopes_supported"},
	{"prm.bearer_methods", "bearer_methods_supported"},
	{"prm.offline_access", "no offline_access scope"},

	{"as.metadata", "metadata"},
	{"as.issuer", "issuer matches"},
	{"as.pkce", "PKCE S256"},
	{"as.registration", "registration (DCR / CIMD)"},
	{"as.endpoints", "endpoints"},
	{"as.jwks_uri", "jwks_uri"},

	{"jwks.fetch", "key set"},
	{"jwks.signing_key", "a usable signing key"},
	{"jwks.kid", "key IDs (kid)"},

	{"cors.preflight", "preflight"},
	{"cors.session_header", "Mcp-Session-Id allowed"},
	{"cors.expose", "401 exposes WWW-Authenticate"},

	{"token.format", "format"},
	{"token.signature", "signature"},
	{"token.iss", "iss"},
	{"token.aud", "aud"},
	{"token.exp", "exp"},
	{"token.nbf", "nbf"},
	{"token.scope", "scopes"},

	{"mcp.initialize", "initialize"},
	{"mcp.tools_list", "tools/list"},
}

// CheckIDs lists every check ID, in report order.
func CheckIDs() []string {
	ids := make([]string, len(catalog))
	for i, c := range catalog {
		ids[i] = c.id
	}
	return ids
}

// title returns the catalogue title of id.
func title(id string) string {
	for _, c := range catalog {
		if c.id == id {
			return c.title
		}
	}
	return id
}
