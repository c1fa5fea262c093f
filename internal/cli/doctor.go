package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/create-mcp-auth/create-mcp-auth/internal/doctor"
)

type doctorFlags struct {
	token, origin string
	json          bool
	timeout       time.Duration
}

// checksFailed is the error of a doctor run that found problems: exit 1,
// after the report.
type checksFailed struct{ n int }

func (e checksFailed) Error() string {
	return fmt.Sprintf("doctor: %d check%s failed", e.n, plural(e.n))
}

func newDoctorCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor URL",
		Short: "Check a live MCP server's authorization setup end to end and say how to fix it",
		Long: `doctor walks the discovery chain a real MCP client walks against the MCP
server at URL (any server, not only generated ones) and checks every step:

  transport   https (plain http only on loopback), port 443
  challenge   an initialize without a token gets 401 and a Bearer challenge
              with resource_metadata and scope, and no error=
  prm         protected-resource metadata (RFC 9728) at the challenge's URL,
              the path-inserted and the root well-known URL; resource equal
              to URL, authorization_servers, scopes_supported
  as          each authorization server's metadata (RFC 8414, OpenID),
              issuer, PKCE S256, DCR and/or CIMD, endpoints, jwks_uri
  jwks        the signing keys
  cors        a browser client's preflight, and a 401 it can read
  token, mcp  with --token: signature, iss, aud, exp, nbf, scopes; then
              initialize and tools/list with it. No tool is ever called.

It is read-only: it sends GET, POST (initialize, tools/list) and OPTIONS,
reports redirects instead of following them silently, and never prints the
token. Each failed check says what is wrong and how to fix it.

Exit status: 0 when no check failed (warnings allowed), 1 when one did, 2 on
bad input.

--json prints the report for CI, with stable check IDs:

  {
    "url": "https://mcp.example.com/mcp",
    "ok": false,
    "summary": {"pass": 30, "fail": 1, "warn": 1, "skip": 0},
    "checks": [
      {"id": "prm.resource", "step": "prm", "status": "fail",
       "title": "resource equals the URL",
       "detail": "trailing slash mismatch: …", "fix": "make them identical: …"}
    ],
    "tools": ["list_todos"],
    "token_checked": true
  }

status is pass, fail, warn or skip (a prerequisite failed). subject names
the authorization server or key set of checks that repeat per server; it
and detail, fix and tools may be empty or absent. Check IDs:

` + idList(),
		Example: `  create-mcp-auth doctor https://mcp.example.com/mcp
  create-mcp-auth doctor http://localhost:3002/mcp --token "$TOKEN"
  create-mcp-auth token --scope todo:read | create-mcp-auth doctor http://localhost:3002/mcp --token -
  create-mcp-auth doctor https://mcp.example.com/mcp --json | jq '.checks[] | select(.status == "fail")'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("doctor takes the MCP server URL, e.g. create-mcp-auth doctor https://mcp.example.com/mcp")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd, args[0], f, stdin, stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.token, "token", "", `access token to check and list tools with ("-" reads it from stdin); never printed`)
	fl.StringVar(&f.origin, "origin", doctor.InspectorOrigin, "browser origin for the CORS checks, MCP Inspector's by default")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON (schema above)")
	fl.DurationVar(&f.timeout, "timeout", doctor.DefaultTimeout, "limit for each HTTP request; the whole run gets 6 times as long")
	return cmd
}

func runDoctor(cmd *cobra.Command, rawURL string, f doctorFlags, stdin io.Reader, stdout io.Writer) error {
	if _, err := doctor.ParseURL(rawURL); err != nil {
		return usageError{err}
	}
	origin, err := doctor.ParseOrigin(f.origin)
	if err != nil {
		return usageError{fmt.Errorf("--origin: %w", err)}
	}
	if f.timeout <= 0 || f.timeout > 10*time.Minute {
		return usageError{fmt.Errorf("--timeout %s is out of range; give a duration between 1ms and 10m, e.g. 5s", f.timeout)}
	}
	token := f.token
	if token == "-" {
		line, err := bufio.NewReader(io.LimitReader(stdin, 64<<10)).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("--token -: reading stdin: %w", err)
		}
		token = line
	}
	token = strings.TrimSpace(token)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	if f.token != "" && token == "" {
		return usageError{fmt.Errorf("--token: the token is empty")}
	}

	rep := doctor.Run(cmd.Context(), doctor.Options{URL: rawURL, Token: token, Origin: origin, Timeout: f.timeout})
	if f.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout, doctor.TextOptions{Color: useColor(stdout), Width: width(stdout)})
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return checksFailed{rep.Summary.Fail}
	}
	return nil
}

// useColor reports whether w is a terminal that wants colour: not when
// NO_COLOR is set (https://no-color.org) or TERM is dumb.
func useColor(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// width is the terminal's width, at most 120, or 100 when w is no terminal.
func width(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return min(cols, 120)
		}
	}
	return 100
}

// idList lists the check IDs for the help text: a line per step, wrapped
// at 78 columns.
func idList() string {
	var b strings.Builder
	prev, n := "", 0
	for _, id := range doctor.CheckIDs() {
		step, _, _ := strings.Cut(id, ".")
		switch {
		case prev != "" && (step != prev || n+1+len(id) > 78):
			b.WriteString("\n")
			n = 0
			fallthrough
		case prev == "":
			b.WriteString("  ")
			n += 2
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(id)
		n += len(id)
		prev = step
	}
	return b.String()
}
