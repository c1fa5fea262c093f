package auth

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// wellKnownPRM is the RFC 9728 well-known URI suffix.
const wellKnownPRM = "/.well-known/oauth-protected-resource"

// ProtectedResourceMetadata is the RFC 9728 document that tells MCP clients
// which authorization server to get tokens from, and for which scopes.
type ProtectedResourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
}

// metadataURL returns the URL of the protected resource metadata for
// resource: the well-known suffix inserted between host and path (RFC 9728
// §3.1), e.g. https://h/.well-known/oauth-protected-resource/mcp for
// https://h/mcp. A trailing slash is dropped, as MCP clients do when they
// build this URL themselves. It is built from the configured resource URL,
// never from the request's Host header, which a client controls.
func metadataURL(resource *url.URL) string {
	u := url.URL{Scheme: resource.Scheme, Host: resource.Host, Path: metadataPaths(resource)[0]}
	return u.String()
}

// metadataPaths returns the paths the metadata is served at: the
// path-inserted form first (also with the resource's trailing slash, if it
// has one), then the bare well-known path that older clients try.
func metadataPaths(resource *url.URL) []string {
	trimmed := strings.TrimSuffix(resource.Path, "/")
	if trimmed == "" {
		return []string{wellKnownPRM}
	}
	paths := []string{wellKnownPRM + trimmed}
	if trimmed != resource.Path {
		paths = append(paths, wellKnownPRM+resource.Path)
	}
	return append(paths, wellKnownPRM)
}

// metadataHandler serves md. The document is public and identical for every
// caller, so any origin may read it (RFC 9728 §3, MCP authorization spec).
func metadataHandler(md ProtectedResourceMetadata) (http.Handler, error) {
	body, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "public, max-age=300")
			if r.Method == http.MethodGet {
				_, _ = w.Write(body)
			}
		case http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "MCP-Protocol-Version")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
		default:
			h.Set("Allow", "GET, HEAD, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, codeInvalidRequest, "use GET")
		}
	}), nil
}
