package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// toolCall inspects a JSON-RPC message and returns the tool a "tools/call"
// request names. ok is false for any other message, and for a tools/call
// without a string name, which the MCP library refuses without running
// anything. An error means the body is not one unambiguous JSON object.
func toolCall(body []byte) (tool string, ok bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	first, err := dec.Token()
	if err != nil {
		return "", false, errors.New("the request body is not JSON")
	}
	if first == json.Delim('[') {
		return "", false, errBatch
	}
	if first != json.Delim('{') {
		return "", false, errors.New("the request body is not a JSON object")
	}
	msg, err := readObject(dec, messageKeys)
	if err != nil {
		return "", false, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", false, errors.New("the request body holds more than one JSON value")
	}

	var method string
	if json.Unmarshal(msg["method"], &method) != nil || method != "tools/call" {
		return "", false, nil
	}
	params := json.NewDecoder(bytes.NewReader(msg["params"]))
	if t, err := params.Token(); err != nil || t != json.Delim('{') {
		return "", false, nil
	}
	fields, err := readObject(params, paramsKeys)
	if err != nil {
		return "", false, fmt.Errorf("params: %w", err)
	}
	if json.Unmarshal(fields["name"], &tool) != nil {
		return "", false, nil
	}
	return tool, true, nil
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
