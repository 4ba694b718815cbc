package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timestampPattern reads the spellings servers print (pydantic v1's naive
// UTC, str(datetime)'s space, "Z", "+00:00", "+0000", "+00"): a date,
// optionally a time (seconds and 0 to 9 fractional digits optional) and a
// zone, T and Z in either case. Groups: date, hh:mm, :ss.fff, zone hours
// with sign, zone minutes.
var timestampPattern = regexp.MustCompile(`^(\d{4}-\d\d-\d\d)(?:[Tt ](\d\d:\d\d)(:\d\d(?:[.,]\d{1,9})?)?` +
	` ?(?:[Zz]|([+-](?:[01]\d|2[0-3]))(?::?([0-5]\d))?)?)?$`)

// ParseTimestamp reads s as an instant in UTC. A time without a zone is UTC
// (pymongo hands out naive datetimes in UTC), a date alone midnight UTC.
// Surrounding space is ignored.
func ParseTimestamp(s string) (time.Time, bool) {
	m := timestampPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	zone := "Z"
	if m[4] != "" {
		zone = m[4] + ":" + cmp.Or(m[5], "00")
	}
	// time.Parse checks the ranges, 31 April included.
	t, err := time.Parse(time.RFC3339Nano, m[1]+"T"+cmp.Or(m[2], "00:00")+cmp.Or(strings.Replace(m[3], ",", ".", 1), ":00")+zone)
	// An offset can move year 0000 or 9999 out of what RFC 3339 can print.
	if t = t.UTC(); err != nil || t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// NormalizeTimestamp is s in RFC 3339 in UTC, with as many fractional digits
// as the instant needs, when ParseTimestamp reads it.
func NormalizeTimestamp(s string) (string, bool) { return formatTimestamp(ParseTimestamp(s)) }

// NormalizeTimestampJSON is NormalizeTimestamp for ParseTimestampJSON.
func NormalizeTimestampJSON(raw []byte) (string, bool) {
	return formatTimestamp(ParseTimestampJSON(raw))
}

func formatTimestamp(t time.Time, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	return t.Format(time.RFC3339Nano), true
}

// epochMillisFrom: 1e11 seconds is the year 5138, 1e11 milliseconds March
// 1973, before any server of this API; so a number this large is milliseconds.
const epochMillisFrom = 1e11

// ParseTimestampJSON reads a JSON value as an instant: a string
// ParseTimestamp reads, Mongo extended JSON ({"$date": ...}), or a Unix
// epoch number in seconds or milliseconds (see epochMillisFrom).
func ParseTimestampJSON(raw []byte) (time.Time, bool) {
	return parseJSONTime(bytes.TrimSpace(raw), false)
}

// parseJSONTime reads raw, or when inDate the value of "$date": a string, a
// number of milliseconds, or {"$numberLong": "<milliseconds>"}.
func parseJSONTime(raw []byte, inDate bool) (time.Time, bool) {
	var text string // null is read as "", which ParseTimestamp refuses
	var number float64
	var extended struct {
		Date json.RawMessage `json:"$date"`
	}
	var long struct {
		NumberLong string `json:"$numberLong"`
	}
	switch {
	case json.Unmarshal(raw, &text) == nil:
		return ParseTimestamp(text)
	case json.Unmarshal(raw, &number) == nil:
	case !inDate && json.Unmarshal(raw, &extended) == nil:
		return parseJSONTime(extended.Date, true)
	case !inDate || json.Unmarshal(raw, &long) != nil:
		return time.Time{}, false
	default:
		n, err := strconv.ParseInt(long.NumberLong, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		number = float64(n)
	}
	if inDate || math.Abs(number) >= epochMillisFrom {
		number /= 1000
	}
	return epochTime(number)
}

// epochTime is Unix seconds as an instant, to the microsecond (what a
// float64 keeps of today's epochs), within what RFC 3339 can print.
func epochTime(seconds float64) (time.Time, bool) {
	const first, last = -62167219200, 253402300799 // 0000-01-01, 9999-12-31T23:59:59
	if seconds < first || seconds >= last+1 {
		return time.Time{}, false
	}
	whole := math.Floor(seconds)
	t := time.Unix(int64(whole), int64(math.Round((seconds-whole)*1e6))*1000).UTC()
	return t, t.Year() <= 9999
}

// SameStoredInstant tells whether stored is written as a server that keeps
// microseconds (Python), milliseconds (MongoDB) or seconds stores it,
// truncated or rounded: reading that as another value would plan the same
// update on every apply.
func SameStoredInstant(written, stored string) bool {
	tw, okW := ParseTimestamp(written)
	ts, okS := ParseTimestamp(stored)
	return okW && okS && slices.ContainsFunc([]time.Duration{0, time.Microsecond, time.Millisecond, time.Second}, func(precision time.Duration) bool {
		return tw.Truncate(precision).Equal(ts) || tw.Round(precision).Equal(ts)
	})
}

// ScalarText is a JSON string, number or boolean as text, for the tolerant readers of both APIs;
// a string without escapes is a substring.
func ScalarText(raw string) (string, bool) {
	text := strings.TrimSpace(raw)
	switch {
	case text == "":
		return "", false
	case text[0] == '"':
		if len(text) >= 2 && !strings.ContainsRune(text, '\\') && utf8.ValidString(text) {
			return text[1 : len(text)-1], true // most values: no decoder
		}
		var value string
		err := json.Unmarshal([]byte(text), &value)
		return value, err == nil
	case text == "true" || text == "false":
		return text, true
	}
	return text, (text[0] == '-' || '0' <= text[0] && text[0] <= '9') && json.Valid([]byte(text))
}
