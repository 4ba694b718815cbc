package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

const maxBodyBytes = 16 << 20 // far above a campaign with a large sheet

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic("emulator: encode answer: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fastAPIError is FastAPI's error body: detail is a string, or for 422 a list of validationError.
type fastAPIError struct {
	Detail any `json:"detail"`
}

// validationError is one item of a FastAPI 422 (pydantic v1 wording).
type validationError struct {
	Loc  []any          `json:"loc"`
	Msg  string         `json:"msg"`
	Type string         `json:"type"`
	Ctx  map[string]any `json:"ctx,omitempty"`
}

func loc(parts ...any) []any { return parts }

// pydantic v1's validation errors, each at a loc.
var (
	missingError    = pydanticError("field required", "value_error.missing")
	noneNotAllowed  = pydanticError("none is not an allowed value", "type_error.none.not_allowed")
	notADict        = pydanticError("value is not a valid dict", "type_error.dict")
	strExpected     = pydanticError("str type expected", "type_error.str")
	notAnInteger    = pydanticError("value is not a valid integer", "type_error.integer")
	invalidObjectID = pydanticError("Invalid ObjectId", "value_error")
)

func pydanticError(msg, typ string) func([]any) validationError {
	return func(l []any) validationError { return validationError{Loc: l, Msg: msg, Type: typ} }
}

func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, fastAPIError{Detail: detail})
}

// refused answers the 422 of every error of lists, if any, and tells whether it did.
func refused(w http.ResponseWriter, lists ...[]validationError) bool {
	errs := slices.Concat(lists...)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, fastAPIError{Detail: errs})
	}
	return len(errs) > 0
}

// writeUnhandled is what FastAPI answers for an exception nobody caught.
func writeUnhandled(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, "Internal Server Error")
}

func writeEvoluxError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{evolux.FieldMeta: map[string]any{evolux.FieldStatus: status, evolux.FieldMessage: message}})
}

// writeServiceError answers status in the service's error shape, with the status text as its message, and a
// Retry-After header unless retryAfter is "".
func writeServiceError(w http.ResponseWriter, svc service, status int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	if svc == serviceEvolux {
		writeEvoluxError(w, status, http.StatusText(status))
		return
	}
	writeDetail(w, status, http.StatusText(status))
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // not hijackable (HTTP/2, a recorder): the server aborts the response
}

// readJSONBody reads a JSON object body as FastAPI does: a syntax error is reported at once, before
// authentication (syntaxErr); a missing body or not an object, with the other validation errors.
func readJSONBody(w http.ResponseWriter, r *http.Request) (fields map[string]json.RawMessage, errs []validationError, syntaxErr bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return nil, []validationError{{Loc: loc("body"), Msg: "could not read the body: " + err.Error(), Type: "value_error"}}, true
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []validationError{missingError(loc("body"))}, false
	}
	// FastAPI parses JSON only when the content type says so (or is absent); else the body fails validation.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mediaType, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mediaType == "application/json" || strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json")) {
			return nil, []validationError{notADict(loc("body"))}, false
		}
	}
	var syntax *json.SyntaxError
	switch err := json.Unmarshal(data, &fields); {
	case errors.As(err, &syntax): // checked before any type, so the same as FastAPI's json.loads
		return nil, []validationError{{
			Loc: loc("body", syntax.Offset), Msg: err.Error(), Type: "value_error.jsondecode",
			Ctx: map[string]any{"msg": err.Error(), "pos": syntax.Offset},
		}}, true
	case err != nil: // valid JSON, not an object
		return nil, []validationError{notADict(loc("body"))}, false
	case fields == nil:
		return nil, []validationError{missingError(loc("body"))}, false
	}
	return fields, nil, false
}

// jsonName is a struct field's wire name, from its json tag: no name wire.go spells is spelled again.
func jsonName(v any, goField string) string {
	f, _ := reflect.Indirect(reflect.ValueOf(v)).Type().FieldByName(goField)
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// decodeFields fills the struct dst points to from fields as pydantic does: strings must be JSON strings,
// lists arrays, one error per bad field; required names Go fields that must be present and not null.
func decodeFields(fields map[string]json.RawMessage, dst any, required ...string) (errs []validationError) {
	v := reflect.ValueOf(dst).Elem()
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		name := jsonName(dst, sf.Name)
		raw, present := fields[name]
		l := loc("body", name)
		switch absent := !present || isNull(raw); {
		case name == "-": // not on the wire (Problems)
		case absent && slices.Contains(required, sf.Name) && present:
			errs = append(errs, noneNotAllowed(l))
		case absent && slices.Contains(required, sf.Name):
			errs = append(errs, missingError(l))
		case !absent:
			errs = append(errs, decodeField(v.Field(i), raw, l)...)
		}
	}
	return errs
}

// decodeField sets one field: a string, a *string, a []string or an interface (which keeps the raw JSON).
func decodeField(field reflect.Value, raw json.RawMessage, l []any) []validationError {
	switch field.Kind() {
	case reflect.Interface:
		field.Set(reflect.ValueOf(raw))
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return []validationError{{Loc: l, Msg: "value is not a valid list", Type: "type_error.list"}}
		}
		var errs []validationError
		list := make([]string, len(items))
		for i, item := range items {
			var ok bool
			if list[i], ok = jsonString(item); !ok {
				errs = append(errs, strExpected(append(slices.Clone(l), i)))
			}
		}
		field.Set(reflect.ValueOf(list)) // of no use when errs: the body is refused
		return errs
	default:
		s, ok := jsonString(raw)
		switch {
		case !ok:
			return []validationError{strExpected(l)}
		case field.Kind() == reflect.String:
			field.SetString(s)
		default:
			field.Set(reflect.ValueOf(&s))
		}
	}
	return nil
}

func jsonString(raw json.RawMessage) (s string, ok bool) {
	err := json.Unmarshal(raw, &s) // leaves s empty when it fails
	return s, err == nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
