// Command bare answers a tools/call of greet_user with plain net/http and
// encoding/json, no MCP library and no auth: the ceiling scripts/bench.sh
// compares the generated servers with.
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
)

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  struct {
		Name      string `json:"name"`
		Arguments struct {
			Language string `json:"language"`
			Note     string `json:"note"`
		} `json:"arguments"`
	} `json:"params"`
}

type content struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  struct {
		Content []content `json:"content"`
	} `json:"result"`
}

var greetings = map[string]string{"en": "Hello", "fr": "Bonjour", "de": "Hallo"}

func handle(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	word, ok := greetings[strings.ToLower(req.Params.Arguments.Language)]
	if req.Method != "tools/call" || req.Params.Name != "greet_user" || !ok {
		http.Error(w, "unknown call", http.StatusBadRequest)
		return
	}
	resp := response{JSONRPC: "2.0", ID: req.ID}
	resp.Result.Content = []content{{Type: "text", Text: word + ", and welcome back."}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", handle)
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	log.Fatal(http.ListenAndServe(net.JoinHostPort("127.0.0.1", os.Getenv("PORT")), mux))
}
