package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// The flags of "new" that declare downstream services, one per kind. Each
// value is NAME=URL, then options as KEY=VALUE, all separated by commas:
//
//	--downstream-api weather=https://api.weather.example/v1,header=X-API-Key
//	--downstream-mcp tickets=https://tickets.example.com/mcp,issuer=https://auth.example.com,scope=tickets:write
//
// A URL holding a comma goes in the spec file instead. The flags only
// split values into spec fields; generator.Validate checks them.
const (
	downstreamAPIFlag = "downstream-api"
	downstreamMCPFlag = "downstream-mcp"
)

// downstreamOption is an option of a downstream flag: its key and the
// spec field it sets.
type downstreamOption struct {
	key string
	set func(d *generator.Downstream, v string)
	get func(d generator.Downstream) []string // the values commandLine writes; defaults left out
}

// downstreamOptions are the options of both flags, in the order
// commandLine writes them. An option of the other kind is accepted here
// and refused by the spec check, which says whose it is.
var downstreamOptions = []downstreamOption{
	{"header", func(d *generator.Downstream, v string) { d.Header = v }, func(d generator.Downstream) []string {
		return nonDefault(d.Header, rules.DefaultAPIKeyHeader)
	}},
	{"scheme", func(d *generator.Downstream, v string) { d.Scheme = v }, func(d generator.Downstream) []string { return nonDefault(d.Scheme, "") }},
	{"key-env", func(d *generator.Downstream, v string) { d.KeyEnv = v }, func(d generator.Downstream) []string {
		return nonDefault(d.KeyEnv, rules.EnvPrefix(d.Name)+"API_KEY")
	}},
	{"issuer", func(d *generator.Downstream, v string) { d.Issuer = v }, func(d generator.Downstream) []string { return nonDefault(d.Issuer, "") }},
	{"token-url", func(d *generator.Downstream, v string) { d.TokenURL = v }, func(d generator.Downstream) []string { return nonDefault(d.TokenURL, "") }},
	{"scope", func(d *generator.Downstream, v string) { d.Scopes = append(d.Scopes, v) }, func(d generator.Downstream) []string { return d.Scopes }},
	{"resource", func(d *generator.Downstream, v string) { d.Resource = v }, func(d generator.Downstream) []string { return nonDefault(d.Resource, "") }},
	{"audience", func(d *generator.Downstream, v string) { d.Audience = v }, func(d generator.Downstream) []string { return nonDefault(d.Audience, "") }},
	{"client-id-env", func(d *generator.Downstream, v string) { d.ClientIDEnv = v }, func(d generator.Downstream) []string {
		return nonDefault(d.ClientIDEnv, rules.EnvPrefix(d.Name)+"CLIENT_ID")
	}},
	{"client-secret-env", func(d *generator.Downstream, v string) { d.ClientSecretEnv = v }, func(d generator.Downstream) []string {
		return nonDefault(d.ClientSecretEnv, rules.EnvPrefix(d.Name)+"CLIENT_SECRET")
	}},
}

// nonDefault is v, unless it is def.
func nonDefault(v, def string) []string {
	if v == "" || v == def {
		return nil
	}
	return []string{v}
}

// downstreamFlags returns the downstream services of --downstream-api and
// --downstream-mcp, APIs first, and whether either flag was given: then
// they replace the spec file's list.
func downstreamFlags(sf specFlags, changed *pflag.FlagSet) ([]generator.Downstream, bool, []generator.Problem) {
	if !changed.Changed(downstreamAPIFlag) && !changed.Changed(downstreamMCPFlag) {
		return nil, false, nil
	}
	var (
		list     []generator.Downstream
		problems []generator.Problem
	)
	for _, kind := range []struct {
		flag, kind string
		values     []string
	}{{downstreamAPIFlag, rules.DownstreamAPI, sf.downstreamAPIs}, {downstreamMCPFlag, rules.DownstreamMCP, sf.downstreamMCPs}} {
		for _, v := range kind.values {
			d, err := parseDownstream(kind.kind, v)
			if err != nil {
				problems = append(problems, generator.Problem{Path: "--" + kind.flag, Message: fmt.Sprintf("%q: %v", v, err),
					Fix: "write NAME=URL[,OPTION=VALUE]… with options " + optionKeys() + " (a URL with a comma goes in the spec file)"})
				continue
			}
			list = append(list, d)
		}
	}
	return list, true, problems
}

// parseDownstream reads NAME=URL[,OPTION=VALUE]… as a downstream of kind.
func parseDownstream(kind, v string) (generator.Downstream, error) {
	name, rest, ok := strings.Cut(v, "=")
	if !ok {
		return generator.Downstream{}, fmt.Errorf("no %q between the name and the URL", "=")
	}
	fields := strings.Split(rest, ",")
	d := generator.Downstream{Name: name, Kind: kind, URL: fields[0]}
	for _, f := range fields[1:] {
		key, value, ok := strings.Cut(f, "=")
		i := slices.IndexFunc(downstreamOptions, func(o downstreamOption) bool { return o.key == key })
		if !ok || i < 0 {
			return generator.Downstream{}, fmt.Errorf("unknown option %q", key)
		}
		downstreamOptions[i].set(&d, value)
	}
	return d, nil
}

// formatDownstream is the flag and value that parseDownstream reads back
// as d, its defaults left out.
func formatDownstream(d generator.Downstream) (flag, value string) {
	flag = downstreamAPIFlag
	if d.Kind == rules.DownstreamMCP {
		flag = downstreamMCPFlag
	}
	parts := []string{d.Name + "=" + d.URL}
	for _, o := range downstreamOptions {
		for _, v := range o.get(d) {
			parts = append(parts, o.key+"="+v)
		}
	}
	return flag, strings.Join(parts, ",")
}

// optionKeys lists the options of the downstream flags.
func optionKeys() string {
	keys := make([]string, len(downstreamOptions))
	for i, o := range downstreamOptions {
		keys[i] = o.key
	}
	return strings.Join(keys, ", ")
}
