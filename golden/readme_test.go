package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEClientSnippets: every JSON snippet of each generated README's
// client configurations parses, and names the server's URL as its clients
// must use it; the shell snippets name it too.
func TestREADMEClientSnippets(t *testing.T) {
	specs, _ := filepath.Glob("*.yaml")
	for _, specFile := range specs {
		name := strings.TrimSuffix(specFile, ".yaml")
		spec := loadSpec(t, name)
		readme, err := os.ReadFile(filepath.Join(name, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
		if len(blocks) < 3 {
			t.Errorf("%s: %d JSON snippets, want VS Code's, Cursor's and mcp-remote's", name, len(blocks))
		}
		for _, b := range blocks {
			var v any
			if err := json.Unmarshal([]byte(b[1]), &v); err != nil {
				t.Errorf("%s: a JSON snippet does not parse: %v\n%s", name, err, b[1])
			}
			if !strings.Contains(b[1], `"`+spec.ServerURL+`"`) {
				t.Errorf("%s: a JSON snippet does not name %s:\n%s", name, spec.ServerURL, b[1])
			}
		}
		for _, cmd := range []string{"claude mcp add --transport http ", "npx @modelcontextprotocol/inspector --transport http --server-url " + spec.ServerURL, "create-mcp-auth doctor " + spec.ServerURL} {
			if !strings.Contains(string(readme), cmd) {
				t.Errorf("%s: the README lacks %q", name, cmd)
			}
		}
	}
}
