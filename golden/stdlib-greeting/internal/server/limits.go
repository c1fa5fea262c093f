package server

import (
	"net/http"

	"example.com/greeting/internal/auth"
)

// closeUnreadBodies answers every request that carries a body without
// waiting for it, except on the MCP endpoint, whose guard reads the body
// or does the same itself: no other route reads a body.
func closeUnreadBodies(mcpPath string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.URL.Path != mcpPath {
			auth.CloseWithoutReading(w)
		}
		next.ServeHTTP(w, r)
	})
}
