package evolux

import (
	"bytes"
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
)

// FuzzDecodePage fuzzes the page decoder with whole answers of the
// subscribers report. The properties: no panic; an answer is accepted only
// if it is one JSON value, a bare array of records or an object with its
// records under one of RecordsFields (an array, or null); every element becomes one record whose raw JSON is
// the element itself; a "pagination" that is there is an object, whose
// next_url, if any, is a string or null, so that a malformed link can never
// pass for the last page and cut the report short. Whatever paging the answer
// claims, the pages derived from it stay bounded. Seeds are in
// testdata/fuzz/FuzzDecodePage.
func FuzzDecodePage(f *testing.F) {
	first, err := url.Parse("https://acme.evolux.test" + PathSubscribers + "?state=sent")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePage(bytes.NewReader(body))
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("decodePage accepted %q, which is not one JSON value", body)
		}
		var elements []json.RawMessage
		switch bytes.TrimSpace(body)[0] {
		case '[':
			if err := json.Unmarshal(body, &elements); err != nil {
				t.Fatal(err)
			}
		case '{':
			var envelope map[string]json.RawMessage
			if err := json.Unmarshal(body, &envelope); err != nil {
				t.Fatal(err)
			}
			key, data := recordsMember(envelope)
			if key == "" {
				t.Fatalf("decodePage accepted %q, an object without records under any of %q", body, RecordsFields)
			}
			if err := json.Unmarshal(data, &elements); err != nil {
				t.Fatalf("decodePage accepted %q, whose %q is not an array: %v", body, key, err)
			}
			checkPagination(t, body, envelope[FieldPagination], got.pagination.nextURL)
		default:
			t.Fatalf("decodePage accepted %q, neither an array nor an object", body)
		}
		if len(elements) != len(got.records) {
			t.Fatalf("decodePage(%q): %d elements, %d records", body, len(elements), len(got.records))
		}
		for i, element := range elements {
			if got.records[i].Raw != string(element) {
				t.Fatalf("decodePage(%q): record %d raw %q, the element is %q", body, i, got.records[i].Raw, element)
			}
		}

		// Paging derived from the answer is bounded and stays on the report.
		next, err := resolveNext(first, got.pagination.nextURL)
		if err != nil {
			return
		}
		predicted, err := predict(first, got, next)
		if err != nil || predicted == nil {
			return
		}
		if predicted.pages >= maxPages || predicted.step <= 0 || predicted.first < 0 ||
			predicted.step > (math.MaxInt64-predicted.first)/maxPages {
			t.Fatalf("decodePage(%q) leads to a prediction of %d pages from %d by %d: unbounded or overflowing",
				body, predicted.pages, predicted.first, predicted.step)
		}
		if !sameResource(first, predicted.url(1)) {
			t.Fatalf("decodePage(%q) predicts pages off the report: %s", body, predicted.url(1))
		}
	})
}

// recordsMember is the member of an envelope that holds its records: "data"
// whatever it holds, else the first other of RecordsFields that is an array
// or null; "" when there is none.
func recordsMember(envelope map[string]json.RawMessage) (string, json.RawMessage) {
	for _, key := range RecordsFields {
		raw, ok := envelope[key]
		if !ok {
			continue
		}
		if first := bytes.TrimSpace(raw); key == FieldData || first[0] == '[' || first[0] == 'n' {
			return key, raw
		}
	}
	return "", nil
}

// checkPagination: a pagination that is there is an object (or null), and
// its next_url a string (or null); the decoder kept that link.
func checkPagination(t *testing.T, body []byte, raw json.RawMessage, kept string) {
	t.Helper()
	if raw == nil || string(bytes.TrimSpace(raw)) == "null" {
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatalf("decodePage accepted %q, whose %q is not an object", body, FieldPagination)
	}
	next, ok := fields[FieldNextURL]
	if !ok || string(bytes.TrimSpace(next)) == "null" {
		return
	}
	link, ok := linkText(next)
	if !ok {
		t.Fatalf("decodePage accepted %q, whose %s %s is not a string: it would read as the last page", body, FieldNextURL, strings.TrimSpace(string(next)))
	}
	if link != kept {
		t.Fatalf("decodePage(%q) kept the next page link %q, the answer says %q", body, kept, link)
	}
}
