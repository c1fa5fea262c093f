package doctor

import (
	"fmt"
	"strings"
)

// authChallenge is one challenge of a WWW-Authenticate header.
type authChallenge struct {
	Scheme  string
	Token68 string
	Params  map[string]string // names lower-cased
}

// findChallenge returns the first challenge with the scheme, compared
// case-insensitively (RFC 9110 §11.1).
func findChallenge(cs []authChallenge, scheme string) *authChallenge {
	for i := range cs {
		if strings.EqualFold(cs[i].Scheme, scheme) {
			return &cs[i]
		}
	}
	return nil
}

// parseChallenges parses WWW-Authenticate field values (RFC 9110 §11.6.1):
// a comma-separated list of challenges, each a scheme followed by either a
// token68 or comma-separated name=value parameters, the value a token or a
// quoted-string. Several field lines are one list.
func parseChallenges(values []string) ([]authChallenge, error) {
	p := &hparser{s: strings.Join(values, ", ")}
	var out []authChallenge
	for {
		p.skip(" \t,")
		if p.done() {
			return out, nil
		}
		scheme := p.token()
		if scheme == "" {
			return nil, p.errorf("expected an auth-scheme")
		}
		c := authChallenge{Scheme: scheme, Params: map[string]string{}}
		p.skip(" \t")
		if t68, ok := p.token68(); ok {
			c.Token68 = t68
			out = append(out, c)
			continue
		}
		for {
			save := p.i
			p.skip(" \t,")
			name := p.token()
			p.skip(" \t")
			if name == "" || !p.at('=') {
				p.i = save // the next challenge, or the end
				break
			}
			p.i++
			p.skip(" \t")
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			name = strings.ToLower(name)
			if _, dup := c.Params[name]; dup {
				return nil, fmt.Errorf("%s challenge has parameter %q twice", scheme, name)
			}
			c.Params[name] = v
			p.skip(" \t")
			if !p.done() && !p.at(',') {
				return nil, p.errorf("expected a comma after parameter %q", name)
			}
		}
		out = append(out, c)
	}
}

// hparser scans an HTTP header value.
type hparser struct {
	s string
	i int
}

func (p *hparser) done() bool     { return p.i >= len(p.s) }
func (p *hparser) at(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }
func (p *hparser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *hparser) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed WWW-Authenticate at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

// token reads an RFC 9110 token (tchar+).
func (p *hparser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 reads a token68 if one stands here alone: its characters, then
// only '=' padding, then the end of the list item.
func (p *hparser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && (isAlnum(p.s[j]) || strings.IndexByte("-._~+/", p.s[j]) >= 0) {
		j++
	}
	if j == p.i {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return "", false // name=value, or something else
	}
	t := p.s[p.i:j]
	p.i = j
	return t, true
}

// value reads a token or a quoted-string, unescaping the latter.
func (p *hparser) value() (string, error) {
	if !p.at('"') {
		if t := p.token(); t != "" {
			return t, nil
		}
		return "", p.errorf("expected a parameter value")
	}
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			return b.String(), nil
		case '\\':
			p.i++
			if p.i == len(p.s) {
				return "", p.errorf("unterminated quoted-string")
			}
			b.WriteByte(p.s[p.i])
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated quoted-string")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isTchar(c byte) bool { return isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 }
