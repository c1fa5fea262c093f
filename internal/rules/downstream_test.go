package rules

import "testing"

func TestCheckDownstreamName(t *testing.T) {
	for _, ok := range []string{"weather", "tickets_mcp", "crm2", "a"} {
		if err := CheckDownstreamName(ok); err != nil {
			t.Errorf("CheckDownstreamName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Weather", "2fa", "a__b", "a_", "_a", "a-b", "a.b", "abcdefghijklmnopqrstuvwxyz0123456"} {
		if err := CheckDownstreamName(bad); err == nil {
			t.Errorf("CheckDownstreamName(%q) accepted", bad)
		}
	}
}

func TestCheckServiceVariable(t *testing.T) {
	for _, ok := range []string{"WEATHER_API_KEY", "_X", "TICKETS_CLIENT_SECRET"} {
		if err := CheckServiceVariable(ok); err != nil {
			t.Errorf("CheckServiceVariable(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "weather_key", "1KEY", "A-B", "MCP_SERVER_URL", "ISSUER_2_URL", "RATE_LIMIT", "PATH", "SCALEKIT_CLIENT_SECRET", "LOGIN_PATH"} {
		if err := CheckServiceVariable(bad); err == nil {
			t.Errorf("CheckServiceVariable(%q) accepted", bad)
		}
	}
}

func TestCheckHeaderName(t *testing.T) {
	for _, ok := range []string{"Authorization", "X-API-Key", "api-key"} {
		if err := CheckHeaderName(ok); err != nil {
			t.Errorf("CheckHeaderName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "X API Key", "X-Key:", "Host", "content-length", "Proxy-Authorization"} {
		if err := CheckHeaderName(bad); err == nil {
			t.Errorf("CheckHeaderName(%q) accepted", bad)
		}
	}
	if CheckAuthScheme("Bearer") != nil || CheckAuthScheme(NoScheme) != nil || CheckAuthScheme("Bearer x") == nil || CheckAuthScheme("") == nil {
		t.Error("CheckAuthScheme: want one word")
	}
}
