package golden

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// severalIssuers runs the server accepting a second issuer (ISSUER_2_URL),
// as during a move between environments or providers: each issuer's tokens
// run the tools when signed with its own keys, a token claiming one issuer
// but signed with the other's key is refused, and the metadata lists both
// authorization servers, or only the first with ISSUER_2_ADVERTISE=false.
func severalIssuers(t *testing.T, bin string, spec *generator.Spec) {
	first, second := newIssuer(t), newIssuer(t)
	port := freePort(t)
	resource := resourceURL(spec, port)
	srv := launch(t, bin, port, resource, first.URL(), "res_golden",
		"ISSUER_2_URL="+second.URL(), "ISSUER_2_JWKS_URL="+second.URL()+"/keys")
	tool := spec.Tools[0]
	claims := func(sub string) map[string]any {
		return map[string]any{"aud": resource, "sub": sub, "scope": strings.Join(tool.Scopes, " ")}
	}

	for _, iss := range []*issuer{first, second} {
		sub := srv.newSub()
		r := srv.send(t, "POST", resource, callBody(tool.Name), bearer(iss.mint(t, claims(sub), nil)))
		r.wantToolRun(t, tool.Name, sub)
	}

	// Claims the second issuer, signed with the first one's key.
	sub := srv.newSub()
	c := claims(sub)
	c["iss"] = second.URL()
	firstKey, _ := first.signingKey()
	r := srv.send(t, "POST", resource, callBody(tool.Name), bearer(first.mint(t, c, firstKey)))
	if r.status != 401 {
		t.Errorf("token naming the second issuer, signed by the first: want 401\n%s", r)
	}
	r.wantNoToolRun(t, sub)

	var prm struct {
		AuthorizationServers []string `json:"authorization_servers"`
	}
	r = srv.send(t, "GET", srv.prm, "", nil)
	if err := json.Unmarshal([]byte(r.body), &prm); err != nil {
		t.Fatal(err)
	}
	if want := []string{first.URL() + "/resources/res_golden", second.URL()}; !slices.Equal(prm.AuthorizationServers, want) {
		t.Errorf("authorization_servers = %q, want %q", prm.AuthorizationServers, want)
	}

	port = freePort(t)
	resource = resourceURL(spec, port)
	quiet := launch(t, bin, port, resource, first.URL(), "res_golden",
		"ISSUER_2_URL="+second.URL(), "ISSUER_2_JWKS_URL="+second.URL()+"/keys", "ISSUER_2_ADVERTISE=false")
	r = quiet.send(t, "GET", quiet.prm, "", nil)
	if err := json.Unmarshal([]byte(r.body), &prm); err != nil {
		t.Fatal(err)
	}
	if want := []string{first.URL() + "/resources/res_golden"}; !slices.Equal(prm.AuthorizationServers, want) {
		t.Errorf("with ISSUER_2_ADVERTISE=false: authorization_servers = %q, want %q", prm.AuthorizationServers, want)
	}
	sub = quiet.newSub()
	r = quiet.send(t, "POST", resource, callBody(tool.Name), bearer(second.mint(t, map[string]any{"aud": resource, "sub": sub, "scope": strings.Join(tool.Scopes, " ")}, nil)))
	r.wantToolRun(t, tool.Name, sub)
}
