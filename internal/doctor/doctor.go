// Package doctor checks a live MCP server's authorization setup by walking
// the discovery chain a real MCP client walks, and says for every problem
// what is wrong and how to fix it.
//
// The chain, one step per group of checks:
//
//   - transport: https (plain http only on loopback), port 443;
//   - challenge: an unauthenticated initialize gets 401 and a Bearer
//     challenge naming the protected-resource metadata (RFC 6750, RFC 9728 §5);
//   - prm: the protected-resource metadata at the challenge's URL, the
//     path-inserted well-known URL and the root (RFC 9728 §3);
//   - as: each authorization server's metadata (RFC 8414, OpenID Discovery),
//     PKCE, client registration (DCR or client ID metadata documents);
//   - jwks: each authorization server's signing keys;
//   - cors: what a browser client such as MCP Inspector needs;
//   - token and mcp, with Options.Token: the token's signature and claims,
//     then initialize and tools/list with it. No tool is ever called.
//
// It works against any MCP server, not only generated ones: it knows
// nothing but the URL. It only sends GET, POST and OPTIONS, never follows a
// redirect without reporting it, bounds every body it reads and never
// writes the token into the report.
package doctor

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check. Only Fail makes a report fail.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip" // a prerequisite failed or was absent
)

// Check is one finding. ID is stable across versions, for CI; Subject names
// what the check looked at when a step repeats per item (each authorization
// server, each key set).
type Check struct {
	ID      string `json:"id"`
	Step    string `json:"step"`
	Status  Status `json:"status"`
	Title   string `json:"title"`
	Subject string `json:"subject,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Fix     string `json:"fix,omitempty"`
}

// Report is the outcome of Run.
type Report struct {
	URL     string  `json:"url"`
	OK      bool    `json:"ok"`
	Summary Summary `json:"summary"`
	Checks  []Check `json:"checks"`
	// Tools lists the tools the token may see (with Options.Token).
	Tools []string `json:"tools,omitempty"`
	// TokenChecked reports whether a token was given.
	TokenChecked bool `json:"token_checked"`
}

// Summary counts checks by status.
type Summary struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	Warn int `json:"warn"`
	Skip int `json:"skip"`
}

// InspectorOrigin is the origin of MCP Inspector's web UI, the browser
// client most people meet first.
var InspectorOrigin = rules.InspectorOrigins[0]

// DefaultTimeout bounds each HTTP request.
const DefaultTimeout = 10 * time.Second

// Options configures Run.
type Options struct {
	// URL is the MCP endpoint, exactly as clients are configured with it.
	URL string
	// Token, when set, is an access token to check and to list tools with.
	// It never appears in the report.
	Token string
	// Origin is the browser origin of the CORS checks (InspectorOrigin).
	Origin string
	// Timeout bounds each request (DefaultTimeout); the whole run is
	// bounded by 6×Timeout.
	Timeout time.Duration
	// HTTPClient sends the requests (a plain client when nil). Run does not
	// modify it; its redirect policy is replaced on a copy.
	HTTPClient *http.Client
	// Now is the clock for token lifetimes (time.Now).
	Now func() time.Time
}

// Run checks the MCP server at opts.URL and returns the report. Problems
// with the server are findings in the report, never errors.
func Run(ctx context.Context, opts Options) *Report {
	if opts.Origin == "" {
		opts.Origin = InspectorOrigin
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, 6*opts.Timeout)
	defer cancel()

	r := &run{opts: opts, hc: noRedirects(opts.HTTPClient), report: &Report{URL: opts.URL, TokenChecked: opts.Token != ""}}
	u, err := ParseURL(opts.URL)
	if err != nil {
		r.fail("transport.https", err.Error(), "pass the MCP endpoint's full URL, e.g. https://mcp.example.com/mcp")
	} else {
		r.url = u
		r.transport()
		if r.challenge(ctx) {
			r.protectedResource(ctx)
			r.authorizationServers(ctx)
			r.keySets(ctx)
			r.cors(ctx)
			if opts.Token != "" {
				r.token()
				r.session(ctx)
			}
		}
	}
	r.finish()
	return r.report
}

// run is the state of one Run: what each step found, for the next.
type run struct {
	opts   Options
	url    *url.URL
	hc     *http.Client
	report *Report

	chal    *challengeInfo // the Bearer challenge of the 401, if any
	prm     *resourceMetadata
	servers []*authServer
	keys    map[string]*keySet // by jwks_uri
}

// add records a check; its title comes from the catalogue.
func (r *run) add(id string, st Status, subject, detail, fix string) {
	step, _, _ := strings.Cut(id, ".")
	r.report.Checks = append(r.report.Checks, Check{ID: id, Step: step, Status: st, Title: title(id), Subject: subject, Detail: detail, Fix: fix})
}

func (r *run) pass(id, detail string)      { r.add(id, Pass, "", detail, "") }
func (r *run) fail(id, detail, fix string) { r.add(id, Fail, "", detail, fix) }
func (r *run) warn(id, detail, fix string) { r.add(id, Warn, "", detail, fix) }

// skip records ids as not checked, because of why.
func (r *run) skip(why string, ids ...string) {
	for _, id := range ids {
		r.add(id, Skip, "", why, "")
	}
}

// skipRest records every check not yet reported as skipped, because of
// why; the token's checks only when there is a token.
func (r *run) skipRest(why string) {
	done := map[string]bool{}
	for _, c := range r.report.Checks {
		done[c.ID] = true
	}
	for _, id := range CheckIDs() {
		step, _, _ := strings.Cut(id, ".")
		if !done[id] && (r.opts.Token != "" || (step != "token" && step != "mcp")) {
			r.skip(why, id)
		}
	}
}

// finish counts the checks and removes every trace of the token, should a
// server have echoed it into something the report quotes.
func (r *run) finish() {
	rep := r.report
	rep.Summary = Summary{}
	for i := range rep.Checks {
		c := &rep.Checks[i]
		c.Detail, c.Fix, c.Subject = r.redact(c.Detail), r.redact(c.Fix), r.redact(c.Subject)
		switch c.Status {
		case Pass:
			rep.Summary.Pass++
		case Fail:
			rep.Summary.Fail++
		case Warn:
			rep.Summary.Warn++
		case Skip:
			rep.Summary.Skip++
		}
	}
	for i, t := range rep.Tools {
		rep.Tools[i] = r.redact(t)
	}
	rep.OK = rep.Summary.Fail == 0
}

// redact removes the token from s: the whole token, each of its
// dot-separated parts, and any run of token characters (8 or more) that is
// a piece of it, so that not even part of it is printed.
func (r *run) redact(s string) string {
	tok := r.opts.Token
	if tok == "" || s == "" {
		return s
	}
	s = strings.ReplaceAll(s, tok, "[token]")
	for part := range strings.SplitSeq(tok, ".") {
		if len(part) >= 8 {
			s = strings.ReplaceAll(s, part, "[token]")
		}
	}
	var b strings.Builder
	for len(s) > 0 {
		n := strings.IndexFunc(s, func(c rune) bool { return !isTokenChar(c) })
		if n < 0 {
			n = len(s)
		}
		if run := s[:n]; len(run) >= 8 && strings.Contains(tok, run) {
			b.WriteString("[token]")
		} else {
			b.WriteString(run)
		}
		s = s[n:]
		if n = strings.IndexFunc(s, isTokenChar); n < 0 {
			n = len(s)
		}
		b.WriteString(s[:n])
		s = s[n:]
	}
	return b.String()
}

// isTokenChar reports whether c may appear in a bearer token (RFC 6750 §2.1
// b64token, without the padding).
func isTokenChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~+/", c)
}
