// Command noauth serves the project's tools through the same mcp-go server
// and stateless streamable HTTP transport as the generated server, with no
// auth at all: the baseline scripts/bench.sh measures the auth layer's cost
// against. It is written only into the benchmark's temporary copy of a
// generated project; nothing in a generated project can turn it on.
package main

import (
	"log"
	"net"
	"net/http"
	"os"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"example.com/greeting/internal/tools"
)

func main() {
	// The server and transport options of internal/server/mcp.go, less the
	// auth.
	server := mcpserver.NewMCPServer("Greeting MCP", "bench",
		mcpserver.WithToolCapabilities(false), mcpserver.WithInputSchemaValidation())
	// No policy: it guards resources and prompts, and the greeting server
	// has none.
	tools.AddAll(server, nil)
	mux := http.NewServeMux()
	mux.Handle("/", mcpserver.NewStreamableHTTPServer(server, mcpserver.WithStateLess(true)))
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	log.Fatal(http.ListenAndServe(net.JoinHostPort("127.0.0.1", os.Getenv("PORT")), mux))
}
