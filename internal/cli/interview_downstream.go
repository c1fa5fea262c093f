package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// Stand-ins for the answers not given yet, when the interview checks one
// answer of a downstream service: valid, so that only the answer at hand
// can have a problem.
const (
	sampleServiceURL = "https://service.example.com/mcp"
	sampleIssuer     = "https://auth.example.com"
)

// downstream asks for the services the tools call, until an empty name.
// Each answer is checked by generator.CheckDownstream, the spec's own
// check, as if the service were complete: what comes out passes Validate.
func (in *interview) downstream(allowHTTP bool) ([]generator.Downstream, error) {
	var out []generator.Downstream
	for {
		msg := fmt.Sprintf("Downstream service %d name (empty to finish):", len(out)+1)
		if len(out) == 0 {
			msg = "Downstream service 1 name (empty: none):"
		}
		name, err := in.p.Input(Question{
			Message: msg,
			Help: "A service the tools call with this server's own credential, never the caller's token: an HTTP API with an API key, " +
				"or another MCP server with client credentials. Lower case, e.g. weather; it names the service's variables (WEATHER_URL) and Go field.",
			Validate: func(n string) error {
				if n == "" {
					return nil
				}
				// The name must suit either kind: the kind is asked next.
				for _, kind := range generator.DownstreamKinds {
					if err := problemAt(generator.CheckDownstream(out, sample(n, kind), allowHTTP), "name"); err != nil {
						return err
					}
				}
				return nil
			},
		})
		if err != nil || name == "" {
			return out, err
		}
		kind, err := in.p.Select(Question{Message: "Kind of " + name + ":", Default: rules.DownstreamAPI,
			Help: "How this server authenticates to it. Forwarding the caller's token is not offered: the MCP specification forbids token passthrough."},
			[]Choice{
				{Value: rules.DownstreamAPI, Description: "an HTTP API called with an API key"},
				{Value: rules.DownstreamMCP, Description: "another MCP server, called with a client-credentials token for it"},
			})
		if err != nil {
			return nil, err
		}
		d := sample(name, kind)
		ask := func(field, message, def, help string, set func(*generator.Downstream, string)) error {
			ans, err := in.p.Input(Question{Message: message, Default: def, Help: help, Validate: func(v string) error {
				c := d
				set(&c, v)
				return problemAt(generator.CheckDownstream(out, c, allowHTTP), field)
			}})
			if err == nil {
				set(&d, ans)
			}
			return err
		}
		if err := ask("url", "URL of "+name+":", "",
			map[string]string{rules.DownstreamAPI: "The API's base URL; a tool's paths are relative to it.", rules.DownstreamMCP: "The other server's MCP endpoint."}[kind],
			func(d *generator.Downstream, v string) { d.URL = v }); err != nil {
			return nil, err
		}
		if kind == rules.DownstreamAPI {
			err = ask("header", "Header the API key goes in:", rules.DefaultAPIKeyHeader,
				"Authorization sends \"Bearer KEY\"; another header (X-API-Key) sends the key alone. The key itself goes in "+rules.EnvPrefix(name)+"API_KEY, in .env.",
				func(d *generator.Downstream, v string) { d.Header = v })
		} else {
			err = ask("issuer", "Issuer (authorization server) of "+name+":", "",
				"The authorization server that issues tokens for "+name+"; its metadata names the token endpoint. This server's client ID and secret there go in "+
					rules.EnvPrefix(name)+"CLIENT_ID and "+rules.EnvPrefix(name)+"CLIENT_SECRET, in .env.",
				func(d *generator.Downstream, v string) { d.Issuer = v })
			if err == nil {
				err = ask("scopes", "Scopes to ask "+name+" for (comma-separated; - for none):", "-", "The scopes the token for "+name+" needs.",
					func(d *generator.Downstream, v string) {
						d.Scopes = nil
						if v != "-" {
							d.Scopes = splitList(v)
						}
					})
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
}

// sample is a downstream service of kind with every field but the name
// valid.
func sample(name, kind string) generator.Downstream {
	d := generator.Downstream{Name: name, Kind: kind, URL: sampleServiceURL}
	if kind == rules.DownstreamMCP {
		d.Issuer = sampleIssuer
	}
	return d
}

// problemAt returns the problems at field as one error, or nil.
func problemAt(problems []generator.Problem, field string) error {
	var msgs []string
	for _, p := range problems {
		if strings.HasSuffix(p.Path, "."+field) {
			m := p.Message
			if p.Fix != "" {
				m += "; " + p.Fix
			}
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}
