package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/create-mcp-auth/create-mcp-auth/generator"
	"github.com/create-mcp-auth/create-mcp-auth/internal/project"
	"github.com/create-mcp-auth/create-mcp-auth/internal/rules"
	"github.com/create-mcp-auth/create-mcp-auth/internal/writer"
)

// newOptions are the flags of "new" that are not spec fields.
type newOptions struct {
	config   string
	dryRun   bool
	force    bool
	skipTidy bool
	yes      bool
}

// specFlags are the flags that set spec fields.
type specFlags struct {
	template, module, serverURL, provider string
	scalekitEnv, scalekitResourceID       string
	issuer, jwksURL                       string
	entraTenantID, entraClientID          string
	entraAppIDURI                         string
	scopes, tools, resources, prompts     []string
	port                                  int
	allowInsecureHTTP                     bool
	login, loginPath                      string
	downstreamAPIs, downstreamMCPs        []string
}

func newNewCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var opts newOptions
	var sf specFlags
	cmd := &cobra.Command{
		Use:   "new [DIR]",
		Short: "Generate a new MCP server project in DIR",
		Long: `Generate a new MCP server project in DIR.

With a terminal on stdin, new asks for every value no flag or spec file gave,
showing defaults and where each value comes from. Without one (CI), or with
--yes, it never asks: it uses flags, the spec file and defaults.

Bad input (any flag, the spec file or DIR) is reported all at once with exit
status 2, and nothing is written.`,
		Example: `  create-mcp-auth new myserver
  create-mcp-auth new todo --yes --module example.com/todo \
      --server-url https://mcp.example.com/mcp \
      --scalekit-env https://acme.scalekit.com --scalekit-resource-id res_123 \
      --scope todo:read="Read todos" --scope todo:write="Change todos" \
      --tool list_todos=todo:read --tool create_todo=todo:write \
      --resource 'todo://items/{id}=todo:read' --prompt plan_day=todo:read \
      --downstream-api weather=https://api.weather.example/v1,header=X-API-Key \
      --downstream-mcp tickets=https://tickets.example.com/mcp,issuer=https://auth.example.com,scope=tickets:write
  create-mcp-auth new svc --config platform-spec.yaml --server-url https://svc.example.com/mcp`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("new takes one DIR, got %d arguments: %s", len(args), strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			interactive := !opts.yes && isTerminal(stdin)
			var p Prompter
			if interactive {
				p = newSurveyPrompter(stdin, stdout, stderr)
			}
			return runNew(cmd.Context(), newRun{dir: dir, opts: opts, sf: sf, changed: cmd.Flags(), prompter: p, stdout: stdout, stderr: stderr})
		},
	}
	f := cmd.Flags()
	f.StringVar(&sf.template, "template", generator.DefaultTemplate, "project template: "+strings.Join(generator.Templates, " | "))
	f.StringVar(&sf.module, "module", "", "Go module path of the generated project (default: DIR's base name)")
	f.StringVar(&sf.serverURL, "server-url", generator.DefaultServerURL, "public URL of the MCP endpoint, exactly as registered in the authorization server (PRM resource and expected aud)")
	f.StringVar(&sf.provider, "provider", generator.DefaultProvider, "authorization server: "+strings.Join(generator.Providers, " | "))
	f.StringVar(&sf.scalekitEnv, "scalekit-env", "", "Scalekit environment URL (dashboard → Settings → API Credentials); default: a placeholder to replace")
	f.StringVar(&sf.scalekitResourceID, "scalekit-resource-id", "", "Scalekit resource ID, res_… (dashboard → MCP Servers → your server); default: a placeholder to replace")
	f.StringVar(&sf.issuer, "issuer", "", "issuer URL, exactly as in the tokens' iss, for --provider auth0, okta, keycloak, workos or oidc; default: a placeholder to replace")
	f.StringVar(&sf.jwksURL, "jwks-url", "", "JWKS URL, with --issuer (default: discovered from the issuer's metadata for oidc; the other presets know theirs)")
	f.StringVar(&sf.entraTenantID, "entra-tenant-id", "", "Directory (tenant) ID, for --provider entra; default: a placeholder to replace")
	f.StringVar(&sf.entraClientID, "entra-client-id", "", "Application (client) ID of this server's app registration, for --provider entra; default: a placeholder to replace")
	f.StringVar(&sf.entraAppIDURI, "entra-app-id-uri", "", "Application ID URI, for --provider entra, if not api://{client ID}")
	f.StringArrayVar(&sf.scopes, "scope", nil, "a scope as NAME[=Description]; repeatable (default: mcp:tools:read and mcp:tools:write)")
	f.StringArrayVar(&sf.tools, "tool", nil, "a tool as NAME[=SCOPE[,SCOPE]]; repeatable; each scope must be declared (default: one example tool)")
	f.StringArrayVar(&sf.resources, "resource", nil, "a resource as URI[=SCOPE[,SCOPE]], URI a URI or an RFC 6570 template like todo://items/{id}; repeatable (default: none)")
	f.StringArrayVar(&sf.prompts, "prompt", nil, "a prompt as NAME[=SCOPE[,SCOPE]]; repeatable (default: none)")
	f.StringArrayVar(&sf.downstreamAPIs, downstreamAPIFlag, nil, "an HTTP API the tools call with an API key, as NAME=URL[,header=H][,scheme=S][,key-env=VAR] "+
		"(default header Authorization with scheme Bearer, key in NAME_API_KEY); repeatable (default: none)")
	f.StringArrayVar(&sf.downstreamMCPs, downstreamMCPFlag, nil, "another MCP server the tools call with client credentials, as NAME=URL,issuer=URL|token-url=URL[,scope=S]…"+
		"[,resource=URI][,audience=A][,client-id-env=VAR][,client-secret-env=VAR]; repeatable (default: none)")
	f.IntVar(&sf.port, "port", generator.DefaultPort, "listen port")
	f.BoolVar(&sf.allowInsecureHTTP, "allow-insecure-http", false, "accept plain http:// URLs for non-loopback hosts (only behind a TLS-terminating proxy)")
	f.StringVar(&sf.login, "login", "hosted", "who signs users in: hosted (the authorization server) | byoa (bring your own auth: this server's login route, for --provider scalekit)")
	f.StringVar(&sf.loginPath, "login-path", generator.DefaultLoginPath, "path of the login route, with --login byoa")
	f.StringVar(&opts.config, "config", "", "spec file (YAML, the schema of a generated project's .create-mcp-auth.yaml); flags override it")
	f.BoolVar(&opts.dryRun, "dry-run", false, "print what would be done to each file (create, update, keep, ...); write nothing")
	f.BoolVar(&opts.force, "force", false, "write into a non-empty DIR: files create-mcp-auth owns are replaced, files that are yours kept (reported); never deletes a file")
	f.BoolVar(&opts.skipTidy, "skip-tidy", false, "do not run 'go mod tidy' in the new project")
	f.BoolVarP(&opts.yes, "yes", "y", false, "never prompt: accept defaults for anything flags and the spec file leave unanswered")
	return cmd
}

// newRun is one invocation of "new".
type newRun struct {
	dir      string
	opts     newOptions
	sf       specFlags
	changed  *pflag.FlagSet
	prompter Prompter // nil: never ask
	stdout   io.Writer
	stderr   io.Writer
}

func runNew(ctx context.Context, r newRun) error {
	err := runNewSteps(ctx, r)
	var verr *generator.ValidationError
	if errors.As(err, &verr) {
		for i, p := range verr.Problems {
			verr.Problems[i].Path = flagFor(p.Path)
		}
	}
	return refuse(err, true)
}

// runNewSteps is new's way through the pipeline: spec file ⊕ flags →
// interview for what is still unknown → validate once → render → plan →
// apply → tidy.
func runNewSteps(ctx context.Context, r newRun) error {
	spec := &generator.Spec{}
	if r.opts.config != "" {
		data, err := os.ReadFile(r.opts.config)
		if err != nil {
			return &generator.ValidationError{Problems: []generator.Problem{{Path: "--config", Message: err.Error(), Fix: "pass the path of a spec YAML file"}}}
		}
		if spec, err = generator.ParseSpec(r.opts.config, data); err != nil {
			return err
		}
	}
	applyFlags(spec, r.sf, r.changed)
	downstream, given, flagProblems := downstreamFlags(r.sf, r.changed)
	if given {
		spec.Downstream = downstream
	}
	// Lists that came from the spec file may carry what no flag can express
	// (implies, descriptions): the equivalent command line leaves them there.
	omit := omittedLists{
		scopes:     len(spec.Scopes) > 0 && !r.changed.Changed("scope"),
		tools:      len(spec.Tools) > 0 && !r.changed.Changed("tool"),
		resources:  len(spec.Resources) > 0 && !r.changed.Changed("resource"),
		prompts:    len(spec.Prompts) > 0 && !r.changed.Changed("prompt"),
		downstream: len(spec.Downstream) > 0 && !given,
	}

	if r.prompter != nil {
		in := interview{p: r.prompter, changed: r.changed, fromFile: r.opts.config != "", force: r.opts.force}
		if err := in.run(&r.dir, spec); err != nil {
			return err
		}
	}
	problems := flagProblems
	if r.changed.Changed("port") && r.sf.port == 0 {
		// Port 0 in a spec means "unset", so the spec check cannot see it.
		problems = append(problems, generator.Problem{Path: "port", Message: "port 0 is out of range", Fix: "use 1-65535"})
	}
	// Lists nobody filled get defaults, which the command line also leaves out.
	omit.scopes = omit.scopes || len(spec.Scopes) == 0
	omit.tools = omit.tools || len(spec.Tools) == 0
	if r.dir == "" {
		problems = append(problems, generator.Problem{Path: "DIR", Message: "missing target directory", Fix: "pass it as an argument: create-mcp-auth new DIR"})
	} else if e := writer.CheckTarget(r.dir, r.opts.force); e != nil {
		problems = append(problems, generator.Problem{Path: "DIR", Message: e.Reason, Fix: e.Fix})
	}
	spec.ApplyDefaults(defaultModule(r.dir))
	if err := generator.Validate(spec); err != nil {
		var verr *generator.ValidationError
		if !errors.As(err, &verr) {
			return err
		}
		problems = append(problems, verr.Problems...)
	}
	if len(problems) > 0 {
		return &generator.ValidationError{Problems: problems}
	}

	// Writing into an existing project (--force) honours its record of
	// what create-mcp-auth wrote, like upgrade does.
	var prev *generator.Previous
	if old, err := readManifest(r.dir, true); err == nil {
		if prev, err = generator.PreviousOf(old); err != nil {
			return err
		}
	}
	plan, err := planProject(r.dir, &generator.Manifest{Spec: *spec, From: generator.SpecVersion}, prev, r.opts.force)
	if err != nil {
		return err
	}
	if r.prompter != nil {
		fmt.Fprintf(r.stdout, "\nThe same project, without questions:\n  %s\n\n", commandLine(r.dir, r.opts.config, omit, spec))
	}
	if r.opts.dryRun {
		fmt.Fprintf(r.stdout, "%s (%s template; dry run, nothing written):\n", r.dir, spec.Template)
		plan.Print(r.stdout, true)
		return nil
	}
	if err := project.Apply(plan); err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "Created %s (%s template, %d files).\n", r.dir, spec.Template, len(plan.Steps))
	for _, st := range plan.Steps {
		if st.Disk != nil && st.Action != project.Keep || st.Action == project.Keep && st.Reason != "unchanged" || st.Action == project.Skip {
			fmt.Fprintf(r.stdout, "  %-8s %s (%s)\n", st.Action, st.Path, st.Reason)
		}
	}
	tidied := false
	if !r.opts.skipTidy {
		if err := goModTidy(ctx, r.dir, r.stdout); err != nil {
			return fmt.Errorf("project written to %s, but go mod tidy failed: %w\nfix the problem and run 'go mod tidy' there yourself", r.dir, err)
		}
		tidied = true
	}
	printNextSteps(r.stdout, r.dir, spec, tidied)
	return nil
}

// flagFor names the flag of "new" that sets the spec field at path, with
// the field: "--scope (scopes[0].name)".
func flagFor(path string) string {
	field, _, _ := strings.Cut(path, "[")
	flag := map[string]string{
		"template": "--template", "module": "--module", "name": "", "server_url": "--server-url", "port": "--port",
		"provider": "--provider", "scalekit.environment_url": "--scalekit-env", "scalekit.resource_id": "--scalekit-resource-id",
		"oidc.issuer": "--issuer", "oidc.jwks_url": "--jwks-url", "scopes": "--scope", "tools": "--tool",
		"entra.tenant_id": "--entra-tenant-id", "entra.client_id": "--entra-client-id", "entra.app_id_uri": "--entra-app-id-uri",
		"resources": "--resource", "prompts": "--prompt", "login.mode": "--login", "login.path": "--login-path",
		"downstream": "--downstream-api or --downstream-mcp",
	}[field]
	if flag == "" || strings.HasPrefix(path, "scopes[") && strings.HasSuffix(path, ".implies") ||
		strings.HasSuffix(path, ".description") || strings.HasSuffix(path, ".mime_type") || strings.HasPrefix(path, "resources[") && strings.HasSuffix(path, ".name") {
		return path
	}
	return flag + " (" + path + ")"
}

// applyFlags lays every flag the user set over the spec. Repeated --scope,
// --tool, --resource or --prompt flags replace the spec file's whole list.
func applyFlags(s *generator.Spec, sf specFlags, changed *pflag.FlagSet) {
	set := func(name string, dst *string, v string) {
		if changed.Changed(name) {
			*dst = v
		}
	}
	set("template", &s.Template, sf.template)
	set("module", &s.Module, sf.module)
	set("server-url", &s.ServerURL, sf.serverURL)
	set("provider", &s.Provider, sf.provider)
	set("scalekit-env", &s.Scalekit.EnvironmentURL, sf.scalekitEnv)
	set("scalekit-resource-id", &s.Scalekit.ResourceID, sf.scalekitResourceID)
	set("issuer", &s.OIDC.Issuer, sf.issuer)
	set("jwks-url", &s.OIDC.JWKSURL, sf.jwksURL)
	set("entra-tenant-id", &s.Entra.TenantID, sf.entraTenantID)
	set("entra-client-id", &s.Entra.ClientID, sf.entraClientID)
	set("entra-app-id-uri", &s.Entra.AppIDURI, sf.entraAppIDURI)
	if changed.Changed("port") {
		s.Port = sf.port
	}
	if changed.Changed("allow-insecure-http") {
		s.AllowInsecureHTTP = sf.allowInsecureHTTP
	}
	applyLoginFlags(s, sf, changed)
	if changed.Changed("scope") {
		s.Scopes = nil
		for _, v := range sf.scopes {
			name, desc, _ := strings.Cut(v, "=")
			s.Scopes = append(s.Scopes, generator.Scope{Name: name, Description: desc})
		}
	}
	if changed.Changed("tool") {
		s.Tools = nil
		for _, v := range sf.tools {
			name, scopes := splitEntry(v)
			s.Tools = append(s.Tools, generator.Tool{Name: name, Scopes: scopes})
		}
	}
	if changed.Changed("resource") {
		s.Resources = nil
		for _, v := range sf.resources {
			uri, scopes := splitEntry(v)
			s.Resources = append(s.Resources, generator.Resource{URI: uri, Scopes: scopes})
		}
	}
	if changed.Changed("prompt") {
		s.Prompts = nil
		for _, v := range sf.prompts {
			name, scopes := splitEntry(v)
			s.Prompts = append(s.Prompts, generator.Prompt{Name: name, Scopes: scopes})
		}
	}
}

// splitEntry splits NAME[=SCOPE[,SCOPE]] at its last "=": a resource URI
// may hold "=" itself, scope lists here do not.
func splitEntry(v string) (name string, scopes []string) {
	i := strings.LastIndexByte(v, '=')
	if i < 0 {
		return v, nil
	}
	return v[:i], splitList(v[i+1:])
}

// joinEntry is the inverse of splitEntry. A name holding "=" keeps a trailing
// "=" even without scopes, so that its own "=" is not taken for the split.
func joinEntry(name string, scopes []string) string {
	if len(scopes) == 0 && !strings.Contains(name, "=") {
		return name
	}
	return name + "=" + strings.Join(scopes, ",")
}

// defaultModule is the module path used when none is given: DIR's base name.
func defaultModule(dir string) string {
	if dir == "" {
		return "mcp-server"
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(dir)
}

// version is what the generator stamps into generated files.
func version() string {
	v, _ := buildVersion()
	return v
}

func printNextSteps(w io.Writer, dir string, s *generator.Spec, tidied bool) {
	fmt.Fprintln(w, "\nNext steps:")
	fmt.Fprintf(w, "  cd %s\n", shellQuote(dir))
	if !tidied {
		fmt.Fprintln(w, "  go mod tidy")
	}
	fmt.Fprintln(w, "  cp .env.example .env     # then fill in the values below")
	fmt.Fprintln(w, "  go test ./...")
	fmt.Fprintln(w, "  go run .")
	fmt.Fprintf(w, "  curl -i %s           # expect 401 with a WWW-Authenticate header\n", s.ServerURL)
	if ph := s.Placeholders(); len(ph) > 0 {
		fmt.Fprintln(w, "\nStill placeholders (the server refuses to start until you set them in .env):")
		for _, p := range ph {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	fmt.Fprintf(w, "\nRegister %s in your authorization server exactly as written: it is the token audience.\n", s.ServerURL)
	fmt.Fprintf(w, "No account yet? Run 'create-mcp-auth dev-auth' in %s for a local test authorization server (README: Try it locally).\n", shellQuote(dir))
}

// omittedLists says which spec lists the equivalent command line leaves out:
// those taken untouched from the spec file, and defaults.
type omittedLists struct{ scopes, tools, resources, prompts, downstream bool }

// commandLine is the non-interactive equivalent of the answers given. Scope
// implications and tool descriptions have no flags: they stay in the spec
// file, which is passed on when there was one, or in the defaults.
func commandLine(dir, config string, omit omittedLists, s *generator.Spec) string {
	args := []string{"create-mcp-auth", "new", shellQuote(dir), "--yes"}
	if config != "" {
		args = append(args, "--config", shellQuote(config))
	}
	args = append(args,
		"--template", s.Template, "--module", shellQuote(s.Module), "--server-url", shellQuote(s.ServerURL),
		"--provider", s.Provider)
	switch s.Provider {
	case rules.ProviderScalekit:
		args = append(args, "--scalekit-env", shellQuote(s.Scalekit.EnvironmentURL), "--scalekit-resource-id", shellQuote(s.Scalekit.ResourceID))
	case rules.ProviderEntra:
		args = append(args, "--entra-tenant-id", shellQuote(s.Entra.TenantID), "--entra-client-id", shellQuote(s.Entra.ClientID))
		if s.Entra.AppIDURI != "" {
			args = append(args, "--entra-app-id-uri", shellQuote(s.Entra.AppIDURI))
		}
	default:
		args = append(args, "--issuer", shellQuote(s.OIDC.Issuer))
		if s.OIDC.JWKSURL != "" {
			args = append(args, "--jwks-url", shellQuote(s.OIDC.JWKSURL))
		}
	}
	for _, sc := range s.Scopes {
		if omit.scopes {
			break
		}
		v := sc.Name
		if sc.Description != "" {
			v += "=" + sc.Description
		}
		args = append(args, "--scope", shellQuote(v))
	}
	for _, t := range s.Tools {
		if omit.tools {
			break
		}
		args = append(args, "--tool", shellQuote(joinEntry(t.Name, t.Scopes)))
	}
	for _, r := range s.Resources {
		if omit.resources {
			break
		}
		args = append(args, "--resource", shellQuote(joinEntry(r.URI, r.Scopes)))
	}
	for _, p := range s.Prompts {
		if omit.prompts {
			break
		}
		args = append(args, "--prompt", shellQuote(joinEntry(p.Name, p.Scopes)))
	}
	for _, d := range s.Downstream {
		if omit.downstream {
			break
		}
		flag, value := formatDownstream(d)
		args = append(args, "--"+flag, shellQuote(value))
	}
	if s.Login != nil {
		args = append(args, "--login", s.Login.Mode, "--login-path", shellQuote(s.Login.Path))
	}
	args = append(args, "--port", fmt.Sprint(s.Port))
	if s.AllowInsecureHTTP {
		args = append(args, "--allow-insecure-http")
	}
	return strings.Join(args, " ")
}
