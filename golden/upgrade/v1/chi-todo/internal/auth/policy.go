package auth

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// A Scope is one OAuth scope this server understands.
type Scope struct {
	// Name is the scope string as it appears in tokens, e.g. "todo:read".
	Name string
	// Description says what the scope allows; authorization servers show it
	// on their consent screens.
	Description string
	// Implies lists narrower scopes that a token holding Name holds as well,
	// e.g. "todo:admin" implying "todo:write". Implication is transitive.
	Implies []string
}

// ToolScopes maps an MCP tool name to the scopes a token must hold, all of
// them, to call it. A tool mapped to no scopes can be called with any valid
// token.
type ToolScopes map[string][]string

// A Policy decides whether the scopes in a token allow calling a tool.
//
// A token scope grants a required scope when it is that scope, when it
// implies it (directly or through other scopes), or when it is a wildcard
// "prefix:*" and the required scope starts with "prefix:". A bare "*" is not
// a wildcard: it grants nothing but a scope literally named "*".
type Policy struct {
	scopes  []Scope
	tools   ToolScopes
	implied map[string][]string // scope → every scope it grants, itself included
}

// NewPolicy checks the scope and tool tables against each other and returns
// the policy they describe. Every problem is reported, not just the first.
func NewPolicy(scopes []Scope, tools ToolScopes) (*Policy, error) {
	var errs []error
	declared := make(map[string]bool, len(scopes))
	for _, s := range scopes {
		if err := checkScopeToken(s.Name); err != nil {
			errs = append(errs, fmt.Errorf("scope %q: %w", s.Name, err))
		}
		if declared[s.Name] {
			errs = append(errs, fmt.Errorf("scope %q is declared twice", s.Name))
		}
		declared[s.Name] = true
	}
	for _, s := range scopes {
		for _, i := range s.Implies {
			if !declared[i] {
				errs = append(errs, fmt.Errorf("scope %q implies %q, which is not declared", s.Name, i))
			}
		}
	}
	for _, name := range sortedKeys(tools) {
		if name == "" {
			errs = append(errs, errors.New("a tool with an empty name is listed"))
		}
		for _, s := range tools[name] {
			if !declared[s] {
				errs = append(errs, fmt.Errorf("tool %q needs scope %q, which is not declared", name, s))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	p := &Policy{scopes: scopes, tools: tools, implied: make(map[string][]string, len(scopes))}
	for _, s := range scopes {
		p.implied[s.Name] = closure(s.Name, scopes)
	}
	return p, nil
}

// ScopesSupported returns the names of all declared scopes, in table order.
func (p *Policy) ScopesSupported() []string {
	names := make([]string, len(p.scopes))
	for i, s := range p.scopes {
		names[i] = s.Name
	}
	return names
}

// Required returns the scopes the tool needs, and whether the tool is listed
// in the table at all.
func (p *Policy) Required(tool string) (scopes []string, listed bool) {
	scopes, listed = p.tools[tool]
	return scopes, listed
}

// Permits reports whether a token holding granted may call tool.
func (p *Policy) Permits(tool string, granted []string) bool {
	required, listed := p.Required(tool)
	return listed && len(p.Missing(required, granted)) == 0
}

// Missing returns the scopes among required that granted does not grant.
func (p *Policy) Missing(required, granted []string) []string {
	var missing []string
	for _, r := range required {
		if !p.grants(granted, r) {
			missing = append(missing, r)
		}
	}
	return missing
}

// grants reports whether any scope in granted grants the required scope.
func (p *Policy) grants(granted []string, required string) bool {
	for _, g := range granted {
		if g == required || slices.Contains(p.implied[g], required) {
			return true
		}
		prefix, ok := wildcardPrefix(g)
		if !ok {
			continue
		}
		if strings.HasPrefix(required, prefix) {
			return true
		}
		// A wildcard also grants whatever the scopes it covers imply.
		for _, s := range p.scopes {
			if strings.HasPrefix(s.Name, prefix) && slices.Contains(p.implied[s.Name], required) {
				return true
			}
		}
	}
	return false
}

// wildcardPrefix returns "todo:" for the wildcard scope "todo:*".
func wildcardPrefix(scope string) (string, bool) {
	prefix, ok := strings.CutSuffix(scope, "*")
	if !ok || len(prefix) < 2 || !strings.HasSuffix(prefix, ":") {
		return "", false
	}
	return prefix, true
}

// closure returns name and every scope it implies, transitively. Cycles are
// harmless: each scope is visited once.
func closure(name string, scopes []Scope) []string {
	implies := make(map[string][]string, len(scopes))
	for _, s := range scopes {
		implies[s.Name] = s.Implies
	}
	seen := map[string]bool{name: true}
	out := []string{name}
	for i := 0; i < len(out); i++ {
		for _, next := range implies[out[i]] {
			if !seen[next] {
				seen[next] = true
				out = append(out, next)
			}
		}
	}
	return out
}

// checkScopeToken applies RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ),
// that is printable ASCII without space, double quote or backslash.
func checkScopeToken(s string) error {
	if s == "" {
		return errors.New("scope name is empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("scope name contains %q; only printable ASCII without space, '\"' or '\\' is allowed", c)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
