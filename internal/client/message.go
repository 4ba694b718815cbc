package client

import (
	"bytes"
	"encoding/json"
	"mime"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxMessageBytes caps a server message in errors; a proxy's HTML page or a
// stack trace is not a message.
const maxMessageBytes = 512

// ServerMessage extracts the server's own error message from an answer body:
// FastAPI's {"detail": "text"} or its 422 list, Evolux's
// {"meta": {"message": "..."}}, or a plain text body, trimmed and capped.
// It returns "" for an empty body and never panics.
func ServerMessage(contentType string, body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if json.Valid(body) {
		if message := jsonMessage(body); message != "" {
			return capMessage(message)
		}
		return capMessage(string(RedactJSON(body)))
	}
	text := string(body)
	if mediaType, _, _ := mime.ParseMediaType(contentType); mediaType == "text/html" {
		text = htmlTags.ReplaceAllString(text, " ")
	}
	return capMessage(text)
}

var htmlTags = regexp.MustCompile(`<[^>]*>`)

// jsonMessage knows the error shapes of both APIs, plus the common
// {"message"} and {"error"}.
func jsonMessage(body []byte) string {
	if text, ok := jsonString(body); ok {
		return text
	}
	var doc struct {
		Detail  json.RawMessage `json:"detail"`
		Meta    json.RawMessage `json:"meta"`
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	if message := detailMessage(doc.Detail); message != "" {
		return message
	}
	var meta struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(doc.Meta, &meta) == nil {
		if text, ok := jsonString(meta.Message); ok {
			return text
		}
	}
	for _, raw := range []json.RawMessage{doc.Message, doc.Error} {
		if text, ok := jsonString(raw); ok {
			return text
		}
	}
	return ""
}

// detailMessage renders FastAPI's detail: a string, or a validation list
// as "body.scheduled_date: msg; ...". The items' "input" is left out: it
// echoes what was sent, passwords included.
func detailMessage(detail json.RawMessage) string { return detailMessageAt(detail, 0) }

// maxDetailDepth bounds how deep objectMessage looks for a nested message.
const maxDetailDepth = 3

func detailMessageAt(detail json.RawMessage, depth int) string {
	if len(detail) == 0 || string(detail) == "null" {
		return ""
	}
	if text, ok := jsonString(detail); ok {
		return text
	}
	if fields := jsonFields(detail); fields != nil {
		return objectMessage(fields, depth)
	}
	var items []json.RawMessage
	if json.Unmarshal(detail, &items) != nil {
		return string(withoutInput(detail))
	}
	messages := make([]string, 0, len(items))
	for _, item := range items {
		if text, ok := jsonString(item); ok {
			messages = append(messages, text)
			continue
		}
		var problem struct {
			Loc []json.RawMessage `json:"loc"`
			Msg string            `json:"msg"`
		}
		if json.Unmarshal(item, &problem) != nil || problem.Msg == "" {
			if fields := jsonFields(item); fields != nil {
				messages = append(messages, objectMessage(fields, depth))
			} else {
				messages = append(messages, string(withoutInput(item)))
			}
			continue
		}
		location := make([]string, 0, len(problem.Loc))
		for _, part := range problem.Loc {
			if text, ok := jsonString(part); ok {
				location = append(location, text)
			} else {
				location = append(location, string(part))
			}
		}
		if len(location) == 0 {
			messages = append(messages, problem.Msg)
		} else {
			messages = append(messages, strings.Join(location, ".")+": "+problem.Msg)
		}
	}
	return strings.Join(messages, "; ")
}

// messageKeys name the message in a detail object, most specific first.
var messageKeys = []string{"message", "msg", "detail", "error_description", "description", "error"}

// objectMessage renders a detail object: its message when one of
// messageKeys holds one (a nested detail too), else its fields as
// "key: value" pairs in key order, secrets redacted and "input" (an echo of
// what was sent) left out.
func objectMessage(fields map[string]json.RawMessage, depth int) string {
	for _, key := range messageKeys {
		if depth >= maxDetailDepth {
			break
		}
		if message := detailMessageAt(fields[key], depth+1); message != "" {
			return message
		}
	}
	keys := make([]string, 0, len(fields))
	for key := range fields {
		if key != "input" {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	pairs := make([]string, 0, len(keys))
	for _, key := range keys {
		value := string(RedactJSON(fields[key]))
		if isSecretName(key) {
			value = Redacted
		} else if text, ok := jsonString(fields[key]); ok {
			value = text
		}
		pairs = append(pairs, key+": "+value)
	}
	return strings.Join(pairs, ", ")
}

// jsonFields is a JSON object's fields, or nil when raw is no object.
func jsonFields(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	return fields
}

// withoutInput is a detail or validation item for a message: redacted, and
// without its "input", which echoes what was sent.
func withoutInput(raw json.RawMessage) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields["input"] == nil {
		return RedactJSON(raw)
	}
	delete(fields, "input")
	encoded, err := json.Marshal(fields)
	if err != nil {
		return []byte(`"` + Redacted + `"`)
	}
	return RedactJSON(encoded)
}

func jsonString(raw json.RawMessage) (string, bool) {
	var text string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &text) != nil {
		return "", false
	}
	text = strings.TrimSpace(text)
	return text, text != ""
}

// capMessage makes a message one readable, bounded piece of valid UTF-8.
func capMessage(text string) string {
	return Shorten(strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " "), maxMessageBytes)
}

// Shorten cuts text to at most limit bytes at a rune boundary, marking the
// cut with "…".
func Shorten(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
