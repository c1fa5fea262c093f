package doctor

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// protocolVersion is the MCP version the doctor speaks.
const protocolVersion = "2025-11-25"

// maxPages bounds how many tools/list pages are read.
const maxPages = 20

// initializeBody is the JSON-RPC initialize request the doctor sends.
func initializeBody() []byte {
	return rpcBody(1, "initialize", map[string]any{
		"protocolVersion": protocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "create-mcp-auth-doctor", "version": "1"},
	})
}

// rpcBody encodes a JSON-RPC request (id > 0) or notification (id 0).
func rpcBody(id int, method string, params any) []byte {
	m := map[string]any{"jsonrpc": "2.0", "method": method}
	if id > 0 {
		m["id"] = id
	}
	if params != nil {
		m["params"] = params
	}
	b, _ := json.Marshal(m)
	return b
}

// rpcReply is a JSON-RPC response.
type rpcReply struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// session opens an MCP session with the token (initialize, the initialized
// notification, tools/list) and reports the tools the token may see. It
// works with stateless servers and with servers that hand out an
// Mcp-Session-Id, and reads JSON or SSE answers. It never calls a tool.
func (r *run) session(ctx context.Context) {
	h := rpcHeaders()
	h.Set("Authorization", "Bearer "+r.opts.Token)
	resp, reply, err := r.call(ctx, h, 1, initializeBody())
	if err != nil {
		r.fail("mcp.initialize", err.Error(), refusalFix(resp))
		r.skip("skipped: initialize failed", "mcp.tools_list")
		return
	}
	var init struct {
		ProtocolVersion string `json:"protocolVersion"`
		ServerInfo      struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	_ = json.Unmarshal(reply.Result, &init)
	detail := fmt.Sprintf("server %q %s, protocol %s", init.ServerInfo.Name, init.ServerInfo.Version, init.ProtocolVersion)
	if sid := resp.header.Get("Mcp-Session-Id"); sid != "" {
		h.Set("Mcp-Session-Id", sid)
		detail += ", with a session"
	} else {
		detail += ", stateless"
	}
	if init.ProtocolVersion != "" {
		h.Set("Mcp-Protocol-Version", init.ProtocolVersion)
	}
	if n, err := r.send(ctx, http.MethodPost, r.opts.URL, rpcBody(0, "notifications/initialized", nil), h); err != nil || n.status >= 300 {
		r.fail("mcp.initialize", detail+"; but notifications/initialized "+outcome(n, err), "accept notifications/initialized with 202 Accepted")
		r.skip("skipped: initialize failed", "mcp.tools_list")
		return
	}
	r.pass("mcp.initialize", detail)

	var tools []string
	var cursor string
	for page := range maxPages {
		var params any
		if cursor != "" {
			params = map[string]any{"cursor": cursor}
		}
		resp, reply, err := r.call(ctx, h, 2+page, rpcBody(2+page, "tools/list", params))
		if err != nil {
			r.fail("mcp.tools_list", err.Error(), refusalFix(resp))
			return
		}
		var list struct {
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
			NextCursor string `json:"nextCursor"`
		}
		if err := json.Unmarshal(reply.Result, &list); err != nil {
			r.fail("mcp.tools_list", "the tools/list result does not parse: "+err.Error(), "")
			return
		}
		for _, t := range list.Tools {
			tools = append(tools, t.Name)
		}
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	r.report.Tools = tools
	if len(tools) == 0 {
		r.warn("mcp.tools_list", "no tools visible with this token (some servers hide the tools its scopes do not cover)", "ask for the scopes the tools need")
		return
	}
	r.pass("mcp.tools_list", fmt.Sprintf("%d tool%s: %s", len(tools), plural(len(tools)), strings.Join(tools, ", ")))
}

// call POSTs one JSON-RPC request and returns the response with that id.
// An SSE answer is read only until that response arrives: a server may
// keep the stream open.
func (r *run) call(ctx context.Context, h http.Header, id int, body []byte) (*response, *rpcReply, error) {
	hr, cancel, err := r.open(ctx, http.MethodPost, r.opts.URL, body, h)
	if err != nil {
		return nil, nil, err
	}
	defer cancel()
	defer hr.Body.Close()
	resp := &response{status: hr.StatusCode, header: hr.Header, url: r.opts.URL}
	limited := io.LimitReader(hr.Body, maxBody)
	if hr.StatusCode != http.StatusOK {
		resp.body, _ = io.ReadAll(limited)
		return resp, nil, fmt.Errorf("the server answered %s%s", statusText(resp.status), refusal(resp))
	}
	var reply *rpcReply
	if ct := strings.ToLower(hr.Header.Get("Content-Type")); strings.HasPrefix(ct, "text/event-stream") {
		reply, err = readSSE(limited, id)
	} else {
		resp.body, err = io.ReadAll(limited)
		if err == nil {
			reply, err = findReply(resp.body, id)
		}
	}
	switch {
	case err != nil:
		return resp, nil, cleanErr(ctx, err)
	case reply.Error != nil:
		return resp, nil, fmt.Errorf("JSON-RPC error %d: %s", reply.Error.Code, reply.Error.Message)
	}
	return resp, reply, nil
}

// findReply finds the response with id in a JSON message or batch.
func findReply(msg []byte, id int) (*rpcReply, error) {
	var batch []rpcReply
	if err := json.Unmarshal(msg, &batch); err != nil {
		var one rpcReply
		if err := json.Unmarshal(msg, &one); err != nil {
			return nil, fmt.Errorf("the answer is not JSON-RPC: %s", snippet(msg))
		}
		batch = []rpcReply{one}
	}
	for i := range batch {
		if string(batch[i].ID) == fmt.Sprint(id) {
			return &batch[i], nil
		}
	}
	return nil, fmt.Errorf("no JSON-RPC response with id %d in the answer: %s", id, snippet(msg))
}

// readSSE reads server-sent events until one carries the response with id.
func readSSE(body io.Reader, id int) (*rpcReply, error) {
	br := bufio.NewReader(body)
	var data []string
	event := func() *rpcReply {
		if len(data) == 0 {
			return nil
		}
		reply, _ := findReply([]byte(strings.Join(data, "\n")), id)
		data = nil
		return reply
	}
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if v, ok := strings.CutPrefix(line, "data:"); ok {
			data = append(data, strings.TrimPrefix(v, " "))
		}
		if line == "" || err != nil {
			if reply := event(); reply != nil {
				return reply, nil
			}
		}
		if err == io.EOF {
			return nil, fmt.Errorf("the event stream ended without a JSON-RPC response with id %d", id)
		}
		if err != nil {
			return nil, err
		}
	}
}

// refusal words the Bearer challenge of a refused request, if any.
func refusal(resp *response) string {
	cs, err := parseChallenges(resp.header.Values("WWW-Authenticate"))
	if err != nil {
		return ""
	}
	if b := findChallenge(cs, "Bearer"); b != nil && b.Params["error"] != "" {
		return fmt.Sprintf(": %s: %s", b.Params["error"], b.Params["error_description"])
	}
	return ""
}

// refusalFix suggests what to do about a refused authenticated request.
func refusalFix(resp *response) string {
	switch {
	case resp == nil:
		return ""
	case resp.status == http.StatusUnauthorized:
		return "the server refuses the token: see the token checks above, and the server's log"
	case resp.status == http.StatusForbidden:
		return "get a token with the scopes the server asks for in its challenge"
	case resp.status == http.StatusNotFound:
		return "check the URL's path: it must be the MCP endpoint itself"
	}
	return ""
}

// outcome words the result of a request for a finding.
func outcome(resp *response, err error) string {
	if err != nil {
		return "failed: " + err.Error()
	}
	return "got " + statusText(resp.status)
}
