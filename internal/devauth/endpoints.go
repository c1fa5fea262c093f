package devauth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/jwt"
)

func (s *Server) routes() {
	mux := http.NewServeMux()
	// Discovery, in every place an MCP client or an OIDC library looks:
	// RFC 8414 and OIDC paths for the plain issuer, and Scalekit's
	// per-resource issuer with both path insertion and path appending.
	// No method in these patterns: the mux would answer a CORS preflight
	// (OPTIONS, sent because MCP clients add MCP-Protocol-Version) with 405
	// before cors sees it.
	for _, p := range []string{"oauth-authorization-server", "openid-configuration"} {
		mux.Handle("/.well-known/"+p, cors(readOnly, allow("GET, HEAD", s.metadataHandler(""))))
		mux.Handle("/.well-known/"+p+"/resources/{id}", cors(readOnly, allow("GET, HEAD", s.metadataHandler("id"))))
		mux.Handle("/resources/{id}/.well-known/"+p, cors(readOnly, allow("GET, HEAD", s.metadataHandler("id"))))
	}
	mux.Handle("/keys", cors(readOnly, allow("GET, HEAD", http.HandlerFunc(s.keys))))
	mux.Handle("/oauth/register", cors(stateChanging, allow("POST", http.HandlerFunc(s.register))))
	mux.Handle("/oauth/token", cors(stateChanging, allow("POST", http.HandlerFunc(s.token))))
	mux.Handle("/oauth/revoke", cors(stateChanging, allow("POST", http.HandlerFunc(s.revoke))))
	// Each issuer has its own authorization endpoint, so that a response
	// names the issuer whose metadata the client followed (RFC 9207).
	mux.Handle("/oauth/authorize", allow("GET, POST", http.HandlerFunc(s.authorize)))
	mux.Handle("/resources/{id}/oauth/authorize", allow("GET, POST", s.knownResource(http.HandlerFunc(s.authorize))))
	if s.cfg.LoginURL != "" {
		mux.Handle("/api/v1/connections/{conn}/auth-requests/{id}/user", cors(stateChanging, allow("POST", http.HandlerFunc(s.userClaims))))
		mux.Handle("/sso/v1/connections/{conn}/partner:callback", allow("GET", http.HandlerFunc(s.partnerCallback)))
	}
	mux.HandleFunc("GET /{$}", s.index)
	s.mux = mux
}

// corsKind says what cors does with a request from a page on another
// origin.
type corsKind int

const (
	// readOnly endpoints serve public documents to anyone; the browser is
	// just not told it may hand them to a foreign page.
	readOnly corsKind = iota
	// stateChanging endpoints refuse a foreign page's request outright: a
	// form-encoded POST is a CORS "simple" request that the browser sends
	// without asking first, so withholding CORS headers would stop the page
	// reading the answer but not the server acting on it.
	stateChanging
)

// cors lets browser-based clients on this machine, such as MCP Inspector
// at http://localhost:6274, discover, register and redeem codes. dev-auth
// trusts whoever can reach it, so pages elsewhere on the web must not: only
// loopback origins get CORS, with the origin reflected (never "*"). Requests
// without an Origin header (curl, SDKs in Node, the token command) are not
// from a browser page and pass unchanged.
func cors(kind corsKind, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin, present := r.Header["Origin"]
		switch {
		case present && isLoopbackOrigin(origin[0]):
			h.Set("Access-Control-Allow-Origin", origin[0])
		case present && (kind == stateChanging || r.Method == http.MethodOptions):
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "invalid_request", "error_description": "dev-auth answers browser requests only from pages on this machine (http://localhost, http://127.0.0.1, http://[::1] and *.localhost origins)"})
			return
		}
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopbackOrigin reports whether origin (an Origin header) is a page
// served from this machine: http or https on localhost, a *.localhost name
// (RFC 6761: browsers resolve those to loopback themselves), or a loopback
// IP. The opaque origin "null" (sandboxed frames, file: pages) is not.
func isLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	host := u.Hostname()
	return rules.IsLoopbackHost(host)
}

// allow answers 405 to methods other than the listed ones (and OPTIONS,
// which cors answers first).
func allow(methods string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range strings.Split(methods, ", ") {
			if r.Method == m {
				next.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Allow", methods)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request", "error_description": r.Method + " is not allowed here; use " + methods})
	})
}

// metadataHandler serves RFC 8414 metadata. With idParam set it serves the
// per-resource authorization server, whose issuer ends in /resources/{id}.
func (s *Server) metadataHandler(idParam string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		issuer := s.cfg.Issuer
		if idParam != "" {
			if id := r.PathValue(idParam); id != s.cfg.ResourceID {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": fmt.Sprintf("this dev-auth serves resource %q, not %q", s.cfg.ResourceID, id)})
				return
			}
			issuer = s.ResourceIssuer()
		}
		base := s.cfg.Issuer
		md := map[string]any{
			"issuer":                 issuer,
			"authorization_endpoint": issuer + "/oauth/authorize",
			// RFC 9207: authorization responses carry "iss".
			"authorization_response_iss_parameter_supported": true,
			"token_endpoint":                             base + "/oauth/token",
			"registration_endpoint":                      base + "/oauth/register",
			"revocation_endpoint":                        base + "/oauth/revoke",
			"jwks_uri":                                   base + "/keys",
			"scopes_supported":                           s.scopes,
			"response_types_supported":                   []string{"code"},
			"response_modes_supported":                   []string{"query"},
			"grant_types_supported":                      []string{"authorization_code", "refresh_token", "client_credentials"},
			"code_challenge_methods_supported":           []string{"S256"},
			"token_endpoint_auth_methods_supported":      []string{"none", "client_secret_basic", "client_secret_post"},
			"revocation_endpoint_auth_methods_supported": []string{"none", "client_secret_basic", "client_secret_post"},
			"client_id_metadata_document_supported":      true,
			"subject_types_supported":                    []string{"public"},
			"id_token_signing_alg_values_supported":      []string{"RS256"},
			"service_documentation":                      base + "/",
		}
		if s.cfg.NoDCR {
			delete(md, "registration_endpoint")
		}
		writeJSON(w, http.StatusOK, md)
	}
}

// issuerOf is the issuer whose endpoint r was sent to: the per-resource
// one under /resources/{id}, else the base one.
func (s *Server) issuerOf(r *http.Request) string {
	if r.PathValue("id") != "" {
		return s.ResourceIssuer()
	}
	return s.cfg.Issuer
}

// knownResource answers 404 for a per-resource path of another resource.
func (s *Server) knownResource(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); id != s.cfg.ResourceID {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": fmt.Sprintf("this dev-auth serves resource %q, not %q", s.cfg.ResourceID, id)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.jwk.Public()}})
}

// register is RFC 7591 dynamic client registration, open to anyone: this is
// a development server on loopback.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if s.cfg.NoDCR {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found",
			"error_description": "dynamic client registration is off (dev-auth --no-dcr): use a client ID metadata document, an https URL as client_id"})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client_metadata", "error_description": "send the client metadata as a JSON object with Content-Type: application/json"})
		return
	}
	var m clientMetadata
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxMetadataBytes))
	if err := dec.Decode(&m); err != nil {
		s.log.Info("registration refused", "detail", err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client_metadata", "error_description": describeJSONError(err)})
		return
	}
	if err := m.check("client_secret_basic"); err != nil {
		var me *metadataError
		errors.As(err, &me)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": me.code, "error_description": me.description})
		return
	}
	id := rand.Text()
	var secret string
	var hashed []byte
	if m.TokenEndpointAuthMethod != "none" {
		secret = rand.Text() + rand.Text()
		var err error
		hashed, err = s.hasher.Hash(r.Context(), []byte(secret))
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
	}
	c := s.newClient(id, &m, hashed)
	s.clients.add(c)
	s.log.Info("client registered", "client_id", id, "client_name", c.Name, "redirect_uris", m.RedirectURIs, "auth_method", m.TokenEndpointAuthMethod)
	resp := map[string]any{
		"client_id":                  id,
		"client_id_issued_at":        time.Now().Unix(),
		"client_name":                c.Name,
		"redirect_uris":              m.RedirectURIs,
		"grant_types":                m.GrantTypes,
		"response_types":             m.ResponseTypes,
		"token_endpoint_auth_method": m.TokenEndpointAuthMethod,
		"scope":                      strings.Join(s.scopes, " "),
	}
	if m.ApplicationType != "" {
		resp["application_type"] = m.ApplicationType
	}
	if secret != "" {
		resp["client_secret"] = secret
		resp["client_secret_expires_at"] = 0
	}
	writeJSON(w, http.StatusCreated, resp)
}

// token is the token endpoint: authorization_code, refresh_token and
// client_credentials, all checked by fosite.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxMetadataBytes)
	refuse := func(ar fosite.AccessRequester, err error) {
		err = clientFacing(err)
		rfc := fosite.ErrorToRFC6749Error(err)
		clientID, _, basic := r.BasicAuth()
		if !basic {
			clientID = r.PostForm.Get("client_id")
		}
		s.log.Info("token request refused", "grant_type", r.PostForm.Get("grant_type"), "client_id", clientID, "error", rfc.ErrorField, "detail", debugDetail(rfc))
		// RFC 6749 section 5.2: a 401 to a client that tried HTTP Basic
		// must name the scheme; fosite leaves the header out.
		if basic && rfc.CodeField == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="dev-auth"`)
		}
		if ar == nil {
			ar = fosite.NewAccessRequest(newSession("", ""))
		}
		s.provider.WriteAccessError(ctx, w, ar, err)
	}
	if err := needForm(r); err != nil {
		refuse(nil, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		hint := "The body is not a valid application/x-www-form-urlencoded form."
		if tooLarge(err) {
			hint = fmt.Sprintf("The body is larger than %d KiB.", maxMetadataBytes>>10)
		}
		refuse(nil, fosite.ErrInvalidRequest.WithHint(hint).WithWrap(err))
		return
	}
	if s.cfg.LoginURL != "" && r.PostForm.Get("client_id") == APIClientID {
		// An API token, for the login route: for the API, never the MCP
		// server.
		r.PostForm["audience"] = []string{s.apiAudience()}
		delete(r.PostForm, "resource")
	} else if err := s.resourceToAudience(r.PostForm, r.PostForm.Get("grant_type") == "client_credentials"); err != nil {
		refuse(nil, err)
		return
	}
	// fosite answers invalid_request to a grant type no handler takes;
	// RFC 6749 section 5.2 says unsupported_grant_type.
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "authorization_code" && gt != "refresh_token" && gt != "client_credentials" {
		refuse(nil, fosite.ErrUnsupportedGrantType.WithHintf("This dev-auth supports authorization_code, refresh_token and client_credentials, not %q.", gt))
		return
	}
	ar, err := s.provider.NewAccessRequest(ctx, r, newSession("", ""))
	if err != nil {
		refuse(ar, err)
		return
	}
	sess := ar.GetSession().(*oauth2.JWTSession)
	switch {
	case ar.GetGrantTypes().ExactOne("client_credentials"):
		id := ar.GetClient().GetID()
		sess.JWTClaims.Subject = id
		sess.JWTClaims.Extra["client_id"] = id
		for _, sc := range ar.GetRequestedScopes() {
			ar.GrantScope(sc)
		}
		for _, a := range ar.GetRequestedAudience() {
			ar.GrantAudience(a)
		}
	case ar.GetGrantTypes().ExactOne("refresh_token"):
		// The session is restored from the first token; a new token is
		// issued now, not then.
		sess.JWTClaims.IssuedAt = time.Time{}
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		refuse(ar, err)
		return
	}
	s.log.Info("token issued", "grant_type", strings.Join(ar.GetGrantTypes(), " "), "client_id", ar.GetClient().GetID(),
		"sub", sess.JWTClaims.Subject, "scope", strings.Join(ar.GetGrantedScopes(), " "), "refresh_token", resp.GetExtra("refresh_token") != nil)
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// revoke is RFC 7009 revocation of refresh tokens.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxMetadataBytes)
	if err := needForm(r); err != nil {
		s.provider.WriteAccessError(ctx, w, nil, err)
		return
	}
	err := s.provider.NewRevocationRequest(ctx, r)
	if err != nil {
		rfc := fosite.ErrorToRFC6749Error(err)
		s.log.Info("revocation refused", "error", rfc.ErrorField, "detail", debugDetail(rfc))
	}
	s.provider.WriteRevocationResponse(ctx, w, err)
}

// needForm refuses a token or revocation request that is not
// application/x-www-form-urlencoded (RFC 6749 section 3.2, RFC 7009
// section 2.1). fosite would also parse multipart/form-data, which this
// package's own checks (resource indicators) never see.
func needForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return fosite.ErrInvalidRequest.WithHint("Send the request body as application/x-www-form-urlencoded.")
	}
	return nil
}

// resourceToAudience checks RFC 8707 resource indicators and hands them to
// fosite, which calls them audiences. This server protects one resource;
// asking for any other is invalid_target. With fill set, a request naming
// no resource gets the configured one, so every token has an "aud".
func (s *Server) resourceToAudience(form url.Values, fill bool) error {
	res := form["resource"]
	for _, v := range res {
		if v != s.cfg.Resource {
			return errInvalidTarget.WithHintf("This dev-auth issues tokens for the resource %q only, not %q.", s.cfg.Resource, v)
		}
	}
	switch {
	case len(res) > 0:
		form["audience"] = res[:1]
	case fill && len(form["audience"]) == 0:
		form["audience"] = []string{s.cfg.Resource}
	}
	return nil
}

// errInvalidTarget is RFC 8707's error for an unknown resource.
var errInvalidTarget = &fosite.RFC6749Error{
	ErrorField:       "invalid_target",
	DescriptionField: "The requested resource is invalid, missing, unknown, or malformed.",
	CodeField:        http.StatusBadRequest,
}

// newSession is the session a token is minted from: RFC 9068 claims, typ
// at+jwt and the signing key's kid.
func newSession(sub, clientID string) *oauth2.JWTSession {
	return &oauth2.JWTSession{
		JWTClaims: &jwt.JWTClaims{Subject: sub, Extra: map[string]any{"client_id": clientID}},
		JWTHeader: &jwt.Headers{Extra: map[string]any{"typ": "at+jwt"}},
	}
}

func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "create-mcp-auth dev-auth: a DEVELOPMENT-ONLY OAuth 2.1 authorization server.\n\n")
	fmt.Fprintf(w, "resource       %s\nresource id    %s\nscopes         %s\n\n", s.cfg.Resource, s.cfg.ResourceID, strings.Join(s.scopes, " "))
	fmt.Fprintf(w, "metadata       %s/.well-known/oauth-authorization-server/resources/%s\n", s.cfg.Issuer, s.cfg.ResourceID)
	fmt.Fprintf(w, "               %s/.well-known/oauth-authorization-server\n", s.cfg.Issuer)
	fmt.Fprintf(w, "jwks           %s/keys\n", s.cfg.Issuer)
	fmt.Fprintf(w, "authorize      %s/oauth/authorize\ntoken          %s/oauth/token\nregister       %s/oauth/register\nrevoke         %s/oauth/revoke\n",
		s.cfg.Issuer, s.cfg.Issuer, s.cfg.Issuer, s.cfg.Issuer)
	if s.cfg.LoginURL != "" {
		fmt.Fprintf(w, "\nbring your own auth (connection %s): users sign in at %s\n", s.cfg.ConnectionID, s.cfg.LoginURL)
		fmt.Fprintf(w, "user post      %s/api/v1/connections/%s/auth-requests/{login_request_id}/user\n", s.cfg.Issuer, s.cfg.ConnectionID)
		fmt.Fprintf(w, "callback       %s/sso/v1/connections/%s/partner:callback?state=…\n", s.cfg.Issuer, s.cfg.ConnectionID)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
