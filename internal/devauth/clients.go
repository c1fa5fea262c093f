package devauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/ory/fosite"
	"github.com/ory/fosite/storage"
)

// client is a registered client: fosite's client plus the name the consent
// page shows.
type client struct {
	fosite.DefaultOpenIDConnectClient
	Name string
}

// GetResponseModes lets a client name response_mode=query, the one mode
// the metadata advertises; fosite refuses any response_mode to a client
// without this method.
func (c *client) GetResponseModes() []fosite.ResponseModeType {
	return []fosite.ResponseModeType{fosite.ResponseModeDefault, fosite.ResponseModeQuery}
}

// clientStore is fosite's in-memory store with its own client table:
// the pre-registered machine client, clients from dynamic registration,
// and clients identified by a metadata document URL. (MemoryStore's own
// Clients map stays empty: GetClient below replaces its lookup.)
//
// Registration is open to anything that reaches dev-auth, and a client_id
// URL makes it fetch and keep a document, so both tables are bounded LRU
// caches: a loop can push out clients nobody has used lately, but cannot
// grow memory without limit, and a client in use stays.
type clientStore struct {
	*storage.MemoryStore
	fetch func(ctx context.Context, id string) (*client, error)

	static  map[string]*client // written only before the server starts
	clients *lru.Cache[string, *client]
	cimd    *lru.Cache[string, cimdEntry]

	// rtMu guards fosite's refresh token map: MemoryStore.RevokeRefreshToken
	// (also called by RotateRefreshToken on every refresh) writes it under
	// the wrong mutex, so concurrent refreshes race on it.
	rtMu sync.RWMutex
}

func (s *clientStore) CreateRefreshTokenSession(ctx context.Context, signature, accessSignature string, req fosite.Requester) error {
	s.rtMu.Lock()
	defer s.rtMu.Unlock()
	return s.MemoryStore.CreateRefreshTokenSession(ctx, signature, accessSignature, req)
}

func (s *clientStore) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	s.rtMu.RLock()
	defer s.rtMu.RUnlock()
	return s.MemoryStore.GetRefreshTokenSession(ctx, signature, session)
}

func (s *clientStore) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	s.rtMu.Lock()
	defer s.rtMu.Unlock()
	return s.MemoryStore.DeleteRefreshTokenSession(ctx, signature)
}

func (s *clientStore) RevokeRefreshToken(ctx context.Context, requestID string) error {
	s.rtMu.Lock()
	defer s.rtMu.Unlock()
	return s.MemoryStore.RevokeRefreshToken(ctx, requestID)
}

func (s *clientStore) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	s.rtMu.Lock()
	defer s.rtMu.Unlock()
	return s.MemoryStore.RotateRefreshToken(ctx, requestID, signature)
}

type cimdEntry struct {
	client  *client
	expires time.Time
}

// cimdCacheTTL is how long a fetched client metadata document is reused.
const cimdCacheTTL = 5 * time.Minute

// maxClients bounds the registered clients: far more than a developer's
// MCP clients and test runs register in a session (each registration is a
// few hundred bytes, at most 64 KiB of metadata), few enough that a
// registration loop costs at most tens of MiB.
const maxClients = 1000

// maxCIMDCached bounds the cached metadata documents (at most 64 KiB each).
// Real clients use a handful of document URLs; one evicted is just fetched
// again.
const maxCIMDCached = 256

func newClientStore(fetch func(context.Context, string) (*client, error), log *slog.Logger) *clientStore {
	clients, err := lru.NewWithEvict(maxClients, func(id string, c *client) {
		log.Warn("registered client forgotten: more than the maximum were registered; it must register again", "client_id", id, "client_name", c.Name, "max", maxClients)
	})
	if err != nil {
		panic(err) // only for a size <= 0
	}
	cimd, err := lru.New[string, cimdEntry](maxCIMDCached)
	if err != nil {
		panic(err)
	}
	return &clientStore{
		MemoryStore: storage.NewMemoryStore(),
		fetch:       fetch,
		static:      map[string]*client{},
		clients:     clients,
		cimd:        cimd,
	}
}

// addStatic adds a client that is never evicted. It is not safe for use
// once the server is serving.
func (s *clientStore) addStatic(c *client) {
	s.static[c.GetID()] = c
}

// add registers c, forgetting the least recently used registered client
// when there are maxClients already.
func (s *clientStore) add(c *client) {
	s.clients.Add(c.GetID(), c)
}

// GetClient implements fosite.ClientManager. A client_id that is a URL is a
// client ID metadata document: it is fetched (and cached) on first use.
func (s *clientStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s *clientStore) lookup(ctx context.Context, id string) (*client, error) {
	if c, ok := s.static[id]; ok {
		return c, nil
	}
	if c, ok := s.clients.Get(id); ok {
		return c, nil
	}
	e, cached := s.cimd.Get(id)
	switch {
	case !isMetadataURL(id):
		return nil, &clientError{
			public: fmt.Sprintf("no client is registered with client_id %q; register through /oauth/register or use a client ID metadata document URL", id),
			err:    fosite.ErrNotFound,
		}
	case cached && time.Now().Before(e.expires):
		return e.client, nil
	}
	c, err := s.fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	s.cimd.Add(id, cimdEntry{c, time.Now().Add(cimdCacheTTL)})
	return c, nil
}

// clientError is a failed client lookup. fosite replaces it with a generic
// invalid_client and keeps it only as debug detail, so clientFacing puts
// public back as the hint; err is the detail for the log.
type clientError struct {
	public string
	err    error
}

func (e *clientError) Error() string { return e.public + ": " + e.err.Error() }
func (e *clientError) Unwrap() error { return e.err }

// isMetadataURL reports whether a client_id is meant as a client ID
// metadata document URL.
func isMetadataURL(id string) bool {
	return strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://")
}

// clientMetadata is the RFC 7591 client metadata this server understands;
// client ID metadata documents use the same fields plus client_id.
type clientMetadata struct {
	ClientID                string   `json:"client_id,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	ClientName              string   `json:"client_name,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	// ApplicationType is "web" or "native" (OpenID Connect Dynamic Client
	// Registration §2, which MCP 2026-07-28 has clients send).
	ApplicationType string `json:"application_type,omitempty"`
}

// metadataError is an RFC 7591 section 3.2.2 error. field names the
// metadata field at fault, so an error about a fetched document can say
// which field without repeating its content.
type metadataError struct {
	code, field, description string
}

func (e *metadataError) Error() string { return e.code + ": " + e.description }

func badMetadata(field, format string, args ...any) error {
	return &metadataError{"invalid_client_metadata", field, fmt.Sprintf(format, args...)}
}

func badRedirect(format string, args ...any) error {
	return &metadataError{"invalid_redirect_uri", "redirect_uris", fmt.Sprintf(format, args...)}
}

// check validates metadata and fills RFC 7591 defaults. defaultAuth is the
// token_endpoint_auth_method when none is given: client_secret_basic for
// registration (RFC 7591), none for metadata documents.
func (m *clientMetadata) check(defaultAuth string) error {
	if len(m.RedirectURIs) == 0 {
		return badRedirect("redirect_uris is required: the authorization code flow needs somewhere to send the code")
	}
	for _, raw := range m.RedirectURIs {
		if err := checkRedirectURI(raw); err != nil {
			return badRedirect("redirect_uris: %v", err)
		}
	}
	if err := m.checkApplicationType(); err != nil {
		return err
	}
	if len(m.ClientName) > 200 {
		return badMetadata("client_name", "client_name is longer than 200 characters")
	}
	if m.GrantTypes == nil {
		m.GrantTypes = []string{"authorization_code"}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return badMetadata("grant_types", "grant_types: %q is not available to registered clients (only authorization_code and refresh_token; client_credentials is for the pre-registered %s)", g, MachineClientID)
		}
	}
	if !slices.Contains(m.GrantTypes, "authorization_code") {
		return badMetadata("grant_types", "grant_types must include authorization_code")
	}
	if m.ResponseTypes == nil {
		m.ResponseTypes = []string{"code"}
	}
	if !slices.Equal(m.ResponseTypes, []string{"code"}) {
		return badMetadata("response_types", `response_types must be ["code"]`)
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = defaultAuth
	}
	switch m.TokenEndpointAuthMethod {
	case "none", "client_secret_basic", "client_secret_post":
	default:
		return badMetadata("token_endpoint_auth_method", "token_endpoint_auth_method %q is not supported (none, client_secret_basic, client_secret_post)", m.TokenEndpointAuthMethod)
	}
	return nil
}

// checkApplicationType holds the redirect URIs to the application type, as
// OpenID Connect Dynamic Client Registration §2 describes it: a native app
// receives the code on this machine (http on loopback) or through a
// private-use scheme it claims; a web app at an http(s) URL. A client that
// names no type is held to neither, as clients written before MCP asked for
// it name none.
func (m *clientMetadata) checkApplicationType() error {
	for _, raw := range m.RedirectURIs {
		u, _ := url.Parse(raw) // checked by checkRedirectURI
		web := u.Scheme == "http" || u.Scheme == "https"
		switch m.ApplicationType {
		case "":
		case "web":
			if !web {
				return badRedirect("redirect_uris: %q is a private-use scheme, which only a native application may register (application_type native)", raw)
			}
		case "native":
			if u.Scheme == "https" || u.Scheme == "http" && !rules.IsLoopbackHost(u.Hostname()) {
				return badRedirect("redirect_uris: %q is a web address; a native application receives the code on loopback (http://127.0.0.1:PORT/…) or through a private-use scheme", raw)
			}
		default:
			return badMetadata("application_type", `application_type must be "web" or "native", not %q`, m.ApplicationType)
		}
	}
	return nil
}

// checkRedirectURI accepts https URLs, http URLs on loopback and private-use
// schemes (RFC 8252) for native apps; never a fragment.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URI", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q has a fragment", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
	case "http":
		if !rules.IsLoopbackHost(u.Hostname()) {
			return fmt.Errorf("%q uses plain http on a host other than localhost or a loopback IP", raw)
		}
	case "javascript", "data", "file", "vbscript", "about", "blob":
		return fmt.Errorf("%q: scheme %q cannot be a redirect target", raw, u.Scheme)
	}
	return nil
}

// newClient makes a fosite client from checked metadata.
func (s *Server) newClient(id string, m *clientMetadata, hashedSecret []byte) *client {
	name := m.ClientName
	if name == "" {
		name = id
	}
	return &client{
		DefaultOpenIDConnectClient: fosite.DefaultOpenIDConnectClient{
			DefaultClient: &fosite.DefaultClient{
				ID:            id,
				Secret:        hashedSecret,
				RedirectURIs:  slices.Clone(m.RedirectURIs),
				GrantTypes:    slices.Clone(m.GrantTypes),
				ResponseTypes: slices.Clone(m.ResponseTypes),
				Scopes:        s.scopes,
				Audience:      []string{s.cfg.Resource},
				Public:        m.TokenEndpointAuthMethod == "none",
			},
			TokenEndpointAuthMethod: m.TokenEndpointAuthMethod,
		},
		Name: name,
	}
}

// maxMetadataBytes bounds a registration request or metadata document.
const maxMetadataBytes = 64 << 10

// cimdFetchTimeout bounds one metadata document fetch, whatever the
// configured HTTP client allows.
const cimdFetchTimeout = 5 * time.Second

// cimdFetcher returns the function that fetches and checks a client ID
// metadata document (draft-ietf-oauth-client-id-metadata-document).
//
// Anyone who can send dev-auth a client_id makes it fetch that URL, on
// this machine too, so its errors are a sentence per kind of failure: what
// answered, with what status or content, and how the connection failed go
// to the log, never back to the requester. Redirects are not followed: each
// hop would need the same checks as the URL itself.
func (s *Server) cimdFetcher() func(context.Context, string) (*client, error) {
	hc := *s.cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	fail := func(public string, detail error) error {
		return &clientError{public: "the client ID metadata document " + public, err: detail}
	}
	return func(ctx context.Context, id string) (*client, error) {
		if err := checkMetadataURL(id); err != nil {
			return nil, &clientError{public: fmt.Sprintf("client_id %q is not a usable client ID metadata document URL: %v", id, err), err: fosite.ErrNotFound}
		}
		ctx, cancel := context.WithTimeout(ctx, cimdFetchTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
		if err != nil {
			return nil, fail("could not be fetched", err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fail("could not be fetched", err)
		}
		defer resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			return nil, fail("could not be fetched: redirects are not followed", fmt.Errorf("%s answered %s, Location %q", id, resp.Status, resp.Header.Get("Location")))
		case resp.StatusCode != http.StatusOK:
			return nil, fail("could not be fetched", fmt.Errorf("%s answered %s", id, resp.Status))
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
		if err != nil {
			return nil, fail("could not be fetched", err)
		}
		if len(body) > maxMetadataBytes {
			return nil, fail(fmt.Sprintf("is larger than %d KiB", maxMetadataBytes>>10), fmt.Errorf("%s is over %d bytes", id, maxMetadataBytes))
		}
		// The client_id check comes before any about the other fields, so
		// only a document that names itself gets told more than that.
		// (json.Unmarshal fills what it can before reporting a type error.)
		var m clientMetadata
		err = json.Unmarshal(body, &m)
		var typ *json.UnmarshalTypeError
		switch {
		case err != nil && !errors.As(err, &typ):
			return nil, fail("is not valid JSON", err)
		case m.ClientID != id:
			return nil, fail("does not match its URL: its client_id must be the URL it is served at", fmt.Errorf("%s has client_id %q", id, truncate(m.ClientID, 200)))
		case err != nil:
			return nil, fail("is not valid client metadata: "+typ.Field+" has the wrong JSON type", err)
		}
		if m.TokenEndpointAuthMethod != "" && m.TokenEndpointAuthMethod != "none" {
			return nil, fail("is not valid client metadata: token_endpoint_auth_method must be none, since a public document cannot hold a shared secret", fmt.Errorf("token_endpoint_auth_method %q", truncate(m.TokenEndpointAuthMethod, 100)))
		}
		if err := m.check("none"); err != nil {
			var me *metadataError
			errors.As(err, &me)
			return nil, fail("is not valid client metadata: "+me.field+" is missing or not acceptable", err)
		}
		s.log.Info("client metadata document fetched", "client_id", id, "client_name", m.ClientName)
		return s.newClient(id, &m, nil), nil
	}
}

// truncate shortens s to at most n bytes for a log line.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkMetadataURL applies the draft's rules for a client_id URL; plain http
// is allowed on loopback, since dev-auth itself is loopback-only.
func checkMetadataURL(id string) error {
	u, err := url.Parse(id)
	if err != nil {
		return errors.New("it is not a URL")
	}
	switch {
	case u.Scheme == "http" && !rules.IsLoopbackHost(u.Hostname()):
		return errors.New("it must use https (plain http only on localhost)")
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("it must be an https URL")
	case u.User != nil:
		return errors.New("it must not contain user credentials")
	case u.Fragment != "" || strings.Contains(id, "#"):
		return errors.New("it must not have a fragment")
	case u.Path == "" || u.Path == "/":
		return errors.New("it must have a path")
	case slices.Contains(strings.Split(u.Path, "/"), ".") || slices.Contains(strings.Split(u.Path, "/"), ".."):
		return errors.New("it must not contain . or .. path segments")
	}
	return nil
}
