package rules

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// A Provider is what create-mcp-auth and the servers it generates know about
// one kind of authorization server: what its issuer identifiers look like,
// where it publishes its signing keys and where its access tokens carry
// scopes. Each fact cites the provider's documentation it comes from.
type Provider struct {
	Name, Title string
	// JWKSPath is where, under the issuer URL, the provider publishes its
	// signing keys. Empty: read jwks_uri from the issuer's metadata.
	JWKSPath string
	// ScopeClaims are the claims of its access tokens that hold scopes (or
	// roles that count as scopes). Each may be a space-separated string or
	// an array of strings; the union counts. A dotted name reads into an
	// object: "realm_access.roles".
	ScopeClaims []string
	// IssuerPlaceholder is written in place of an issuer nobody gave yet.
	IssuerPlaceholder string
	// IssuerHelp says where to find the issuer.
	IssuerHelp string
	// checkIssuer checks what is particular to the provider's issuers.
	checkIssuer func(u *url.URL) error
}

// Provider names.
const (
	ProviderScalekit = "scalekit"
	ProviderAuth0    = "auth0"
	ProviderOkta     = "okta"
	ProviderEntra    = "entra"
	ProviderKeycloak = "keycloak"
	ProviderWorkOS   = "workos"
	ProviderOIDC     = "oidc"
)

// Providers are the presets, in the order they are offered. Scalekit and
// Entra derive their issuers from other values (an environment URL, a
// tenant ID); the others are configured with their issuer URL.
var Providers = []Provider{
	{
		Name: ProviderScalekit, Title: "Scalekit",
		// https://docs.scalekit.com/authenticate/mcp/ : keys at {env}/keys;
		// the scopes granted are in "scope" (and in "scopes" as an array
		// for some SDK versions).
		JWKSPath:    "/keys",
		ScopeClaims: []string{"scope", "scp", "scopes"},
	},
	{
		Name: ProviderAuth0, Title: "Auth0",
		// https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
		// and https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis :
		// iss is "https://{domain}/" with the trailing slash, keys at
		// /.well-known/jwks.json, scopes in the "scope" string and, with
		// RBAC's "Add Permissions in the Access Token", in "permissions".
		JWKSPath:          "/.well-known/jwks.json",
		ScopeClaims:       []string{"scope", "permissions"},
		IssuerPlaceholder: "https://replace_me.us.auth0.com/",
		IssuerHelp:        `Auth0 dashboard → Applications → APIs → your API → Test, "iss"; or https:// + your tenant's Domain + "/"`,
		checkIssuer: func(u *url.URL) error {
			if u.Path != "/" {
				return errors.New(`Auth0 issuers are https://YOUR_DOMAIN/ with the trailing slash and no path, exactly as in the tokens' "iss"`)
			}
			return nil
		},
	},
	{
		Name: ProviderOkta, Title: "Okta",
		// https://developer.okta.com/docs/concepts/auth-servers/ and
		// https://developer.okta.com/docs/guides/validate-access-tokens/ :
		// only a custom authorization server's tokens (iss
		// https://{org}.okta.com/oauth2/{id}, "default" included) are for
		// your own APIs; keys at {iss}/v1/keys; scopes in the "scp" array.
		JWKSPath:          "/v1/keys",
		ScopeClaims:       []string{"scp"},
		IssuerPlaceholder: "https://replace_me.okta.com/oauth2/default",
		IssuerHelp:        "Okta Admin Console → Security → API → Authorization Servers → your server → Issuer URI",
		checkIssuer: func(u *url.URL) error {
			if !oktaPathRE.MatchString(u.Path) {
				return errors.New("use a custom authorization server's issuer, https://YOUR_ORG.okta.com/oauth2/default or /oauth2/{id}: tokens of the org authorization server (no /oauth2/ path) are for Okta's own APIs and cannot be validated by yours")
			}
			return nil
		},
	},
	{
		Name: ProviderEntra, Title: "Microsoft Entra ID",
		// https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens :
		// delegated permissions in the "scp" string, application
		// permissions (app roles) in the "roles" array.
		ScopeClaims: []string{"scp", "roles"},
	},
	{
		Name: ProviderKeycloak, Title: "Keycloak",
		// https://www.keycloak.org/securing-apps/oidc-layers and
		// https://www.keycloak.org/securing-apps/mcp-authz-server :
		// iss https://{host}/realms/{realm} (/auth/realms/… before
		// Keycloak 17), keys at {iss}/protocol/openid-connect/certs, client
		// scopes in the "scope" string.
		JWKSPath:          "/protocol/openid-connect/certs",
		ScopeClaims:       []string{"scope"},
		IssuerPlaceholder: "https://replace_me.example.com/realms/replace_me",
		IssuerHelp:        "Keycloak admin console → your realm → Realm settings → OpenID Endpoint Configuration → issuer",
		checkIssuer: func(u *url.URL) error {
			if !keycloakPathRE.MatchString(u.Path) {
				return errors.New("Keycloak issuers end in /realms/YOUR_REALM (with no trailing slash), as in the tokens' \"iss\"")
			}
			return nil
		},
	},
	{
		Name: ProviderWorkOS, Title: "WorkOS AuthKit",
		// https://workos.com/docs/authkit/mcp and
		// https://workos.com/docs/authkit/connect/token-claims : iss is the
		// AuthKit domain, keys at /oauth2/jwks, scopes in "scope".
		JWKSPath:          "/oauth2/jwks",
		ScopeClaims:       []string{"scope"},
		IssuerPlaceholder: "https://replace_me.authkit.app",
		IssuerHelp:        "WorkOS dashboard → Applications → Configuration → AuthKit domain (https://….authkit.app, or your custom domain)",
		checkIssuer: func(u *url.URL) error {
			if u.Path != "" {
				return errors.New("the AuthKit issuer is the bare AuthKit domain, https://YOUR_SUBDOMAIN.authkit.app, without a path or trailing slash")
			}
			return nil
		},
	},
	{
		Name: ProviderOIDC, Title: "any OpenID Connect / OAuth 2.0 server",
		ScopeClaims:       []string{"scope", "scp", "scopes"},
		IssuerPlaceholder: "https://replace_me.example.com",
		IssuerHelp:        `the issuer identifier, exactly as in the "iss" claim of its access tokens and in its /.well-known/openid-configuration`,
	},
}

var (
	oktaPathRE     = regexp.MustCompile(`^/oauth2/[A-Za-z0-9_-]+$`)
	keycloakPathRE = regexp.MustCompile(`^(/auth)?/realms/[^/]+$`)
)

// ProviderNames lists the presets' names, in order.
func ProviderNames() []string {
	names := make([]string, len(Providers))
	for i, p := range Providers {
		names[i] = p.Name
	}
	return names
}

// LookupProvider returns the preset called name.
func LookupProvider(name string) (Provider, bool) {
	for _, p := range Providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// CheckIssuer checks an issuer URL for the provider: CheckIssuerURL, then
// what the provider's issuers look like.
func (p Provider) CheckIssuer(raw string, allowHTTP bool) error {
	if err := CheckIssuerURL(raw, allowHTTP); err != nil {
		return err
	}
	if p.checkIssuer == nil {
		return nil
	}
	u, _ := url.Parse(raw)
	if err := p.checkIssuer(u); err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	return nil
}

// JWKSURL returns where the provider publishes the keys of issuer, or ""
// if they are to be discovered from its metadata.
func (p Provider) JWKSURL(issuer string) string {
	if p.JWKSPath == "" {
		return ""
	}
	return strings.TrimSuffix(issuer, "/") + p.JWKSPath
}

// Placeholders for Entra's IDs, written when none were given.
const (
	PlaceholderEntraTenantID = "REPLACE_ME-tenant-id"
	PlaceholderEntraClientID = "REPLACE_ME-client-id"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// CheckEntraID checks a Microsoft Entra directory (tenant) or application
// (client) ID: a GUID, as the Overview page of an app registration shows it.
// A tenant's domain name is not accepted: tokens name the tenant by ID.
func CheckEntraID(what, id string) error {
	if !guidRE.MatchString(id) {
		return fmt.Errorf("%s %q is not a GUID; copy it from the Microsoft Entra admin center → App registrations → your API → Overview", what, id)
	}
	return nil
}

// CheckAppIDURI checks an Entra Application ID URI given instead of the
// default api://{client ID}: an absolute api:// or https:// URI without
// query, fragment or trailing slash, since scope names are appended to it
// ("api://…/todo.read").
func CheckAppIDURI(uri string) error {
	u, err := url.Parse(uri)
	switch {
	case err != nil || u.Scheme != "api" && u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("Application ID URI %q is not an api://… or https://… URI; copy it from the app registration → Expose an API", uri)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(uri, "/"):
		return fmt.Errorf("Application ID URI %q has a query, fragment or trailing slash; scope names are appended to it", uri)
	}
	return nil
}

// IssuerKeys is an issuer identifier and where its keys are.
type IssuerKeys struct{ Issuer, JWKSURL string }

// EntraIssuers returns the issuers of a tenant's access tokens for an API:
// v2.0 tokens ("iss" https://login.microsoftonline.com/{tid}/v2.0, when the
// app registration sets accessTokenAcceptedVersion 2) and v1.0 tokens (iss
// https://sts.windows.net/{tid}/, the default), with their key sets
// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens).
// The v2.0 issuer comes first: it is the one clients are sent to.
func EntraIssuers(tenantID string) []IssuerKeys {
	const login = "https://login.microsoftonline.com/"
	return []IssuerKeys{
		{login + tenantID + "/v2.0", login + tenantID + "/discovery/v2.0/keys"},
		{"https://sts.windows.net/" + tenantID + "/", login + tenantID + "/discovery/keys"},
	}
}

// EntraAudiences returns the "aud" values of a tenant's access tokens for
// the API registered as clientID with appIDURI (default api://{clientID}):
// v2.0 tokens carry the client ID, v1.0 tokens the Application ID URI.
func EntraAudiences(clientID, appIDURI string) []string {
	if appIDURI == "" {
		appIDURI = "api://" + clientID
	}
	return []string{clientID, appIDURI}
}
