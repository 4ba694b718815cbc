package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces every secret value in logs and error texts.
const Redacted = "REDACTED"

// secretNames are the query parameters and JSON keys whose values are
// secrets, compared case-insensitively.
var secretNames = []string{"password", "token", "refresh_token", "access_token", "api_key", "apikey"}

func isSecretName(name string) bool { return slices.Contains(secretNames, strings.ToLower(name)) }

// secretHeaders carry credentials in their values.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// maxLoggedBody caps a body in a log entry.
const maxLoggedBody = 4 << 10

// RedactURL is u as text with the values of secret query parameters (apikey)
// and any password in the user info replaced.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	redacted := *u
	if _, has := redacted.User.Password(); has { // nil-safe
		redacted.User = url.UserPassword(redacted.User.Username(), Redacted)
	}
	query := redacted.Query()
	changed := false
	for name := range query {
		if isSecretName(name) {
			query[name] = []string{Redacted}
			changed = true
		}
	}
	if changed {
		// Encode sorts the parameters, which is fine for a log.
		redacted.RawQuery = query.Encode()
	}
	return redacted.String()
}

// RedactHeader is h for a log: one line per header, credentials replaced
// (the authorization scheme is kept: "Bearer REDACTED").
func RedactHeader(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		canonical := http.CanonicalHeaderKey(name)
		if !slices.Contains(secretHeaders, canonical) {
			out[canonical] = strings.Join(values, ", ")
			continue
		}
		scheme, _, found := strings.Cut(strings.Join(values, ", "), " ")
		if found && (canonical == "Authorization" || canonical == "Proxy-Authorization") {
			out[canonical] = scheme + " " + Redacted
		} else {
			out[canonical] = Redacted
		}
	}
	return out
}

// RedactJSON replaces the values of secret keys at any depth of a JSON body.
// A body that is not valid JSON (a cut or broken one) has secret-looking
// "key": "value" pairs replaced as text.
func RedactJSON(body []byte) []byte {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var doc any
	if err := decoder.Decode(&doc); err != nil || decoder.More() {
		return secretPairs.ReplaceAll(body, []byte(`${1}"`+Redacted+`"`))
	}
	if !redactValue(doc) {
		return body
	}
	redacted, _ := marshal(doc, false) // decoded JSON: it cannot fail
	return redacted
}

var secretPairs = regexp.MustCompile(`(?i)("(?:` + strings.Join(secretNames, "|") + `)"\s*:\s*)"(?:[^"\\]|\\.)*"?`)

// redactValue redacts doc in place and reports whether it changed anything.
func redactValue(doc any) bool {
	changed := false
	switch doc := doc.(type) {
	case map[string]any:
		for key, value := range doc {
			if isSecretName(key) {
				doc[key], changed = Redacted, true
			} else {
				changed = redactValue(value) || changed
			}
		}
	case []any:
		for _, value := range doc {
			changed = redactValue(value) || changed
		}
	}
	return changed
}

// redactBodyForLog is a body as it may appear in a log: redacted, secrets'
// values scrubbed, valid UTF-8, and capped. Only what is kept is
// scrubbed, plus the length of the longest secret beyond the cut, so that a
// secret across the cut is replaced whole instead of half kept: a large
// answer is not scanned again for a 4 KiB log entry.
func redactBodyForLog(body []byte, secrets *Secrets) string {
	redacted := RedactJSON(body)
	total := len(redacted)
	window := min(total, maxLoggedBody+secrets.longestSpelling())
	kept := secrets.Scrub(string(redacted[:window]))
	if window == total && len(kept) <= maxLoggedBody {
		return strings.ToValidUTF8(kept, "\uFFFD")
	}
	return strings.ToValidUTF8(kept[:min(len(kept), maxLoggedBody)], "") +
		fmt.Sprintf("… (%d bytes in all)", total)
}
