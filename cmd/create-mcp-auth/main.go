// Command create-mcp-auth scaffolds a Go MCP server secured as an OAuth 2.1
// resource server. Run "create-mcp-auth new --help" for the details.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/create-mcp-auth/create-mcp-auth/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
