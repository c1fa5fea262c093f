// This program serves the MCP tools in internal/tools over streamable HTTP,
// as an OAuth 2.1 resource server: every request needs an access token from
// the configured authorization server, and every tool call the scopes its
// tool needs.
//
// It reads its configuration from the environment and from a .env file in
// the working directory (the environment wins); see .env.example. It stops
// on SIGINT or SIGTERM after finishing the requests in flight.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"example.com/todo/internal/config"
	"example.com/todo/internal/server"
)

const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout bounds how long in-flight requests may take to finish.
	shutdownTimeout = 30 * time.Second
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

func run() error {
	dotenv, err := config.ReadDotEnv(".env")
	if err != nil {
		return err
	}
	cfg, err := config.Load(config.Getenv(dotenv))
	if err != nil {
		return fmt.Errorf("invalid configuration (see .env.example):\n%w", err)
	}
	logger := newLogger(cfg)
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	handler, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              net.JoinHostPort("", strconv.Itoa(cfg.Port)),
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// No WriteTimeout: MCP responses may stream for as long as a tool
		// runs. Request bodies are bounded by size and read deadline instead.
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String(), "mcp_server_url", cfg.Auth.ResourceURL,
		"provider", cfg.Provider, "issuers", cfg.Auth.Issuers, "audiences", cfg.Auth.Audiences)
	return serve(ctx, stop, srv, ln, logger)
}

// serve runs srv on ln until ctx is done, then stops accepting connections
// and waits up to shutdownTimeout for the requests in flight to finish.
// stop is called first, so that a second signal kills the process at once.
func serve(ctx context.Context, stop func(), srv *http.Server, ln net.Listener, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
	logger.Info("shutting down; finishing requests in flight", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newLogger(cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}
