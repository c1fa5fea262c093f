package doctor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/go-jose/go-jose/v3/jwt"
)

// tokenChecks are the claim checks after token.format.
var tokenChecks = []string{"token.signature", "token.iss", "token.aud", "token.exp", "token.nbf", "token.scope"}

// scopeClaims are the claims scopes come in: RFC 9068's "scope" string, or
// the "scp"/"scopes" lists some servers use.
type scopeClaims struct {
	Scope  any `json:"scope"`
	Scp    any `json:"scp"`
	Scopes any `json:"scopes"`
}

// token decodes the access token and checks its signature and claims
// against what the discovery chain found. Nothing of the token itself is
// ever written into the report.
func (r *run) token() {
	tok, err := jwt.ParseSigned(r.opts.Token)
	var claims jwt.Claims
	var sc scopeClaims
	if err == nil {
		err = tok.UnsafeClaimsWithoutVerification(&claims, &sc)
	}
	if err != nil {
		r.warn("token.format", "not a signed JWT (an opaque token, or malformed): only the MCP server can judge it",
			"if the authorization server should issue JWT access tokens (RFC 9068), check its token format setting")
		r.skip("skipped: not a JWT", tokenChecks...)
		return
	}
	hdr := tok.Headers[0]
	r.pass("token.format", fmt.Sprintf("JWT, alg %s, kid %q", hdr.Algorithm, hdr.KeyID))

	as, how := r.issuerOf(claims.Issuer)
	r.checkSignature(tok, hdr, as)
	r.checkIssuer(claims.Issuer, as, how)
	r.checkAudience(claims.Audience)
	r.checkLifetime(claims)
	r.checkScopes(sc)
}

// issuerOf finds the advertised authorization server whose issuer is iss.
// Scalekit's layout is recognised too: tokens name the environment
// (https://env) while the resource advertises the per-resource server
// https://env/resources/res_….
func (r *run) issuerOf(iss string) (*authServer, string) {
	for _, as := range r.servers {
		if as.meta != nil && as.meta.Issuer == iss && iss != "" {
			return as, "exact"
		}
	}
	for _, as := range r.servers {
		if rest, ok := strings.CutPrefix(as.id, iss+"/resources/"); ok && iss != "" && rest != "" && !strings.Contains(rest, "/") {
			return as, "scalekit"
		}
	}
	return nil, ""
}

func (r *run) checkSignature(tok *jwt.JSONWebToken, hdr jose.Header, as *authServer) {
	alg := hdr.Algorithm
	switch {
	case alg == "none" || alg == "":
		r.fail("token.signature", "the token is not signed (alg none)", "have the authorization server sign access tokens (RS256 or ES256)")
		return
	case strings.HasPrefix(alg, "HS"):
		r.fail("token.signature", "the token is signed with "+alg+", a shared secret: a resource server cannot verify it with public keys",
			"have the authorization server sign access tokens with an asymmetric key (RS256, ES256) published in its JWKS")
		return
	case as == nil || as.meta == nil || r.keys[as.meta.JWKSURI] == nil:
		r.skip("skipped: no key set of an authorization server matching the token's iss", "token.signature")
		return
	}
	ks := r.keys[as.meta.JWKSURI]
	candidates := ks.usable
	if hdr.KeyID != "" {
		candidates = nil
		for _, k := range ks.usable {
			if k.KeyID == hdr.KeyID {
				candidates = append(candidates, k)
			}
		}
	}
	if len(candidates) == 0 {
		r.add("token.signature", Fail, "", fmt.Sprintf("signed with kid %q, which is not in the key set at %s: the token comes from another authorization server or environment, or its key was rotated out", hdr.KeyID, ks.uri),
			"get a new token from the authorization server the metadata advertises ("+as.id+")")
		return
	}
	for _, k := range candidates {
		if err := tok.Claims(k.Key, new(map[string]any)); err == nil {
			r.pass("token.signature", fmt.Sprintf("%s, kid %q, verified with %s", alg, k.KeyID, ks.uri))
			return
		}
	}
	r.add("token.signature", Fail, "", fmt.Sprintf("the signature does not verify against the key set at %s (kid %q, %s): the token is forged, altered, or signed by a key the set does not publish", ks.uri, hdr.KeyID, alg),
		"get a new token from "+as.id+"; if that fails too, the authorization server signs with a key it does not publish")
}

func (r *run) checkIssuer(iss string, as *authServer, how string) {
	advertised := make([]string, 0, len(r.servers))
	for _, s := range r.servers {
		advertised = append(advertised, s.id)
	}
	switch {
	case iss == "":
		r.fail("token.iss", "the token has no iss claim", "have the authorization server put its issuer in iss (RFC 9068 §2.2)")
	case how == "exact":
		r.pass("token.iss", iss)
	case how == "scalekit":
		r.pass("token.iss", fmt.Sprintf("%s: the environment of the per-resource authorization server %s (Scalekit's layout)", iss, as.id))
	default:
		r.fail("token.iss", fmt.Sprintf("iss %s is none of the advertised authorization servers (%s): clients get their tokens there, not here", iss, strings.Join(advertised, ", ")),
			"use a token from the advertised authorization server, or list the server that issued it in authorization_servers")
	}
}

func (r *run) checkAudience(aud jwt.Audience) {
	want := r.opts.URL
	var twin, resID string
	for _, a := range aud {
		if a == want {
			r.pass("token.aud", want)
			return
		}
		if slashTwin(a, want) {
			twin = a
		}
		if strings.HasPrefix(a, "res_") {
			resID = a
		}
	}
	switch {
	case len(aud) == 0:
		r.fail("token.aud", "the token has no aud claim: any resource server of the issuer would accept it",
			"have clients send resource="+want+" (RFC 8707) and the authorization server put it in aud")
	case twin != "":
		r.fail("token.aud", fmt.Sprintf("trailing slash mismatch: the token is for %s but the server is %s; a strict resource server refuses it", twin, want),
			fmt.Sprintf("register the server with the authorization server exactly as %s (Scalekit: Dashboard → MCP Servers → Server URL), or have the server accept %s", want, twin))
	case resID != "":
		r.fail("token.aud", fmt.Sprintf("aud is the Scalekit resource ID %s instead of the URL %s: Scalekit does this when the MCP server has no Server URL registered", resID, want),
			fmt.Sprintf("set Scalekit Dashboard → MCP Servers → your server → Server URL to %s, then get a new token", want))
	default:
		r.fail("token.aud", fmt.Sprintf("aud is %q, not %s: the token was minted for another resource", []string(aud), want),
			"have the client ask for resource="+want+" (RFC 8707), or register that URL as the resource with the authorization server")
	}
}

func (r *run) checkLifetime(c jwt.Claims) {
	now := r.opts.Now()
	switch {
	case c.Expiry == nil:
		r.fail("token.exp", "the token has no exp: it would never expire", "have the authorization server set exp on access tokens")
	case now.After(c.Expiry.Time()):
		r.fail("token.exp", fmt.Sprintf("expired %s ago (at %s)", ago(now.Sub(c.Expiry.Time())), c.Expiry.Time().UTC().Format(time.RFC3339)),
			"get a new token; clients refresh it with the refresh token, or start authorization again")
	default:
		r.pass("token.exp", fmt.Sprintf("expires in %s", ago(c.Expiry.Time().Sub(now))))
	}
	switch {
	case c.NotBefore == nil:
		r.pass("token.nbf", "no nbf")
	case now.Before(c.NotBefore.Time()):
		r.fail("token.nbf", fmt.Sprintf("not valid for another %s (nbf %s): is a clock wrong?", ago(c.NotBefore.Time().Sub(now)), c.NotBefore.Time().UTC().Format(time.RFC3339)),
			"check the clocks of this machine and of the authorization server (NTP)")
	default:
		r.pass("token.nbf", "valid since "+c.NotBefore.Time().UTC().Format(time.RFC3339))
	}
}

func (r *run) checkScopes(sc scopeClaims) {
	scopes := append(append(scopeList(sc.Scope), scopeList(sc.Scp)...), scopeList(sc.Scopes)...)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	var known []string
	if r.prm != nil {
		known = r.prm.ScopesSupported
	}
	var unknown []string
	for _, s := range scopes {
		if len(known) > 0 && !slices.Contains(known, s) {
			unknown = append(unknown, s)
		}
	}
	switch {
	case len(scopes) == 0:
		r.warn("token.scope", "the token carries no scope: a server with per-tool scopes refuses every tool", "ask for the scopes the server advertises")
	case len(unknown) > 0:
		r.warn("token.scope", fmt.Sprintf("scopes not in scopes_supported: %s (the token has: %s)", strings.Join(unknown, " "), strings.Join(scopes, " ")),
			"check the scope names with the authorization server, or add them to scopes_supported")
	default:
		r.pass("token.scope", strings.Join(scopes, " "))
	}
}

// scopeList reads a space-separated string or a list of strings.
func scopeList(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, strings.Fields(s)...)
			}
		}
		return out
	}
	return nil
}

// ago rounds d for a person: "3h12m", "45s".
func ago(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	return d.Round(time.Second).String()
}
