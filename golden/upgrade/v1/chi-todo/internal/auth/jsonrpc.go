package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Keys whose values an MCP library acts on. A body is refused when one of
// them appears twice, or under a spelling that differs only in case: JSON
// decoders disagree on both (last or first duplicate wins; encoding/json
// matches field names case-insensitively, the go-sdk does not), and a check
// that read a different tool name than the dispatcher would be worthless.
var (
	messageKeys = []string{"jsonrpc", "id", "method", "params"}
	paramsKeys  = []string{"name", "arguments", "_meta"}
)

// errBatch refuses JSON-RPC batches: one HTTP request must carry one
// message, so that one scope decision covers everything it runs. (MCP
// dropped batching in protocol version 2025-06-18.)
var errBatch = errors.New("JSON-RPC batches are not accepted; send one message per request")

// message is what the guard needs to know of a JSON-RPC message.
type message struct {
	Method    string // empty for a response, or a method that is not a string
	IsRequest bool   // has a method and an id (a notification has no id)
	Tool      string // the tool a tools/call names
	IsCall    bool   // a tools/call with a string tool name
}

// parseMessage inspects one JSON-RPC message. A tools/call without a
// string name is not a call here: the MCP library refuses it without running
// anything. An error means the body is not one unambiguous JSON object.
func parseMessage(body []byte) (message, error) {
	var m message
	dec := json.NewDecoder(bytes.NewReader(body))
	first, err := dec.Token()
	if err != nil {
		return m, errors.New("the request body is not JSON")
	}
	if first == json.Delim('[') {
		return m, errBatch
	}
	if first != json.Delim('{') {
		return m, errors.New("the request body is not a JSON object")
	}
	msg, err := readObject(dec, messageKeys)
	if err != nil {
		return m, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return m, errors.New("the request body holds more than one JSON value")
	}

	if json.Unmarshal(msg["method"], &m.Method) != nil {
		m.Method = ""
	}
	_, hasID := msg["id"]
	m.IsRequest = m.Method != "" && hasID
	if m.Method != "tools/call" {
		return m, nil
	}
	params := json.NewDecoder(bytes.NewReader(msg["params"]))
	if t, err := params.Token(); err != nil || t != json.Delim('{') {
		return m, nil
	}
	fields, err := readObject(params, paramsKeys)
	if err != nil {
		return m, fmt.Errorf("params: %w", err)
	}
	m.IsCall = json.Unmarshal(fields["name"], &m.Tool) == nil
	return m, nil
}

// Standard request headers of MCP protocol version 2026-07-28, which repeat
// the body's method and tool name so that proxies can route without parsing
// JSON. Values may be base64-encoded as "=?base64?…?=".
const (
	methodHeader                 = "Mcp-Method"
	nameHeader                   = "Mcp-Name"
	minVersionForStandardHeaders = "2026-07-28"
)

// checkStandardHeaders refuses a request whose Mcp-Method or Mcp-Name header
// disagrees with its body: a gateway that authorized or routed on the header
// would have judged a different call than the one that runs. From protocol
// version 2026-07-28 on, requests must carry them; before, they are checked
// only when present.
func checkStandardHeaders(h http.Header, protocolVersion string, m message) error {
	required := protocolVersion >= minVersionForStandardHeaders && m.IsRequest
	if err := matchHeader(h, methodHeader, m.Method, required); err != nil {
		return err
	}
	if m.Method == "tools/call" {
		return matchHeader(h, nameHeader, m.Tool, required)
	}
	return nil
}

func matchHeader(h http.Header, name, body string, required bool) error {
	values := h.Values(name)
	switch {
	case len(values) == 0 && required:
		return fmt.Errorf("the %s header is required from protocol version %s on", name, minVersionForStandardHeaders)
	case len(values) == 0:
		return nil
	case len(values) > 1:
		return fmt.Errorf("send exactly one %s header", name)
	}
	v := values[0]
	if enc, ok := strings.CutPrefix(v, "=?base64?"); ok {
		if enc, ok = strings.CutSuffix(enc, "?="); ok {
			decoded, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return fmt.Errorf("the %s header is not valid base64", name)
			}
			v = string(decoded)
		}
	}
	if v != body {
		return fmt.Errorf("the %s header %q does not match the body's %q", name, v, body)
	}
	return nil
}

// readObject reads the members of an object whose '{' dec has consumed, up
// to and including its '}'. It returns the raw values of the keys in watch,
// refuses duplicate keys, and refuses keys that equal a watched key only
// when case is ignored.
func readObject(dec *json.Decoder, watch []string) (map[string]json.RawMessage, error) {
	values := make(map[string]json.RawMessage, len(watch))
	seen := make(map[string]bool)
	for dec.More() {
		t, err := dec.Token()
		key, isKey := t.(string)
		if err != nil || !isKey {
			return nil, errors.New("the request body is not valid JSON")
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears more than once", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errors.New("the request body is not valid JSON")
		}
		for _, w := range watch {
			if key == w {
				values[w] = raw
			} else if strings.EqualFold(key, w) {
				return nil, fmt.Errorf("key %q differs from %q only in case; keys are case-sensitive", key, w)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, errors.New("the request body is not valid JSON")
	}
	return values, nil
}
