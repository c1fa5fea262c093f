package config

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// ReadDotEnv reads KEY=VALUE lines from a .env file. A missing file is not
// an error. Blank lines and lines starting with # are skipped; "export " in
// front of a key is allowed; a value may be 'single-quoted' (taken
// literally) or "double-quoted" (with \n, \" and \\ escapes); an unquoted
// value ends where a comment (" #") starts.
func ReadDotEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()

	vars := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || !isEnvName(key) {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE", path, n)
		}
		v, err := dotEnvValue(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %v", path, n, key, err)
		}
		vars[key] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

func dotEnvValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch q := v[0]; q {
	case '\'', '"':
		end := strings.LastIndexByte(v, q)
		if end == 0 || strings.TrimSpace(v[end+1:]) != "" && !strings.HasPrefix(strings.TrimSpace(v[end+1:]), "#") {
			return "", fmt.Errorf("unterminated %c-quoted value", q)
		}
		inner := v[1:end]
		if q == '"' {
			inner = strings.NewReplacer(`\n`, "\n", `\"`, `"`, `\\`, `\`).Replace(inner)
		}
		return inner, nil
	}
	if strings.HasPrefix(v, "#") {
		return "", nil // KEY= # a comment
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}

func isEnvName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Getenv returns a lookup that prefers the process environment and falls
// back to the .env values, so that a variable set in the shell or by the
// container runtime always wins over the file.
func Getenv(dotenv map[string]string) func(string) string {
	return func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return dotenv[name]
	}
}
