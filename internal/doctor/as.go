package doctor

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// maxServers bounds how many advertised authorization servers are checked.
const maxServers = 4

// authServer is an advertised authorization server and its metadata.
type authServer struct {
	id   string // as advertised in authorization_servers
	meta *serverMetadata
}

// serverMetadata is the part of RFC 8414 / OpenID metadata the doctor checks.
type serverMetadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RegistrationEndpoint  string   `json:"registration_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	CIMD                  bool     `json:"client_id_metadata_document_supported"`
	ScopesSupported       []string `json:"scopes_supported"`
}

// asChecks are the per-server checks after as.metadata.
var asChecks = []string{"as.issuer", "as.pkce", "as.registration", "as.endpoints", "as.jwks_uri"}

// authorizationServers checks every advertised authorization server.
func (r *run) authorizationServers(ctx context.Context) {
	if r.prm == nil || len(r.prm.AuthorizationServers) == 0 {
		r.skip("skipped: no authorization server advertised", append([]string{"as.metadata"}, asChecks...)...)
		return
	}
	for i, id := range r.prm.AuthorizationServers {
		if i == maxServers {
			r.add("as.metadata", Warn, id, fmt.Sprintf("only the first %d authorization servers were checked", maxServers), "")
			break
		}
		as := &authServer{id: id}
		r.servers = append(r.servers, as)
		r.checkServer(ctx, as)
	}
}

// discoveryURLs lists where MCP clients look for the metadata of issuer,
// in their order (MCP 2025-11-25, authorization server metadata discovery).
func discoveryURLs(issuer *url.URL) []string {
	if !hasPath(issuer) {
		return []string{wellKnownRoot(issuer, "oauth-authorization-server"), wellKnownRoot(issuer, "openid-configuration")}
	}
	return []string{
		wellKnown(issuer, "oauth-authorization-server"),
		wellKnown(issuer, "openid-configuration"),
		wellKnownAppended(issuer, "openid-configuration"),
	}
}

func (r *run) checkServer(ctx context.Context, as *authServer) {
	sub := as.id
	res := func(id string, st Status, detail, fix string) { r.add(id, st, sub, detail, fix) }
	u, err := url.Parse(as.id)
	if err != nil || checkServiceURL(as.id) != "" {
		res("as.metadata", Skip, "skipped: not a usable URL", "")
		for _, id := range asChecks {
			res(id, Skip, "skipped: not a usable URL", "")
		}
		return
	}
	urls := discoveryURLs(u)
	var tried []string
	for _, d := range urls {
		var md serverMetadata
		resp, err := r.getJSON(ctx, d, &md)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		as.meta = &md
		switch note := redirectNote(resp); {
		case note != "":
			res("as.metadata", Warn, note, "serve the metadata at "+d+" directly")
		case d != urls[0] && strings.Contains(d, "openid-configuration"):
			res("as.metadata", Warn, fmt.Sprintf("found only through OpenID discovery at %s; clients before MCP 2025-11-25 look only at %s (RFC 8414)", d, urls[0]),
				"also serve the metadata at "+urls[0])
		default:
			res("as.metadata", Pass, d, "")
		}
		break
	}
	if as.meta == nil {
		res("as.metadata", Fail, "no metadata where clients look: "+strings.Join(tried, "; "),
			fmt.Sprintf("publish RFC 8414 metadata at %s, or check authorization_servers in the protected-resource metadata names the issuer", urls[0]))
		for _, id := range asChecks {
			res(id, Skip, "skipped: no metadata", "")
		}
		return
	}
	md := as.meta

	switch {
	case md.Issuer == as.id:
		res("as.issuer", Pass, md.Issuer, "")
	case slashTwin(md.Issuer, as.id):
		res("as.issuer", Fail, fmt.Sprintf("trailing slash mismatch: advertised as %s but the metadata says issuer %s; clients refuse metadata whose issuer is not the URL they looked up (RFC 8414 §3.3)", as.id, md.Issuer),
			fmt.Sprintf("list it in authorization_servers exactly as its issuer: %q", md.Issuer))
	default:
		res("as.issuer", Fail, fmt.Sprintf("advertised as %s but the metadata says issuer %q; clients refuse the mismatch (RFC 8414 §3.3)", as.id, md.Issuer),
			fmt.Sprintf("list the issuer exactly in authorization_servers (%q), or fix the authorization server's issuer", md.Issuer))
	}

	if slices.Contains(md.CodeChallengeMethods, "S256") {
		res("as.pkce", Pass, "code_challenge_methods_supported: "+strings.Join(md.CodeChallengeMethods, ", "), "")
	} else {
		res("as.pkce", Fail, fmt.Sprintf("code_challenge_methods_supported is %q without S256; MCP clients must refuse an authorization server that does not advertise PKCE S256", md.CodeChallengeMethods),
			`enable PKCE with S256 and advertise "code_challenge_methods_supported": ["S256"]`)
	}

	dcr, cimd := md.RegistrationEndpoint != "", md.CIMD
	switch {
	case dcr && checkServiceURL(md.RegistrationEndpoint) != "":
		res("as.registration", Fail, "registration_endpoint "+checkServiceURL(md.RegistrationEndpoint), "publish an absolute https registration_endpoint (http only on loopback)")
	case dcr && cimd:
		res("as.registration", Pass, "dynamic client registration and client ID metadata documents: every MCP client can register", "")
	case cimd:
		res("as.registration", Warn, "client ID metadata documents only: clients without CIMD support (older MCP Inspector, mcp-remote) need dynamic client registration",
			"also enable dynamic client registration (Scalekit: Dashboard → MCP Servers → enable Dynamic Client Registration)")
	case dcr:
		res("as.registration", Pass, "dynamic client registration at "+md.RegistrationEndpoint+"; no client ID metadata documents, which the 2025-11-25 spec prefers (clients fall back to DCR)", "")
	default:
		res("as.registration", Fail, "neither a registration_endpoint (DCR) nor client_id_metadata_document_supported (CIMD): only clients pre-registered by hand can sign in; Claude, Cursor, VS Code and MCP Inspector cannot",
			"enable both (Scalekit: Dashboard → MCP Servers → enable Dynamic Client Registration / CIMD, then restart the MCP server): CIMD for clients following MCP 2025-11-25, DCR for clients without CIMD support such as older MCP Inspector and mcp-remote")
	}

	var bad []string
	for _, e := range []struct{ name, v string }{{"authorization_endpoint", md.AuthorizationEndpoint}, {"token_endpoint", md.TokenEndpoint}} {
		if p := checkServiceURL(e.v); p != "" {
			bad = append(bad, e.name+" "+p)
		}
	}
	if len(bad) > 0 {
		res("as.endpoints", Fail, strings.Join(bad, "; "), "publish absolute https authorization_endpoint and token_endpoint URLs (http only on loopback)")
	} else {
		res("as.endpoints", Pass, md.AuthorizationEndpoint+", "+md.TokenEndpoint, "")
	}

	switch p := checkServiceURL(md.JWKSURI); {
	case md.JWKSURI == "":
		res("as.jwks_uri", Warn, "no jwks_uri: resource servers cannot verify JWT access tokens locally (fine only if tokens are opaque and introspected)",
			"publish the signing keys and advertise them as jwks_uri")
	case p != "":
		res("as.jwks_uri", Fail, "jwks_uri "+p, "advertise an absolute https jwks_uri")
	default:
		res("as.jwks_uri", Pass, md.JWKSURI, "")
	}
}
