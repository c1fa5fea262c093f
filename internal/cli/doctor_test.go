package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/doctor/doctortest"
)

// runIn executes the CLI in process with stdin.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDoctorExitCodes(t *testing.T) {
	healthy := doctortest.New(t, doctortest.Faults{})
	broken := doctortest.New(t, doctortest.Faults{NoExpose: true})
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		out, errs string
	}{
		{"healthy", []string{"doctor", healthy.URL}, 0, "✓ No problems", ""},
		{"broken", []string{"doctor", healthy.URL + "x", "--timeout", "5s"}, 1, "✗", "doctor: "},
		{"one check fails", []string{"doctor", broken.URL}, 1, "✗ 1 problem (", "doctor: 1 check failed"},
		{"no URL", []string{"doctor"}, 2, "", "doctor takes the MCP server URL"},
		{"two URLs", []string{"doctor", healthy.URL, healthy.URL}, 2, "", "doctor takes the MCP server URL"},
		{"no scheme", []string{"doctor", "mcp.example.com/mcp"}, 2, "", `URL "mcp.example.com/mcp" has no scheme`},
		{"not http", []string{"doctor", "ws://mcp.example.com/mcp"}, 2, "", "is not http or https"},
		{"no host", []string{"doctor", "https:///mcp"}, 2, "", "has no host"},
		{"bad origin", []string{"doctor", healthy.URL, "--origin", "localhost:6274"}, 2, "", "--origin: "},
		{"origin with a path", []string{"doctor", healthy.URL, "--origin", "http://localhost:6274/app"}, 2, "", "is not an origin"},
		{"bad timeout", []string{"doctor", healthy.URL, "--timeout", "soon"}, 2, "", `invalid argument "soon" for "--timeout"`},
		{"zero timeout", []string{"doctor", healthy.URL, "--timeout", "0s"}, 2, "", "--timeout 0s is out of range"},
		{"empty token", []string{"doctor", healthy.URL, "--token", "-"}, 2, "", "--token: the token is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runIn(t, "", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.errs) {
				t.Errorf("exit %d, want %d; stdout should contain %q, stderr %q\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.out, tc.errs, out, errs)
			}
			if tc.code == 2 && out != "" {
				t.Errorf("bad input printed a report:\n%s", out)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colour codes in output that is not a terminal:\n%q", out)
			}
		})
	}
}

// jsonReport is the --json schema as documented in the help.
type jsonReport struct {
	URL     string         `json:"url"`
	OK      bool           `json:"ok"`
	Summary map[string]int `json:"summary"`
	Checks  []struct {
		ID, Step, Status, Title, Subject, Detail, Fix string
	} `json:"checks"`
	Tools        []string `json:"tools"`
	TokenChecked bool     `json:"token_checked"`
}

func TestDoctorJSON(t *testing.T) {
	srv := doctortest.New(t, doctortest.Faults{NoRegistration: true})
	code, out, _ := runIn(t, "", "doctor", srv.URL, "--json", "--token", srv.Token(t, srv.Claims()))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	status := map[string]string{}
	for _, c := range rep.Checks {
		status[c.ID] = c.Status
		if c.Title == "" || c.Step == "" || !strings.HasPrefix(c.ID, c.Step+".") {
			t.Errorf("check %+v lacks a title or step", c)
		}
		if c.Status == "fail" && c.Fix == "" {
			t.Errorf("failed check %s has no fix", c.ID)
		}
	}
	want := map[string]string{"challenge.status": "pass", "prm.resource": "pass", "as.registration": "fail", "cors.expose": "pass", "token.aud": "pass", "mcp.tools_list": "pass"}
	for id, st := range want {
		if status[id] != st {
			t.Errorf("%s: status %q, want %q", id, status[id], st)
		}
	}
	if rep.OK || rep.URL != srv.URL || rep.Summary["fail"] != 1 || !rep.TokenChecked || fmt.Sprint(rep.Tools) != fmt.Sprint(doctortest.Tools) {
		t.Errorf("report header: %+v", rep)
	}
}

// TestDoctorNeverPrintsToken: not the token, nor a piece of it, in any
// output, whatever the token's fate, even when the server echoes it back.
func TestDoctorNeverPrintsToken(t *testing.T) {
	srv := doctortest.New(t, doctortest.Faults{})
	// echo proxies to srv, but refuses tokens by quoting them back.
	target, _ := url.Parse(strings.TrimSuffix(srv.URL, "/mcp"))
	proxy := httputil.NewSingleHostReverseProxy(target)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description="token %s (starts %s) refused"`, tok, tok[:20]))
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_token","token":%q}`, tok)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(echo.Close)

	expired := srv.Claims()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	wrongAud := srv.Claims()
	wrongAud["aud"] = "res_123"
	tokens := map[string]string{
		"valid":       srv.Token(t, srv.Claims()),
		"expired":     srv.Token(t, expired),
		"wrong aud":   srv.Token(t, wrongAud),
		"foreign key": doctortest.Sign(t, doctortest.StrangerKey(t), "other", srv.Claims()),
		"opaque":      "opaque-token-0123456789abcdefghijklmnop",
	}
	for name, tok := range tokens {
		for _, target := range []string{srv.URL, echo.URL + "/mcp"} {
			for _, mode := range [][]string{nil, {"--json"}} {
				t.Run(fmt.Sprintf("%s %s %v", name, target, mode), func(t *testing.T) {
					for _, via := range []string{"flag", "stdin"} {
						args := append([]string{"doctor", target, "--token", tok}, mode...)
						stdin := ""
						if via == "stdin" {
							args[3], stdin = "-", tok+"\n"
						}
						_, out, errs := runIn(t, stdin, args...)
						for _, part := range append(strings.Split(tok, "."), tok, tok[:16], tok[len(tok)-16:]) {
							if len(part) >= 12 && (strings.Contains(out, part) || strings.Contains(errs, part)) {
								t.Fatalf("token (via %s) or part of it (%q) printed:\nstdout:\n%s\nstderr:\n%s", via, part, out, errs)
							}
						}
					}
				})
			}
		}
	}
}
