package cli

import (
	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// providerChoices are the presets as the interview offers them.
var providerChoices = []Choice{
	{Value: rules.ProviderScalekit, Description: "Scalekit (drop-in OAuth 2.1 for MCP, with DCR and CIMD)"},
	{Value: rules.ProviderAuth0, Description: "Auth0: an API whose identifier is this server's URL"},
	{Value: rules.ProviderOkta, Description: "Okta: a custom authorization server"},
	{Value: rules.ProviderEntra, Description: "Microsoft Entra ID: an app registration that exposes an API"},
	{Value: rules.ProviderKeycloak, Description: "Keycloak: a realm, with an audience mapper"},
	{Value: rules.ProviderWorkOS, Description: "WorkOS AuthKit (MCP auth with DCR and CIMD)"},
	{Value: rules.ProviderOIDC, Description: "any other OAuth 2.1 / OIDC issuer that publishes a JWKS"},
}

// keepsPlaceholder is the end of a question whose Enter keeps a
// placeholder.
const keepsPlaceholder = " (Enter keeps a placeholder to set in .env later):"

// provider asks which authorization server issues the tokens, and what
// that preset needs to know about it. Every answer may stay a placeholder:
// the server refuses to start until it is replaced.
func (in *interview) provider(s *generator.Spec) error {
	var err error
	if in.asked("provider", s.Provider != "") {
		if s.Provider, err = in.p.Select(Question{Message: "Authorization server:", Default: generator.DefaultProvider,
			Help: "Who issues the access tokens this server accepts. The generated README walks through its setup."}, providerChoices); err != nil {
			return err
		}
	}
	p, _ := rules.LookupProvider(s.Provider)
	orPlaceholder := func(check func(string) error) func(string) error {
		return func(v string) error {
			if rules.IsPlaceholder(v) {
				return nil
			}
			return check(v)
		}
	}
	switch s.Provider {
	case rules.ProviderScalekit:
		if err := in.ask(&s.Scalekit.EnvironmentURL, "scalekit-env", Question{
			Message: "Scalekit environment URL" + keepsPlaceholder, Default: generator.PlaceholderScalekitEnv,
			Help:     "Scalekit dashboard → Settings → API Credentials → Environment URL, e.g. https://acme.scalekit.com. Keep the placeholder to fill it in .env later.",
			Validate: func(u string) error { return rules.CheckIssuerURL(u, s.AllowInsecureHTTP) },
		}); err != nil {
			return err
		}
		return in.ask(&s.Scalekit.ResourceID, "scalekit-resource-id", Question{
			Message: "Scalekit resource ID" + keepsPlaceholder, Default: generator.PlaceholderScalekitResourceID,
			Help:     "Scalekit dashboard → MCP Servers → your server → Resource ID (starts with res_). Keep the placeholder to fill it in .env later.",
			Validate: rules.CheckScalekitResourceID,
		})
	case rules.ProviderEntra:
		const where = "Microsoft Entra admin center → App registrations → the registration for this server → Overview → "
		if err := in.ask(&s.Entra.TenantID, "entra-tenant-id", Question{
			Message: "Directory (tenant) ID" + keepsPlaceholder, Default: rules.PlaceholderEntraTenantID,
			Help:     where + "Directory (tenant) ID, a GUID.",
			Validate: orPlaceholder(func(v string) error { return rules.CheckEntraID("tenant ID", v) }),
		}); err != nil {
			return err
		}
		return in.ask(&s.Entra.ClientID, "entra-client-id", Question{
			Message: "Application (client) ID" + keepsPlaceholder, Default: rules.PlaceholderEntraClientID,
			Help:     where + "Application (client) ID, a GUID. Tokens for this server carry it (or api://it) in aud.",
			Validate: orPlaceholder(func(v string) error { return rules.CheckEntraID("client ID", v) }),
		})
	}
	if err := in.ask(&s.OIDC.Issuer, "issuer", Question{
		Message: "Issuer URL" + keepsPlaceholder, Default: p.IssuerPlaceholder,
		Help:     "Exactly the iss claim of its access tokens: " + p.IssuerHelp + ".",
		Validate: orPlaceholder(func(u string) error { return p.CheckIssuer(u, s.AllowInsecureHTTP) }),
	}); err != nil {
		return err
	}
	if p.JWKSPath != "" {
		return nil // the preset knows where the keys are
	}
	return in.ask(&s.OIDC.JWKSURL, "jwks-url", Question{
		Message: "JWKS URL (empty: discover from the issuer's metadata):",
		Help:    "Where the issuer publishes its signing keys. Leave empty to read jwks_uri from its RFC 8414 / OpenID metadata.",
		Validate: func(u string) error {
			if u == "" {
				return nil
			}
			return rules.CheckServiceURL(u, s.AllowInsecureHTTP)
		},
	})
}

// ask asks q into *field unless flag or the spec file answered it.
func (in *interview) ask(field *string, flag string, q Question) error {
	if !in.asked(flag, *field != "") {
		return nil
	}
	v, err := in.p.Input(q)
	if err != nil {
		return err
	}
	*field = v
	return nil
}
