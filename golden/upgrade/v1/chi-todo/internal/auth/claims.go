package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// accessClaims is the payload of a JWT access token, as far as this server
// reads it.
type accessClaims struct {
	jwt.RegisteredClaims

	// Authorization servers disagree on where scopes go: RFC 8693/9068 use a
	// space-separated "scope" string, Azure AD and Okta use "scp", others
	// "scopes". Each may be a string or an array; the union counts.
	Scope  scopeList `json:"scope,omitempty"`
	Scp    scopeList `json:"scp,omitempty"`
	Scopes scopeList `json:"scopes,omitempty"`

	ClientID string `json:"client_id,omitempty"`
	AZP      string `json:"azp,omitempty"`
}

// token converts verified claims into a Token.
func (c *accessClaims) token() *Token {
	t := &Token{
		Subject:  c.Subject,
		ClientID: c.ClientID,
		Issuer:   c.Issuer,
	}
	if t.ClientID == "" {
		t.ClientID = c.AZP
	}
	if c.ExpiresAt != nil {
		t.Expiry = c.ExpiresAt.Time
	}
	for _, list := range [][]string{c.Scope, c.Scp, c.Scopes} {
		for _, s := range list {
			if !slices.Contains(t.Scopes, s) {
				t.Scopes = append(t.Scopes, s)
			}
		}
	}
	return t
}

// scopeList decodes a scope claim given either as a space-separated string
// or as an array of strings.
type scopeList []string

func (l *scopeList) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*l = nil
	case string:
		*l = strings.Fields(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return fmt.Errorf("scope claim holds a %T, want strings", item)
			}
			out = append(out, strings.Fields(s)...)
		}
		*l = out
	default:
		return fmt.Errorf("scope claim is a %T, want a string or an array of strings", v)
	}
	return nil
}

var (
	errIssuer   = errors.New("token issuer is not accepted")
	errAudience = errors.New("token audience does not include this resource")
)

// checkIssuer requires iss to equal one of the accepted issuers exactly
// (RFC 8725 §3.8: no normalisation).
func checkIssuer(c *accessClaims, accepted []string) error {
	if !slices.Contains(accepted, c.Issuer) {
		return errIssuer
	}
	return nil
}

// checkAudience requires one of the token's audiences to be an accepted one
// (RFC 8707, MCP authorization §Token Audience Binding). A trailing slash is
// the one difference tolerated, because authorization servers are
// inconsistent about it when echoing a resource URL.
func checkAudience(c *accessClaims, accepted []string) error {
	for _, got := range c.Audience {
		for _, want := range accepted {
			if strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/") {
				return nil
			}
		}
	}
	return errAudience
}
