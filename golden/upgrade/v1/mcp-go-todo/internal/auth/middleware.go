package auth

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// bodyReadTimeout bounds reading a request body, so that a client trickling
// bytes cannot hold a connection open indefinitely.
const bodyReadTimeout = 30 * time.Second

// authenticate requires a valid bearer token and stores it in the context.
func (g *Guard) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := bearerToken(r)
		if err != nil {
			if errors.Is(err, errNoCredentials) {
				// RFC 6750 §3.1: no error code when no credentials were sent.
				g.deny(w, r, denial{status: http.StatusUnauthorized, reason: "no_credentials", challenge: true})
			} else {
				g.deny(w, r, denial{status: http.StatusBadRequest, reason: "malformed_credentials", challenge: true,
					code: codeInvalidRequest, description: err.Error()})
			}
			return
		}
		tok, err := g.verifier.Verify(r.Context(), raw)
		if err != nil {
			var invalid *InvalidTokenError
			switch {
			case errors.As(err, &invalid):
				g.deny(w, r, denial{status: http.StatusUnauthorized, reason: "invalid_token", challenge: true,
					code: codeInvalidToken, description: invalid.Description, err: invalid.Err})
			default:
				// Fail closed, but do not blame the token: the client should
				// retry, not re-authorize.
				w.Header().Set("Retry-After", g.retryAfter)
				g.deny(w, r, denial{status: http.StatusServiceUnavailable, reason: "keys_unavailable",
					code: "temporarily_unavailable", description: "cannot verify access tokens right now; retry later", err: err})
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), tok)))
	})
}

var errNoCredentials = errors.New("no bearer credentials")

// bearerToken extracts the token from the one Authorization header (RFC 6750
// §2.1). The scheme is matched case-insensitively (RFC 9110 §11.1); another
// scheme counts as no credentials.
func bearerToken(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", errNoCredentials
	case len(values) > 1:
		return "", errors.New("send exactly one Authorization header")
	}
	scheme, token, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNoCredentials
	}
	token = strings.TrimLeft(token, " ")
	if !isToken68(token) {
		return "", errors.New(`the Authorization header must be "Bearer <token>"`)
	}
	return token, nil
}

// isToken68 checks RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_"
// / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// refuseQueryToken answers 400 invalid_request when a token is sent in the
// URL. RFC 6750 §2.3 allows it, but URLs end up in logs, browser history and
// Referer headers, and OAuth 2.1 and the MCP specification forbid it. (A
// token in a form body is never read, so such a request is simply
// unauthenticated.)
func (g *Guard) refuseQueryToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" && r.URL.Query().Has("access_token") {
			g.deny(w, r, denial{status: http.StatusBadRequest, reason: "token_in_query", challenge: true,
				code: codeInvalidRequest, description: "access tokens are accepted only in the Authorization header"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkToolScopes reads a POST body, refuses anything but one unambiguous
// JSON-RPC message, and answers a tools/call whose token lacks the tool's
// scopes with 403 insufficient_scope, naming the scopes to ask for (the MCP
// "step-up" flow). The body is restored for the next handler.
//
// The MCP library repeats the scope check where it dispatches the tool; this
// early check exists so that clients get the HTTP status and challenge they
// can act on.
func (g *Guard) checkToolScopes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			g.allowed(r, "")
			next.ServeHTTP(w, r)
			return
		}
		body, err := g.readBody(w, r)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				g.deny(w, r, denial{status: http.StatusRequestEntityTooLarge, reason: "body_too_large",
					code: codeInvalidRequest, description: "the request body is too large"})
			} else {
				g.deny(w, r, denial{status: http.StatusBadRequest, reason: "body_unreadable",
					code: codeInvalidRequest, description: "the request body could not be read", err: err})
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		msg, err := parseMessage(body)
		if err == nil {
			err = checkStandardHeaders(r.Header, r.Header.Get("MCP-Protocol-Version"), msg)
		}
		if err != nil {
			g.deny(w, r, denial{status: http.StatusBadRequest, reason: "ambiguous_message",
				code: codeInvalidRequest, description: err.Error()})
			return
		}
		tool := msg.Tool
		if msg.IsCall {
			var granted []string
			if tok := FromContext(r.Context()); tok != nil {
				granted = tok.Scopes
			}
			// Tools missing from the table are left to the dispatcher, which
			// either does not know them or refuses them.
			if required, listed := g.policy.Required(tool); listed {
				if missing := g.policy.Missing(required, granted); len(missing) > 0 {
					g.deny(w, r, denial{status: http.StatusForbidden, reason: "insufficient_scope", challenge: true,
						code: codeInsufficientScope, scope: strings.Join(stepUpScopes(r, granted, required), " "), tool: tool,
						description: "the " + tool + " tool needs scope " + strings.Join(missing, " ")})
					return
				}
			}
		}
		g.allowed(r, tool)
		next.ServeHTTP(w, r)
	})
}

// stepUpScopes is the scope of a 403 challenge: the scopes to ask for.
//
// Clients of MCP protocol versions before 2026-07-28 replace the scopes
// they ask for with the challenge's, so the 2025-11-25 specification
// ("Scope Challenge Handling") recommends that the challenge also name the
// scopes the token already has; otherwise a client that steps up for one
// tool loses the others. From 2026-07-28 on clients accumulate scopes
// themselves (SEP-2350) and the challenge names only what the call
// requires, as RFC 6750 section 3.1 defines it.
func stepUpScopes(r *http.Request, granted, required []string) []string {
	if r.Header.Get("MCP-Protocol-Version") >= minVersionForScopeAccumulation {
		return required
	}
	scopes := slices.Clone(granted)
	for _, s := range required {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

// minVersionForScopeAccumulation is the first MCP protocol version whose
// clients keep their scopes across a step-up.
const minVersionForScopeAccumulation = "2026-07-28"

// allowed logs, at debug level, a request that passed every check.
func (g *Guard) allowed(r *http.Request, tool string) {
	if !g.logger.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("remote_addr", r.RemoteAddr)}
	if tok := FromContext(r.Context()); tok != nil {
		attrs = append(attrs, slog.String("sub", tok.Subject), slog.String("client_id", tok.ClientID))
	}
	if tool != "" {
		attrs = append(attrs, slog.String("tool", tool))
	}
	g.logger.LogAttrs(r.Context(), slog.LevelDebug, "request allowed", attrs...)
}

// readBody reads the whole body, up to the size limit and within
// bodyReadTimeout.
func (g *Guard) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	// Not every ResponseWriter supports deadlines (httptest's does not);
	// without one the read is still bounded in size.
	if rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) == nil {
		defer rc.SetReadDeadline(time.Time{})
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, g.maxBody))
}

// A denial is one refused request.
type denial struct {
	status      int
	reason      string // for the audit log
	challenge   bool   // send WWW-Authenticate: the refusal is about the token
	code        string // OAuth error code; empty when no credentials were sent
	description string
	scope       string // overrides the challenge's scope
	tool        string
	err         error // cause, for the audit log only
}

// deny answers a refused request and writes its audit line.
func (g *Guard) deny(w http.ResponseWriter, r *http.Request, d denial) {
	if d.challenge {
		c := g.challenge()
		if d.scope != "" {
			c.Scope = d.scope
		}
		c.Error, c.ErrorDescription = d.code, d.description
		w.Header().Set("WWW-Authenticate", c.String())
	}
	code, description := d.code, d.description
	if code == "" {
		code, description = "unauthorized", "this endpoint needs an OAuth access token; see "+g.metadataURL
	}
	writeError(w, d.status, code, description)
	g.audit(r, d)
}

// audit logs a denial. It never logs the token, only who it claimed to be
// when it was valid.
func (g *Guard) audit(r *http.Request, d denial) {
	level := slog.LevelWarn
	switch d.reason {
	case "no_credentials":
		level = slog.LevelInfo // the first step of every OAuth flow
	case "keys_unavailable":
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("reason", d.reason),
		slog.Int("status", d.status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("remote_addr", r.RemoteAddr),
	}
	if tok := FromContext(r.Context()); tok != nil {
		attrs = append(attrs, slog.String("sub", tok.Subject), slog.String("client_id", tok.ClientID))
	}
	if d.tool != "" {
		attrs = append(attrs, slog.String("tool", d.tool))
	}
	if d.description != "" {
		attrs = append(attrs, slog.String("detail", d.description))
	}
	if d.err != nil {
		attrs = append(attrs, slog.String("error", d.err.Error()))
	}
	g.logger.LogAttrs(r.Context(), level, "request denied", attrs...)
}
