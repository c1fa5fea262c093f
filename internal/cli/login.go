package cli

import (
	"github.com/spf13/pflag"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// applyLoginFlags lays --login and --login-path over the spec: hosted
// removes the login section, any other mode sets it (the spec check
// refuses modes it does not know).
func applyLoginFlags(s *generator.Spec, sf specFlags, changed *pflag.FlagSet) {
	if changed.Changed("login") {
		if sf.login == "hosted" {
			s.Login = nil
		} else {
			if s.Login == nil {
				s.Login = &generator.Login{}
			}
			s.Login.Mode = sf.login
		}
	}
	if changed.Changed("login-path") {
		if s.Login == nil {
			s.Login = &generator.Login{}
		}
		s.Login.Path = sf.loginPath
	}
}

// login asks who signs users in, for the scalekit provider, and where the
// login route is when the server does.
func (in *interview) login(s *generator.Spec) error {
	if s.Provider != "scalekit" || !in.asked("login", s.Login != nil) {
		return nil
	}
	mode, err := in.p.Select(Question{Message: "Who signs users in?", Default: "hosted",
		Help: "Scalekit's own sign-in (hosted), or your existing login: Scalekit sends users to a login route on this server, " +
			"where your code authenticates them and hands them back (bring your own auth)."}, []Choice{
		{Value: "hosted", Description: "Scalekit (passwordless, social, enterprise SSO)"},
		{Value: generator.LoginBYOA, Description: "your own login, on a route of this server (bring your own auth)"},
	})
	if err != nil || mode == "hosted" {
		return err
	}
	s.Login = &generator.Login{Mode: mode}
	if in.changed.Changed("login-path") {
		return nil
	}
	s.Login.Path, err = in.p.Input(Question{Message: "Path of the login route:", Default: generator.DefaultLoginPath,
		Help:     "Scalekit sends users here with login_request_id and state. Register the full URL (your server's origin + this path) in the Scalekit dashboard as the login endpoint.",
		Validate: rules.CheckLoginPath})
	return err
}
