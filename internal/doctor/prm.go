package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// resourceMetadata is the part of RFC 9728 protected-resource metadata the
// doctor checks. Pointers tell absent from empty.
type resourceMetadata struct {
	Resource             *string  `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
	ScopesSupported      []string `json:"scopes_supported"`
	BearerMethods        []string `json:"bearer_methods_supported"`
	from                 string   // the URL it was fetched from
}

const prmName = "oauth-protected-resource"

// protectedResource fetches the metadata where clients look for it and
// checks what it says.
func (r *run) protectedResource(ctx context.Context) {
	pathURL, rootURL := wellKnown(r.url, prmName), wellKnownRoot(r.url, prmName)
	var primary *resourceMetadata // the document a client would use

	if r.chal == nil || r.chal.resourceMetadata == "" {
		r.skip("skipped: the challenge names no resource_metadata; clients fall back to the well-known URLs", "prm.fetch")
	} else if md, note, err := r.fetchMetadata(ctx, r.chal.resourceMetadata); err != nil {
		r.fail("prm.fetch", err.Error(), "serve the metadata JSON at "+r.chal.resourceMetadata+" without authentication, or fix the URL in the challenge")
	} else {
		primary = md
		r.passOrRedirect("prm.fetch", md.from, note, "name the final URL in resource_metadata")
	}

	switch {
	case !hasPath(r.url):
		r.pass("prm.path_inserted", "the URL has no path, so this is the root URL "+rootURL)
	case primary != nil && primary.from == pathURL:
		r.pass("prm.path_inserted", "the challenge's URL is the path-inserted one")
	default:
		md, note, err := r.fetchMetadata(ctx, pathURL)
		switch {
		case err != nil:
			r.fail("prm.path_inserted", err.Error()+"; clients that build the URL themselves (RFC 9728 §3.1, MCP 2025-11-25) look here first",
				"serve the same metadata JSON at "+pathURL)
		case primary != nil && !sameResource(primary, md):
			r.fail("prm.path_inserted", fmt.Sprintf("%s describes resource %s, but the challenge's metadata describes %s", pathURL, str(md.Resource), str(primary.Resource)),
				"serve one document, for this URL's resource, at both URLs")
		default:
			r.passOrRedirect("prm.path_inserted", pathURL, note, "serve the metadata at "+pathURL+" directly")
			if primary == nil {
				primary = md
			}
		}
	}

	if hasPath(r.url) {
		md, note, err := r.fetchMetadata(ctx, rootURL)
		switch {
		case err != nil:
			r.warn("prm.root", err.Error()+"; clients written before RFC 9728 path insertion look only there",
				"also serve the metadata at "+rootURL+" (unless the host serves several resources)")
		case md.Resource != nil && *md.Resource != r.opts.URL:
			r.warn("prm.root", fmt.Sprintf("%s describes resource %s, not this URL; clients that look only there get tokens for that resource", rootURL, *md.Resource),
				"serve this resource's metadata at the root too, or accept that root-only clients cannot use this URL")
		default:
			r.passOrRedirect("prm.root", rootURL, note, "serve the metadata at "+rootURL+" directly")
			if primary == nil {
				primary = md
			}
		}
	}

	if primary == nil {
		r.skip("skipped: no protected-resource metadata found",
			"prm.resource", "prm.authorization_servers", "prm.scopes_supported", "prm.bearer_methods", "prm.offline_access")
		return
	}
	r.prm = primary
	r.checkResourceMetadata(primary)
}

// fetchMetadata fetches a protected-resource metadata document; note
// describes any redirect on the way.
func (r *run) fetchMetadata(ctx context.Context, u string) (md *resourceMetadata, note string, err error) {
	md = &resourceMetadata{from: u}
	resp, err := r.getJSON(ctx, u, md)
	if err != nil {
		return nil, "", err
	}
	return md, redirectNote(resp), nil
}

// passOrRedirect records id as passed, or as a warning when the fetch was
// redirected.
func (r *run) passOrRedirect(id, detail, note, fix string) {
	if note != "" {
		r.warn(id, note, fix)
		return
	}
	r.pass(id, detail)
}

// checkResourceMetadata checks the fields of the metadata document.
func (r *run) checkResourceMetadata(md *resourceMetadata) {
	want := r.opts.URL
	switch got := str(md.Resource); {
	case md.Resource == nil:
		r.fail("prm.resource", "the metadata has no resource field", fmt.Sprintf(`add "resource": %q`, want))
	case got == want:
		r.pass("prm.resource", got)
	case slashTwin(got, want):
		r.fail("prm.resource", fmt.Sprintf("trailing slash mismatch: registered as %s but served as %s; clients refuse metadata whose resource is not the URL they connect to, byte for byte (RFC 9728 §3.3), and tokens minted for one are refused by a server expecting the other", got, want),
			fmt.Sprintf("make them identical: set the resource (and the server URL registered with the authorization server, e.g. Scalekit Dashboard → MCP Servers → Server URL) to %s, or give clients %s", want, got))
	default:
		r.fail("prm.resource", fmt.Sprintf("resource is %s but the URL checked is %s; clients refuse metadata for another resource (RFC 9728 §3.3)", got, want),
			fmt.Sprintf("set resource to %s, exactly the URL clients connect to (create-mcp-auth servers: MCP_SERVER_URL)", want))
	}

	switch {
	case len(md.AuthorizationServers) == 0:
		r.fail("prm.authorization_servers", "no authorization_servers: clients cannot tell where to get a token",
			`list the authorization server's issuer URL, e.g. "authorization_servers": ["https://<env>.scalekit.com/resources/res_…"]`)
	default:
		var bad []string
		for _, as := range md.AuthorizationServers {
			if p := checkServiceURL(as); p != "" {
				bad = append(bad, p)
			}
		}
		if len(bad) > 0 {
			r.fail("prm.authorization_servers", strings.Join(bad, "; "), "list each authorization server by its issuer: an absolute https URL (http only on loopback)")
		} else {
			r.pass("prm.authorization_servers", strings.Join(md.AuthorizationServers, ", "))
		}
	}

	if len(md.ScopesSupported) == 0 {
		r.warn("prm.scopes_supported", "no scopes_supported: clients that get no scope in the challenge do not know which scopes to ask for",
			`list the scopes, e.g. "scopes_supported": ["todo:read", "todo:write"]`)
	} else {
		r.pass("prm.scopes_supported", strings.Join(md.ScopesSupported, " "))
	}

	switch {
	case md.BearerMethods == nil:
		r.pass("prm.bearer_methods", "not listed; clients send the Authorization header")
	case slices.Contains(md.BearerMethods, "header"):
		r.pass("prm.bearer_methods", strings.Join(md.BearerMethods, ", "))
	default:
		r.warn("prm.bearer_methods", fmt.Sprintf("bearer_methods_supported is %q without header; MCP clients only ever send the token in the Authorization header", md.BearerMethods),
			`set "bearer_methods_supported": ["header"]`)
	}

	if slices.Contains(md.ScopesSupported, "offline_access") {
		r.warn("prm.offline_access", "scopes_supported lists offline_access; the resource must not (MCP 2026-07-28, SEP-2207): refresh tokens are between the client and the authorization server",
			"remove offline_access from scopes_supported (and from the challenge's scope); clients ask the authorization server for it themselves")
	} else {
		r.pass("prm.offline_access", "not listed")
	}
}

func sameResource(a, b *resourceMetadata) bool { return str(a.Resource) == str(b.Resource) }

// str dereferences s, or returns "(none)".
func str(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}
