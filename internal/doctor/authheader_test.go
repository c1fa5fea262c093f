package doctor

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	type c = authChallenge
	type p = map[string]string
	for _, tc := range []struct {
		name   string
		values []string
		want   []authChallenge
		err    string
	}{
		{"mcp challenge", []string{`Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a b"`},
			[]c{{Scheme: "Bearer", Params: p{"resource_metadata": "https://h/.well-known/oauth-protected-resource/mcp", "scope": "a b"}}}, ""},
		{"scheme and names in any case", []string{`bEARER Scope="a"`}, []c{{Scheme: "bEARER", Params: p{"scope": "a"}}}, ""},
		{"bearer without parameters", []string{`Bearer`}, []c{{Scheme: "Bearer", Params: p{}}}, ""},
		{"several challenges in one line", []string{`Basic realm="x", Bearer scope="s", error=invalid_token`},
			[]c{{Scheme: "Basic", Params: p{"realm": "x"}}, {Scheme: "Bearer", Params: p{"scope": "s", "error": "invalid_token"}}}, ""},
		{"several lines", []string{`Basic realm="x"`, `Bearer scope="s"`},
			[]c{{Scheme: "Basic", Params: p{"realm": "x"}}, {Scheme: "Bearer", Params: p{"scope": "s"}}}, ""},
		{"commas and escapes inside quotes", []string{`Bearer error_description="bad \"token\", really", scope=a`},
			[]c{{Scheme: "Bearer", Params: p{"error_description": `bad "token", really`, "scope": "a"}}}, ""},
		{"token68 then another challenge", []string{`Negotiate abc==, Bearer scope="x"`},
			[]c{{Scheme: "Negotiate", Token68: "abc==", Params: p{}}, {Scheme: "Bearer", Params: p{"scope": "x"}}}, ""},
		{"spaces around =", []string{`Bearer scope = "a" ,realm=b`}, []c{{Scheme: "Bearer", Params: p{"scope": "a", "realm": "b"}}}, ""},
		{"empty list elements", []string{`, Bearer scope="a",, `}, []c{{Scheme: "Bearer", Params: p{"scope": "a"}}}, ""},
		{"unterminated quote", []string{`Bearer scope="a`}, nil, "unterminated quoted-string"},
		{"parameter twice", []string{`Bearer scope="a", Scope="b"`}, nil, `parameter "scope" twice`},
		{"junk after a value", []string{`Bearer scope="a" junk`}, nil, "expected a comma"},
		{"missing value", []string{`Bearer realm="x", scope=`}, nil, "expected a parameter value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseChallenges(tc.values)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q (got %+v)", err, tc.err, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
	cs, _ := parseChallenges([]string{`Basic realm="x", bearer scope="s"`})
	if b := findChallenge(cs, "Bearer"); b == nil || b.Params["scope"] != "s" {
		t.Errorf("findChallenge(Bearer) = %+v", b)
	}
}
