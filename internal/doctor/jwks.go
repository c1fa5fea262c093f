package doctor

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v3"
)

// keySet is a fetched JWKS: the keys usable to verify signatures.
type keySet struct {
	uri    string
	usable []jose.JSONWebKey
}

// keySets fetches and checks the JWKS of every authorization server,
// once per distinct jwks_uri.
func (r *run) keySets(ctx context.Context) {
	r.keys = map[string]*keySet{}
	for _, as := range r.servers {
		if as.meta == nil || checkServiceURL(as.meta.JWKSURI) != "" {
			continue
		}
		if _, done := r.keys[as.meta.JWKSURI]; !done {
			r.keys[as.meta.JWKSURI] = r.checkKeySet(ctx, as.meta.JWKSURI)
		}
	}
	if len(r.keys) == 0 {
		r.skip("skipped: no authorization server with a usable jwks_uri", "jwks.fetch", "jwks.signing_key", "jwks.kid")
	}
}

// checkKeySet fetches one JWKS and checks its keys.
func (r *run) checkKeySet(ctx context.Context, uri string) *keySet {
	res := func(id string, st Status, detail, fix string) { r.add(id, st, uri, detail, fix) }
	ks := &keySet{uri: uri}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	resp, err := r.getJSON(ctx, uri, &doc)
	switch {
	case err != nil:
		res("jwks.fetch", Fail, err.Error(), "serve the key set (JSON with a \"keys\" array) at "+uri+" without authentication")
	case doc.Keys == nil:
		err = fmt.Errorf("no \"keys\" array")
		res("jwks.fetch", Fail, uri+" is JSON but has no \"keys\" array (RFC 7517 §5)", "serve a JWK Set: {\"keys\": [ … ]}")
	case redirectNote(resp) != "":
		res("jwks.fetch", Warn, redirectNote(resp), "advertise the final URL as jwks_uri")
	default:
		res("jwks.fetch", Pass, fmt.Sprintf("%d key%s", len(doc.Keys), plural(len(doc.Keys))), "")
	}
	if err != nil {
		res("jwks.signing_key", Skip, "skipped: no key set", "")
		res("jwks.kid", Skip, "skipped: no key set", "")
		return ks
	}

	var usable, unusable, leaks []string
	noKID := 0
	for i, raw := range doc.Keys {
		var k jose.JSONWebKey
		name := fmt.Sprintf("key %d", i+1)
		if err := k.UnmarshalJSON(raw); err != nil {
			unusable = append(unusable, fmt.Sprintf("%s does not parse (%v)", name, strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")))
			continue
		}
		if k.KeyID != "" {
			name = "kid " + k.KeyID
		} else {
			noKID++
		}
		desc, why := describeKey(k)
		switch {
		case !k.IsPublic():
			leaks = append(leaks, name+" ("+desc+")")
		case why != "":
			unusable = append(unusable, name+" "+why)
		default:
			usable = append(usable, name+" ("+desc+")")
			ks.usable = append(ks.usable, k)
		}
	}
	detail := "usable: " + strings.Join(usable, ", ")
	if len(unusable) > 0 {
		detail += "; not usable: " + strings.Join(unusable, ", ")
	}
	switch {
	case len(leaks) > 0:
		res("jwks.signing_key", Fail, "the key set publishes secret key material: "+strings.Join(leaks, ", "),
			"remove private and symmetric keys from the JWKS at once and rotate them: anyone can mint tokens with them")
		ks.usable = nil
	case len(usable) == 0:
		res("jwks.signing_key", Fail, "no key can verify signatures: "+strings.Join(unusable, ", "),
			`publish the public signing key: RSA of at least 2048 bits or EC on P-256/P-384/P-521, with "use": "sig" or no "use"`)
	default:
		res("jwks.signing_key", Pass, detail, "")
	}
	if noKID > 0 {
		res("jwks.kid", Warn, fmt.Sprintf("%d key%s without kid: resource servers cannot pick the key for a token, nor rotate keys cleanly", noKID, plural(noKID)),
			`give every key a "kid" and put it in each token's header`)
	} else {
		res("jwks.kid", Pass, "every key has a kid", "")
	}
	return ks
}

// describeKey names a key's type and size, and says why it cannot verify
// access token signatures, if it cannot.
func describeKey(k jose.JSONWebKey) (desc, why string) {
	if k.Use != "" && k.Use != "sig" {
		why = fmt.Sprintf("is for %q, not signatures", k.Use)
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		desc = fmt.Sprintf("RSA %d", key.N.BitLen())
		if key.N.BitLen() < 2048 && why == "" {
			why = fmt.Sprintf("is RSA with %d bits, fewer than 2048", key.N.BitLen())
		}
	case *rsa.PrivateKey:
		desc = "RSA private key"
	case *ecdsa.PublicKey:
		desc = "EC " + key.Curve.Params().Name
	case *ecdsa.PrivateKey:
		desc = "EC private key"
	case ed25519.PublicKey:
		desc = "Ed25519"
	case ed25519.PrivateKey:
		desc = "Ed25519 private key"
	case []byte:
		desc = "symmetric key"
	default:
		desc, why = fmt.Sprintf("%T", k.Key), "is of an unknown type"
	}
	if k.Algorithm != "" {
		desc += ", " + k.Algorithm
	}
	return desc, why
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
