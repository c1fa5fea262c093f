package golden

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/devauth"
)

// probeDevAuth runs the generated server against `create-mcp-auth
// dev-auth`, configured only through SCALEKIT_ENVIRONMENT_URL and
// SCALEKIT_RESOURCE_ID as its README says, and checks that the server
// points clients at dev-auth and accepts its tokens, tool by tool.
func probeDevAuth(t *testing.T, bin string, spec *generator.Spec) {
	port := freePort(t)
	resource := resourceURL(spec, port)
	das, issuer := startDevAuth(t, spec, resource)
	srv := launch(t, bin, port, resource, issuer, "res_dev")

	// Discovery: the server's metadata names dev-auth's per-resource
	// authorization server, and dev-auth serves that server's metadata.
	var prm struct {
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(t, srv.prm, &prm)
	if len(prm.AuthorizationServers) != 1 || prm.AuthorizationServers[0] != das.ResourceIssuer() {
		t.Fatalf("authorization_servers = %q, want [%q]", prm.AuthorizationServers, das.ResourceIssuer())
	}
	as, _ := url.Parse(prm.AuthorizationServers[0])
	var asMeta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSON(t, issuer+"/.well-known/oauth-authorization-server"+as.Path, &asMeta)
	if asMeta.Issuer != das.ResourceIssuer() {
		t.Fatalf("dev-auth metadata issuer = %q, want %q", asMeta.Issuer, das.ResourceIssuer())
	}

	mint := func(t *testing.T, scopes []string) string { return mintDevAuth(t, asMeta.TokenEndpoint, scopes) }
	for _, tool := range spec.Tools {
		t.Run(tool.Name, func(t *testing.T) {
			r := srv.send(t, "POST", resource, callBody(tool.Name), bearer(mint(t, tool.Scopes)))
			r.wantToolRun(t, tool.Name, devauth.MachineClientID)
			if len(tool.Scopes) == 0 {
				return
			}
			r = srv.send(t, "POST", resource, callBody(tool.Name), bearer(mint(t, nil)))
			if r.status != http.StatusForbidden || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
				t.Errorf("a dev-auth token without %v: want 403 insufficient_scope\n%s", tool.Scopes, r)
			}
		})
	}
}

// devAuthSecret is the machine client secret of the dev-auth the golden
// tests start.
const devAuthSecret = "golden-machine-client-secret"

// startDevAuth starts an in-process dev-auth on loopback that issues tokens
// for resource with the spec's scopes; issuer is its base URL.
func startDevAuth(t *testing.T, spec *generator.Spec, resource string) (das *devauth.Server, issuer string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer = "http://" + ln.Addr().String()
	cfg := devauth.Config{Issuer: issuer, Resource: resource, ResourceID: "res_dev", Key: newKey(t), MachineSecret: devAuthSecret}
	for _, sc := range spec.Scopes {
		cfg.Scopes = append(cfg.Scopes, devauth.Scope{Name: sc.Name, Description: sc.Description})
	}
	das, err = devauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(das)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return das, issuer
}

// mintDevAuth gets a token with scopes from dev-auth's machine client.
func mintDevAuth(t *testing.T, tokenEndpoint string, scopes []string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}}
	req, _ := http.NewRequest("POST", tokenEndpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(devauth.MachineClientID, devAuthSecret)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	if resp.StatusCode != 200 || tr.AccessToken == "" {
		t.Fatalf("dev-auth token: %s %s", resp.Status, tr.Error)
	}
	return tr.AccessToken
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := httpClient.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
