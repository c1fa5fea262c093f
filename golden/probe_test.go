package golden

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
)

// server is a generated project's binary running on loopback.
type server struct {
	resource string // MCP_SERVER_URL: the endpoint and expected audience
	prm      string // path-inserted protected-resource metadata URL
	logs     *strings.Builder
}

// probe builds the case's binary, starts it against an in-test issuer and
// checks the resource-server contract over real HTTP.
func probe(t *testing.T, name string) {
	spec := loadSpec(t, name)
	iss := newIssuer(t)
	srv := start(t, name, spec, iss)

	t.Run("protected resource metadata", func(t *testing.T) {
		for _, u := range []string{srv.prm, origin(srv.resource) + "/.well-known/oauth-protected-resource"} {
			var prm struct {
				Resource             string   `json:"resource"`
				AuthorizationServers []string `json:"authorization_servers"`
				ScopesSupported      []string `json:"scopes_supported"`
				BearerMethods        []string `json:"bearer_methods_supported"`
			}
			resp := get(t, u)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d", u, resp.StatusCode)
			}
			json.NewDecoder(resp.Body).Decode(&prm)
			resp.Body.Close()
			wantAS := iss.URL() + "/resources/res_golden"
			if prm.Resource != srv.resource || len(prm.AuthorizationServers) != 1 || prm.AuthorizationServers[0] != wantAS ||
				len(prm.ScopesSupported) != len(spec.Scopes) || fmt.Sprint(prm.BearerMethods) != "[header]" {
				t.Errorf("GET %s = %+v, want resource %s, authorization server %s, %d scopes", u, prm, srv.resource, wantAS, len(spec.Scopes))
			}
		}
	})

	tool := spec.Tools[0]
	call := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":%q,"arguments":{}}}`, tool.Name)

	t.Run("no token: 401 challenge without error", func(t *testing.T) {
		resp := post(t, srv.resource, "", call)
		www := resp.Header.Get("WWW-Authenticate")
		if resp.StatusCode != 401 || !strings.Contains(www, `resource_metadata="`+srv.prm+`"`) || !strings.Contains(www, `scope="`) || strings.Contains(www, "error=") {
			t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, www)
		}
	})

	t.Run("forged token: 401 invalid_token", func(t *testing.T) {
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		tok := iss.mint(t, map[string]any{"aud": srv.resource, "scope": strings.Join(tool.Scopes, " ")}, other)
		resp := post(t, srv.resource, tok, call)
		if www := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(www, `error="invalid_token"`) {
			t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, www)
		}
	})

	t.Run("valid token runs the tool", func(t *testing.T) {
		tok := iss.mint(t, map[string]any{"aud": srv.resource, "scope": strings.Join(tool.Scopes, " "), "sub": "user_probe"}, nil)
		resp := post(t, srv.resource, tok, call)
		body := readRPC(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, tool.Name) || !strings.Contains(body, "user_probe") {
			t.Errorf("status %d, body %s\nserver log:\n%s", resp.StatusCode, body, srv.logs)
		}
	})

	if len(tool.Scopes) > 0 {
		t.Run("missing scope: 403 insufficient_scope", func(t *testing.T) {
			tok := iss.mint(t, map[string]any{"aud": srv.resource, "scope": "unrelated"}, nil)
			resp := post(t, srv.resource, tok, call)
			www := resp.Header.Get("WWW-Authenticate")
			if resp.StatusCode != 403 || !strings.Contains(www, `error="insufficient_scope"`) || !strings.Contains(www, tool.Scopes[0]) {
				t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, www)
			}
		})
	}
}

func loadSpec(t *testing.T, name string) *generator.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(name, generator.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := generator.ParseSpec(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// start builds and runs the project's server on a free loopback port, with
// the issuer standing in for the Scalekit environment.
func start(t *testing.T, dir string, spec *generator.Spec, iss *issuer) *server {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "server")
	goCmd(t, dir, "build", "-o", bin, ".")

	port := freePort(t)
	u, _ := url.Parse(spec.ServerURL)
	resource := fmt.Sprintf("http://127.0.0.1:%d%s", port, u.Path)
	srv := &server{resource: resource, prm: prmURL(resource), logs: new(strings.Builder)}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = t.TempDir() // no .env from the project directory
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("PORT=%d", port),
		"MCP_SERVER_URL="+resource,
		"AUTH_PROVIDER=scalekit",
		"SCALEKIT_ENVIRONMENT_URL="+iss.URL(),
		"SCALEKIT_RESOURCE_ID=res_golden",
		"LOG_LEVEL=debug",
	)
	cmd.Stdout, cmd.Stderr = srv.logs, srv.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", srv.logs)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return srv
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v\nlog:\n%s", err, srv.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// prmURL is the path-inserted metadata URL of RFC 9728 §3.1.
func prmURL(resource string) string {
	u, _ := url.Parse(resource)
	return origin(resource) + "/.well-known/oauth-protected-resource" + strings.TrimSuffix(u.Path, "/")
}

func origin(resource string) string {
	u, _ := url.Parse(resource)
	return u.Scheme + "://" + u.Host
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func post(t *testing.T, u, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readRPC returns the JSON-RPC message of a response, whether it came as
// plain JSON or as one server-sent event.
func readRPC(t *testing.T, resp *http.Response) string {
	t.Helper()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return data
		}
	}
	return ""
}
