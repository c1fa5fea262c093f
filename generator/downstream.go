package generator

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// Downstream is a service the server's tools call with a credential of the
// server's own (Scalekit's "MCP server interacting with MCPs / APIs"):
// an HTTP API that takes an API key (kind api, pattern 3a), or another MCP
// server reached with an access token the server gets for it with the
// client credentials grant (kind mcp, pattern 3b). Forwarding the caller's
// token (pattern 3c) is deliberately not a kind: the MCP authorization
// specification forbids token passthrough.
type Downstream struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// URL is the API's base URL, or the other MCP server's endpoint.
	URL string `yaml:"url"`

	// Kind api: the header the key goes in (default Authorization), the
	// scheme before it there (default Bearer; "none" for the key alone)
	// and the variable holding the key (default NAME_API_KEY).
	Header string `yaml:"header,omitempty"`
	Scheme string `yaml:"scheme,omitempty"`
	KeyEnv string `yaml:"key_env,omitempty"`

	// Kind mcp: where tokens come from, an issuer whose metadata names the
	// token endpoint or the token endpoint itself; the variables holding
	// the client's ID and secret (default NAME_CLIENT_ID and
	// NAME_CLIENT_SECRET); the scopes to ask for; and the RFC 8707
	// resource (default: the URL) and audience parameters.
	Issuer          string   `yaml:"issuer,omitempty"`
	TokenURL        string   `yaml:"token_url,omitempty"`
	ClientIDEnv     string   `yaml:"client_id_env,omitempty"`
	ClientSecretEnv string   `yaml:"client_secret_env,omitempty"`
	Scopes          []string `yaml:"scopes,omitempty"`
	Resource        string   `yaml:"resource,omitempty"`
	Audience        string   `yaml:"audience,omitempty"`
}

// DownstreamKinds are the kinds of downstream service, in the order they
// are offered.
var DownstreamKinds = []string{rules.DownstreamAPI, rules.DownstreamMCP}

// applyDownstreamDefaults names the variables and the header nobody named.
func (s *Spec) applyDownstreamDefaults() {
	for i := range s.Downstream {
		d := &s.Downstream[i]
		prefix := rules.EnvPrefix(d.Name)
		switch d.Kind {
		case rules.DownstreamAPI:
			setDefault(&d.Header, rules.DefaultAPIKeyHeader)
			setDefault(&d.KeyEnv, prefix+"API_KEY")
		case rules.DownstreamMCP:
			setDefault(&d.ClientIDEnv, prefix+"CLIENT_ID")
			setDefault(&d.ClientSecretEnv, prefix+"CLIENT_SECRET")
		}
	}
}

// Variables are the environment variables that configure a downstream
// service at run time, besides those of its secrets (KeyEnv,
// ClientIDEnv, ClientSecretEnv): each overrides the spec's value.
type Variables struct {
	URL, Timeout                                 string
	Issuer, TokenURL, Scopes, Resource, Audience string // kind mcp only
}

// Variables names the variables of the downstream service.
func (d Downstream) Variables() Variables {
	p := rules.EnvPrefix(d.Name)
	v := Variables{URL: p + "URL", Timeout: p + "TIMEOUT"}
	if d.Kind == rules.DownstreamMCP {
		v.Issuer, v.TokenURL, v.Scopes, v.Resource, v.Audience = p+"ISSUER", p+"TOKEN_URL", p+"SCOPES", p+"RESOURCE", p+"AUDIENCE"
	}
	return v
}

// allVariables lists every variable of the downstream service, its
// secrets' included, each with the field that names or implies it.
func (d Downstream) allVariables() [][2]string {
	v := d.Variables()
	out := [][2]string{{v.URL, "name"}, {v.Timeout, "name"}}
	switch d.Kind {
	case rules.DownstreamAPI:
		out = append(out, [2]string{d.KeyEnv, "key_env"})
	case rules.DownstreamMCP:
		out = append(out, [2]string{v.Issuer, "name"}, [2]string{v.TokenURL, "name"}, [2]string{v.Scopes, "name"},
			[2]string{v.Resource, "name"}, [2]string{v.Audience, "name"},
			[2]string{d.ClientIDEnv, "client_id_env"}, [2]string{d.ClientSecretEnv, "client_secret_env"})
	}
	return out
}

// downstream checks the downstream services. Placeholder URLs and issuers
// pass: the generated server refuses to start until they are replaced.
func (v *validator) downstream(list []Downstream, allowHTTP bool) {
	names, goNames := map[string]bool{}, map[string]string{}
	vars := map[string]string{} // variable → the downstream that has it
	for i, d := range list {
		at := func(field string) string { return fmt.Sprintf("downstream[%d].%s", i, field) }
		if err := rules.CheckDownstreamName(d.Name); err != nil {
			v.check(at("name"), err)
			continue
		}
		switch g := GoName(d.Name); {
		case names[d.Name]:
			v.add(at("name"), fmt.Sprintf("downstream %q is declared twice", d.Name), "remove the duplicate")
			continue
		case goNames[g] != "":
			v.add(at("name"), fmt.Sprintf("downstreams %q and %q would both be the Go field %s", goNames[g], d.Name, g), "rename one of them")
			continue
		default:
			names[d.Name], goNames[g] = true, d.Name
		}
		switch d.Kind {
		case rules.DownstreamAPI:
			v.apiDownstream(d, at, allowHTTP)
		case rules.DownstreamMCP:
			v.mcpDownstream(d, at, allowHTTP)
		default:
			v.add(at("kind"), fmt.Sprintf("downstream %q has kind %q", d.Name, d.Kind),
				"use api (an HTTP API called with an API key) or mcp (an MCP server called with a client-credentials token)")
			continue
		}
		for _, nv := range d.allVariables() {
			name, field := nv[0], nv[1]
			switch {
			case field != "name" && rules.CheckServiceVariable(name) != nil:
				// reported by the kind's check
			case rules.IsServerVariable(name):
				v.add(at(field), fmt.Sprintf("downstream %q would be configured by %s, which is the server's own setting", d.Name, name), "rename the downstream (or name another variable)")
			case vars[name] != "":
				v.add(at(field), fmt.Sprintf("downstreams %q and %q would both be configured by %s", vars[name], d.Name, name), "rename one of them (or name another variable)")
			default:
				vars[name] = d.Name
			}
		}
	}
}

// apiDownstream checks a downstream HTTP API called with an API key.
func (v *validator) apiDownstream(d Downstream, at func(string) string, allowHTTP bool) {
	v.downstreamURL(at("url"), d.URL, allowHTTP)
	v.check(at("header"), rules.CheckHeaderName(d.Header))
	if d.Scheme != "" {
		if err := rules.CheckAuthScheme(d.Scheme); err != nil {
			v.check(at("scheme"), err)
		} else if !strings.EqualFold(d.Header, "Authorization") {
			v.add(at("scheme"), fmt.Sprintf("a scheme (%s) goes before the key in the Authorization header only; this key goes in %s", d.Scheme, d.Header), "remove scheme, or send the key in Authorization")
		}
	}
	v.check(at("key_env"), rules.CheckServiceVariable(d.KeyEnv))
	v.onlyFor(d, at, rules.DownstreamMCP, map[string]bool{
		"issuer": d.Issuer != "", "token_url": d.TokenURL != "", "client_id_env": d.ClientIDEnv != "", "client_secret_env": d.ClientSecretEnv != "",
		"scopes": len(d.Scopes) > 0, "resource": d.Resource != "", "audience": d.Audience != "",
	})
}

// mcpDownstream checks a downstream MCP server called with client
// credentials.
func (v *validator) mcpDownstream(d Downstream, at func(string) string, allowHTTP bool) {
	v.downstreamURL(at("url"), d.URL, allowHTTP)
	switch {
	case d.Issuer == "" && d.TokenURL == "":
		v.add(at("issuer"), fmt.Sprintf("downstream %q does not say where its tokens come from", d.Name),
			"set issuer (its authorization server, whose metadata names the token endpoint) or token_url")
	case d.Issuer != "" && d.TokenURL != "":
		v.add(at("token_url"), fmt.Sprintf("downstream %q has both an issuer and a token_url", d.Name), "keep one: the token endpoint is discovered from the issuer")
	case d.Issuer != "" && !rules.IsPlaceholder(d.Issuer):
		v.url(at("issuer"), rules.CheckIssuerURL(d.Issuer, allowHTTP))
	case d.TokenURL != "" && !rules.IsPlaceholder(d.TokenURL):
		v.url(at("token_url"), rules.CheckServiceURL(d.TokenURL, allowHTTP))
	}
	for _, sc := range d.Scopes {
		v.check(at("scopes"), rules.CheckScopeName(sc))
	}
	if dup := firstDuplicate(d.Scopes); dup != "" {
		v.add(at("scopes"), fmt.Sprintf("downstream %q lists scope %q twice", d.Name, dup), "remove the duplicate")
	}
	if d.Resource != "" {
		if u, err := url.Parse(d.Resource); err != nil || !u.IsAbs() || strings.Contains(d.Resource, "#") {
			v.add(at("resource"), fmt.Sprintf("resource %q is not an absolute URI without a fragment (RFC 8707)", d.Resource), "leave it out to ask for a token for the url")
		}
	}
	if hasControl(d.Audience) || strings.TrimSpace(d.Audience) != d.Audience {
		v.add(at("audience"), fmt.Sprintf("audience %q has spaces around it or control characters", d.Audience), "write the value alone")
	}
	v.check(at("client_id_env"), rules.CheckServiceVariable(d.ClientIDEnv))
	v.check(at("client_secret_env"), rules.CheckServiceVariable(d.ClientSecretEnv))
	if d.ClientIDEnv == d.ClientSecretEnv {
		v.add(at("client_secret_env"), fmt.Sprintf("the client ID and secret of %q are both read from %s", d.Name, d.ClientSecretEnv), "name two variables")
	}
	v.onlyFor(d, at, rules.DownstreamAPI, map[string]bool{"header": d.Header != "", "scheme": d.Scheme != "", "key_env": d.KeyEnv != ""})
}

// downstreamURL checks a downstream service's URL.
func (v *validator) downstreamURL(path, raw string, allowHTTP bool) {
	if raw == "" {
		v.add(path, "missing URL", "set the API's base URL, or the other MCP server's endpoint")
		return
	}
	if rules.IsPlaceholder(raw) {
		return
	}
	if err := rules.CheckServiceURL(raw, allowHTTP); err != nil {
		v.url(path, err)
	} else if strings.Contains(raw, "#") {
		v.add(path, fmt.Sprintf("%q has a fragment", raw), "remove it")
	}
}

// onlyFor reports fields set that belong to the other kind.
func (v *validator) onlyFor(d Downstream, at func(string) string, kind string, set map[string]bool) {
	for _, field := range slices.Sorted(maps.Keys(set)) {
		if set[field] {
			v.add(at(field), fmt.Sprintf("%s is for downstreams of kind %s; %q is of kind %s", field, kind, d.Name, d.Kind), "remove it")
		}
	}
}

// DownstreamData is a downstream service plus what templates derive from it.
type DownstreamData struct {
	Downstream
	GoName    string // its field in downstream.Settings and downstream.Clients
	EnvPrefix string // of its variables: WEATHER_
	Vars      Variables
	// AuthPrefix is written before the key: "Bearer " or nothing.
	AuthPrefix string
}

func newDownstreamData(d Downstream) DownstreamData {
	dd := DownstreamData{Downstream: d, GoName: GoName(d.Name), EnvPrefix: rules.EnvPrefix(d.Name), Vars: d.Variables()}
	if d.Kind == rules.DownstreamAPI && strings.EqualFold(d.Header, "Authorization") {
		switch d.Scheme {
		case "":
			dd.AuthPrefix = rules.DefaultAPIKeyScheme + " "
		case rules.NoScheme:
		default:
			dd.AuthPrefix = d.Scheme + " "
		}
	}
	return dd
}

// HasDownstream reports whether the spec has a downstream service of kind,
// for templates: {{if .HasDownstream "mcp"}}.
func (d *Data) HasDownstream(kind string) bool {
	return slices.ContainsFunc(d.Downstream, func(ds DownstreamData) bool { return ds.Kind == kind })
}

// CheckDownstream checks d as Validate would if it came after taken in the
// spec's list, defaults applied to copies, and returns d's problems only:
// for the interview, which checks each answer as it is given.
func CheckDownstream(taken []Downstream, d Downstream, allowHTTP bool) []Problem {
	s := Spec{Downstream: append(slices.Clone(taken), d)}
	s.applyDownstreamDefaults()
	var v validator
	v.downstream(s.Downstream, allowHTTP)
	prefix := fmt.Sprintf("downstream[%d].", len(taken))
	var out []Problem
	for _, p := range v.problems {
		if strings.HasPrefix(p.Path, prefix) {
			out = append(out, p)
		}
	}
	return out
}
