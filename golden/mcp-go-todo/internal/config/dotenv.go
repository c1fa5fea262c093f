package config

import (
	"errors"
	"io/fs"
	"os"

	"github.com/joho/godotenv"
)

// ReadDotEnv reads the KEY=VALUE lines of a .env file (godotenv's syntax:
// comments, "export", single and double quotes). A missing file is not an
// error.
func ReadDotEnv(path string) (map[string]string, error) {
	vars, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return vars, err
}

// Lookup returns a variable lookup that prefers the process environment
// and falls back to the .env values, so that a variable set in the shell
// or by the container runtime always wins over the file.
func Lookup(dotenv map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		v, ok := dotenv[name]
		return v, ok
	}
}

// FromMap returns a variable lookup over vars, for tests.
func FromMap(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}
