package auth

import "testing"

func TestChallengeString(t *testing.T) {
	for _, tc := range []struct {
		c    challenge
		want string
	}{
		{
			challenge{ResourceMetadata: "https://h/.well-known/oauth-protected-resource/mcp", Scope: "a b"},
			`Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a b"`,
		},
		{
			challenge{ResourceMetadata: "https://h/x", Error: "invalid_token", ErrorDescription: "the access token has expired"},
			`Bearer resource_metadata="https://h/x", error="invalid_token", error_description="the access token has expired"`,
		},
		{
			// RFC 9110 quoted-string escapes; RFC 6750 forbids '"' and '\' in
			// error_description altogether, and non-ASCII.
			challenge{Scope: `odd"scope\x`, ErrorDescription: "say \"hi\"\\ é\n"},
			`Bearer scope="odd\"scope\\x", error_description="say 'hi'' ''"`,
		},
		{
			challenge{ResourceMetadata: "https://h/x\r\nSet-Cookie: a=b"},
			`Bearer resource_metadata="https://h/x  Set-Cookie: a=b"`,
		},
		{challenge{}, "Bearer"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
