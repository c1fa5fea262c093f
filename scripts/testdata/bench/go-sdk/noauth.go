// Command noauth serves the project's tools through the same official MCP Go
// SDK server and stateless streamable HTTP handler as the generated server,
// with no auth at all: the baseline scripts/bench.sh measures the auth
// layer's cost against. It is written only into the benchmark's temporary
// copy of a generated project; nothing in a generated project can turn it
// on.
package main

import (
	"log"
	"net"
	"net/http"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/greeting/internal/tools"
)

func main() {
	server := mcp.NewServer(&mcp.Implementation{Name: "Greeting MCP", Version: "bench"}, nil)
	// No policy: it guards resources and prompts, and the greeting server
	// has none.
	tools.AddAll(server, nil)
	// The transport options of internal/server/mcp.go, less the auth.
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, MaxRequestBodyBytes: 1 << 20})
	mux := http.NewServeMux()
	mux.Handle("/", handler)
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	log.Fatal(http.ListenAndServe(net.JoinHostPort("127.0.0.1", os.Getenv("PORT")), mux))
}
