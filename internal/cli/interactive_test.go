//go:build linux || darwin

package cli_test

// These tests drive "create-mcp-auth new" through a real pseudo-terminal, in
// process: cli.Run gets the pty's slave end as stdin and stdout, exactly as
// when a user runs the command in a terminal, and the test types at the
// master end with go-expect.
//
// How the tests stay deterministic (no sleeps):
//
//   - survey asks the terminal where the cursor is (it writes ESC[6n and reads
//     the ESC[row;colR reply from stdin) twice before every line it reads. A
//     bare go-expect console never answers, so survey would block forever.
//     Everything the program prints is therefore fed to a vt10x terminal
//     emulator, which answers those queries into the program's input as a
//     real terminal does (termReplies). vt10x only sees output that an Expect
//     call has consumed, so a reply exists only while the test is waiting for
//     output, never while it is typing.
//   - survey draws a prompt before it switches the terminal to raw mode. Keys
//     sent in between would be echoed by the kernel and a Ctrl-C would become
//     a signal instead of a key. For Input and Confirm the first thing survey
//     prints after switching is "hide cursor" (ESC[?25l), so answer waits for
//     the prompt and then for that. A Select prints nothing after switching:
//     choose presses an arrow key first (the kernel keeps keys typed early; it
//     does not lose them) and waits for survey's redraw, which proves raw mode.
//   - survey's cursor-position reader (terminal.Cursor.Location) reads stdin
//     up to the first 'R' with a throw-away bufio.Reader: keys that arrive in
//     the same read() just after a reply are lost, and an 'R' typed before a
//     reply can swallow it. answer types right after waitRaw, before this
//     prompt's cursor queries have been read, so the reply is produced (by
//     the next Expect) after the keys are already queued: survey reads the
//     keys first, keeps them and then finds the reply. The one rule left for
//     tests: no capital R in typed answers (answer enforces it).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/cli"
)

const (
	// Generous: a prompt normally takes well under a millisecond, but -race
	// on a loaded machine can be slow, and a timeout only costs a failing run.
	readTimeout = 15 * time.Second
	exitTimeout = 30 * time.Second

	termCols, termRows = 120, 40

	hideCursor = "\x1b[?25l" // what survey prints first once the terminal is raw
	arrowDown  = "\x1b[B"
	arrowUp    = "\x1b[A"
	enter      = "\r" // what the Enter key sends
	ctrlC      = "\x03"
)

// termReplies carries what the emulated terminal answers (cursor position
// reports) back into the program's input, like a real terminal does.
type termReplies struct{ console *expect.Console }

func (r *termReplies) Write(p []byte) (int, error) {
	if r.console == nil {
		return len(p), nil
	}
	return r.console.Write(p)
}

// ptySession is one cli.Run on a pseudo-terminal.
type ptySession struct {
	t       *testing.T
	console *expect.Console
	screen  vt10x.Terminal
	seen    bytes.Buffer      // raw terminal output consumed so far
	stdout  *cli.LockedBuffer // cli.Run's stdout when it is not the terminal
	stderr  *cli.LockedBuffer
	done    chan struct{} // closed when cli.Run has returned
	code    int           // cli.Run's exit code, once done is closed
}

type ptyOptions struct {
	stdoutNotTerminal bool // stdout is a buffer, as with "create-mcp-auth new > log"
	stderrTerminal    bool // stderr is the terminal too, as for a user; else captured in stderr
}

// startPTY runs cli.Run(args) in the background with a pseudo-terminal as
// stdin and (unless opts say otherwise) stdout; stderr is captured in
// s.stderr unless opts.stderrTerminal.
func startPTY(t *testing.T, opts ptyOptions, args ...string) *ptySession {
	t.Helper()
	s := &ptySession{t: t, stderr: &cli.LockedBuffer{}, done: make(chan struct{})}
	replies := &termReplies{}
	s.screen = vt10x.New(vt10x.WithWriter(replies), vt10x.WithSize(termCols, termRows))
	c, err := expect.NewConsole(expect.WithStdout(s.screen, &s.seen), expect.WithDefaultTimeout(readTimeout))
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	replies.console = c
	s.console = c
	setWinsize(t, c.Tty(), termCols, termRows)

	var stdout io.Writer = c.Tty()
	if opts.stdoutNotTerminal {
		s.stdout = &cli.LockedBuffer{}
		stdout = s.stdout
	}
	var stderr io.Writer = s.stderr
	if opts.stderrTerminal {
		stderr = c.Tty()
	}
	go func() {
		defer close(s.done)
		s.code = cli.Run(context.Background(), args, c.Tty(), stdout, stderr)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			// A failed test left cli.Run in a prompt, blocked in a read that
			// closing the terminal does not interrupt: press Ctrl-C and keep
			// answering survey's cursor queries until it returns.
			go func() {
				<-s.done
				c.Tty().Close()
			}()
			c.Send(ctrlC)
			c.Expect(expect.EOF, expect.PTSClosed, expect.WithTimeout(3*time.Second))
		}
		c.Close()
		select {
		case <-s.done:
		case <-time.After(time.Second):
			t.Log("cli.Run did not return after the test")
		}
	})
	return s
}

// setWinsize gives the pty a size, as a terminal window has; survey wraps
// and erases lines by it. It matches the vt10x screen.
func setWinsize(t *testing.T, f *os.File, cols, rows int) {
	t.Helper()
	if err := pty.Setsize(f, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		t.Fatalf("setting the terminal size: %v", err)
	}
}

// dump describes the session for a failure message: the emulated screen, the
// last raw output and stderr.
func (s *ptySession) dump() string {
	var b strings.Builder
	b.WriteString("--- screen ---\n")
	b.WriteString(screenText(s.screen))
	raw := s.seen.String()
	if len(raw) > 600 {
		raw = "…" + raw[len(raw)-600:]
	}
	b.WriteString("\n--- last raw output ---\n")
	b.WriteString(strconv.Quote(raw))
	b.WriteString("\n--- stderr ---\n")
	b.WriteString(s.stderr.String())
	select {
	case <-s.done:
		b.WriteString("--- cli.Run returned " + strconv.Itoa(s.code) + " ---\n")
	default:
		b.WriteString("--- cli.Run still running ---\n")
	}
	return b.String()
}

// screenText is the emulated terminal's screen without trailing blanks.
func screenText(vt vt10x.Terminal) string {
	lines := strings.Split(vt.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// expect waits for text to appear on the terminal.
func (s *ptySession) expect(text string) string {
	s.t.Helper()
	out, err := s.console.ExpectString(text)
	if err != nil {
		s.t.Fatalf("waiting for %q: %v\n%s", text, err, s.dump())
	}
	return out
}

func (s *ptySession) send(keys string) {
	s.t.Helper()
	if _, err := s.console.Send(keys); err != nil {
		s.t.Fatalf("typing %q: %v", keys, err)
	}
}

// waitRaw waits until the Input or Confirm prompt whose message is prompt has
// put the terminal in raw mode, so that every key reaches survey.
func (s *ptySession) waitRaw(prompt string) {
	s.t.Helper()
	s.expect(prompt)
	s.expect(hideCursor)
}

// answer types text and Enter at the Input or Confirm prompt whose message is
// prompt.
func (s *ptySession) answer(prompt, text string) {
	s.t.Helper()
	if strings.ContainsRune(text, 'R') {
		// survey reads the cursor-position reply ESC[row;colR up to the
		// first 'R' it sees; an R typed just before the reply arrives
		// makes it lose the reply.
		s.t.Fatalf("answer %q: keep capital R out of typed answers (survey's cursor query)", text)
	}
	s.waitRaw(prompt)
	s.send(text + enter)
}

// invalid types text at prompt and waits for survey to show the validation
// error containing problem and ask again.
func (s *ptySession) invalid(prompt, text, problem string) {
	s.t.Helper()
	s.answer(prompt, text)
	s.expect("Sorry, your reply was invalid: ")
	s.expect(problem)
}

// choose selects option in the Select whose message is prompt; options are
// the choices in the order shown.
func (s *ptySession) choose(prompt string, options []string, option string) {
	s.t.Helper()
	s.syncSelect(prompt, options)
	idx := -1
	for i, o := range options {
		if o == option {
			idx = i
		}
	}
	if idx < 0 {
		s.t.Fatalf("%q is not one of %q", option, options)
	}
	for cur := 1; cur != idx; {
		key, next := arrowDown, cur+1
		if idx < cur {
			key, next = arrowUp, cur-1
		}
		s.send(key)
		s.expect("> " + options[next])
		cur = next
	}
	s.send(enter)
}

// syncSelect waits for the Select prompt, moves to its second option and
// waits for survey to redraw: from then on survey reads every key raw.
func (s *ptySession) syncSelect(prompt string, options []string) {
	s.t.Helper()
	s.expect(prompt)
	s.expect("> " + options[0]) // the default is first in every Select here
	s.send(arrowDown)
	s.expect("> " + options[1])
}

// finish reads the terminal until cli.Run has returned, and returns its exit
// code. Reading matters: survey may still be waiting for a cursor reply.
func (s *ptySession) finish() int {
	s.t.Helper()
	go func() {
		<-s.done
		// cli.Run has returned: close the last open slave descriptor so that
		// the master reads end of file after the remaining output.
		s.console.Tty().Close()
	}()
	if _, err := s.console.Expect(expect.EOF, expect.PTSClosed, expect.WithTimeout(exitTimeout)); err != nil {
		s.t.Fatalf("waiting for the program to exit: %v\n%s", err, s.dump())
	}
	select {
	case <-s.done:
		return s.code
	case <-time.After(exitTimeout):
		s.t.Fatalf("cli.Run did not return\n%s", s.dump())
		return -1
	}
}

// output is everything the program printed on the terminal, escape
// sequences included.
func (s *ptySession) output() string { return s.seen.String() }

// providers is the order of the "Authorization server:" Select, and
// templateNames of the "Template:" one.
var (
	providers     = generator.Providers
	loginModes    = []string{"hosted", "byoa"}
	templateNames = generator.Templates
	kinds         = generator.DownstreamKinds
)

// readManifest parses DIR/.create-mcp-auth.yaml and returns it with its bytes.
func readManifest(t *testing.T, dir string) (*generator.Spec, []byte) {
	t.Helper()
	name := filepath.Join(dir, generator.ManifestName)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("reading the manifest: %v", err)
	}
	spec, err := generator.ParseSpec(name, data)
	if err != nil {
		t.Fatalf("parsing the manifest: %v\n%s", err, data)
	}
	return spec, data
}

var sameProjectRE = regexp.MustCompile(`The same project, without questions:\r?\n  ([^\r\n]+)\r?\n`)

// replay runs the printed "without questions" command line without a
// terminal, with DIR replaced by a fresh directory, and returns that
// project's manifest. The command line is split as a POSIX shell would.
// --skip-tidy, which changes nothing in the manifest, keeps go mod tidy
// (and the network) out of the test.
func replay(t *testing.T, out, wantDir string) []byte {
	t.Helper()
	m := sameProjectRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q line followed by a command line in the output:\n%s", "The same project, without questions:", out)
	}
	words, err := shellWords(m[1])
	if err != nil {
		t.Fatalf("splitting %s: %v", m[1], err)
	}
	if len(words) < 3 || words[0] != "create-mcp-auth" || words[1] != "new" {
		t.Fatalf("command line %q does not start with create-mcp-auth new DIR", words)
	}
	if words[2] != wantDir {
		t.Fatalf("command line names DIR %q, want %q: %s", words[2], wantDir, m[1])
	}
	dir := filepath.Join(t.TempDir(), "replayed")
	args := append([]string{"new", dir}, words[3:]...)
	args = append(args, "--skip-tidy")
	var stdout, stderr bytes.Buffer
	if code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("replaying %s: exit %d\n%s%s", m[1], code, stdout.String(), stderr.String())
	}
	_, data := readManifest(t, dir)
	return data
}

// checkReplay checks that the printed command line, run without a terminal,
// makes a byte-identical manifest.
func checkReplay(t *testing.T, out, dir string, manifest []byte) {
	t.Helper()
	replayed := replay(t, out, dir)
	if bytes.Equal(replayed, manifest) {
		return
	}
	t.Errorf("the printed command line makes a different manifest:\n--- interactive ---\n%s--- replayed ---\n%s", manifest, replayed)
}

// TestInteractiveFullInterview answers every question of "new" with no flags
// but --skip-tidy: the manifest must hold exactly the answers, and the
// printed command line must make the same project without questions.
func TestInteractiveFullInterview(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "todo-server")
	s := startPTY(t, ptyOptions{}, "new", "--skip-tidy")

	s.answer("Project directory:", dir)
	s.choose("Template:", templateNames, "chi")
	s.answer("Go module path:", "example.com/acme/todo-server")
	s.answer("Public URL of the MCP endpoint:", "https://mcp.example.com/mcp")
	s.choose("Authorization server:", providers, "keycloak")
	s.invalid("Issuer URL (Enter keeps a placeholder to set in .env later):", "https://sso.example.com/realms/acme/", "/realms/YOUR_REALM")
	s.answer("Issuer URL (Enter keeps a placeholder to set in .env later):", "https://sso.example.com/realms/acme")
	s.answer("Use the default scopes mcp:tools:read, mcp:tools:write?", "n")
	s.answer("Scope 1 name (empty to finish):", "todo:read")
	s.answer("Description of todo:read:", "see the todo list")
	s.answer("Scope 2 name (empty to finish):", "todo:write")
	s.answer("Description of todo:write:", "add, edit or delete a user's todos")
	s.answer("Scope 3 name (empty to finish):", "")
	s.answer("Tool 1 name (empty: one example tool, hello):", "list_todos")
	s.answer("Scopes list_todos requires (comma-separated; - for none):", "") // default: the first scope
	s.answer("Tool 2 name (empty to finish):", "create_todo")
	s.answer("Scopes create_todo requires (comma-separated; - for none):", "todo:read, todo:write")
	s.answer("Tool 3 name (empty to finish):", "")
	s.answer("Resource 1 URI (empty: none):", "todo://items/{id}")
	s.answer("Scopes todo://items/{id} requires (comma-separated; - for none):", "")
	s.answer("Resource 2 URI (empty to finish):", "")
	s.answer("Prompt 1 name (empty: none):", "plan_day")
	s.answer("Scopes plan_day requires (comma-separated; - for none):", "-")
	s.answer("Prompt 2 name (empty to finish):", "")
	s.answer("Downstream service 1 name (empty: none):", "weather")
	s.choose("Kind of weather:", kinds, "api")
	s.answer("URL of weather:", "https://api.weather.example/v1")
	s.answer("Header the API key goes in:", "X-API-Key")
	s.answer("Downstream service 2 name (empty to finish):", "tickets")
	s.choose("Kind of tickets:", kinds, "mcp")
	s.answer("URL of tickets:", "https://tickets.example.com/mcp")
	s.answer("Issuer (authorization server) of tickets:", "https://auth.example.com")
	s.answer("Scopes to ask tickets for (comma-separated; - for none):", "tickets:write")
	s.answer("Downstream service 3 name (empty to finish):", "")
	s.answer("Listen port:", "4100")
	s.expect("The same project, without questions:")
	if code := s.finish(); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, s.dump())
	}
	if e := s.stderr.String(); e != "" {
		t.Errorf("stderr: %s", e)
	}

	got, manifest := readManifest(t, dir)
	want := &generator.Spec{
		Version:   generator.SpecVersion,
		Template:  "chi",
		Module:    "example.com/acme/todo-server",
		Name:      "todo-server",
		ServerURL: "https://mcp.example.com/mcp",
		Port:      4100,
		Provider:  "keycloak",
		OIDC:      generator.OIDC{Issuer: "https://sso.example.com/realms/acme"},
		Scopes: []generator.Scope{
			{Name: "todo:read", Description: "see the todo list"},
			{Name: "todo:write", Description: "add, edit or delete a user's todos"},
		},
		Tools: []generator.Tool{
			{Name: "list_todos", Scopes: []string{"todo:read"}},
			{Name: "create_todo", Scopes: []string{"todo:read", "todo:write"}},
		},
		Resources: []generator.Resource{{URI: "todo://items/{id}", Name: "items_id", Scopes: []string{"todo:read"}}},
		Prompts:   []generator.Prompt{{Name: "plan_day"}},
		Downstream: []generator.Downstream{
			{Name: "weather", Kind: "api", URL: "https://api.weather.example/v1", Header: "X-API-Key", KeyEnv: "WEATHER_API_KEY"},
			{Name: "tickets", Kind: "mcp", URL: "https://tickets.example.com/mcp", Issuer: "https://auth.example.com",
				ClientIDEnv: "TICKETS_CLIENT_ID", ClientSecretEnv: "TICKETS_CLIENT_SECRET", Scopes: []string{"tickets:write"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("manifest spec:\n got %+v\nwant %+v\n%s", got, want, manifest)
	}

	checkReplay(t, s.output(), dir, manifest)
}

// TestInteractiveValidation gives each question a bad answer first: survey
// shows the validator's message and asks again, and the good answer wins.
func TestInteractiveValidation(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "svc")
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startPTY(t, ptyOptions{}, "new", "--skip-tidy")

	s.invalid("Project directory:", full, "exists and is not empty")
	s.answer("Project directory:", dir)
	s.choose("Template:", templateNames, "stdlib")
	s.invalid("Go module path:", "Example .com/x", "invalid module path")
	s.answer("Go module path:", "example.com/svc")
	s.invalid("Public URL of the MCP endpoint:", "mcp.example.com/mcp", `"mcp.example.com/mcp" has no scheme`)
	s.invalid("Public URL of the MCP endpoint:", "http://mcp.example.com/mcp", "plain http for a host other than localhost")
	s.invalid("Public URL of the MCP endpoint:", "https://mcp.example.com/mcp?x=1", "has a query")
	s.answer("Public URL of the MCP endpoint:", "https://mcp.example.com/mcp")
	s.choose("Authorization server:", providers, "scalekit")
	s.invalid("Scalekit environment URL (Enter keeps a placeholder to set in .env later):", "acme.scalekit.com", "has no scheme")
	s.answer("Scalekit environment URL (Enter keeps a placeholder to set in .env later):", "https://acme.scalekit.com")
	s.invalid("Scalekit resource ID (Enter keeps a placeholder to set in .env later):", "res 1", "is not a Scalekit resource ID")
	s.answer("Scalekit resource ID (Enter keeps a placeholder to set in .env later):", "res_123")
	s.choose("Who signs users in?", loginModes, "byoa")
	s.invalid("Path of the login route:", "login", "must start with /")
	s.answer("Path of the login route:", "/sign-in")
	s.answer("Use the default scopes mcp:tools:read, mcp:tools:write?", "no")
	s.invalid("Scope 1 name (empty to finish):", "", "declare at least one scope")
	s.invalid("Scope 1 name (empty to finish):", "a b", `scope "a b" contains a space`)
	s.invalid("Scope 1 name (empty to finish):", `a"b`, "contains a double quote")
	s.answer("Scope 1 name (empty to finish):", "svc:use")
	s.answer("Description of svc:use:", "use the service")
	s.invalid("Scope 2 name (empty to finish):", "svc:use", `scope "svc:use" is already declared`)
	s.answer("Scope 2 name (empty to finish):", "")
	s.invalid("Tool 1 name (empty: one example tool, hello):", "bad tool!", `invalid tool name "bad tool!"`)
	s.answer("Tool 1 name (empty: one example tool, hello):", "do.it")
	s.invalid("Scopes do.it requires (comma-separated; - for none):", "svc:use,svc:admin", `scope "svc:admin" is not declared; declared: svc:use`)
	s.answer("Scopes do.it requires (comma-separated; - for none):", "-")
	s.invalid("Tool 2 name (empty to finish):", "do_it", "already declared (or maps to the same Go name)")
	s.answer("Tool 2 name (empty to finish):", "")
	s.invalid("Resource 1 URI (empty: none):", "items/{id}", "has no scheme")
	s.invalid("Resource 1 URI (empty: none):", "svc://items/{id", "has a { without a }")
	s.answer("Resource 1 URI (empty: none):", "svc://items/{id}")
	s.invalid("Scopes svc://items/{id} requires (comma-separated; - for none):", "svc:nope", `scope "svc:nope" is not declared`)
	s.answer("Scopes svc://items/{id} requires (comma-separated; - for none):", "svc:use")
	s.invalid("Resource 2 URI (empty to finish):", "svc://items/{id}", "already declared")
	s.answer("Resource 2 URI (empty to finish):", "")
	s.invalid("Prompt 1 name (empty: none):", "bad prompt", "invalid tool name")
	s.answer("Prompt 1 name (empty: none):", "")
	s.invalid("Downstream service 1 name (empty: none):", "Weather-API", "invalid downstream name")
	s.invalid("Downstream service 1 name (empty: none):", "mcp", "MCP_AUDIENCE")
	s.answer("Downstream service 1 name (empty: none):", "weather")
	s.choose("Kind of weather:", kinds, "api")
	s.invalid("URL of weather:", "", "missing URL")
	s.invalid("URL of weather:", "http://api.weather.example", "plain http")
	s.answer("URL of weather:", "https://api.weather.example")
	s.invalid("Header the API key goes in:", "Content-Length", "cannot go there")
	s.answer("Header the API key goes in:", "")
	s.invalid("Downstream service 2 name (empty to finish):", "weather", "declared twice")
	s.answer("Downstream service 2 name (empty to finish):", "tickets")
	s.choose("Kind of tickets:", kinds, "mcp")
	s.answer("URL of tickets:", "https://tickets.example.com/mcp")
	s.invalid("Issuer (authorization server) of tickets:", "", "where its tokens come from")
	s.invalid("Issuer (authorization server) of tickets:", "https://auth.example.com?x=1", "query")
	s.answer("Issuer (authorization server) of tickets:", "https://auth.example.com")
	s.invalid("Scopes to ask tickets for (comma-separated; - for none):", "a,a", "twice")
	s.answer("Scopes to ask tickets for (comma-separated; - for none):", "")
	s.answer("Downstream service 3 name (empty to finish):", "")
	s.invalid("Listen port:", "70000", "enter a number from 1 to 65535")
	s.invalid("Listen port:", "http", "enter a number from 1 to 65535")
	s.answer("Listen port:", "8080")
	s.expect("The same project, without questions:")
	if code := s.finish(); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, s.dump())
	}

	got, _ := readManifest(t, dir)
	if got.ServerURL != "https://mcp.example.com/mcp" || got.Port != 8080 || got.Module != "example.com/svc" ||
		got.Scalekit != (generator.Scalekit{EnvironmentURL: "https://acme.scalekit.com", ResourceID: "res_123"}) ||
		!reflect.DeepEqual(got.Scopes, []generator.Scope{{Name: "svc:use", Description: "use the service"}}) ||
		!reflect.DeepEqual(got.Tools, []generator.Tool{{Name: "do.it"}}) ||
		!reflect.DeepEqual(got.Resources, []generator.Resource{{URI: "svc://items/{id}", Name: "items_id", Scopes: []string{"svc:use"}}}) || got.Prompts != nil ||
		!reflect.DeepEqual(got.Login, &generator.Login{Mode: "byoa", Path: "/sign-in"}) ||
		!reflect.DeepEqual(got.Downstream, []generator.Downstream{
			{Name: "weather", Kind: "api", URL: "https://api.weather.example", Header: "Authorization", KeyEnv: "WEATHER_API_KEY"},
			{Name: "tickets", Kind: "mcp", URL: "https://tickets.example.com/mcp", Issuer: "https://auth.example.com",
				ClientIDEnv: "TICKETS_CLIENT_ID", ClientSecretEnv: "TICKETS_CLIENT_SECRET"},
		}) {
		t.Errorf("manifest spec does not hold the accepted answers: %+v", got)
	}
	if data, err := os.ReadFile(filepath.Join(full, "keep.txt")); err != nil || string(data) != "mine" {
		t.Errorf("the rejected non-empty directory was touched: %q %v", data, err)
	}
}

// TestInteractiveFlagsAnswerQuestions: DIR, --template, --module and --server-url given,
// their questions are not asked; the rest are, with their defaults.
func TestInteractiveFlagsAnswerQuestions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "flagged")
	s := startPTY(t, ptyOptions{}, "new", dir, "--skip-tidy", "--template", "chi", "--module", "example.com/flagged", "--server-url", "https://flagged.example.com/mcp")

	// The first question is the provider: every answer below is a default.
	s.choose("Authorization server:", providers, "scalekit")
	s.answer("Scalekit environment URL (Enter keeps a placeholder to set in .env later):", "")
	s.answer("Scalekit resource ID (Enter keeps a placeholder to set in .env later):", "")
	s.choose("Who signs users in?", loginModes, "hosted")
	s.answer("Use the default scopes mcp:tools:read, mcp:tools:write?", "")
	s.answer("Tool 1 name (empty: one example tool, hello):", "")
	s.answer("Resource 1 URI (empty: none):", "")
	s.answer("Prompt 1 name (empty: none):", "")
	s.answer("Downstream service 1 name (empty: none):", "")
	s.answer("Listen port:", "")
	s.expect("The same project, without questions:")
	if code := s.finish(); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, s.dump())
	}
	out := s.output()
	for _, q := range []string{"Project directory:", "Go module path:", "Public URL of the MCP endpoint:", "Template:"} {
		if strings.Contains(out, q) {
			t.Errorf("asked %q although a flag or DIR answered it", q)
		}
	}

	got, manifest := readManifest(t, dir)
	want := &generator.Spec{
		Version:   generator.SpecVersion,
		Template:  "chi",
		Module:    "example.com/flagged",
		Name:      "flagged",
		ServerURL: "https://flagged.example.com/mcp",
		Port:      generator.DefaultPort,
		Provider:  "scalekit",
		Scalekit:  generator.Scalekit{EnvironmentURL: generator.PlaceholderScalekitEnv, ResourceID: generator.PlaceholderScalekitResourceID},
		Scopes:    generator.DefaultScopes(),
		Tools:     []generator.Tool{{Name: "hello", Description: "Says hello to the caller.", Scopes: []string{"mcp:tools:read"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("manifest spec:\n got %+v\nwant %+v\n%s", got, want, manifest)
	}
	if !strings.Contains(out, "Still placeholders") {
		t.Errorf("the kept Scalekit placeholders are not pointed out:\n%s", out)
	}
	checkReplay(t, out, dir, manifest)
}

// TestInteractiveCtrlC presses Ctrl-C at each kind of prompt, with stdin,
// stdout and stderr all on the terminal as for a user: the terminal says
// nothing was written, the exit status is non-zero, the target directory
// does not exist, and the terminal is back in its normal mode (keys echo).
func TestInteractiveCtrlC(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		at   func(s *ptySession) // reach the prompt and press Ctrl-C
	}{
		{"input", func(s *ptySession) {
			s.waitRaw("Go module path:")
			s.send(ctrlC)
		}},
		{"select", func(s *ptySession) {
			s.answer("Go module path:", "")
			s.answer("Public URL of the MCP endpoint:", "")
			s.syncSelect("Authorization server:", providers)
			s.send(ctrlC)
		}},
		{"confirm", func(s *ptySession) {
			s.answer("Go module path:", "")
			s.answer("Public URL of the MCP endpoint:", "")
			s.choose("Authorization server:", providers, "entra")
			s.invalid("Directory (tenant) ID (Enter keeps a placeholder to set in .env later):", "contoso.onmicrosoft.com", "is not a GUID")
			s.answer("Directory (tenant) ID (Enter keeps a placeholder to set in .env later):", "72f988bf-86f1-41af-91ab-2d7cd011db47")
			s.answer("Application (client) ID (Enter keeps a placeholder to set in .env later):", "")
			s.waitRaw("Use the default scopes")
			s.send(ctrlC)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "never")
			s := startPTY(t, ptyOptions{stderrTerminal: true}, "new", "--skip-tidy")
			s.answer("Project directory:", dir)
			s.choose("Template:", templateNames, "stdlib")
			tc.at(s)
			s.expect("create-mcp-auth: interrupted: nothing was written")
			// survey restored the terminal before the error reached the
			// message: the kernel echoes typed keys again.
			s.send("echo-check")
			s.expect("echo-check")
			code := s.finish()
			if code != 130 {
				t.Errorf("exit %d after Ctrl-C, want 130 (128+SIGINT)\n%s", code, s.dump())
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("target directory after Ctrl-C: %v (want it not to exist)", err)
			}
			if strings.Contains(s.output(), "The same project, without questions:") {
				t.Errorf("printed a command line after Ctrl-C")
			}
		})
	}
}

// TestInteractiveYesNeverAsks: --yes on a terminal asks nothing; survey is
// never started (it would query the cursor position first).
func TestInteractiveYesNeverAsks(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "yes")
	s := startPTY(t, ptyOptions{}, "new", dir, "--yes", "--skip-tidy", "--module", "example.com/yes")
	if code := s.finish(); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, s.dump())
	}
	out := s.output()
	if strings.Contains(out, "\x1b[6n") || strings.Contains(out, hideCursor) || strings.Contains(out, "[? for help]") {
		t.Errorf("--yes prompted:\n%q", out)
	}
	if strings.Contains(out, "The same project, without questions:") {
		t.Errorf("--yes printed the equivalent command line, which only answers questions")
	}
	if got, _ := readManifest(t, dir); got.Module != "example.com/yes" || got.Provider != generator.DefaultProvider {
		t.Errorf("manifest: %+v", got)
	}
}

// TestInteractiveYesMissingDir: --yes on a terminal without DIR does not ask
// for it: exit 2 naming DIR.
func TestInteractiveYesMissingDir(t *testing.T) {
	t.Parallel()
	s := startPTY(t, ptyOptions{}, "new", "--yes", "--skip-tidy")
	if code := s.finish(); code != 2 {
		t.Errorf("exit %d, want 2\n%s", code, s.dump())
	}
	if out := s.output(); strings.Contains(out, "\x1b[6n") || strings.Contains(out, "Project directory:") {
		t.Errorf("--yes prompted:\n%q", out)
	}
	if e := s.stderr.String(); !strings.Contains(e, "DIR: missing target directory") {
		t.Errorf("stderr does not name DIR:\n%s", e)
	}
}

// TestInteractiveStdoutRedirected: stdin is a terminal but stdout is not
// ("create-mcp-auth new > log"): the questions are still drawn on the
// terminal, and stdout gets only the report.
func TestInteractiveStdoutRedirected(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "redirected")
	s := startPTY(t, ptyOptions{stdoutNotTerminal: true}, "new", dir, "--skip-tidy", "--template", "stdlib", "--module", "example.com/r",
		"--server-url", "https://r.example.com/mcp", "--provider", "oidc", "--issuer", "https://auth.example.com",
		"--jwks-url", "https://auth.example.com/keys", "--scope", "a=A", "--tool", "t=a", "--resource", "r://x=a", "--prompt", "p=a",
		"--downstream-api", "w=https://w.example.com/v1,header=X-Key")
	s.answer("Listen port:", "9000")
	if code := s.finish(); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, s.dump())
	}
	stdout := s.stdout.String()
	if strings.Contains(stdout, "Listen port") || strings.Contains(stdout, "\x1b[") {
		t.Errorf("prompt or escape sequences in redirected stdout:\n%q", stdout)
	}
	if !strings.Contains(stdout, "The same project, without questions:") || !strings.Contains(stdout, "--port 9000") ||
		!strings.Contains(stdout, "--downstream-api w=https://w.example.com/v1,header=X-Key") {
		t.Errorf("stdout lacks the equivalent command line:\n%s", stdout)
	}
	if got, _ := readManifest(t, dir); got.Port != 9000 {
		t.Errorf("port %d, want 9000", got.Port)
	}
}

// shellWords splits a command line as a POSIX shell does, for what
// commandLine prints: blanks separate words; '…' quotes literally; "…"
// quotes with \ escaping \ " $ and `; \ outside quotes escapes the next
// character. Anything else a shell would expand is an error.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' at %d", i)
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\\\"$`", line[i+1]) >= 0 {
					i++
				} else if line[i] == '$' || line[i] == '`' {
					return nil, fmt.Errorf("expansion in double quotes at %d", i)
				}
				cur.WriteByte(line[i])
			}
			if i == len(line) {
				return nil, fmt.Errorf(`unterminated "`)
			}
			inWord = true
		case c == '\\':
			if i+1 == len(line) {
				return nil, fmt.Errorf("trailing backslash")
			}
			i++
			cur.WriteByte(line[i])
			inWord = true
		case strings.IndexByte("$`|&;<>()*?[]{}!", c) >= 0 || (c == '~' || c == '#') && !inWord:
			return nil, fmt.Errorf("unquoted shell metacharacter %q at %d", c, i)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`a  b`, []string{"a", "b"}},
		{`--scope 'a=It'\''s A' x`, []string{"--scope", "a=It's A", "x"}},
		{`"a \"b\" \\ c" d\ e ''`, []string{`a "b" \ c`, "d e", ""}},
		{`https://x.example.com/mcp a=b,c`, []string{"https://x.example.com/mcp", "a=b,c"}},
	} {
		got, err := shellWords(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("shellWords(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`'open`, `a;b`, `$HOME`, `"$x"`, `a|b`, `~/x`} {
		if got, err := shellWords(bad); err == nil {
			t.Errorf("shellWords(%s) = %q, want an error", bad, got)
		}
	}
}
