package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/devauth"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
)

// secretEnv carries the machine client's secret from dev-auth to token.
const secretEnv = "DEV_AUTH_CLIENT_SECRET"

// apiSecretEnv carries the API client's secret (bring your own auth) from
// the environment to dev-auth, so that a script can give the same one to
// the MCP server as SCALEKIT_CLIENT_SECRET.
const apiSecretEnv = "DEV_AUTH_API_SECRET"

// defaultDevAuthAddr is where dev-auth listens and token looks.
const defaultDevAuthAddr = "127.0.0.1:9090"

type devAuthFlags struct {
	addr, config, resource, resourceID, keys string
	scopes, users                            []string
	autoApprove, noDCR                       bool
	tokenTTL                                 time.Duration
	loginURL, connectionID                   string
}

func newDevAuthCmd(stdout, stderr io.Writer) *cobra.Command {
	var f devAuthFlags
	cmd := &cobra.Command{
		Use:   "dev-auth",
		Short: "Run a development-only OAuth 2.1 authorization server on loopback",
		Long: `dev-auth runs a local, DEVELOPMENT-ONLY OAuth 2.1 authorization server, so the
whole MCP authorization flow (401, metadata, client registration, consent,
token, tool call, step-up) works on one machine with no account and no
internet. It lays out its URLs like a Scalekit environment: point a generated
server at it by setting SCALEKIT_ENVIRONMENT_URL and SCALEKIT_RESOURCE_ID
(or OAUTH_ISSUER for the oidc provider) to the values it prints.

Run it inside a generated project and it reads .create-mcp-auth.yaml for the
server URL (the only resource it issues tokens for) and the scopes with their
descriptions; flags override. It keeps everything in memory, signs with a key
generated at start unless --keys names a file, and listens only on loopback.`,
		Example: `  cd myserver && create-mcp-auth dev-auth
  create-mcp-auth dev-auth --resource http://localhost:3002/mcp --scopes todo:read,todo:write
  create-mcp-auth dev-auth --auto-approve --keys dev-auth.pem`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDevAuth(cmd.Context(), f, cmd.Flags().Changed("config"), stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", defaultDevAuthAddr, "loopback `host:port` to listen on")
	fl.StringVar(&f.config, "config", generator.ManifestName, "project manifest to read the server URL and scopes from")
	fl.StringVar(&f.resource, "resource", "", "MCP server URL tokens are issued for (default: server_url from the manifest)")
	fl.StringVar(&f.resourceID, "resource-id", "", "Scalekit-style resource ID in the metadata path (default: the manifest's, or res_dev)")
	fl.StringSliceVar(&f.scopes, "scopes", nil, "scopes clients may ask for (default: the manifest's)")
	fl.StringSliceVar(&f.users, "users", devauth.DefaultUsers, "dev users offered on the consent page; the first is used by --auto-approve")
	fl.BoolVar(&f.autoApprove, "auto-approve", false, "grant requests whose redirect URI is on loopback without the consent page (scripts, CI); others still ask")
	fl.BoolVar(&f.noDCR, "no-dcr", false, "turn dynamic client registration off: clients must use a client ID metadata document, as MCP 2026-07-28 prefers")
	fl.StringVar(&f.keys, "keys", "", "RSA private key `file` (PEM) to sign with; created if missing, so tokens survive restarts")
	fl.DurationVar(&f.tokenTTL, "token-ttl", time.Hour, "access token lifetime")
	fl.StringVar(&f.loginURL, "login-url", "", "bring your own auth: the MCP server's login route (e.g. http://localhost:3002/login) that signs users in instead of the consent page's user picker")
	fl.StringVar(&f.connectionID, "connection-id", devauth.DefaultConnectionID, "bring your own auth: the connection ID (conn_…) in the login hand-back URLs")
	return cmd
}

func runDevAuth(ctx context.Context, f devAuthFlags, configGiven bool, stdout, stderr io.Writer) error {
	cfg, from, provider, err := devAuthConfig(f, configGiven)
	if err != nil {
		return err
	}
	ln, err := listenLoopback(f.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	cfg.Issuer = "http://" + issuerHost(f.addr, ln.Addr())

	keyNote := "fresh RSA key, gone when dev-auth exits (--keys FILE keeps one)"
	if f.keys != "" {
		var created bool
		cfg.Key, created, err = devauth.LoadOrCreateKey(f.keys)
		if err != nil {
			return fmt.Errorf("--keys: %w", err)
		}
		keyNote = "loaded from " + f.keys
		if created {
			keyNote = "new RSA key saved to " + f.keys
		}
	} else if cfg.Key, err = devauth.NewKey(); err != nil {
		return err
	}
	cfg.MachineSecret = os.Getenv(secretEnv)
	if cfg.MachineSecret == "" {
		cfg.MachineSecret = rand.Text()
	} else if len(cfg.MachineSecret) < 16 {
		return usageError{fmt.Errorf("%s must be at least 16 characters (it is %d); unset it for a random one", secretEnv, len(cfg.MachineSecret))}
	}
	if cfg.LoginURL != "" {
		if cfg.APISecret = os.Getenv(apiSecretEnv); cfg.APISecret == "" {
			cfg.APISecret = rand.Text()
		} else if len(cfg.APISecret) < 16 {
			return usageError{fmt.Errorf("%s must be at least 16 characters (it is %d); unset it for a random one", apiSecretEnv, len(cfg.APISecret))}
		}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := devauth.New(cfg)
	if err != nil {
		return err
	}
	printDevAuthBanner(stdout, srv, cfg, from, provider, keyNote)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		fmt.Fprintln(stderr, "dev-auth: stopping")
		return hs.Shutdown(shutdown)
	}
}

// devAuthConfig merges the manifest (when there is one) and the flags.
// from names where the resource came from; provider is the manifest's.
func devAuthConfig(f devAuthFlags, configGiven bool) (cfg devauth.Config, from, provider string, err error) {
	var spec *generator.Spec
	data, err := os.ReadFile(f.config)
	switch {
	case err == nil:
		if spec, err = generator.ParseSpec(f.config, data); err != nil {
			return cfg, "", "", refuse(err, false)
		}
		from = f.config
	case errors.Is(err, fs.ErrNotExist) && !configGiven:
		// Not in a generated project: the flags must say everything.
	default:
		return cfg, "", "", usageError{fmt.Errorf("--config: %w", err)}
	}

	cfg = devauth.Config{Resource: f.resource, ResourceID: f.resourceID, Users: f.users, AutoApprove: f.autoApprove, NoDCR: f.noDCR, AccessTokenTTL: f.tokenTTL,
		LoginURL: f.loginURL, ConnectionID: f.connectionID}
	provider = "scalekit"
	if spec != nil {
		provider = spec.Provider
		if cfg.Resource == "" {
			cfg.Resource = spec.ServerURL
		}
		if cfg.ResourceID == "" && !rules.IsPlaceholder(spec.Scalekit.ResourceID) {
			cfg.ResourceID = spec.Scalekit.ResourceID
		}
		for _, sc := range spec.Scopes {
			cfg.Scopes = append(cfg.Scopes, devauth.Scope{Name: sc.Name, Description: sc.Description})
		}
		// A bring your own auth project signs users in at its own login
		// route: send them there, as Scalekit would, when it runs here.
		if cfg.LoginURL == "" && spec.Login != nil && spec.Login.Mode == "byoa" {
			if u, err := url.Parse(spec.ServerURL); err == nil && rules.IsLoopbackHost(u.Hostname()) {
				path := spec.Login.Path
				if path == "" {
					path = generator.DefaultLoginPath
				}
				cfg.LoginURL = rules.OriginOf(u) + path
			}
		}
	}
	if f.resource != "" {
		from = "--resource"
	}
	if f.scopes != nil {
		cfg.Scopes = scopesFromFlag(f.scopes, cfg.Scopes)
	}
	if cfg.ResourceID == "" {
		cfg.ResourceID = "res_dev"
	}

	var problems []generator.Problem
	if cfg.Resource == "" {
		problems = append(problems, generator.Problem{Path: "--resource", Message: "no MCP server URL: there is no " + generator.ManifestName + " here", Fix: "run dev-auth inside a generated project, or pass --resource http://localhost:3002/mcp"})
	} else if err := rules.CheckResourceURL(cfg.Resource, true); err != nil {
		problems = append(problems, generator.Problem{Path: "--resource", Message: err.Error(), Fix: "use the MCP server URL, e.g. http://localhost:3002/mcp"})
	}
	if err := rules.CheckScalekitResourceID(cfg.ResourceID); err != nil {
		problems = append(problems, generator.Problem{Path: "--resource-id", Message: err.Error()})
	}
	for _, sc := range cfg.Scopes {
		if err := rules.CheckScopeName(sc.Name); err != nil {
			problems = append(problems, generator.Problem{Path: "--scopes", Message: err.Error()})
		}
	}
	for _, u := range cfg.Users {
		if u == "" || strings.ContainsAny(u, " \t") {
			problems = append(problems, generator.Problem{Path: "--users", Message: fmt.Sprintf("%q is not a user name", u), Fix: "use names without spaces, e.g. alice@example.com"})
		}
	}
	if len(cfg.Users) == 0 {
		problems = append(problems, generator.Problem{Path: "--users", Message: "no users", Fix: "name at least one dev user"})
	}
	if cfg.LoginURL != "" {
		problems = append(problems, devAuthLoginProblems(cfg.LoginURL, cfg.ConnectionID)...)
	}
	if f.tokenTTL < time.Minute || f.tokenTTL > 24*time.Hour {
		problems = append(problems, generator.Problem{Path: "--token-ttl", Message: fmt.Sprintf("%s is outside 1m to 24h", f.tokenTTL), Fix: "e.g. --token-ttl 1h"})
	}
	if len(problems) > 0 {
		return cfg, "", "", &badInput{problems: problems}
	}
	return cfg, from, provider, nil
}

// scopesFromFlag keeps the manifest's description for scopes it knows.
func scopesFromFlag(names []string, known []devauth.Scope) []devauth.Scope {
	var out []devauth.Scope
	for _, n := range names {
		sc := devauth.Scope{Name: strings.TrimSpace(n)}
		for _, k := range known {
			if k.Name == sc.Name {
				sc.Description = k.Description
			}
		}
		out = append(out, sc)
	}
	return out
}

// listenLoopback listens on addr and refuses anything but a loopback host:
// dev-auth approves whoever asks, so it must not be reachable from the
// network.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usageError{fmt.Errorf("--addr %q: %v", addr, err)}
	}
	if !rules.IsLoopbackHost(host) {
		return nil, usageError{fmt.Errorf("--addr %q: dev-auth is development-only and listens only on loopback (127.0.0.1, ::1 or localhost), never on %q", addr, host)}
	}
	network := "tcp"
	if strings.EqualFold(host, "localhost") {
		network = "tcp4" // one address, the one the issuer URL names
		addr = net.JoinHostPort("127.0.0.1", addr[strings.LastIndex(addr, ":")+1:])
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("dev-auth cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// issuerHost is host:port for the issuer URL: the host as the user wrote it
// and the port actually bound (which matters for port 0).
func issuerHost(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	return net.JoinHostPort(host, port)
}

func printDevAuthBanner(w io.Writer, srv *devauth.Server, cfg devauth.Config, from, provider, keyNote string) {
	issuer := cfg.Issuer
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("create-mcp-auth dev-auth: DEVELOPMENT ONLY. A local test authorization server; never use it for real users.")
	p("")
	p("  listening  %s (loopback only)", issuer)
	if from != "" {
		p("  resource   %s (from %s)", cfg.Resource, from)
	} else {
		p("  resource   %s", cfg.Resource)
	}
	p("  scopes     %s", strings.Join(srv.Scopes(), " "))
	if cfg.NoDCR {
		p("  clients    client ID metadata documents only (--no-dcr): dynamic registration is off")
	}
	if cfg.LoginURL != "" {
		p("  sign-in    %s (bring your own auth: your server's login route signs users in)", cfg.LoginURL)
	}
	if cfg.AutoApprove {
		p("  consent    --auto-approve: requests redirecting to loopback are granted as %s; others ask at %s/oauth/authorize", cfg.Users[0], issuer)
	} else {
		p("  consent    %s/oauth/authorize asks you; users: %s (or type any name)", issuer, strings.Join(cfg.Users, ", "))
	}
	p("  keys       %s; kid %s", keyNote, srv.KeyID())
	p("")
	p("Point your MCP server at it (in its .env, or exported):")
	if provider != rules.ProviderScalekit {
		// dev-auth is laid out like a generic issuer, whatever the preset.
		p("  AUTH_PROVIDER=oidc")
		p("  OAUTH_ISSUER=%s", issuer)
		p("  OAUTH_JWKS_URL=%s/keys", issuer)
	} else {
		p("  SCALEKIT_ENVIRONMENT_URL=%s", issuer)
		p("  SCALEKIT_RESOURCE_ID=%s", cfg.ResourceID)
	}
	if cfg.LoginURL != "" {
		printLoginBanner(p, cfg)
	}
	p("")
	p("Machine client for the client credentials grant:")
	p("  client_id      %s", devauth.MachineClientID)
	p("  client_secret  %s", cfg.MachineSecret)
	p("Mint a token (e.g. to paste into MCP Inspector):")
	p("  %s=%s create-mcp-auth token --issuer %s", secretEnv, shellQuote(cfg.MachineSecret), issuer)
	p("")
}

// devAuthLoginProblems checks the bring your own auth flags.
func devAuthLoginProblems(loginURL, connectionID string) []generator.Problem {
	var problems []generator.Problem
	if err := rules.CheckServiceURL(loginURL, false); err != nil {
		problems = append(problems, generator.Problem{Path: "--login-url", Message: err.Error(), Fix: "use the MCP server's login route, e.g. http://localhost:3002/login"})
	} else if u, _ := url.Parse(loginURL); !rules.IsLoopbackHost(u.Hostname()) || u.RawQuery != "" || u.Fragment != "" {
		problems = append(problems, generator.Problem{Path: "--login-url", Message: fmt.Sprintf("%q is not a login route on this machine", loginURL), Fix: "dev-auth sends users only to localhost or a loopback IP, e.g. http://localhost:3002/login"})
	}
	if err := rules.CheckScalekitConnectionID(connectionID); err != nil {
		problems = append(problems, generator.Problem{Path: "--connection-id", Message: err.Error()})
	}
	return problems
}

// printLoginBanner says how to point a bring your own auth server at
// dev-auth.
func printLoginBanner(p func(string, ...any), cfg devauth.Config) {
	p("  SCALEKIT_CONNECTION_ID=%s", cfg.ConnectionID)
	p("  SCALEKIT_CLIENT_ID=%s", devauth.APIClientID)
	p("  SCALEKIT_CLIENT_SECRET=%s", cfg.APISecret)
	p("(the login route at %s posts users to %s/api/v1/connections/%s/auth-requests/{login_request_id}/user", cfg.LoginURL, cfg.Issuer, cfg.ConnectionID)
	p(" and sends browsers back to %s/sso/v1/connections/%s/partner:callback)", cfg.Issuer, cfg.ConnectionID)
}
