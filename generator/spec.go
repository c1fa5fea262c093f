package generator

import (
	"path"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/create-mcp-auth/create-mcp-auth/templates"
)

// Placeholders used when no real Scalekit values are given. The generated
// server refuses to start while they are in place, and the CLI says so.
const (
	PlaceholderScalekitEnv        = rules.PlaceholderScalekitEnv
	PlaceholderScalekitResourceID = rules.PlaceholderScalekitResourceID
)

// Defaults for a spec field nobody answered.
const (
	DefaultTemplate  = "stdlib"
	DefaultServerURL = "http://localhost:3002/mcp"
	DefaultProvider  = "scalekit"
	DefaultPort      = 3002
)

// Templates and providers the generator knows, in the order they are offered.
var (
	Templates = templateNames()
	Providers = rules.ProviderNames()
)

func templateNames() []string {
	var names []string
	for _, l := range templates.Layers {
		names = append(names, l.Name)
	}
	return names
}

// Spec is everything a generated project is made from. It is read from a spec
// file (--config), completed by flags and prompts, and written back into the
// project as its manifest, so the YAML field names are a public schema.
type Spec struct {
	Version           int        `yaml:"version"`
	Template          string     `yaml:"template"`
	Module            string     `yaml:"module"`
	Name              string     `yaml:"name,omitempty"`
	ServerURL         string     `yaml:"server_url"`
	Port              int        `yaml:"port"`
	Provider          string     `yaml:"provider"`
	Scalekit          Scalekit   `yaml:"scalekit,omitempty"`
	OIDC              OIDC       `yaml:"oidc,omitempty"`
	Entra             Entra      `yaml:"entra,omitempty"`
	AllowInsecureHTTP bool       `yaml:"allow_insecure_http,omitempty"`
	Scopes            []Scope    `yaml:"scopes"`
	Tools             []Tool     `yaml:"tools"`
	Resources         []Resource `yaml:"resources,omitempty"`
	Prompts           []Prompt   `yaml:"prompts,omitempty"`
	Login             *Login     `yaml:"login,omitempty"`
	// Downstream lists the services the tools call (downstream.go).
	Downstream []Downstream `yaml:"downstream,omitempty"`
}

// Scalekit holds the settings of the scalekit provider.
type Scalekit struct {
	EnvironmentURL string `yaml:"environment_url,omitempty"`
	ResourceID     string `yaml:"resource_id,omitempty"`
}

// OIDC holds the issuer of the providers configured by issuer URL: auth0,
// okta, keycloak, workos and the generic oidc.
type OIDC struct {
	Issuer  string `yaml:"issuer,omitempty"`
	JWKSURL string `yaml:"jwks_url,omitempty"`
}

// Entra holds the settings of the entra provider (Microsoft Entra ID): the
// directory (tenant) ID and the application (client) ID of the app
// registration that represents this server, and its Application ID URI
// when it is not the default api://{client ID}.
type Entra struct {
	TenantID string `yaml:"tenant_id,omitempty"`
	ClientID string `yaml:"client_id,omitempty"`
	AppIDURI string `yaml:"app_id_uri,omitempty"`
}

// Scope is an OAuth scope the server understands. Implies lists narrower
// scopes that a token holding this one also satisfies.
type Scope struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Implies     []string `yaml:"implies,omitempty"`
}

// Tool is an MCP tool and the scopes a token needs to call it.
type Tool struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Scopes      []string `yaml:"scopes,omitempty"`
}

// Resource is an MCP resource, or a family of them, and the scopes a token
// needs to read it. URI is a URI, or an RFC 6570 URI template (with {…}).
type Resource struct {
	URI         string   `yaml:"uri"`
	Name        string   `yaml:"name,omitempty"` // default: from the URI
	Description string   `yaml:"description,omitempty"`
	MIMEType    string   `yaml:"mime_type,omitempty"`
	Scopes      []string `yaml:"scopes,omitempty"`
}

// IsTemplate reports whether the resource is a URI template.
func (r Resource) IsTemplate() bool { return strings.Contains(r.URI, "{") }

// Prompt is an MCP prompt and the scopes a token needs to get it.
type Prompt struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Scopes      []string `yaml:"scopes,omitempty"`
}

// ApplyDefaults fills every field nobody set. base is the target
// directory's base name, the default module path and server name.
func (s *Spec) ApplyDefaults(base string) {
	s.Version = SpecVersion
	if s.Template == "" {
		s.Template = DefaultTemplate
	}
	if s.Module == "" {
		s.Module = base
	}
	if s.Name == "" {
		s.Name = path.Base(s.Module)
	}
	if s.ServerURL == "" {
		s.ServerURL = DefaultServerURL
	}
	if s.Port == 0 {
		s.Port = DefaultPort
	}
	if s.Provider == "" {
		s.Provider = DefaultProvider
	}
	switch p, _ := rules.LookupProvider(s.Provider); s.Provider {
	case rules.ProviderScalekit:
		setDefault(&s.Scalekit.EnvironmentURL, PlaceholderScalekitEnv)
		setDefault(&s.Scalekit.ResourceID, PlaceholderScalekitResourceID)
	case rules.ProviderEntra:
		setDefault(&s.Entra.TenantID, rules.PlaceholderEntraTenantID)
		setDefault(&s.Entra.ClientID, rules.PlaceholderEntraClientID)
	default:
		setDefault(&s.OIDC.Issuer, p.IssuerPlaceholder)
	}
	if len(s.Scopes) == 0 {
		s.Scopes = DefaultScopes()
	}
	if len(s.Tools) == 0 {
		s.Tools = []Tool{{Name: "hello", Description: "Says hello to the caller.", Scopes: []string{s.Scopes[0].Name}}}
	}
	s.Login.applyDefaults()
	for i, r := range s.Resources {
		if r.Name == "" {
			s.Resources[i].Name = ResourceName(r.URI)
		}
	}
	s.applyDownstreamDefaults()
}

// setDefault sets *field to v if it is empty.
func setDefault(field *string, v string) {
	if *field == "" {
		*field = v
	}
}

// ResourceName derives a resource's name from its URI: the part after the
// scheme, with every run of other characters than letters and digits made
// one underscore: todo://items/{id} → items_id.
func ResourceName(uri string) string {
	if _, rest, ok := strings.Cut(uri, "://"); ok {
		uri = rest
	} else if _, rest, ok := strings.Cut(uri, ":"); ok {
		uri = rest
	}
	var b strings.Builder
	sep := false
	for _, r := range uri {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			sep = false
		} else {
			sep = true
		}
	}
	if b.Len() == 0 {
		return "resource"
	}
	return b.String()
}

// DefaultScopes is the read/write pair used when the spec declares none.
func DefaultScopes() []Scope {
	return []Scope{
		{Name: "mcp:tools:read", Description: "Call tools that only read data"},
		{Name: "mcp:tools:write", Description: "Call tools that change data"},
	}
}

// Placeholders lists the spec values that are still placeholders, as
// "VARIABLE (--flag): where to find the real value" lines for the user.
func (s *Spec) Placeholders() []string {
	var out []string
	add := func(value, line string) {
		if rules.IsPlaceholder(value) {
			out = append(out, line)
		}
	}
	switch p, _ := rules.LookupProvider(s.Provider); s.Provider {
	case rules.ProviderScalekit:
		add(s.Scalekit.EnvironmentURL, "SCALEKIT_ENVIRONMENT_URL (--scalekit-env): Scalekit dashboard → Settings → API Credentials → Environment URL")
		add(s.Scalekit.ResourceID, "SCALEKIT_RESOURCE_ID (--scalekit-resource-id): Scalekit dashboard → MCP Servers → your server → Resource ID (res_…)")
	case rules.ProviderEntra:
		add(s.Entra.TenantID, "ENTRA_TENANT_ID (--entra-tenant-id): Microsoft Entra admin center → App registrations → your API → Overview → Directory (tenant) ID")
		add(s.Entra.ClientID, "ENTRA_CLIENT_ID (--entra-client-id): Microsoft Entra admin center → App registrations → your API → Overview → Application (client) ID")
	default:
		add(s.OIDC.Issuer, "OAUTH_ISSUER (--issuer): "+p.IssuerHelp)
	}
	return append(out, s.Login.unset()...)
}
