package client

import (
	"encoding/json"
	"testing"
)

// secretEchoShapes are error bodies that carry a value the client sent, such
// as FastAPI's 422 items, whose "input" echoes the field (a password, in a
// login), or a body with a secret-named key. Each is built from a message, a
// location and the echoed value.
var secretEchoShapes = []func(msg, loc, echoed string) any{
	// FastAPI 422, as Builder sends it.
	func(msg, loc, echoed string) any {
		return map[string]any{"detail": []any{map[string]any{"loc": []any{"body", loc}, "msg": msg, "type": "value_error", "input": echoed}}}
	},
	// A 422 item without its message.
	func(_, loc, echoed string) any {
		return map[string]any{"detail": []any{map[string]any{"loc": []any{"body", loc}, "input": echoed}}}
	},
	// A detail that is one object rather than a list.
	func(msg, loc, echoed string) any {
		return map[string]any{"detail": map[string]any{"loc": []any{"body", loc}, "msg": msg, "input": echoed}}
	},
	// Secret-named keys next to an unknown message field.
	func(msg, loc, echoed string) any {
		return map[string]any{"password": echoed, "refresh_token": echoed, "errors": []any{msg, loc}}
	},
	// Evolux's shape, with the echo beside it.
	func(msg, _, echoed string) any {
		return map[string]any{"meta": map[string]any{"status": 400, "message": msg}, "token": echoed}
	},
}

// FuzzServerMessageNeverEchoesInput: what a server echoes of the request (a
// 422 item's "input", a secret-named key) never reaches the message the user
// sees: the message is the same whatever the echoed value.
func FuzzServerMessageNeverEchoesInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, shape uint8, msg, loc, echoed string) {
		build := secretEchoShapes[int(shape)%len(secretEchoShapes)]
		body := func(echoed string) []byte {
			b, err := json.Marshal(build(msg, loc, echoed))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		got := ServerMessage("application/json", body(echoed))
		want := ServerMessage("application/json", body("x"))
		if got != want {
			t.Fatalf("shape %d: the message depends on the echoed input %q:\n%s\nwith another input:\n%s", shape%uint8(len(secretEchoShapes)), echoed, got, want)
		}
	})
}
