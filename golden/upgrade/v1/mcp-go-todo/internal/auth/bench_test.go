package auth

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkGuard measures what the auth layer adds to one tools/call:
// origin check, token verification, body parse and scope check.
//
//	go test -run '^$' -bench Guard -benchmem ./internal/auth
func BenchmarkGuard(b *testing.B) {
	f := newGuardFixture(b)
	f.guard.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	handler := f.guard.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	valid := f.token(b, "todo:read")
	expired := f.iss.Claims(testAudience, "todo:read")
	expired["exp"] = int64(1)

	run := func(b *testing.B, token string, want int) {
		req := httptest.NewRequest("POST", "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		b.ReportAllocs()
		for b.Loop() {
			req.Body = io.NopCloser(strings.NewReader(listCall))
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, req)
			if w.Code != want {
				b.Fatalf("status %d, want %d", w.Code, want)
			}
		}
	}
	b.Run("cached", func(b *testing.B) { run(b, valid, http.StatusOK) })
	b.Run("uncached", func(b *testing.B) {
		cache := f.guard.verifier.cache
		f.guard.verifier.cache = nil
		defer func() { f.guard.verifier.cache = cache }()
		run(b, valid, http.StatusOK)
	})
	b.Run("rejected", func(b *testing.B) { run(b, f.iss.Mint(b, expired), http.StatusUnauthorized) })
}
