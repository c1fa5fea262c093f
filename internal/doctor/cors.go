package doctor

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// preflightHeaders are the request headers of a browser MCP client's POST
// that need CORS permission: Authorization is never covered by a "*".
var preflightHeaders = []string{"authorization", "content-type", "mcp-protocol-version"}

// cors checks what a browser-based client (MCP Inspector's web UI, a web
// app) needs: a preflight that lets its POST through, and a 401 whose
// WWW-Authenticate it can read.
func (r *run) cors(ctx context.Context) {
	origin := r.opts.Origin
	preflight := func(headers []string) (*response, error) {
		return r.send(ctx, http.MethodOptions, r.opts.URL, nil, http.Header{
			"Origin":                         {origin},
			"Access-Control-Request-Method":  {"POST"},
			"Access-Control-Request-Headers": {strings.Join(headers, ", ")},
		})
	}
	resp, err := preflight(preflightHeaders)
	if err != nil {
		r.fail("cors.preflight", err.Error(), "answer OPTIONS on the MCP endpoint")
		r.skip("skipped: no preflight answer", "cors.session_header")
	} else if problem, fix := preflightProblem(resp, origin, preflightHeaders); problem != "" {
		r.fail("cors.preflight", problem+"; browsers then block every request, so browser clients cannot connect", fix)
		r.skip("skipped: the preflight failed", "cors.session_header")
	} else {
		r.pass("cors.preflight", fmt.Sprintf("%s: %s, allows %s", origin, statusText(resp.status), headerList(resp.header, "Access-Control-Allow-Headers")))
		withSession := append(preflightHeaders[:len(preflightHeaders):len(preflightHeaders)], "mcp-session-id")
		if !allows(resp.header, "mcp-session-id") {
			resp, err = preflight(withSession)
		}
		if err != nil || !allows(resp.header, "mcp-session-id") {
			r.warn("cors.session_header", "the preflight does not allow Mcp-Session-Id: browser clients of a server with sessions fail on their second request",
				"add Mcp-Session-Id to Access-Control-Allow-Headers (and to Access-Control-Expose-Headers)")
		} else {
			r.pass("cors.session_header", "Mcp-Session-Id allowed")
		}
	}

	h := rpcHeaders()
	h.Set("Origin", origin)
	resp, err = r.send(ctx, http.MethodPost, r.opts.URL, initializeBody(), h)
	switch {
	case err != nil:
		r.fail("cors.expose", err.Error(), "")
	case resp.status == http.StatusForbidden:
		r.fail("cors.expose", fmt.Sprintf("a POST with Origin %s got 403: the server refuses the origin", origin),
			fmt.Sprintf("allow %s on the server (create-mcp-auth servers: ALLOWED_ORIGINS)", origin))
	case resp.status != http.StatusUnauthorized:
		r.fail("cors.expose", fmt.Sprintf("a POST without a token but with Origin %s got %s, not 401", origin, statusText(resp.status)),
			"answer it like any request without a token: 401 with the Bearer challenge")
	case !originAllowed(resp.header, origin):
		r.fail("cors.expose", fmt.Sprintf("the 401 has no Access-Control-Allow-Origin for %s, so a browser client cannot read it at all and never starts OAuth", origin),
			fmt.Sprintf("send Access-Control-Allow-Origin: %s and Access-Control-Expose-Headers: WWW-Authenticate on 401 and 403 answers too, not only on success", origin))
	case !exposes(resp.header, "www-authenticate"):
		r.fail("cors.expose", fmt.Sprintf("the 401 does not list WWW-Authenticate in Access-Control-Expose-Headers (%s), so browser clients cannot read resource_metadata and never start OAuth", shown(resp.header, "Access-Control-Expose-Headers")),
			"send Access-Control-Expose-Headers: WWW-Authenticate, Mcp-Session-Id on every answer of the MCP endpoint, 401 and 403 included")
	default:
		r.pass("cors.expose", "Access-Control-Expose-Headers: "+headerList(resp.header, "Access-Control-Expose-Headers"))
	}
}

// preflightProblem says what makes a browser refuse the preflight answer
// (Fetch standard, CORS-preflight fetch), with the fix.
func preflightProblem(resp *response, origin string, headers []string) (problem, fix string) {
	switch {
	case resp.status == http.StatusUnauthorized:
		return "the preflight got 401: preflights never carry credentials", "answer OPTIONS before authentication"
	case resp.status == http.StatusForbidden:
		return fmt.Sprintf("the preflight from %s got 403: the server refuses the origin", origin),
			fmt.Sprintf("allow %s on the server (create-mcp-auth servers: ALLOWED_ORIGINS)", origin)
	case resp.status < 200 || resp.status > 299:
		return fmt.Sprintf("the preflight got %s, not 2xx", statusText(resp.status)),
			"answer OPTIONS on the MCP endpoint with 204 and the Access-Control-Allow-* headers"
	case !originAllowed(resp.header, origin):
		return fmt.Sprintf("the preflight answer has Access-Control-Allow-Origin %q, not %s", resp.header.Get("Access-Control-Allow-Origin"), origin),
			fmt.Sprintf("answer with Access-Control-Allow-Origin: %s for allowed origins", origin)
	}
	// POST is a CORS-safelisted method: it needs no Allow-Methods entry,
	// but a list that names others and not POST is still a mistake.
	if m := headerList(resp.header, "Access-Control-Allow-Methods"); m != "" && !listHas(m, "post") && !listHas(m, "*") {
		return "Access-Control-Allow-Methods (" + m + ") does not include POST", "add POST to Access-Control-Allow-Methods"
	}
	var missing []string
	for _, h := range headers {
		if !allows(resp.header, h) {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("Access-Control-Allow-Headers (%s) lacks %s", shown(resp.header, "Access-Control-Allow-Headers"), strings.Join(missing, ", ")),
			"allow Authorization, Content-Type, MCP-Protocol-Version and Mcp-Session-Id in Access-Control-Allow-Headers (a * does not cover Authorization)"
	}
	return "", ""
}

// originAllowed reports whether the answer lets origin read it.
func originAllowed(h http.Header, origin string) bool {
	o := h.Get("Access-Control-Allow-Origin")
	return o == "*" || o == origin
}

// allows reports whether Access-Control-Allow-Headers covers name; "*"
// covers every header but Authorization.
func allows(h http.Header, name string) bool {
	l := headerList(h, "Access-Control-Allow-Headers")
	return listHas(l, name) || (name != "authorization" && listHas(l, "*"))
}

// exposes reports whether Access-Control-Expose-Headers covers name.
func exposes(h http.Header, name string) bool {
	l := headerList(h, "Access-Control-Expose-Headers")
	return listHas(l, name) || listHas(l, "*")
}

// headerList joins every line of a list-valued header.
func headerList(h http.Header, name string) string {
	return strings.Join(h.Values(name), ", ")
}

// shown is headerList for a message: "(absent)" when there is none.
func shown(h http.Header, name string) string {
	if l := headerList(h, name); l != "" {
		return l
	}
	return "absent"
}

// listHas reports whether a comma-separated list holds item, ignoring case.
func listHas(list, item string) bool {
	for e := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(e), item) {
			return true
		}
	}
	return false
}
