package generator

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// Login modes: who signs users in. With none (no login: section) the
// authorization server does, on its own pages.
const (
	// LoginBYOA is Scalekit's "bring your own auth": Scalekit runs OAuth
	// for MCP clients and sends users to the server's own login route,
	// which authenticates them its own way and hands their claims back.
	LoginBYOA = "byoa"
)

// LoginModes lists the values of login.mode (--login), "hosted" meaning
// no login section.
var LoginModes = []string{"hosted", LoginBYOA}

// DefaultLoginPath is the login route's path when the spec names none.
const DefaultLoginPath = "/login"

// Login says that the generated server signs users in itself, and where.
type Login struct {
	Mode string `yaml:"mode"`
	Path string `yaml:"path,omitempty"`
}

// applyDefaults fills the path of a login section.
func (l *Login) applyDefaults() {
	if l != nil && l.Path == "" {
		l.Path = DefaultLoginPath
	}
}

// withDefaults is a copy of l with its defaults filled, or nil: a manifest
// edited by hand (then upgraded) may leave the path out.
func (l *Login) withDefaults() *Login {
	if l == nil {
		return nil
	}
	c := *l
	c.applyDefaults()
	return &c
}

// unset lists the settings of the login route that have no default, as
// Placeholders does.
func (l *Login) unset() []string {
	if l == nil || l.Mode != LoginBYOA {
		return nil
	}
	return []string{
		"SCALEKIT_CONNECTION_ID (.env): Scalekit dashboard → MCP Servers → your server → Advanced Configurations → Connection ID (conn_…, not res_…)",
		"SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET (.env): Scalekit dashboard → Settings → API Credentials",
	}
}

// login checks the login section: a known mode, a Scalekit provider, and a
// path of its own.
func (v *validator) login(s *Spec) {
	l := s.Login.withDefaults()
	if l == nil {
		return
	}
	if l.Mode == "" {
		v.add("login.mode", "a login path is set but no login mode", "add --login byoa (login: {mode: byoa}), or drop the path")
		return
	}
	if l.Mode != LoginBYOA {
		v.add("login.mode", fmt.Sprintf("unknown login mode %q", l.Mode), "use byoa (bring your own auth), or remove the login section to let the authorization server sign users in")
		return
	}
	if s.Provider != "scalekit" {
		v.add("login.mode", fmt.Sprintf("bring your own auth (login byoa) works with provider scalekit, not %q: the login hand-back is Scalekit's API", s.Provider),
			"use --provider scalekit, or drop --login byoa and let your OIDC server sign users in")
	}
	if err := rules.CheckLoginPath(l.Path); err != nil {
		v.check("login.path", err)
	} else if u, err := url.Parse(s.ServerURL); err == nil && (strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(l.Path, "/")) {
		v.add("login.path", fmt.Sprintf("login path %q is the MCP endpoint's path", l.Path), "use another path, e.g. /login")
	}
}

// loginDirs are the template layers a spec's login section adds to its
// template's: the login route, which is the same for every template.
func loginDirs(s *Spec) []string {
	if s.Login != nil && s.Login.Mode == LoginBYOA {
		return []string{"login/byoa"}
	}
	return nil
}
