package doctortest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3/jwt"
)

const sessionID = "fake-session-1"

// resourceServer serves the MCP endpoint and its metadata.
func (s *Server) resourceServer() http.Handler {
	mux := http.NewServeMux()
	prm := func(w http.ResponseWriter, r *http.Request) {
		resource := s.URL
		if s.faults.ResourceSlash {
			resource += "/"
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		writeJSON(w, http.StatusOK, map[string]any{
			"resource":                 resource,
			"authorization_servers":    []string{s.Issuer},
			"scopes_supported":         Scopes,
			"bearer_methods_supported": []string{"header"},
		})
	}
	mux.HandleFunc("GET /.well-known/oauth-protected-resource", prm)
	if !s.faults.NoPathInserted {
		mux.HandleFunc("GET /.well-known/oauth-protected-resource/mcp", prm)
	}
	mux.HandleFunc("/mcp", s.mcp)
	return mux
}

// mcp is the MCP endpoint: CORS, then authentication, then a tiny MCP
// server with two tools.
func (s *Server) mcp(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" {
		if r.Method == http.MethodOptions {
			if s.faults.NoPreflight {
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version, Mcp-Session-Id")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if !s.faults.NoExpose {
			h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, Mcp-Session-Id")
		}
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	switch {
	case auth == "" && s.faults.NoChallenge:
	case auth == "":
		s.challenge(w, "")
		return
	case !strings.EqualFold(scheme, "Bearer"):
		s.challenge(w, "")
		return
	default:
		if problem := s.verify(token); problem != "" {
			s.challenge(w, problem)
			return
		}
	}
	s.rpc(w, r)
}

// challenge answers 401 with the Bearer challenge; problem is the
// error_description of a refused token, "" when none was sent.
func (s *Server) challenge(w http.ResponseWriter, problem string) {
	var params []string
	if !s.faults.NoResourceMetadata {
		prm := strings.Replace(s.URL, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)
		params = append(params, fmt.Sprintf("resource_metadata=%q", prm))
	}
	params = append(params, fmt.Sprintf("scope=%q", strings.Join(Scopes, " ")))
	if problem != "" || s.faults.ErrorWithoutToken {
		params = append(params, `error="invalid_token"`)
	}
	if problem != "" {
		params = append(params, fmt.Sprintf("error_description=%q", problem))
	}
	if !s.faults.NoWWWAuthenticate {
		w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	}
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
}

// verify checks a token like a strict resource server; it returns what is
// wrong, or "".
func (s *Server) verify(raw string) string {
	tok, err := jwt.ParseSigned(raw)
	if err != nil {
		return "malformed token"
	}
	var c jwt.Claims
	if err := tok.Claims(&s.key.PublicKey, &c); err != nil {
		return "bad signature"
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: s.Issuer, Audience: jwt.Audience{s.URL}, Time: time.Now()}, 0); err != nil {
		return err.Error()
	}
	return ""
}

// rpc answers one JSON-RPC message.
func (s *Server) rpc(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &msg); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	if msg.ID == nil {
		w.WriteHeader(http.StatusAccepted) // a notification
		return
	}
	if s.faults.Sessions && msg.Method != "initialize" && r.Header.Get("Mcp-Session-Id") != sessionID {
		http.Error(w, "missing or unknown Mcp-Session-Id", http.StatusBadRequest)
		return
	}
	var result any
	switch msg.Method {
	case "initialize":
		if s.faults.Sessions {
			w.Header().Set("Mcp-Session-Id", sessionID)
		}
		result = map[string]any{
			"protocolVersion": "2025-11-25",
			"capabilities":    map[string]any{"tools": map[string]any{}},
			"serverInfo":      map[string]any{"name": "fake", "version": "1.0.0"},
		}
	case "tools/list":
		var tools []map[string]any
		for _, t := range Tools {
			tools = append(tools, map[string]any{"name": t, "inputSchema": map[string]any{"type": "object"}})
		}
		result = map[string]any{"tools": tools}
	case "tools/call":
		s.toolCalls.Add(1)
		result = map[string]any{"content": []any{}}
	default:
		result = map[string]any{}
	}
	reply, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": msg.ID, "result": result})
	if s.faults.SSE && slices.Contains(strings.Split(r.Header.Get("Accept"), ", "), "text/event-stream") {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: message\ndata: %s\n\n", reply)
		// Keep the stream open, as servers may: the reader must stop at
		// the response, not wait for the end.
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(reply)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
