package client

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	const want = "2026-11-23T15:46:15.852309Z"
	tests := []struct {
		in, want string // want "" means refused
	}{
		// What pymongo's naive UTC datetimes look like printed by pydantic v1.
		{"2026-11-23T15:46:15.852309", want},
		{"2026-11-23 15:46:15.852309", want},       // str(datetime)
		{"2026-11-23 15:46:15.852309+00:00", want}, // str() of an aware datetime
		{"2026-11-23T15:46:15.852309Z", want},
		{"2026-11-23t15:46:15.852309z", want},
		{"2026-11-23T15:46:15.852309+0000", want},
		{"2026-11-23T15:46:15.852309+00", want},
		{"2026-11-23T12:46:15.852309-03:00", want},
		{"2026-11-23T12:46:15.852309-0300", want},
		{"2026-11-23T21:16:15.852309+05:30", want},
		{" 2026-11-23T15:46:15.852309 ", want},
		{"2026-11-23T15:46:15,852309", want},
		{"2026-11-23T15:46:15.852309000", want},
		{"2026-11-23T15:46:15.85230900Z", want},
		{"2026-11-23T15:46:15.123456789Z", "2026-11-23T15:46:15.123456789Z"},
		{"2026-11-23T15:46:15.1", "2026-11-23T15:46:15.1Z"},
		{"2026-11-23T15:46:15", "2026-11-23T15:46:15Z"},
		{"2026-11-23T15:46", "2026-11-23T15:46:00Z"},
		{"2026-11-23T15:46Z", "2026-11-23T15:46:00Z"},
		{"2026-11-23", "2026-11-23T00:00:00Z"},
		{"2026-11-23T23:30:00-03:00", "2026-11-24T02:30:00Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"},

		{"", ""},
		{"now", ""},
		{"2026-11-23T15:46:15.1234567891Z", ""}, // 10 fractional digits
		{"2026-13-01T00:00:00Z", ""},
		{"2026-04-31T00:00:00Z", ""},
		{"2025-02-29", ""},
		{"2026-11-23T24:00:00Z", ""},
		{"2026-11-23T15:60:00Z", ""},
		{"2026-11-23T15:46:60Z", ""},
		{"2026-11-23T15:46:15+24:00", ""},
		{"2026-11-23T15:46:15+05:60", ""},
		{"2026-11-23T15:46:15 UTC", ""},
		{"23/11/2026", ""},
		{"2026-11-23T", ""},
		{"2026-11-23T15:46:15.Z", ""},
		{"0000-01-01T00:00:00+01:00", ""}, // before year 0 in UTC
		{"9999-12-31T23:00:00-05:00", ""}, // after year 9999 in UTC
		{"+2026-11-23", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizeTimestamp(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("NormalizeTimestamp(%q) = %q, want it refused", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("NormalizeTimestamp(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		parsed, _ := ParseTimestamp(tt.in)
		if parsed.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) is in %v, want UTC", tt.in, parsed.Location())
		}
	}
}

func TestParseTimestampJSON(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{`"2026-11-23T15:46:15.852309"`, "2026-11-23T15:46:15.852309Z"},
		{`"2026-11-23 15:46:15+00"`, "2026-11-23T15:46:15Z"},
		{`{"$date": "2026-11-23T15:46:15.852Z"}`, "2026-11-23T15:46:15.852Z"},
		{`{"$date": {"$numberLong": "1795448775852"}}`, "2026-11-23T15:46:15.852Z"},
		{`{"$date": 1795448775852}`, "2026-11-23T15:46:15.852Z"},
		{`{"$date": {"$numberLong": "-1000"}}`, "1969-12-31T23:59:59Z"},
		{`1795448775`, "2026-11-23T15:46:15Z"},               // seconds
		{`1795448775.852309`, "2026-11-23T15:46:15.852309Z"}, // seconds with a fraction
		{`1795448775852`, "2026-11-23T15:46:15.852Z"},        // milliseconds
		{`0`, "1970-01-01T00:00:00Z"},
		{`99999999999`, "5138-11-16T09:46:39Z"},  // the largest number read as seconds
		{`100000000000`, "1973-03-03T09:46:40Z"}, // the smallest read as milliseconds
		{` "2026-11-23" `, "2026-11-23T00:00:00Z"},

		{``, ""},
		{`null`, ""},
		{`true`, ""},
		{`"soon"`, ""},
		{`[1795448775]`, ""},
		{`{}`, ""},
		{`{"$date": null}`, ""},
		{`{"$date": {"$numberLong": "x"}}`, ""},
		{`{"$date": {"$numberLong": "99999999999999999"}}`, ""}, // beyond year 9999
		{`1e300`, ""},
		{`-1e300`, ""},
		{`"2026-11-23`, ""},
	}
	for _, tt := range tests {
		got, ok := NormalizeTimestampJSON([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("NormalizeTimestampJSON(%s) = %q, want it refused", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("NormalizeTimestampJSON(%s) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// FuzzParseTimestamp: never panics, and whatever parses normalizes to RFC
// 3339 text that Go's own RFC 3339 parser reads as the same instant.
func FuzzParseTimestamp(f *testing.F) {
	for _, seed := range []string{
		"2026-11-23T15:46:15.852309", "2026-11-23 15:46:15+00:00", "2026-11-23T15:46:15.123456789-0300",
		"2026-11-23", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59+00", `{"$date": 1}`, "17954487758",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(parsed time.Time, normalized string, ok bool, from string) {
			if !ok {
				return
			}
			back, err := time.Parse(time.RFC3339Nano, normalized)
			if err != nil || !back.Equal(parsed) {
				t.Fatalf("%s(%q) = %q (%v), which RFC 3339 reads as %v, %v", from, s, normalized, parsed, back, err)
			}
		}
		parsed, ok := ParseTimestamp(s)
		normalized, _ := NormalizeTimestamp(s)
		check(parsed, normalized, ok, "NormalizeTimestamp")
		parsed, ok = ParseTimestampJSON([]byte(s))
		normalized, _ = NormalizeTimestampJSON([]byte(s))
		check(parsed, normalized, ok, "NormalizeTimestampJSON")
	})
}

// A server that keeps less precision than was written is not drift; another
// instant, however close, still is.
func TestSameStoredInstant(t *testing.T) {
	const written = "2030-01-01T09:00:00.123456789-03:00"
	tests := []struct {
		server string
		want   bool
	}{
		{"2030-01-01T12:00:00.123456789Z", true},
		{"2030-01-01T12:00:00.123456", true},       // Python's microseconds, naive UTC
		{"2030-01-01T12:00:00.123457+00:00", true}, // rounded to microseconds
		{"2030-01-01T12:00:00.123000", true},       // MongoDB's milliseconds, as pymongo prints them
		{"2030-01-01 12:00:00+00:00", true},        // whole seconds
		{"2030-01-01T12:00:00.124Z", false},        // another millisecond
		{"2030-01-01T12:00:01Z", false},            // another second
		{"2030-01-01T09:00:00.123456789Z", false},  // the offset dropped: another instant
		{"not a time", false},
	}
	for _, tt := range tests {
		if got := SameStoredInstant(written, tt.server); got != tt.want {
			t.Errorf("SameStoredInstant(%q, %q) = %v, want %v", written, tt.server, got, tt.want)
		}
	}
}
