package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"maps"
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
// FastAPI's {"detail": ...}, Evolux's {"meta": {"message": ...}}, {"message"},
// {"error"}, else the body redacted or as text (HTML without its tags),
// trimmed and capped. It returns "" for an empty body and never panics.
func ServerMessage(contentType string, body []byte) string {
	body = bytes.TrimSpace(body)
	text := string(body)
	if json.Valid(body) {
		// Errors only mean another shape: every field is raw JSON.
		var doc struct{ Detail, Meta, Message, Error json.RawMessage }
		var meta struct{ Message json.RawMessage }
		_ = json.Unmarshal(body, &doc)
		_ = json.Unmarshal(doc.Meta, &meta)
		text = cmp.Or(jsonString(body), detailMessage(doc.Detail, 0), jsonString(meta.Message),
			jsonString(doc.Message), jsonString(doc.Error), string(RedactJSON(body)))
	} else if mediaType, _, _ := mime.ParseMediaType(contentType); mediaType == "text/html" {
		text = htmlTags.ReplaceAllString(text, " ")
	}
	// One readable, bounded piece of valid UTF-8.
	return Shorten(strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " "), maxMessageBytes)
}

var htmlTags = regexp.MustCompile(`<[^>]*>`)

// maxDetailDepth bounds how deep objectMessage looks for a nested message.
const maxDetailDepth = 3

// detailMessage renders FastAPI's detail: a string, an object, or a
// validation list as "body.scheduled_date: msg; ...". A 422 item's "input"
// is left out: it echoes what was sent, passwords included.
func detailMessage(detail json.RawMessage, depth int) string {
	var items []json.RawMessage
	switch text, fields := jsonString(detail), jsonFields(detail); {
	case text != "":
		return text
	case fields != nil:
		return objectMessage(fields, depth)
	case json.Unmarshal(detail, &items) != nil:
		return string(RedactJSON(detail))
	}
	messages := make([]string, len(items))
	for i, item := range items {
		var problem struct {
			Loc []json.RawMessage
			Msg string
		}
		fields := jsonFields(item)
		switch messages[i] = jsonString(item); {
		case messages[i] != "":
		case fields == nil:
			messages[i] = string(RedactJSON(item))
		case json.Unmarshal(item, &problem) != nil || problem.Msg == "":
			messages[i] = objectMessage(fields, depth)
		default:
			location := make([]string, len(problem.Loc))
			for j, part := range problem.Loc {
				location[j] = cmp.Or(jsonString(part), string(part))
			}
			messages[i] = problem.Msg
			if len(location) > 0 {
				messages[i] = strings.Join(location, ".") + ": " + problem.Msg
			}
		}
	}
	return strings.Join(messages, "; ")
}

// messageKeys name the message in a detail object, most specific first.
var messageKeys = []string{"message", "msg", "detail", "error_description", "description", "error"}

// objectMessage renders a detail object: its message under one of
// messageKeys, else its fields as "key: value" in key order, secrets
// redacted and "input" (an echo of what was sent) left out.
func objectMessage(fields map[string]json.RawMessage, depth int) string {
	for i := 0; depth < maxDetailDepth && i < len(messageKeys); i++ {
		if message := detailMessage(fields[messageKeys[i]], depth+1); message != "" {
			return message
		}
	}
	delete(fields, "input")
	pairs := []string{}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		value := cmp.Or(jsonString(fields[key]), string(RedactJSON(fields[key])))
		if isSecretName(key) {
			value = Redacted
		}
		pairs = append(pairs, key+": "+value)
	}
	return strings.Join(pairs, ", ")
}

// jsonFields is a JSON object's fields, or nil when raw is no object.
func jsonFields(raw json.RawMessage) (fields map[string]json.RawMessage) {
	_ = json.Unmarshal(raw, &fields)
	return fields
}

// jsonString is a JSON string's trimmed text, or "" when raw is no string.
func jsonString(raw json.RawMessage) (text string) {
	_ = json.Unmarshal(raw, &text)
	return strings.TrimSpace(text)
}

// Shorten cuts text to at most limit bytes at a rune boundary, marking the
// cut with "…".
func Shorten(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	for limit > 0 && !utf8.RuneStart(text[limit]) {
		limit--
	}
	return text[:limit] + "…"
}
