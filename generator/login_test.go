package generator

import (
	"strings"
	"testing"
)

// TestLoginRender: a login section adds the login route's files, the same
// for every template; without one, none of them is written. A manifest
// edited by hand may leave the path out.
func TestLoginRender(t *testing.T) {
	for _, tmpl := range Templates {
		s := defaultSpec()
		s.Template = tmpl
		s.Login = &Login{Mode: LoginBYOA} // no path, as a hand-edited manifest
		files, err := RenderProject(s, "(test)")
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		got := map[string]File{}
		for _, f := range files {
			got[f.Path] = f
		}
		for path, owner := range map[string]Owner{
			"internal/login/login.go":        OwnedByGenerator,
			"internal/login/authenticate.go": OwnedByUser,
			"internal/config/login.go":       OwnedByGenerator,
		} {
			if f, ok := got[path]; !ok || f.Owner != owner {
				t.Errorf("%s: %s missing or not %s", tmpl, path, owner)
			}
		}
		if !strings.Contains(string(got["internal/config/login.go"].Data), `DefaultLoginPath = "/login"`) {
			t.Errorf("%s: the login path does not default to /login", tmpl)
		}

		s.Login = nil
		files, err = RenderProject(s, "(test)")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.Contains(f.Path, "login") {
				t.Errorf("%s without a login section: %s written", tmpl, f.Path)
			}
		}
	}
}

func TestLoginValidation(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(*Spec)
		path string
		want string
	}{
		"oidc":          {func(s *Spec) { s.Provider, s.OIDC.Issuer = "oidc", "https://auth.example.com" }, "login.mode", "works with provider scalekit"},
		"unknown mode":  {func(s *Spec) { s.Login.Mode = "sso" }, "login.mode", `unknown login mode "sso"`},
		"no mode":       {func(s *Spec) { s.Login.Mode = "" }, "login.mode", "no login mode"},
		"bad path":      {func(s *Spec) { s.Login.Path = "/a b" }, "login.path", "may hold only"},
		"endpoint path": {func(s *Spec) { s.Login.Path = "/mcp/" }, "login.path", "the MCP endpoint's path"},
	} {
		t.Run(name, func(t *testing.T) {
			s := defaultSpec()
			s.Login = &Login{Mode: LoginBYOA, Path: "/login"}
			c.edit(s)
			err := Validate(s)
			if err == nil || !strings.Contains(err.Error(), c.path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %s: …%s…", err, c.path, c.want)
			}
		})
	}
}
