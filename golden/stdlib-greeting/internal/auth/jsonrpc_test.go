package auth

import (
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
		tool, isCall, err := toolCall([]byte(tc.body))
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
