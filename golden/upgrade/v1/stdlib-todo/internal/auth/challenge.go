package auth

import (
	"encoding/json"
	"net/http"
	"strings"
)

// OAuth error codes (RFC 6750 §3.1) used in challenges and JSON bodies.
const (
	codeInvalidRequest    = "invalid_request"
	codeInvalidToken      = "invalid_token"
	codeInsufficientScope = "insufficient_scope"
)

// A challenge is one WWW-Authenticate: Bearer challenge (RFC 6750 §3,
// RFC 9728 §5.1).
type challenge struct {
	// ResourceMetadata is the absolute URL of the protected resource
	// metadata; MCP clients start authorization from it.
	ResourceMetadata string
	// Scope is the space-separated scope list the request needs.
	Scope string
	// Error is an RFC 6750 error code. It must be empty when the request
	// carried no credentials (RFC 6750 §3.1).
	Error            string
	ErrorDescription string
}

// String renders the challenge, for example
//
//	Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="todo:read todo:write"
func (c challenge) String() string {
	var b strings.Builder
	b.WriteString("Bearer")
	sep := " "
	param := func(name, value string) {
		if value == "" {
			return
		}
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteByte('=')
		writeQuoted(&b, value)
		sep = ", "
	}
	param("resource_metadata", c.ResourceMetadata)
	param("scope", c.Scope)
	param("error", c.Error)
	param("error_description", descriptionChars(c.ErrorDescription))
	return b.String()
}

// writeQuoted writes s as an RFC 9110 §5.6.4 quoted-string: '"' and '\' are
// escaped with '\'; control characters other than tab, which no escape can
// carry, become spaces. (Go's %q is not this syntax: it would write \n or
// \u00e9 escapes that HTTP parsers read differently.)
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte('"')
}

// descriptionChars keeps to the characters RFC 6750 §3 allows in
// error_description: printable ASCII except '"' and '\'.
func descriptionChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '\''
		}
		return r
	}, s)
}

// errorBody is the JSON body of every refusal, shaped like an OAuth error
// response (RFC 6749 §5.2).
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// writeError sends status with a JSON error body. Responses carrying
// authorization outcomes must not be cached (RFC 6750 §5.3).
func writeError(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: code, ErrorDescription: description})
}
