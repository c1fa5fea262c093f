package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"github.com/create-mcp-auth/create-mcp-auth/internal/devauth"
)

const devSecret = "cli-test-secret-0123456789abcdef"

// devAuth is dev-auth running in process.
type devAuth struct {
	issuer         string
	stdout, stderr *LockedBuffer
	cancel         context.CancelFunc
	exit           chan int
}

var listeningRe = regexp.MustCompile(`listening  (http://\S+) \(loopback only\)`)

// startDevAuth runs `create-mcp-auth dev-auth args...` in a goroutine and
// waits for the banner. It is stopped when the test ends.
func startDevAuth(t *testing.T, args ...string) *devAuth {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &devAuth{stdout: &LockedBuffer{}, stderr: &LockedBuffer{}, cancel: cancel, exit: make(chan int, 1)}
	go func() {
		d.exit <- Run(ctx, append([]string{"dev-auth"}, args...), strings.NewReader(""), d.stdout, d.stderr)
	}()
	t.Cleanup(func() { d.stop(t) })
	deadline := time.After(15 * time.Second)
	for {
		if m := listeningRe.FindStringSubmatch(d.stdout.String()); m != nil && strings.Contains(d.stdout.String(), "Mint a token") {
			d.issuer = m[1]
			return d
		}
		select {
		case code := <-d.exit:
			d.exit <- code
			t.Fatalf("dev-auth exited %d before listening\nstdout: %s\nstderr: %s", code, d.stdout, d.stderr)
		case <-deadline:
			t.Fatalf("no banner after 15 s\nstdout: %s\nstderr: %s", d.stdout, d.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels dev-auth's context and returns its exit code.
func (d *devAuth) stop(t *testing.T) int {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.exit:
		d.exit <- code // later calls see it too
		return code
	case <-time.After(10 * time.Second):
		t.Fatalf("dev-auth did not stop within 10 s of cancel")
		return -1
	}
}

// runCLI runs the command line in process with a timeout, so a command that
// wrongly starts serving cannot hang the test.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code = Run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// freePort is a loopback port nothing listens on (at the time of asking).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

// httpGetJSON fetches a JSON document.
func httpGetJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", u, err, body)
		}
	}
	return resp.StatusCode
}

// verifyToken checks a JWT against the issuer's /keys and returns its
// claims and header.
func verifyToken(t *testing.T, issuer, tok string) (map[string]any, jose.Header) {
	t.Helper()
	var set jose.JSONWebKeySet
	if code := httpGetJSON(t, issuer+"/keys", &set); code != http.StatusOK {
		t.Fatalf("/keys: %d", code)
	}
	jws, err := jose.ParseSigned(tok)
	if err != nil {
		t.Fatalf("not a JWS %q: %v", tok, err)
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in /keys", h.KeyID)
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	return claims, h
}

func audList(claims map[string]any) []string {
	var out []string
	switch v := claims["aud"].(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, a := range v {
			out = append(out, fmt.Sprint(a))
		}
	}
	return out
}

// TestDevAuthRefusesNonLoopback: dev-auth never binds a non-loopback
// address; the refusal is a usage error (exit 2) and nothing listens.
func TestDevAuthRefusesNonLoopback(t *testing.T) {
	t.Chdir(t.TempDir())
	port := freePort(t)
	for _, addr := range []string{
		"0.0.0.0:" + port,
		":" + port,
		"192.168.1.10:" + port,
		"[::]:" + port,
		"example.com:" + port,
		"127.0.0.1", // no port
	} {
		t.Run(addr, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "dev-auth", "--addr", addr, "--resource", "http://localhost:3002/mcp")
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, "--addr") {
				t.Errorf("stderr does not name --addr: %s", stderr)
			}
			if strings.Contains(stdout, "listening") {
				t.Errorf("printed a banner: %s", stdout)
			}
			if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
				c.Close()
				t.Errorf("something listens on port %s", port)
			}
		})
	}
	code, _, stderr := runCLI(t, "dev-auth", "--addr", "0.0.0.0:"+port, "--resource", "http://localhost:3002/mcp")
	if code != 2 || !strings.Contains(stderr, "loopback") {
		t.Errorf("exit %d; stderr does not explain loopback: %s", code, stderr)
	}
}

// TestDevAuthBadInput: missing or invalid configuration is exit 2 with a
// message naming the flag, before anything listens.
func TestDevAuthBadInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	port := freePort(t)
	addr := "127.0.0.1:" + port
	res := "http://localhost:3002/mcp"
	badManifest := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badManifest, []byte("version: 1\nserver_url: http://localhost:3002/mcp\nbogus_field: 1\n"), 0o644)
	wrongVersion := filepath.Join(dir, "v9.yaml")
	os.WriteFile(wrongVersion, []byte("version: 9\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no manifest and no --resource", nil, "--resource"},
		{"bad manifest", []string{"--config", badManifest}, "bogus_field"},
		{"manifest of another version", []string{"--config", wrongVersion}, "version"},
		{"missing --config file", []string{"--config", filepath.Join(dir, "nope.yaml"), "--resource", res}, "--config"},
		{"token ttl too short", []string{"--resource", res, "--token-ttl", "5s"}, "--token-ttl"},
		{"token ttl too long", []string{"--resource", res, "--token-ttl", "48h"}, "--token-ttl"},
		{"resource not a URL", []string{"--resource", "localhost:3002/mcp"}, "--resource"},
		{"resource with fragment", []string{"--resource", "http://localhost:3002/mcp#x"}, "--resource"},
		{"resource with query", []string{"--resource", "http://localhost:3002/mcp?a=1"}, "--resource"},
		{"bad resource id", []string{"--resource", res, "--resource-id", "abc"}, "--resource-id"},
		{"resource id with slash", []string{"--resource", res, "--resource-id", "res_a/b"}, "--resource-id"},
		{"scope with space", []string{"--resource", res, "--scopes", "a:read,a write"}, "--scopes"},
		{"user with space", []string{"--resource", res, "--users", "bob smith"}, "--users"},
		{"login URL off this machine", []string{"--resource", res, "--login-url", "https://login.example.com/login"}, "--login-url"},
		{"login URL with query", []string{"--resource", res, "--login-url", "http://localhost:3002/login?x=1"}, "--login-url"},
		{"resource ID for connection ID", []string{"--resource", res, "--login-url", "http://localhost:3002/login", "--connection-id", "res_dev"}, "not the connection ID"},
		{"unknown flag", []string{"--resource", res, "--nope"}, "--nope"},
		{"argument", []string{"--resource", res, "extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"dev-auth", "--addr", addr}, tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not mention %q:\n%s", tt.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				t.Errorf("something listens on %s", addr)
			}
		})
	}
}

// TestDevAuthAndToken runs dev-auth in process and mints tokens from it
// with the token command, as the banner tells users to.
func TestDevAuthAndToken(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(secretEnv, devSecret)
	d := startDevAuth(t, "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp", "--scopes", "a:read,a:write")

	banner := d.stdout.String()
	if !strings.HasPrefix(d.issuer, "http://127.0.0.1:") || strings.HasSuffix(d.issuer, ":0") {
		t.Fatalf("issuer %q", d.issuer)
	}
	for _, want := range []string{
		"DEVELOPMENT ONLY",
		"resource   http://localhost:3002/mcp (from --resource)",
		"scopes     a:read a:write offline_access",
		"SCALEKIT_ENVIRONMENT_URL=" + d.issuer + "\n",
		"SCALEKIT_RESOURCE_ID=res_dev\n",
		"client_id      dev-machine",
		"client_secret  " + devSecret,
		secretEnv + "=" + devSecret + " create-mcp-auth token --issuer " + d.issuer,
		"fresh RSA key",
		"/oauth/authorize asks you",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "OAUTH_ISSUER") {
		t.Errorf("scalekit banner shows OAUTH_ISSUER")
	}

	// The server is the one the banner describes.
	var md map[string]any
	if code := httpGetJSON(t, d.issuer+"/.well-known/oauth-authorization-server/resources/res_dev", &md); code != http.StatusOK {
		t.Fatalf("per-resource metadata: %d", code)
	}
	if md["issuer"] != d.issuer+"/resources/res_dev" {
		t.Errorf("metadata issuer %v", md["issuer"])
	}

	// token --scope a:read
	code, stdout, stderr := runCLI(t, "token", "--issuer", d.issuer, "--scope", "a:read")
	if code != 0 {
		t.Fatalf("token: exit %d\nstderr: %s", code, stderr)
	}
	if strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "\n") {
		t.Errorf("stdout is not one line: %q", stdout)
	}
	claims, hdr := verifyToken(t, d.issuer, strings.TrimSpace(stdout))
	if hdr.Algorithm != "RS256" || hdr.ExtraHeaders["typ"] != "at+jwt" {
		t.Errorf("header alg %s typ %v", hdr.Algorithm, hdr.ExtraHeaders["typ"])
	}
	if claims["iss"] != d.issuer || claims["sub"] != "dev-machine" || claims["client_id"] != "dev-machine" || claims["scope"] != "a:read" {
		t.Errorf("claims %v", claims)
	}
	if !slices.Equal(audList(claims), []string{"http://localhost:3002/mcp"}) {
		t.Errorf("aud %v", claims["aud"])
	}

	// Without --scope: every advertised scope but offline_access.
	code, stdout, stderr = runCLI(t, "token", "--issuer", d.issuer)
	if code != 0 {
		t.Fatalf("token (all scopes): exit %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stderr, "asking for all scopes: a:read a:write") {
		t.Errorf("stderr: %s", stderr)
	}
	if claims, _ := verifyToken(t, d.issuer, strings.TrimSpace(stdout)); claims["scope"] != "a:read a:write" {
		t.Errorf("scope %v", claims["scope"])
	}

	// Repeated and comma-separated --scope; --resource naming the resource.
	code, stdout, stderr = runCLI(t, "token", "--issuer", d.issuer, "--scope", "a:write", "--scope", "a:read", "--resource", "http://localhost:3002/mcp")
	if code != 0 {
		t.Fatalf("token (two scopes): exit %d\nstderr: %s", code, stderr)
	}
	if claims, _ := verifyToken(t, d.issuer, strings.TrimSpace(stdout)); claims["scope"] != "a:write a:read" {
		t.Errorf("scope %v", claims["scope"])
	}

	// The per-resource issuer works as --issuer too (it is what a Scalekit
	// server's protected-resource metadata names).
	code, stdout, stderr = runCLI(t, "token", "--issuer", d.issuer+"/resources/res_dev", "--scope", "a:read")
	if code != 0 || stdout == "" {
		t.Errorf("token --issuer per-resource: exit %d\nstderr: %s", code, stderr)
	}

	// Refusals: exit 1, the RFC 6749 error on stderr, nothing on stdout.
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"wrong secret", []string{"--client-secret", "wrong-secret-0123456789"}, "invalid_client"},
		{"unknown scope", []string{"--scope", "admin"}, "invalid_scope"},
		{"other resource", []string{"--resource", "http://localhost:4000/mcp"}, "invalid_target"},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"token", "--issuer", d.issuer}, tt.args...)...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\nstderr: %s", tt.name, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q", tt.name, stdout)
		}
		if !strings.Contains(stderr, "token: the authorization server refused: "+tt.want) {
			t.Errorf("%s: stderr lacks %s: %s", tt.name, tt.want, stderr)
		}
	}

	// Usage errors: exit 2.
	for _, args := range [][]string{
		{"--issuer", "http://mcp.example.com:9090"},
		{"--issuer", "ftp://127.0.0.1:9090"},
		{"--issuer", "127.0.0.1:9090"},
		{"--issuer", d.issuer, "extra"},
		{"--issuer", d.issuer, "--nope"},
	} {
		if code, stdout, stderr := runCLI(t, append([]string{"token"}, args...)...); code != 2 || stdout != "" {
			t.Errorf("token %v: exit %d stdout %q stderr %s", args, code, stdout, stderr)
		}
	}
	// Nothing running there: exit 1, says so.
	if code, stdout, stderr := runCLI(t, "token", "--issuer", "http://127.0.0.1:"+freePort(t)); code != 1 || stdout != "" || !strings.Contains(stderr, "is dev-auth running") {
		t.Errorf("token at a closed port: exit %d stdout %q stderr %s", code, stdout, stderr)
	}

	// No secret at all: exit 2, naming the variable.
	t.Setenv(secretEnv, "")
	code, stdout, stderr = runCLI(t, "token", "--issuer", d.issuer)
	if code != 2 || stdout != "" || !strings.Contains(stderr, secretEnv) {
		t.Errorf("token without a secret: exit %d stdout %q stderr %s", code, stdout, stderr)
	}

	// The log on stderr records decisions, never the secret or a token.
	logs := d.stderr.String()
	if !strings.Contains(logs, "token issued") || !strings.Contains(logs, "token request refused") {
		t.Errorf("stderr log lacks decisions:\n%s", logs)
	}
	if strings.Contains(logs, devSecret) || strings.Contains(logs, "eyJ") {
		t.Errorf("stderr log leaks the secret or a token:\n%s", logs)
	}

	if code := d.stop(t); code != 0 {
		t.Errorf("dev-auth exit %d after cancel, want 0\nstderr: %s", code, d.stderr)
	}
	if !strings.Contains(d.stderr.String(), "dev-auth: stopping") {
		t.Errorf("no stopping line")
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(d.issuer, "http://"), time.Second); err == nil {
		c.Close()
		t.Errorf("still listening after stop")
	}
}

// TestDevAuthGeneratedSecret: without DEV_AUTH_CLIENT_SECRET dev-auth
// makes one up, prints it, and it works.
func TestDevAuthGeneratedSecret(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(secretEnv, "")
	d := startDevAuth(t, "--addr", "localhost:0", "--resource", "http://localhost:3002/mcp", "--scopes", "a:read", "--auto-approve")
	if !strings.HasPrefix(d.issuer, "http://localhost:") {
		t.Errorf("issuer %q keeps the host as written", d.issuer)
	}
	m := regexp.MustCompile(`client_secret  (\S+)`).FindStringSubmatch(d.stdout.String())
	if m == nil || len(m[1]) < 16 {
		t.Fatalf("no generated secret in the banner:\n%s", d.stdout)
	}
	if !strings.Contains(d.stdout.String(), "--auto-approve: requests redirecting to loopback are granted as alice@example.com; others ask at "+d.issuer+"/oauth/authorize") {
		t.Errorf("banner does not say auto-approve:\n%s", d.stdout)
	}
	code, stdout, stderr := runCLI(t, "token", "--issuer", d.issuer, "--client-secret", m[1], "--scope", "a:read")
	if code != 0 {
		t.Fatalf("token: exit %d: %s", code, stderr)
	}
	claims, _ := verifyToken(t, d.issuer, strings.TrimSpace(stdout))
	if claims["iss"] != d.issuer {
		t.Errorf("iss %v, want %s", claims["iss"], d.issuer)
	}
	if strings.Contains(d.stderr.String(), m[1]) {
		t.Errorf("stderr log leaks the generated secret")
	}
}

// TestDevAuthShortSecret: a DEV_AUTH_CLIENT_SECRET too short to be a
// secret is refused before the banner.
func TestDevAuthShortSecret(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(secretEnv, "short")
	code, stdout, stderr := runCLI(t, "dev-auth", "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp")
	if code == 0 || stdout != "" || !strings.Contains(stderr, "at least 16 characters") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// TestDevAuthManifestOIDC: inside a generated oidc project dev-auth takes
// the resource and scopes (with descriptions) from the manifest and prints
// the OAUTH_* lines.
func TestDevAuthManifestOIDC(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(secretEnv, devSecret)
	manifest := `version: 1
template: stdlib
module: example.com/x
server_url: http://localhost:4000/mcp
port: 4000
provider: oidc
oidc:
  issuer: https://issuer.example.com
scopes:
  - name: notes:read
    description: Read your notes
  - name: notes:write
    description: Change your notes
tools:
  - name: list_notes
    scopes: [notes:read]
`
	os.WriteFile(filepath.Join(dir, ".create-mcp-auth.yaml"), []byte(manifest), 0o644)
	d := startDevAuth(t, "--addr", "127.0.0.1:0")
	banner := d.stdout.String()
	for _, want := range []string{
		"resource   http://localhost:4000/mcp (from .create-mcp-auth.yaml)",
		"scopes     notes:read notes:write offline_access",
		"OAUTH_ISSUER=" + d.issuer + "\n",
		"OAUTH_JWKS_URL=" + d.issuer + "/keys\n",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "SCALEKIT_") {
		t.Errorf("oidc banner shows SCALEKIT_ lines:\n%s", banner)
	}
	// Plain RFC 8414 discovery at the issuer, as an oidc server expects.
	var md map[string]any
	if code := httpGetJSON(t, d.issuer+"/.well-known/openid-configuration", &md); code != http.StatusOK || md["issuer"] != d.issuer || md["jwks_uri"] != d.issuer+"/keys" {
		t.Errorf("openid-configuration: %d %v", code, md)
	}
	code, stdout, stderr := runCLI(t, "token", "--issuer", d.issuer, "--scope", "notes:write")
	if code != 0 {
		t.Fatalf("token: %d %s", code, stderr)
	}
	claims, _ := verifyToken(t, d.issuer, strings.TrimSpace(stdout))
	if !slices.Equal(audList(claims), []string{"http://localhost:4000/mcp"}) || claims["scope"] != "notes:write" {
		t.Errorf("claims %v", claims)
	}

	// The consent page shows the manifest's descriptions.
	body := `{"redirect_uris":["http://127.0.0.1:5555/cb"],"token_endpoint_auth_method":"none","client_name":"CLI test"}`
	resp, err := http.Post(d.issuer+"/oauth/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var reg map[string]any
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	page, err := http.Get(d.issuer + "/oauth/authorize?response_type=code&client_id=" + fmt.Sprint(reg["client_id"]) +
		"&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcb&scope=notes%3Aread&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(html), "Read your notes") || !strings.Contains(string(html), "Authorize CLI test") {
		t.Errorf("consent page %d:\n%s", page.StatusCode, html)
	}
}

// TestDevAuthManifestScalekit: a Scalekit project's real resource ID is
// used; the placeholder falls back to res_dev; --scopes overrides the
// manifest's scopes but keeps their descriptions.
func TestDevAuthManifestScalekit(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(secretEnv, devSecret)
	write := func(resID string) string {
		f := filepath.Join(dir, resID+".yaml")
		os.WriteFile(f, []byte(`version: 1
server_url: http://localhost:3002/mcp
provider: scalekit
scalekit:
  environment_url: https://acme.scalekit.dev
  resource_id: `+resID+`
scopes:
  - name: todo:read
    description: Read access to todo items
  - name: todo:write
    description: Create, update, or delete todo items
`), 0o644)
		return f
	}

	d := startDevAuth(t, "--addr", "127.0.0.1:0", "--config", write("res_12345"))
	if !strings.Contains(d.stdout.String(), "SCALEKIT_RESOURCE_ID=res_12345\n") {
		t.Errorf("banner:\n%s", d.stdout)
	}
	if code := httpGetJSON(t, d.issuer+"/.well-known/oauth-authorization-server/resources/res_12345", nil); code != http.StatusOK {
		t.Errorf("metadata for res_12345: %d", code)
	}
	if code := httpGetJSON(t, d.issuer+"/.well-known/oauth-authorization-server/resources/res_dev", nil); code != http.StatusNotFound {
		t.Errorf("metadata for res_dev: %d, want 404", code)
	}
	d.stop(t)

	d = startDevAuth(t, "--addr", "127.0.0.1:0", "--config", write("res_REPLACE_ME"), "--scopes", "todo:write")
	if !strings.Contains(d.stdout.String(), "SCALEKIT_RESOURCE_ID=res_dev\n") {
		t.Errorf("placeholder resource ID not replaced:\n%s", d.stdout)
	}
	var md struct {
		Scopes []string `json:"scopes_supported"`
	}
	httpGetJSON(t, d.issuer+"/.well-known/oauth-authorization-server", &md)
	if !slices.Equal(md.Scopes, []string{"todo:write", "offline_access"}) {
		t.Errorf("scopes_supported %v", md.Scopes)
	}
}

// TestDevAuthKeysFile: --keys creates the key file on the first run and
// reuses it on the next, so the kid survives a restart and old tokens
// still verify.
func TestDevAuthKeysFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(secretEnv, devSecret)
	keys := filepath.Join(dir, "dev-auth.pem")
	kidRe := regexp.MustCompile(`kid (\S+)`)

	d := startDevAuth(t, "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp", "--keys", keys)
	if !strings.Contains(d.stdout.String(), "new RSA key saved to "+keys) {
		t.Errorf("banner:\n%s", d.stdout)
	}
	kid1 := kidRe.FindStringSubmatch(d.stdout.String())
	_, tok, stderr := runCLI(t, "token", "--issuer", d.issuer)
	if tok == "" {
		t.Fatalf("no token: %s", stderr)
	}
	d.stop(t)
	if fi, err := os.Stat(keys); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}

	d = startDevAuth(t, "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp", "--keys", keys)
	if !strings.Contains(d.stdout.String(), "loaded from "+keys) {
		t.Errorf("banner:\n%s", d.stdout)
	}
	kid2 := kidRe.FindStringSubmatch(d.stdout.String())
	if kid1 == nil || kid2 == nil || kid1[1] != kid2[1] {
		t.Errorf("kid changed across restart: %v %v", kid1, kid2)
	}
	verifyToken(t, d.issuer, strings.TrimSpace(tok))
	d.stop(t)

	// A file that is not a key: a clear error, and nothing listens.
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("garbage"), 0o600)
	code, stdout, stderr := runCLI(t, "dev-auth", "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp", "--keys", bad)
	if code == 0 || !strings.Contains(stderr, "--keys") || !strings.Contains(stderr, bad) || strings.Contains(stdout, "listening") {
		t.Errorf("bad key file: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// TestListenLoopback covers the address check directly, including IPv6
// and names.
func TestListenLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "127.0.0.2:0"} {
		ln, err := listenLoopback(addr)
		if err != nil {
			t.Errorf("%s: %v", addr, err)
			continue
		}
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			t.Errorf("%s bound %s", addr, ip)
		}
		ln.Close()
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "10.0.0.1:0", "localhost.example.com:0", "LOCALHOST.:0", "nohost"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("%s: accepted", addr)
		}
	}
}

// TestDevAuthLoginBanner: with --login-url the banner gives the bring your
// own auth settings for the server's .env, the API secret from the
// environment among them, and the API client mints API tokens.
func TestDevAuthLoginBanner(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(apiSecretEnv, "api-secret-from-the-environment")
	d := startDevAuth(t, "--addr", "127.0.0.1:0", "--resource", "http://localhost:3002/mcp", "--login-url", "http://localhost:3002/login", "--connection-id", "conn_e2e")
	out := d.stdout.String()
	for _, want := range []string{
		"sign-in    http://localhost:3002/login",
		"SCALEKIT_CONNECTION_ID=conn_e2e",
		"SCALEKIT_CLIENT_ID=" + devauth.APIClientID,
		"SCALEKIT_CLIENT_SECRET=api-secret-from-the-environment",
		d.issuer + "/sso/v1/connections/conn_e2e/partner:callback",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	resp, err := http.PostForm(d.issuer+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {devauth.APIClientID}, "client_secret": {"api-secret-from-the-environment"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("API token: %s", resp.Status)
	}
}

// TestDevAuthLoginFromManifest: run in a bring your own auth project,
// dev-auth sends users to the project's login route without --login-url.
func TestDevAuthLoginFromManifest(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, ".create-mcp-auth.yaml")
	spec := "version: 2\ntemplate: stdlib\nmodule: example.com/b\nserver_url: http://localhost:3005/mcp\nport: 3005\nprovider: scalekit\n" +
		"scopes: [{name: a}]\ntools: [{name: t, scopes: [a]}]\nlogin: {mode: byoa, path: /signin}\n"
	if err := os.WriteFile(manifest, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDevAuth(t, "--addr", "127.0.0.1:0", "--config", manifest)
	if out := d.stdout.String(); !strings.Contains(out, "sign-in    http://localhost:3005/signin") {
		t.Errorf("banner does not send users to the project's login route:\n%s", out)
	}
}
