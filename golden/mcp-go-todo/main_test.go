package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.com/todo/internal/authtest"
	"example.com/todo/internal/config"
	"example.com/todo/internal/server"
)

// TestGracefulShutdown: on SIGTERM (here, ctx cancelled) the server stops
// taking new connections but lets a request already running finish.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release // a tool call still running
		_, _ = io.WriteString(w, "finished")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, func() {}, srv, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	type result struct {
		body string
		err  error
	}
	reply := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			reply <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		reply <- result{string(b), err}
	}()
	<-started
	cancel() // the signal arrives while the request runs

	// New connections are refused once shutdown has begun.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) before the request in flight finished", err)
	default:
	}

	close(release)
	if r := <-reply; r.err != nil || r.body != "finished" {
		t.Fatalf("request in flight: %q, %v", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestSlowBodiesAreBounded sends requests that announce a body of 1000
// bytes and send one, as a client holding connections open would. Refusals
// and routes that read no body answer at once and close the connection;
// the MCP endpoint, which reads the body, gives up after the read timeout.
// No connection stays open for long.
func TestSlowBodiesAreBounded(t *testing.T) {
	const readTimeout = time.Second
	iss := authtest.NewIssuer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(config.DefaultServerURL)
	if err != nil {
		t.Fatal(err)
	}
	resource := "http://" + ln.Addr().String() + u.EscapedPath()
	cfg, err := config.Load(config.FromMap(map[string]string{
		"MCP_SERVER_URL": resource, "AUTH_PROVIDER": "oidc", "OAUTH_ISSUER": iss.URL, "OAUTH_JWKS_URL": iss.JWKSURL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler, err := server.New(t.Context(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(handler, logger, readTimeout)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	token := iss.Mint(t, iss.Claims(resource))
	for _, tc := range []struct {
		name, method, path, header string
		within                     time.Duration
		status                     string // "" when the connection may just close
	}{
		{"unauthenticated POST to the MCP endpoint", "POST", path, "", 500 * time.Millisecond, "401"},
		{"POST from a foreign origin", "POST", path, "Origin: https://evil.example\r\n", 500 * time.Millisecond, "403"},
		{"healthz with a body", "GET", "/healthz", "", 500 * time.Millisecond, "200"},
		{"metadata with a body", "GET", "/.well-known/oauth-protected-resource", "", 500 * time.Millisecond, "200"},
		{"unknown route with a body", "POST", "/no/such/route", "", 500 * time.Millisecond, "404"},
		{"authenticated POST trickling its body", "POST", path, "Authorization: Bearer " + token + "\r\n", readTimeout + time.Second, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			began := time.Now()
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: 1000\r\n\r\n{",
				tc.method, tc.path, ln.Addr(), tc.header)
			conn.SetReadDeadline(time.Now().Add(tc.within + 2*time.Second))
			status, err := bufio.NewReader(conn).ReadString('\n')
			if tc.status != "" && !strings.Contains(status, " "+tc.status+" ") {
				t.Fatalf("status line %q (%v), want %s", status, err, tc.status)
			}
			// The server closes the connection: reading ends.
			_, err = io.Copy(io.Discard, conn)
			if elapsed := time.Since(began); err != nil || elapsed > tc.within {
				t.Errorf("connection held for %v (read error %v), want closed within %v", elapsed.Round(time.Millisecond), err, tc.within)
			}
		})
	}
}
