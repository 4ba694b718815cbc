package client

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	u, _ := url.Parse("https://user:pw-secret@api.example.com/trigger?apikey=key-secret&page=2&Token=tok-secret")
	got := RedactURL(u)
	for _, secret := range []string{"pw-secret", "key-secret", "tok-secret"} {
		if strings.Contains(got, secret) {
			t.Fatalf("RedactURL() = %q, shows %q", got, secret)
		}
	}
	if !strings.Contains(got, "apikey=REDACTED") || !strings.Contains(got, "page=2") {
		t.Fatalf("RedactURL() = %q, want apikey=REDACTED and the other parameters kept", got)
	}
	if u.Query().Get("apikey") != "key-secret" {
		t.Fatal("RedactURL changed its argument")
	}
}

func TestRedactJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"nested and arrays",
			`{"user":"u","password":"p1","data":[{"token":"t1","keep":1},{"deep":{"Refresh_Token":"r1","api_key":{"x":"k1"}}}]}`,
			`{"data":[{"keep":1,"token":"REDACTED"},{"deep":{"Refresh_Token":"REDACTED","api_key":"REDACTED"}}],"password":"REDACTED","user":"u"}`},
		{"nothing secret stays byte for byte", `{"b": 1, "a": 12345678901234567890}`, `{"b": 1, "a": 12345678901234567890}`},
		{"cut JSON redacted as text", `{"user":"u","password":"p1","token":"t1`, `{"user":"u","password":"REDACTED","token":"REDACTED"`},
		{"not JSON", `Internal Server Error`, `Internal Server Error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RedactJSON([]byte(tt.in))); got != tt.want {
				t.Fatalf("RedactJSON() = %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRedactHeader(t *testing.T) {
	got := RedactHeader(http.Header{
		"Authorization": {"Bearer tok-secret"},
		"Cookie":        {"session=cookie-secret"},
		"Accept":        {"application/json"},
	})
	if got["Authorization"] != "Bearer REDACTED" || got["Cookie"] != "REDACTED" || got["Accept"] != "application/json" {
		t.Fatalf("RedactHeader() = %v", got)
	}
}

func TestRedactBodyForLog_capsSize(t *testing.T) {
	got := redactBodyForLog([]byte(`"`+strings.Repeat("x", 10_000)+`"`), nil)
	if len(got) > maxLoggedBody+64 || !strings.Contains(got, "10002 bytes in all") {
		t.Fatalf("redactBodyForLog() returned %d bytes ending %q", len(got), got[len(got)-40:])
	}
}
