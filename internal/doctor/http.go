package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds every response body the doctor reads.
const maxBody = 1 << 20

// maxRedirects bounds the redirects a GET follows (each one reported).
const maxRedirects = 5

// response is what the doctor keeps of an HTTP answer.
type response struct {
	status    int
	header    http.Header
	body      []byte
	url       string   // the URL that answered (after reported redirects)
	redirects []string // "URL → Location (status)" per redirect followed
}

// noRedirects returns a copy of hc (or a new client) that hands redirects
// back instead of following them: the doctor reports every redirect.
func noRedirects(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// send makes one request, bounded by the per-request timeout, and reads at
// most maxBody of the answer.
func (r *run) send(ctx context.Context, method, u string, body []byte, h http.Header) (*response, error) {
	resp, cancel, err := r.open(ctx, method, u, body, h)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, u, cleanErr(resp.Request.Context(), err))
	}
	if len(data) > maxBody {
		return nil, fmt.Errorf("%s %s: the answer is larger than 1 MiB", method, u)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data, url: u}, nil
}

// open starts a request, bounded by the per-request timeout, and hands
// back the unread answer; the caller closes its body, then calls cancel.
func (r *run) open(ctx context.Context, method, u string, body []byte, h http.Header) (*http.Response, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		cancel()
		return nil, nil, cleanErr(ctx, err)
	}
	return resp, cancel, nil
}

// cleanErr words transport errors for a person.
func cleanErr(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return fmt.Errorf("%w (timed out; raise --timeout if the server is just slow)", err)
	}
	return err
}

// get fetches u, following up to maxRedirects redirects on the same or a
// more secure scheme and recording each one, so the caller can report it.
func (r *run) get(ctx context.Context, u string, accept string) (*response, error) {
	var hops []string
	for range maxRedirects + 1 {
		resp, err := r.send(ctx, http.MethodGet, u, nil, http.Header{"Accept": {accept}})
		if err != nil {
			return nil, err
		}
		resp.redirects = hops
		loc := resp.header.Get("Location")
		if !isRedirect(resp.status) || loc == "" {
			return resp, nil
		}
		next, err := resolve(u, loc)
		if err != nil {
			return nil, fmt.Errorf("GET %s: redirect to an unusable Location %q", u, loc)
		}
		if strings.HasPrefix(u, "https:") && !strings.HasPrefix(next, "https:") {
			return nil, fmt.Errorf("GET %s redirects to %s: from https to plain http", u, next)
		}
		hops = append(hops, fmt.Sprintf("%s → %s (%d)", u, next, resp.status))
		u = next
	}
	return nil, fmt.Errorf("GET %s: more than %d redirects", u, maxRedirects)
}

// getJSON fetches u and decodes its JSON object into v. It returns the
// response when the fetch got that far, even with an error.
func (r *run) getJSON(ctx context.Context, u string, v any) (*response, error) {
	resp, err := r.get(ctx, u, "application/json")
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return resp, fmt.Errorf("GET %s answered %s", resp.url, statusText(resp.status))
	}
	// Clients parse the body whatever its Content-Type, so the doctor does too.
	if err := json.Unmarshal(resp.body, v); err != nil {
		return resp, fmt.Errorf("GET %s: not a JSON object (Content-Type %q): %s", resp.url, resp.header.Get("Content-Type"), snippet(resp.body))
	}
	return resp, nil
}

// redirectNote words the redirects of resp for a warning, or returns "".
func redirectNote(resp *response) string {
	if resp == nil || len(resp.redirects) == 0 {
		return ""
	}
	return "followed " + strings.Join(resp.redirects, ", then ") + "; not every MCP client follows redirects"
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// resolve resolves a Location against the URL that sent it.
func resolve(base, loc string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	l, err := b.Parse(loc)
	if err != nil || (l.Scheme != "http" && l.Scheme != "https") {
		return "", fmt.Errorf("bad location %q", loc)
	}
	return l.String(), nil
}

// statusText is "404 Not Found".
func statusText(code int) string {
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}

// snippet returns the start of a body, on one line, for a finding.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 160 {
		s = strings.ToValidUTF8(s[:160], "") + "…"
	}
	return s
}
