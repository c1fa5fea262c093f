package rules

import (
	"strings"
	"testing"
)

func TestProviderIssuers(t *testing.T) {
	for _, tc := range []struct {
		provider, issuer string
		want             string // "" for accepted, else part of the error
	}{
		{ProviderAuth0, "https://acme.us.auth0.com/", ""},
		{ProviderAuth0, "https://login.acme.com/", ""},
		{ProviderAuth0, "https://acme.us.auth0.com", "trailing slash"},
		{ProviderAuth0, "https://acme.us.auth0.com/api/v2/", "trailing slash"},
		{ProviderOkta, "https://acme.okta.com/oauth2/default", ""},
		{ProviderOkta, "https://acme.okta.com/oauth2/aus1a2b3c4D5e6F7g8h9", ""},
		{ProviderOkta, "https://acme.okta.com", "org authorization server"},
		{ProviderOkta, "https://acme.okta.com/oauth2/default/", "org authorization server"},
		{ProviderKeycloak, "https://sso.example.com/realms/acme", ""},
		{ProviderKeycloak, "https://sso.example.com/auth/realms/acme", ""},
		{ProviderKeycloak, "https://sso.example.com/realms/acme/", "/realms/YOUR_REALM"},
		{ProviderKeycloak, "https://sso.example.com", "/realms/YOUR_REALM"},
		{ProviderWorkOS, "https://acme.authkit.app", ""},
		{ProviderWorkOS, "https://acme.authkit.app/", "without a path"},
		{ProviderOIDC, "https://auth.example.com/any/path", ""},
		{ProviderOIDC, "http://auth.example.com", "plain http"},
		{ProviderAuth0, "https://acme.us.auth0.com/?x=1", "query or fragment"},
	} {
		p, ok := LookupProvider(tc.provider)
		if !ok {
			t.Fatalf("no provider %s", tc.provider)
		}
		err := p.CheckIssuer(tc.issuer, false)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: CheckIssuer(%q) = %v, want %q", tc.provider, tc.issuer, err, tc.want)
		}
	}
}

func TestProviderPlaceholdersAndKeys(t *testing.T) {
	for _, p := range Providers {
		if p.IssuerPlaceholder != "" && (!IsPlaceholder(p.IssuerPlaceholder) || CheckIssuerURL(p.IssuerPlaceholder, false) != nil) {
			t.Errorf("%s: issuer placeholder %q is not recognised as one, or not an issuer URL", p.Name, p.IssuerPlaceholder)
		}
		if len(p.ScopeClaims) == 0 {
			t.Errorf("%s: no scope claims", p.Name)
		}
	}
	for provider, want := range map[string]string{
		ProviderAuth0:    "https://acme.us.auth0.com/.well-known/jwks.json",
		ProviderOkta:     "https://acme.us.auth0.com/v1/keys",
		ProviderKeycloak: "https://acme.us.auth0.com/protocol/openid-connect/certs",
		ProviderWorkOS:   "https://acme.us.auth0.com/oauth2/jwks",
		ProviderOIDC:     "",
	} {
		p, _ := LookupProvider(provider)
		if got := p.JWKSURL("https://acme.us.auth0.com/"); got != want {
			t.Errorf("%s: JWKSURL = %q, want %q", provider, got, want)
		}
	}
	if !IsPlaceholder(PlaceholderEntraTenantID) || !IsPlaceholder(PlaceholderEntraClientID) {
		t.Error("Entra placeholders are not recognised as such")
	}
}

func TestEntra(t *testing.T) {
	const tid, cid = "72f988bf-86f1-41af-91ab-2d7cd011db47", "6e74172b-be56-4843-9ff4-e66a39bb12e3"
	if err := CheckEntraID("tenant ID", tid); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"contoso.onmicrosoft.com", "72f988bf86f141af91ab2d7cd011db47", "", "common"} {
		if err := CheckEntraID("tenant ID", bad); err == nil || !strings.Contains(err.Error(), "not a GUID") {
			t.Errorf("CheckEntraID(%q) = %v", bad, err)
		}
	}
	iss := EntraIssuers(tid)
	if iss[0].Issuer != "https://login.microsoftonline.com/"+tid+"/v2.0" || iss[1].Issuer != "https://sts.windows.net/"+tid+"/" ||
		iss[0].JWKSURL != "https://login.microsoftonline.com/"+tid+"/discovery/v2.0/keys" || iss[1].JWKSURL != "https://login.microsoftonline.com/"+tid+"/discovery/keys" {
		t.Errorf("EntraIssuers = %+v", iss)
	}
	if got := EntraAudiences(cid, ""); len(got) != 2 || got[0] != cid || got[1] != "api://"+cid {
		t.Errorf("EntraAudiences = %q", got)
	}
	for uri, want := range map[string]string{
		"api://" + cid: "", "https://contoso.com/todo-api": "", "api://contoso.com/" + cid: "",
		"todo-api": "is not an api://", "api://x/": "trailing slash", "https://contoso.com/api?x": "query",
	} {
		err := CheckAppIDURI(uri)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckAppIDURI(%q) = %v, want %q", uri, err, want)
		}
	}
}
