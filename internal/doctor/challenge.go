package doctor

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// challengeInfo is what the 401 told a client.
type challengeInfo struct {
	resourceMetadata string // absolute URL, or "" when absent or unusable
	scope            string
}

// rpcHeaders are the headers of an MCP streamable-HTTP POST.
func rpcHeaders() http.Header {
	return http.Header{
		"Content-Type":         {"application/json"},
		"Accept":               {"application/json, text/event-stream"},
		"Mcp-Protocol-Version": {protocolVersion},
	}
}

// challenge sends the unauthenticated initialize every MCP client starts
// with and checks the 401 and its Bearer challenge. It returns false when
// the server did not answer at all: then nothing else can be checked.
func (r *run) challenge(ctx context.Context) bool {
	ids := []string{"challenge.bearer", "challenge.resource_metadata", "challenge.scope", "challenge.no_error"}
	resp, err := r.send(ctx, http.MethodPost, r.opts.URL, initializeBody(), rpcHeaders())
	if err != nil {
		r.fail("challenge.status", err.Error(), "check the URL, and that the server runs and is reachable from here")
		r.skipRest("skipped: the server did not answer")
		return false
	}
	switch {
	case resp.status == http.StatusUnauthorized:
		r.pass("challenge.status", "POST initialize without a token → 401")
	case isRedirect(resp.status):
		loc := resp.header.Get("Location")
		r.fail("challenge.status", fmt.Sprintf("POST answered %s to %s; MCP clients do not follow redirects on POST", statusText(resp.status), loc),
			fmt.Sprintf("give clients the final URL (%s) and register that one with the authorization server, or stop redirecting", loc))
	case resp.status < 300:
		r.fail("challenge.status", fmt.Sprintf("an initialize without a token got %s: the server does not ask for authorization, so clients never start OAuth", statusText(resp.status)),
			`answer requests without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (MCP authorization spec, RFC 9728 §5.1)`)
	case resp.status == http.StatusNotFound:
		r.fail("challenge.status", fmt.Sprintf("an initialize without a token got %s: nothing serves MCP at %s", statusText(resp.status), r.url.Path),
			"check the URL's path: it must be the MCP endpoint itself (often …/mcp), exactly as clients are given it")
	default:
		r.fail("challenge.status", fmt.Sprintf("an initialize without a token got %s, not 401: %s", statusText(resp.status), snippet(resp.body)),
			"answer requests without a token with 401 and a Bearer challenge; clients start OAuth only on a 401")
	}
	if resp.status != http.StatusUnauthorized && resp.header.Get("WWW-Authenticate") == "" {
		r.skip("skipped: no 401 challenge", ids...)
		return true
	}
	r.bearerChallenge(resp)
	return true
}

// bearerChallenge checks the WWW-Authenticate header of the 401.
func (r *run) bearerChallenge(resp *response) {
	values := resp.header.Values("WWW-Authenticate")
	if len(values) == 0 {
		r.fail("challenge.bearer", "the 401 has no WWW-Authenticate header, so clients cannot find the authorization server",
			fmt.Sprintf(`send WWW-Authenticate: Bearer resource_metadata="%s" with every 401 (RFC 9728 §5.1)`, wellKnown(r.url, "oauth-protected-resource")))
		r.skip("skipped: no WWW-Authenticate", "challenge.resource_metadata", "challenge.scope", "challenge.no_error")
		return
	}
	cs, err := parseChallenges(values)
	var bearer *authChallenge
	if err == nil {
		bearer = findChallenge(cs, "Bearer")
	}
	if bearer == nil {
		why := fmt.Sprintf("no Bearer challenge in WWW-Authenticate: %s", snippet([]byte(strings.Join(values, ", "))))
		if err != nil {
			why = err.Error()
		}
		r.fail("challenge.bearer", why,
			fmt.Sprintf(`send WWW-Authenticate: Bearer resource_metadata="%s" (RFC 6750 §3, RFC 9728 §5.1)`, wellKnown(r.url, "oauth-protected-resource")))
		r.skip("skipped: no Bearer challenge", "challenge.resource_metadata", "challenge.scope", "challenge.no_error")
		return
	}
	names := slices.Sorted(maps.Keys(bearer.Params))
	r.pass("challenge.bearer", fmt.Sprintf("%s with %s", bearer.Scheme, strings.Join(names, ", ")))
	r.chal = &challengeInfo{scope: bearer.Params["scope"]}

	switch rm, ok := bearer.Params["resource_metadata"]; {
	case !ok:
		r.fail("challenge.resource_metadata", "the Bearer challenge has no resource_metadata parameter; clients must guess the metadata URL, and those that only read the challenge give up",
			fmt.Sprintf(`add resource_metadata="%s" to the challenge (RFC 9728 §5.1)`, wellKnown(r.url, "oauth-protected-resource")))
	case checkServiceURL(rm) != "":
		r.fail("challenge.resource_metadata", "resource_metadata "+checkServiceURL(rm),
			fmt.Sprintf(`make it the absolute URL of the metadata, e.g. resource_metadata="%s"`, wellKnown(r.url, "oauth-protected-resource")))
	default:
		r.chal.resourceMetadata = rm
		r.pass("challenge.resource_metadata", rm)
	}
	if r.chal.scope == "" {
		r.warn("challenge.scope", "no scope parameter: clients fall back to scopes_supported, or ask for no scope at all",
			`add scope="…" with the scopes a client needs to use the server (MCP 2025-11-25 scope selection)`)
	} else {
		r.pass("challenge.scope", r.chal.scope)
	}
	if e, ok := bearer.Params["error"]; ok {
		r.fail("challenge.no_error", fmt.Sprintf(`error="%s" on a request that carried no token; some clients read it as a refused token and stop instead of starting authorization`, e),
			"omit error= and error_description= when the request had no Authorization header (RFC 6750 §3.1)")
	} else {
		r.pass("challenge.no_error", "no error parameter")
	}
}
