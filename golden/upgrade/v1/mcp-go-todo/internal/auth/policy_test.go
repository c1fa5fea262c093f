package auth

import (
	"slices"
	"strings"
	"testing"
)

func TestPolicyMissing(t *testing.T) {
	p, err := NewPolicy([]Scope{
		{Name: "todo:read"},
		{Name: "todo:write", Implies: []string{"todo:read"}},
		{Name: "todo:admin", Implies: []string{"todo:write"}},
		{Name: "billing:read"},
	}, ToolScopes{"list": {"todo:read"}, "purge": {"todo:admin", "billing:read"}, "ping": {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tool    string
		granted []string
		missing []string
	}{
		{"list", []string{"todo:read"}, nil},
		{"list", []string{"todo:write"}, nil},                  // implies
		{"list", []string{"todo:admin"}, nil},                  // transitively
		{"list", []string{"todo:*"}, nil},                      // wildcard
		{"list", []string{"*"}, []string{"todo:read"}},         // not a wildcard
		{"list", []string{":*"}, []string{"todo:read"}},        // no prefix
		{"list", []string{"todo:rea"}, []string{"todo:read"}},  // no prefix matching
		{"list", []string{"todo"}, []string{"todo:read"}},      // no prefix matching
		{"list", []string{"TODO:READ"}, []string{"todo:read"}}, // case matters
		{"list", []string{"billing:read"}, []string{"todo:read"}},
		{"list", nil, []string{"todo:read"}},
		{"purge", []string{"todo:admin"}, []string{"billing:read"}},
		{"purge", []string{"todo:*", "billing:*"}, nil},
		{"purge", []string{"todo:write", "billing:read"}, []string{"todo:admin"}}, // implication is one-way
		{"ping", nil, nil},
	} {
		required, listed := p.Required(tc.tool)
		if !listed {
			t.Fatalf("%s not listed", tc.tool)
		}
		if got := p.Missing(required, tc.granted); !slices.Equal(got, tc.missing) {
			t.Errorf("%s with %q: missing %q, want %q", tc.tool, tc.granted, got, tc.missing)
		}
	}
	if _, listed := p.Required("nope"); listed {
		t.Error("unknown tool listed")
	}
	if got, want := p.ScopesSupported(), []string{"todo:read", "todo:write", "todo:admin", "billing:read"}; !slices.Equal(got, want) {
		t.Errorf("ScopesSupported = %q, want %q", got, want)
	}
}

func TestPolicyWildcardCoversImplied(t *testing.T) {
	scopes := []Scope{
		{Name: "admin:all", Implies: []string{"todo:read"}},
		{Name: "todo:read"},
	}
	p, err := NewPolicy(scopes, ToolScopes{"list": {"todo:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Missing([]string{"todo:read"}, []string{"admin:*"}); m != nil {
		t.Errorf("admin:* should grant what admin:all implies; missing %q", m)
	}
}

func TestNewPolicyReportsEveryProblem(t *testing.T) {
	_, err := NewPolicy([]Scope{
		{Name: "a"}, {Name: "a"}, {Name: "has space"}, {Name: `q"uote`}, {Name: "b", Implies: []string{"ghost"}},
	}, ToolScopes{"t": {"undeclared"}, "": {"a"}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`"a" is declared twice`, `"has space"`, `q\"uote`, `implies "ghost"`, `needs scope "undeclared"`, "empty name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}
