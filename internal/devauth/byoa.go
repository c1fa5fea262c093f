package devauth

// Bring your own auth, the way a Scalekit environment runs it: with
// Config.LoginURL set, /oauth/authorize sends the user to the MCP server's
// own login route with a login_request_id and a state; that route posts the
// signed-in user's claims to the connection's API, authorised by an API
// token from the client credentials grant (APIClientID), and sends the
// browser back to partner:callback with the state, which completes the
// authorization as that user.

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3/jwt"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// APIClientID is the pre-registered client whose client credentials buy the
// API token a login route posts users with (Scalekit's SCALEKIT_CLIENT_ID).
const APIClientID = "dev-api"

// DefaultConnectionID is the bring your own auth connection's ID when the
// config names none.
const DefaultConnectionID = "conn_dev"

const (
	// loginTTL bounds how long a user may take on the login route.
	loginTTL = 10 * time.Minute
	// maxPendingLogins bounds the login requests kept at once.
	maxPendingLogins = 1000
	// loginCookie names the cookie that binds a login request to the
	// browser that started it; its value is the state.
	loginCookie = "devauth_login_"
)

// checkLoginURL checks Config.LoginURL: an http(s) URL on loopback, since
// dev-auth sends login requests only to a server on this machine.
func checkLoginURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("login URL %q must be an http(s) URL without query, e.g. http://localhost:3002/login", raw)
	}
	if !rules.IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("login URL %q must be on this machine (localhost or a loopback IP): dev-auth sends login requests nowhere else", raw)
	}
	return nil
}

// apiAudience is the "aud" of API tokens: not the MCP server, so an API
// token is no access token for it, nor an access token one for the API.
func (s *Server) apiAudience() string { return s.cfg.Issuer + "/api" }

// A loginRequest is an authorization waiting for the login route.
type loginRequest struct {
	ar      fosite.AuthorizeRequester
	id      string
	state   string
	user    map[string]any // the claims posted, once they are
	expires time.Time
}

// loginStore holds the login requests, by ID and by state, and the
// consents waiting for a user who signed in on the login route.
type loginStore struct {
	mu       sync.Mutex
	byID     map[string]*loginRequest
	byState  map[string]*loginRequest
	signedIn map[string]map[string]any // consent ID → claims
}

func newLoginStore() *loginStore {
	return &loginStore{byID: map[string]*loginRequest{}, byState: map[string]*loginRequest{}, signedIn: map[string]map[string]any{}}
}

func (l *loginStore) put(ar fosite.AuthorizeRequester) (*loginRequest, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for id, p := range l.byID {
		if now.After(p.expires) {
			delete(l.byID, id)
			delete(l.byState, p.state)
		}
	}
	if len(l.byID) >= maxPendingLogins {
		return nil, errors.New("too many sign-ins are waiting for the login route; try again in a few minutes")
	}
	p := &loginRequest{ar: ar, id: "lri_" + rand.Text(), state: rand.Text(), expires: now.Add(loginTTL)}
	l.byID[p.id], l.byState[p.state] = p, p
	return p, nil
}

// setUser records the claims posted for login request id.
func (l *loginStore) setUser(id string, claims map[string]any) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.byID[id]
	if !ok || time.Now().After(p.expires) {
		return false
	}
	p.user = claims
	return true
}

// take removes and returns the login request of state: a state is good
// for one callback.
func (l *loginStore) take(state string) (*loginRequest, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.byState[state]
	if !ok {
		return nil, false
	}
	delete(l.byState, state)
	delete(l.byID, p.id)
	return p, time.Now().Before(p.expires)
}

func (l *loginStore) putSignedIn(consentID string, claims map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.signedIn[consentID] = claims
}

// takeSignedIn returns the claims of the user a consent is for, if the
// login route signed them in.
func (l *loginStore) takeSignedIn(consentID string) (map[string]any, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.signedIn[consentID]
	delete(l.signedIn, consentID)
	return c, ok
}

// startLogin sends the user to the login route for ar.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester) {
	p, err := s.logins.put(ar)
	if err != nil {
		s.errorPage(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie + p.id, Value: p.state, Path: "/sso/v1/connections/",
		MaxAge: int(loginTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	u, _ := url.Parse(s.cfg.LoginURL)
	u.RawQuery = url.Values{"login_request_id": {p.id}, "state": {p.state}}.Encode()
	s.log.Info("sent to the login route", "client_id", ar.GetClient().GetID(), "login_request_id", p.id)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// connection checks the connection ID of a request's path, answering 404
// when it is not this dev-auth's; a res_ ID gets Scalekit's classic hint.
func (s *Server) connection(w http.ResponseWriter, r *http.Request, page bool) bool {
	id := r.PathValue("conn")
	if id == s.cfg.ConnectionID {
		return true
	}
	msg := fmt.Sprintf("invalid ID: this dev-auth's bring your own auth connection is %q, not %q", s.cfg.ConnectionID, id)
	if strings.HasPrefix(id, "res_") {
		msg += "; that is a resource ID (res_…): use the connection ID (conn_…)"
	}
	if page {
		s.errorPage(w, http.StatusNotFound, msg)
	} else {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": msg})
	}
	return false
}

// userClaims handles the login route's POST of the signed-in user:
// /api/v1/connections/{conn}/auth-requests/{id}/user.
func (s *Server) userClaims(w http.ResponseWriter, r *http.Request) {
	if !s.connection(w, r, false) {
		return
	}
	if err := s.checkAPIToken(r); err != nil {
		s.log.Info("user post refused", "reason", err.Error())
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "message": err.Error() + "; get an API token from /oauth/token with the " + APIClientID + " client's credentials"})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": "send the user's claims as a JSON object"})
		return
	}
	var claims map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxMetadataBytes)).Decode(&claims); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": "the body is not a JSON object of claims"})
		return
	}
	sub, _ := claims["sub"].(string)
	if !validUser(sub) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": `"sub" must be the user's ID: 1 to 100 printable characters, no spaces`})
		return
	}
	id := r.PathValue("id")
	if !s.logins.setUser(id, claims) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "invalid ID: no login request " + id + " is waiting (expired, completed or never started)"})
		return
	}
	s.log.Info("user posted for login request", "login_request_id", id, "sub", sub)
	writeJSON(w, http.StatusOK, map[string]string{})
}

// checkAPIToken accepts a bearer token this dev-auth issued to APIClientID
// for its API, and nothing else.
func (s *Server) checkAPIToken(r *http.Request) error {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errors.New("no bearer API token")
	}
	parsed, err := jwt.ParseSigned(token)
	if err != nil {
		return errors.New("the API token is not a JWT")
	}
	var std jwt.Claims
	var extra struct {
		ClientID string `json:"client_id"`
	}
	if err := parsed.Claims(&s.cfg.Key.PublicKey, &std, &extra); err != nil {
		return errors.New("the API token's signature does not verify")
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: s.cfg.Issuer, Audience: jwt.Audience{s.apiAudience()}, Time: time.Now()}, time.Minute); err != nil {
		return fmt.Errorf("the API token is not one for this API: %v", err)
	}
	if extra.ClientID != APIClientID {
		return fmt.Errorf("the API token was issued to %q, not %q", extra.ClientID, APIClientID)
	}
	return nil
}

// partnerCallback completes a login request: the browser comes back with
// the state it was sent off with, in the browser that started it, after
// the login route posted the user.
func (s *Server) partnerCallback(w http.ResponseWriter, r *http.Request) {
	if !s.connection(w, r, true) {
		return
	}
	state := r.URL.Query().Get("state")
	p, ok := s.logins.take(state)
	if !ok {
		s.log.Info("partner callback refused", "reason", "unknown, used or expired state")
		s.errorPage(w, http.StatusBadRequest, "This sign-in's state is unknown, was already used or has expired. Start again from your MCP client.")
		return
	}
	if c, err := r.Cookie(loginCookie + p.id); err != nil || c.Value != state {
		s.log.Info("partner callback refused", "reason", "not the browser that started the sign-in", "login_request_id", p.id)
		s.errorPage(w, http.StatusBadRequest, "This sign-in was started in another browser. Start again from your MCP client.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie + p.id, Path: "/sso/v1/connections/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if p.user == nil {
		s.log.Info("partner callback refused", "reason", "no user posted", "login_request_id", p.id)
		s.errorPage(w, http.StatusBadRequest, "The login route sent you back before it posted who you are. Start again from your MCP client.")
		return
	}
	sub := p.user["sub"].(string)
	s.log.Info("signed in by the login route", "login_request_id", p.id, "sub", sub)
	if s.cfg.AutoApprove && isLoopbackRedirect(p.ar.GetRedirectURI()) {
		s.approveAs(w, r, p.ar, p.user, p.ar.GetRequestedScopes())
		return
	}
	id := s.consents.put(p.ar)
	s.logins.putSignedIn(id, p.user)
	s.consentPageFor(w, p.ar, "/oauth/authorize", id, sub, "")
}

// userSession is the token session of a user with claims: the posted
// claims, but never those the authorization server sets itself.
func userSession(claims map[string]any, clientID string) *oauth2.JWTSession {
	sub, _ := claims["sub"].(string)
	sess := newSession(sub, clientID)
	for k, v := range claims {
		switch k {
		case "sub", "iss", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "scp", "azp", "cnf", "act":
		default:
			sess.JWTClaims.Extra[k] = v
		}
	}
	return sess
}
