package login

// This file is yours: create-mcp-auth wrote it once and never changes it.
// It is where the server signs users in your way. Until you replace it, it
// signs them in with a DEVELOPMENT form that lets anyone in as anyone, and
// the server refuses to start with it when APP_ENV=production.

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"unicode"
)

// Yours returns the Authenticator the login route uses. Replace
// DevelopmentForm with your own: check a password against your user store,
// or read your web app's session cookie and show a "Continue as …" button.
// Authenticate gets the posted form; return the user's claims, or an error
// wrapping ErrBadCredentials to show the page again.
func Yours() Authenticator {
	return DevelopmentForm{}
}

// DevelopmentForm is a DEVELOPMENT-ONLY sign-in: the user types any user
// name, with no password, and is signed in as that user. It lets you run
// the whole flow (MCP client → Scalekit or create-mcp-auth dev-auth → this
// page → token → tool) before your own login is wired in.
type DevelopmentForm struct{}

// DevelopmentOnly marks the form as unfit for production: the server
// refuses to start with it when APP_ENV=production.
func (DevelopmentForm) DevelopmentOnly() {}

// Page shows the development form.
func (DevelopmentForm) Page(w http.ResponseWriter, _ *http.Request, p Page) {
	var problem string
	if p.Problem != "" {
		problem = `<p class="problem">` + template.HTMLEscapeString(p.Problem) + `</p>`
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, developmentPage, template.HTMLEscapeString(serverName), problem, template.HTMLEscapeString(p.Action), p.Hidden)
}

// serverName is the name the page shows.
const serverName = "Notes MCP"

// Authenticate signs in whoever is named in the form's "username" field.
func (DevelopmentForm) Authenticate(r *http.Request) (*User, error) {
	name := strings.TrimSpace(r.PostForm.Get("username"))
	if name == "" || len(name) > 100 || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return nil, fmt.Errorf("%w: type a user name of 1 to 100 characters without spaces", ErrBadCredentials)
	}
	u := &User{Subject: name, Name: name, PreferredUsername: name}
	if strings.Contains(name, "@") {
		u.Email = name
	}
	return u, nil
}

// developmentPage is the form's HTML: server name, problem, action and
// hidden inputs go in its %s verbs, in that order.
const developmentPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in (development)</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f4f5; color: #18181b; margin: 0; }
  .banner { background: #b91c1c; color: #fff; padding: .6rem 1rem; text-align: center; font-weight: 600; }
  main { max-width: 28rem; margin: 2rem auto; background: #fff; border: 1px solid #e4e4e7; border-radius: .75rem; padding: 1.5rem 1.75rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
  input[type=text] { width: 100%%; box-sizing: border-box; padding: .55rem .7rem; font-size: 1rem; border: 1px solid #a1a1aa; border-radius: .4rem; }
  button { margin-top: 1.25rem; width: 100%%; padding: .65rem; font-size: 1rem; border-radius: .4rem; border: 0; background: #1d4ed8; color: #fff; font-weight: 600; cursor: pointer; }
  .problem { color: #b91c1c; }
</style>
</head>
<body>
<div class="banner" role="alert">DEVELOPMENT SIGN-IN: anyone can sign in as anyone. Replace it in internal/login/authenticate.go.</div>
<main>
  <h1>Sign in to %s</h1>
  %s
  <form method="post" action="%s">
    %s
    <label for="username">User name</label>
    <input type="text" id="username" name="username" required maxlength="100" autocomplete="username" autofocus>
    <button type="submit">Sign in</button>
  </form>
</main>
</body>
</html>
`
