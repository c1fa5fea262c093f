package devauth

import (
	"crypto/rand"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/ory/fosite"
)

// authorize is the authorization endpoint. A request is checked by fosite,
// then either approved at once (--auto-approve) or shown to the user on the
// consent page, whose form posts back here with a one-time consent ID.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMetadataBytes)
	if err := r.ParseForm(); err != nil {
		s.log.Info("authorization request unreadable", "detail", err)
		s.errorPage(w, http.StatusBadRequest, "The request could not be read: its query or form is malformed, or the body is larger than 64 KiB.")
		return
	}
	if r.Method == http.MethodPost && r.PostForm.Has("consent") {
		s.decide(w, r)
		return
	}

	ctx := r.Context()
	targetErr := s.resourceToAudience(r.Form, true)
	if targetErr != nil {
		delete(r.Form, "resource")
		r.Form["audience"] = []string{s.cfg.Resource}
	}
	// fosite insists on a state of 8+ characters, a CSRF defence for
	// clients without PKCE. PKCE S256 is mandatory here and OAuth 2.1 makes
	// state optional, so fosite sees a placeholder and the client gets its
	// own state (or none) back.
	state := r.Form.Get("state")
	r.Form.Set("state", "state-checked-by-pkce")
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if req, ok := ar.(*fosite.AuthorizeRequest); ok {
		req.State = state
	}
	// Exact redirect-URI match: fosite lets a loopback redirect URI use any
	// port (RFC 8252); OAuth 2.1 clients register the one they listen on.
	// When the client was not found fosite leaves an empty placeholder
	// client (no ID), whose error must be shown instead.
	if raw := r.Form.Get("redirect_uri"); raw != "" && ar.GetClient() != nil && ar.GetClient().GetID() != "" && !slices.Contains(ar.GetClient().GetRedirectURIs(), raw) {
		s.errorPage(w, http.StatusBadRequest, "redirect_uri "+raw+" is not one of the client's registered redirect URIs: "+strings.Join(ar.GetClient().GetRedirectURIs(), ", "))
		return
	}
	if err == nil && targetErr != nil {
		err = targetErr
	}
	if err == nil {
		err = checkPKCE(r.Form)
	}
	if err != nil {
		s.authorizeError(w, r, ar, err)
		return
	}
	if s.cfg.LoginURL != "" {
		s.startLogin(w, r, ar)
		return
	}
	redirect := ar.GetRedirectURI()
	if s.cfg.AutoApprove && isLoopbackRedirect(redirect) {
		s.approve(w, r, ar, s.cfg.Users[0], ar.GetRequestedScopes())
		return
	}
	var notice string
	if s.cfg.AutoApprove {
		s.log.Info("not auto-approved: the redirect URI is not on loopback", "client_id", ar.GetClient().GetID(), "redirect_uri", redirect.String())
		notice = "dev-auth runs with --auto-approve, which grants at once only when the code goes back to this machine (http or https on localhost or a loopback IP). This client sends it elsewhere, so you are asked."
	}
	s.consentPageFor(w, ar, r.URL.Path, s.consents.put(ar), "", notice)
}

// consentPageFor shows the consent page for ar, waiting under consent ID
// id, its form posting to action. signedIn, when set, is the user the
// login route signed in, who is then the only user the page offers.
func (s *Server) consentPageFor(w http.ResponseWriter, ar fosite.AuthorizeRequester, action, id, signedIn, notice string) {
	// Our GetClient returned it; looking it up again could find it evicted.
	c := ar.GetClient().(*client)
	page := consentPage{
		Action:      action,
		Notice:      notice,
		ConsentID:   id,
		ClientName:  c.Name,
		ClientID:    c.GetID(),
		RedirectURI: ar.GetRedirectURI().String(),
		Resource:    strings.Join(ar.GetRequestedAudience(), " "),
		Users:       s.cfg.Users,
		User:        s.cfg.Users[0],
		SignedIn:    signedIn,
	}
	for _, name := range ar.GetRequestedScopes() {
		page.Scopes = append(page.Scopes, Scope{Name: name, Description: s.describe(name)})
	}
	s.writeHTML(w, http.StatusOK, page)
}

// isLoopbackRedirect reports whether a redirect URI delivers the code to
// this machine: http or https on localhost or a loopback IP. A private-use
// scheme (com.example.app:/cb) is not: any installed app may claim it, and
// a web page can claim web+ schemes with navigator.registerProtocolHandler
// and have the code forwarded to its own site.
func isLoopbackRedirect(u *url.URL) bool {
	return u != nil && (u.Scheme == "http" || u.Scheme == "https") && rules.IsLoopbackHost(u.Hostname())
}

// checkPKCE refuses a request without an S256 challenge before the user is
// asked: fosite checks PKCE only when the code is issued, after consent.
func checkPKCE(form url.Values) error {
	switch {
	case form.Get("code_challenge") == "":
		return fosite.ErrInvalidRequest.WithHint("Clients must include a code_challenge (PKCE with S256 is required).")
	case form.Get("code_challenge_method") != "S256":
		return fosite.ErrInvalidRequest.WithHintf("code_challenge_method must be S256, not %q.", form.Get("code_challenge_method"))
	}
	return nil
}

// decide handles the consent form: deny, or approve with the scopes left
// ticked, as the user named on the form.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	ar, ok := s.consents.take(r.PostForm.Get("consent"))
	// A user the login route signed in is who the consent is for, whatever
	// the form says.
	signedIn, fixed := s.logins.takeSignedIn(r.PostForm.Get("consent"))
	if !ok {
		s.errorPage(w, http.StatusBadRequest, "This sign-in request has expired or was already answered. Start again from your MCP client.")
		return
	}
	switch r.PostForm.Get("decision") {
	case "approve":
		user := strings.TrimSpace(r.PostForm.Get("user"))
		if fixed {
			user, _ = signedIn["sub"].(string)
		}
		if !validUser(user) {
			// Let the user correct the name: put the request back.
			s.consents.restore(r.PostForm.Get("consent"), ar)
			s.errorPage(w, http.StatusBadRequest, "Type a user name (1 to 100 printable characters, no spaces), then go back and approve again.")
			return
		}
		var scopes []string
		for _, sc := range r.PostForm["scope"] {
			if !slices.Contains(ar.GetRequestedScopes(), sc) {
				s.errorPage(w, http.StatusBadRequest, "The form granted scope "+sc+", which the client did not ask for.")
				return
			}
			scopes = append(scopes, sc)
		}
		if !fixed {
			signedIn = map[string]any{"sub": user}
		}
		s.approveAs(w, r, ar, signedIn, scopes)
	case "deny":
		s.log.Info("authorization denied", "client_id", ar.GetClient().GetID())
		s.authorizeError(w, r, ar, fosite.ErrAccessDenied.WithHint("The user denied the request on the consent page"))
	default:
		s.consents.restore(r.PostForm.Get("consent"), ar)
		if fixed {
			s.logins.putSignedIn(r.PostForm.Get("consent"), signedIn)
		}
		s.errorPage(w, http.StatusBadRequest, "The form must say approve or deny.")
	}
}

// approve issues the authorization code for user with the granted scopes.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, user string, scopes []string) {
	s.approveAs(w, r, ar, map[string]any{"sub": user}, scopes)
}

// approveAs issues the authorization code for the user with claims (its
// "sub" and any other claims tokens are to carry) with the granted scopes.
func (s *Server) approveAs(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, claims map[string]any, scopes []string) {
	for _, sc := range scopes {
		ar.GrantScope(sc)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
	sess := userSession(claims, ar.GetClient().GetID())
	resp, err := s.provider.NewAuthorizeResponse(r.Context(), ar, sess)
	if err != nil {
		s.authorizeError(w, r, ar, err)
		return
	}
	s.log.Info("authorization approved", "client_id", ar.GetClient().GetID(), "sub", sess.JWTClaims.Subject, "scope", strings.Join(scopes, " "))
	s.redirect(w, r, ar, resp.GetParameters())
}

// authorizeError sends an RFC 6749 error to the client's redirect URI, or,
// when the redirect URI itself is in doubt, shows it to the user.
func (s *Server) authorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	rfc := fosite.ErrorToRFC6749Error(clientFacing(err))
	s.log.Info("authorization refused", "client_id", requestClientID(ar), "error", rfc.ErrorField, "detail", debugDetail(rfc))
	if ar == nil || !ar.IsRedirectURIValid() {
		s.errorPage(w, rfc.StatusCode(), rfc.ErrorField+": "+rfc.GetDescription())
		return
	}
	s.redirect(w, r, ar, rfc.ToValues())
}

// requestClientID is the client ID of a request, or the one it asked for
// when the client was not found.
func requestClientID(ar fosite.AuthorizeRequester) string {
	if ar == nil {
		return ""
	}
	if c := ar.GetClient(); c != nil && c.GetID() != "" {
		return c.GetID()
	}
	return ar.GetRequestForm().Get("client_id")
}

// redirect sends the browser back to the client with params, the client's
// state, if it sent one, and the issuer (RFC 9207), so that a client
// talking to several authorization servers can tell which one answered
// and a mix-up attack is caught.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, params url.Values) {
	u := *ar.GetRedirectURI()
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	q.Del("state")
	if st := ar.GetState(); st != "" {
		q.Set("state", st)
	}
	q.Set("iss", s.issuerOf(r))
	u.RawQuery = q.Encode()
	u.Fragment = ""
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusSeeOther)
}

func (s *Server) describe(scope string) string {
	for _, sc := range s.cfg.Scopes {
		if sc.Name == scope {
			return sc.Description
		}
	}
	return ""
}

func validUser(u string) bool {
	if u == "" || len(u) > 100 {
		return false
	}
	for _, r := range u {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

//go:embed consent.html
var consentHTML string

var pageTemplate = template.Must(template.New("consent").Parse(consentHTML))

// consentPage is what consent.html shows. With Error set it is an error
// page and the form is left out.
type consentPage struct {
	Action      string // where the form posts: the authorization endpoint the client used
	Error       string
	Notice      string
	ConsentID   string
	ClientName  string
	ClientID    string
	RedirectURI string
	Resource    string
	Users       []string
	User        string
	Scopes      []Scope
	// SignedIn is the user the MCP server's login route signed in (bring
	// your own auth): the consent is theirs, not a user to pick.
	SignedIn string
}

func (s *Server) writeHTML(w http.ResponseWriter, status int, page consentPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// No scripts at all; no framing, so the page cannot be clickjacked.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, page); err != nil {
		s.log.Error("consent page", "error", err)
	}
}

func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	s.writeHTML(w, status, consentPage{Error: msg})
}

// consentStore holds authorization requests waiting for the user, each
// under an unguessable one-time ID that doubles as the form's CSRF token.
type consentStore struct {
	ttl     time.Duration
	mu      sync.Mutex
	pending map[string]pendingConsent
}

type pendingConsent struct {
	ar      fosite.AuthorizeRequester
	expires time.Time
}

func newConsentStore(ttl time.Duration) *consentStore {
	return &consentStore{ttl: ttl, pending: map[string]pendingConsent{}}
}

func (c *consentStore) put(ar fosite.AuthorizeRequester) string {
	id := rand.Text()
	c.restore(id, ar)
	return id
}

func (c *consentStore) restore(id string, ar fosite.AuthorizeRequester) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for k, p := range c.pending {
		if now.After(p.expires) {
			delete(c.pending, k)
		}
	}
	c.pending[id] = pendingConsent{ar, now.Add(c.ttl)}
}

func (c *consentStore) take(id string) (fosite.AuthorizeRequester, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pending[id]
	delete(c.pending, id)
	if !ok || time.Now().After(p.expires) {
		return nil, false
	}
	return p.ar, true
}
