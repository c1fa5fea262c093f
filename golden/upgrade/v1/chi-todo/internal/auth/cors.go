package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CORS header values for the MCP endpoint. Exposed headers must be listed
// for browser clients to read them, including on 401 and 403 answers, where
// WWW-Authenticate starts the authorization flow.
const (
	corsAllowMethods  = "GET, POST, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID"
	corsExposeHeaders = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version"
	corsMaxAge        = "7200"
)

// checkOrigin validates the Origin header of browser requests and answers
// CORS preflights, before authentication (preflights carry no credentials).
//
// A request with an Origin other than the resource's own and those in
// ALLOWED_ORIGINS is refused with 403: this is what stops a web page, or a
// DNS-rebinding attack against a server on localhost, from driving the MCP
// endpoint through a user's browser (MCP transports §Security Warning).
// Requests without Origin come from non-browser clients and pass.
func (g *Guard) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origins := r.Header.Values("Origin")
		if len(origins) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if len(origins) > 1 || !g.originAllowed(origins[0]) {
			g.deny(w, r, denial{status: http.StatusForbidden, reason: "origin_not_allowed",
				code: "forbidden", description: "requests from this origin are not allowed; add it to ALLOWED_ORIGINS"})
			return
		}
		h.Set("Access-Control-Allow-Origin", origins[0])
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (g *Guard) originAllowed(origin string) bool {
	o, err := NormalizeOrigin(origin)
	return err == nil && (o == g.origin || g.allowedOrigins[o])
}

// NormalizeOrigin returns origin as browsers serialise it (RFC 6454 §6.1):
// lower-case scheme and host, no default port, no path.
func NormalizeOrigin(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.User != nil || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin; write scheme://host[:port], e.g. https://app.example.com", origin)
	}
	return originOf(u), nil
}

// originOf returns the origin of u.
func originOf(u *url.URL) string {
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
