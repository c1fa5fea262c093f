package auth

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestToolCall(t *testing.T) {
	for _, tc := range []struct {
		body   string
		tool   string
		isCall bool
		err    string // fragment of the error; empty for none
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_todo","arguments":{}}}`, "create_todo", true, ""},
		{` {"method":"tools/call","params":{"arguments":{"name":"x"},"name":"get_todo"}} `, "get_todo", true, ""},
		{`{"method":"tools/call","params":{"name":"\u0063reate_todo"}}`, "create_todo", true, ""},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "", false, ""},
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, "", false, ""},
		{`{"method":"tools/call"}`, "", false, ""},
		{`{"method":"tools/call","params":null}`, "", false, ""},
		{`{"method":"tools/call","params":[]}`, "", false, ""},
		{`{"method":"tools/call","params":{"name":7}}`, "", false, ""},
		{`{"method":5,"params":{"name":"create_todo"}}`, "", false, ""},

		{`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_todo"}}]`, "", false, "batches"},
		{`  [ ]`, "", false, "batches"},
		{`"tools/call"`, "", false, "not a JSON object"},
		{``, "", false, "not JSON"},
		{`{"method":"tools/call"`, "", false, "not valid JSON"},
		{`{"method":"tools/call"}{"method":"x"}`, "", false, "more than one"},
		{`{"method":"tools/call"} x`, "", false, "more than one"},
		{`{"method":"tools/list","method":"tools/call","params":{"name":"create_todo"}}`, "", false, "more than once"},
		{`{"method":"tools/call","params":{"name":"list_todos"},"params":{"name":"create_todo"}}`, "", false, "more than once"},
		{`{"method":"tools/call","params":{"name":"list_todos","name":"create_todo"}}`, "", false, "more than once"},
		{`{"method":"tools/list","Method":"tools/call","params":{"name":"create_todo"}}`, "", false, "only in case"},
		{`{"method":"tools/call","PARAMS":{"name":"create_todo"},"params":{"name":"list_todos"}}`, "", false, "only in case"},
		{`{"method":"tools/call","params":{"name":"list_todos","Name":"create_todo"}}`, "", false, "only in case"},
		{`{"method":"tools/call","params":{"name":"list_todos","nam\u0065":"create_todo"}}`, "", false, "more than once"},
		{"{\"method\":\"tools/call\",\"params\":{\"name\":\"list_todos\",\"\u212aey\":1,\"NAME\":\"x\"}}", "", false, "only in case"},
	} {
		m, err := parseMessage([]byte(tc.body))
		tool, isCall := m.Tool, m.IsCall
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.body, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one mentioning %q", tc.body, err, tc.err)
		case tool != tc.tool || isCall != tc.isCall:
			t.Errorf("%s: got (%q, %v), want (%q, %v)", tc.body, tool, isCall, tc.tool, tc.isCall)
		}
	}
}

func TestStandardHeaders(t *testing.T) {
	call := message{Method: "tools/call", IsRequest: true, Tool: "create_todo", IsCall: true}
	list := message{Method: "tools/list", IsRequest: true}
	const current, older = "2026-07-28", "2025-11-25"
	b64 := func(s string) string { return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	for _, tc := range []struct {
		name    string
		version string
		headers map[string]string
		msg     message
		err     string // fragment; empty: accepted
	}{
		{"matching", current, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": "create_todo"}, call, ""},
		{"base64 name", current, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": b64("create_todo")}, call, ""},
		{"list needs no name", current, map[string]string{"Mcp-Method": "tools/list"}, list, ""},
		{"older version without headers", older, nil, call, ""},
		{"no version without headers", "", nil, call, ""},
		{"notification needs none", current, nil, message{Method: "notifications/initialized"}, ""},
		{"method missing", current, map[string]string{"Mcp-Name": "create_todo"}, call, "Mcp-Method header is required"},
		{"name missing", current, map[string]string{"Mcp-Method": "tools/call"}, call, "Mcp-Name header is required"},
		{"method differs", current, map[string]string{"Mcp-Method": "tools/list", "Mcp-Name": "create_todo"}, call, "does not match"},
		{"name differs", current, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": "list_todos"}, call, "does not match"},
		{"base64 name differs", current, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": b64("list_todos")}, call, "does not match"},
		{"bad base64", current, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": "=?base64?!!?="}, call, "not valid base64"},
		{"older version, header lies", older, map[string]string{"Mcp-Name": "list_todos"}, call, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			err := checkStandardHeaders(h, tc.version, tc.msg)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one mentioning %q", err, tc.err)
			}
		})
	}
	h := http.Header{"Mcp-Method": {"tools/call", "tools/call"}, "Mcp-Name": {"create_todo"}}
	if err := checkStandardHeaders(h, current, call); err == nil {
		t.Error("two Mcp-Method headers accepted")
	}
}
