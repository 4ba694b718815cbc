package client

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestServerMessage(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"FastAPI detail", "application/json", `{"detail":"campaign already started"}`, "campaign already started"},
		{"FastAPI validation list", "application/json",
			`{"detail":[{"loc":["body","scheduled_date"],"msg":"invalid datetime format","type":"value_error"},` +
				`{"loc":["query","limit",0],"msg":"field required","type":"missing","input":{"password":"hunter2"}}]}`,
			"body.scheduled_date: invalid datetime format; query.limit.0: field required"},
		{"Evolux meta", "application/json", `{"meta":{"status":401,"message":"Invalid token"}}`, "Invalid token"},
		{"plain text", "text/plain; charset=utf-8", "  Internal Server Error\n", "Internal Server Error"},
		{"mislabelled JSON", "text/plain", `{"detail":"Not authenticated"}`, "Not authenticated"},
		{"JSON string", "application/json", `"bad things"`, "bad things"},
		{"message key", "application/json", `{"message":"rate limited"}`, "rate limited"},
		{"unknown JSON shape is shown redacted", "application/json", `{"oops":1,"token":"abc"}`, `{"oops":1,"token":"REDACTED"}`},
		{"detail object without a message: its fields", "application/json", `{"detail":{"reason":"x","code":7,"token":"abc","input":{"password":"p"}}}`,
			`code: 7, reason: x, token: REDACTED`},
		{"detail object with a message", "application/json", `{"detail":{"message":"campaign is locked","code":"LOCKED"}}`, "campaign is locked"},
		{"detail object with a msg", "application/json", `{"detail":{"msg":"bad id","type":"value_error"}}`, "bad id"},
		{"detail object with a nested detail", "application/json", `{"detail":{"detail":{"error":"upstream timeout"}}}`, "upstream timeout"},
		{"detail object with nested secrets", "application/json", `{"detail":{"request":{"apikey":"k","path":"/t"}}}`, `request: {"apikey":"REDACTED","path":"/t"}`},
		{"detail list of strings", "application/json", `{"detail":["first","second"]}`, "first; second"},
		{"detail list of objects", "application/json", `{"detail":[{"message":"one"},{"field":"name"}]}`, "one; field: name"},
		{"deeply nested detail stops", "application/json", `{"detail":{"detail":{"detail":{"detail":{"detail":{"detail":"deep"}}}}}}`, `detail: {"detail":"deep"}`},
		{"HTML page", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", "502 Bad Gateway"},
		{"empty", "application/json", "  ", ""},
		{"broken JSON is text", "application/json", `{"detail": "unterminated`, `{"detail": "unterminated`},
		{"meta not an object", "application/json", `{"meta":"x","detail":null}`, `{"meta":"x","detail":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServerMessage(tt.contentType, []byte(tt.body)); got != tt.want {
				t.Fatalf("ServerMessage() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServerMessage_capsLongText(t *testing.T) {
	got := ServerMessage("text/plain", []byte(strings.Repeat("é", 1000)))
	if len(got) > maxMessageBytes+len("…") || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("ServerMessage() returned %d bytes, valid UTF-8 %v: %q", len(got), utf8.ValidString(got), got)
	}
}

func FuzzServerMessage(f *testing.F) {
	for _, seed := range []string{
		`{"detail":"x"}`, `{"detail":[{"loc":[1,{}],"msg":"m"}]}`, `{"detail":[1,"a",null]}`,
		`{"meta":{"message":5}}`, "\xff\xfe", `[`, `null`, `{"detail":[{"loc":null,"msg":""}]}`,
	} {
		f.Add("application/json", []byte(seed))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		got := ServerMessage(contentType, body)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if len(got) > maxMessageBytes+len("…") {
			t.Fatalf("message of %d bytes", len(got))
		}
	})
}
