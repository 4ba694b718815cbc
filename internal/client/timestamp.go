package client

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Servers print the same instant in many spellings: FastAPI with pydantic v1
// prints pymongo's naive UTC datetimes without a zone
// ("2026-11-23T15:46:15.852309"), Python's str(datetime) puts a space
// instead of the T, gateways and other stacks add "Z", "+00:00", "+0000" or
// "+00". ParseTimestamp reads all of them; NormalizeTimestamp prints one.

// timestampPattern: a date, optionally a time (seconds and 0 to 9 fractional
// digits optional) and a zone. T and Z are matched in either case.
var timestampPattern = regexp.MustCompile(
	`^(\d{4})-(\d{2})-(\d{2})` +
		`(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?` +
		` ?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$`)

// ParseTimestamp reads s as an instant. A time without a zone is UTC (the
// Mongo convention: pymongo hands out naive datetimes in UTC), a date
// without a time is midnight UTC. Surrounding space is ignored.
func ParseTimestamp(s string) (time.Time, bool) {
	m := timestampPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	year, month, day := atoi(m[1]), atoi(m[2]), atoi(m[3])
	hour, minute, second := atoi(m[4]), atoi(m[5]), atoi(m[6])
	nanos := 0
	if m[7] != "" {
		nanos = atoi((m[7] + "00000000")[:9])
	}
	offset, ok := zoneOffset(m[8])
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.FixedZone("", offset))
	if t.Day() != day { // 31 April rolled over into May
		return time.Time{}, false
	}
	t = t.UTC()
	// An offset can move year 0000 or 9999 out of what RFC 3339 can print.
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// zoneOffset reads "", "Z", "+05", "+0530" or "+05:30" as seconds east of UTC.
func zoneOffset(zone string) (int, bool) {
	if zone == "" || zone == "Z" || zone == "z" {
		return 0, true
	}
	digits := strings.ReplaceAll(zone[1:], ":", "")
	hours, minutes := atoi(digits[:2]), 0
	if len(digits) == 4 {
		minutes = atoi(digits[2:])
	}
	if hours > 23 || minutes > 59 {
		return 0, false
	}
	offset := (hours*60 + minutes) * 60
	if zone[0] == '-' {
		offset = -offset
	}
	return offset, true
}

// atoi reads the pattern's digit groups; an empty group is 0.
func atoi(digits string) int {
	n, _ := strconv.Atoi(digits)
	return n
}

// NormalizeTimestamp is s in RFC 3339 in UTC, with as many fractional digits
// as the instant needs (time.RFC3339Nano), when ParseTimestamp reads it.
func NormalizeTimestamp(s string) (string, bool) {
	t, ok := ParseTimestamp(s)
	if !ok {
		return "", false
	}
	return FormatTimestamp(t), true
}

// FormatTimestamp prints t the one way this provider shows instants.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// epochMillisFrom is where epoch numbers stop being seconds and start being
// milliseconds: 1e11 seconds is the year 5138, which no campaign is
// scheduled for, while 1e11 milliseconds is March 1973, before any server
// of this API existed. So a number this large or larger is milliseconds.
const epochMillisFrom = 1e11

// ParseTimestampJSON reads a JSON value as an instant: a string
// ParseTimestamp reads, Mongo extended JSON ({"$date": "..."} or
// {"$date": {"$numberLong": "<milliseconds>"}} or {"$date": <milliseconds>}),
// or a Unix epoch number in seconds or milliseconds (see epochMillisFrom).
func ParseTimestampJSON(raw []byte) (time.Time, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return time.Time{}, false
	}
	switch raw[0] {
	case '"':
		var text string
		if json.Unmarshal(raw, &text) != nil {
			return time.Time{}, false
		}
		return ParseTimestamp(text)
	case '{':
		var extended struct {
			Date json.RawMessage `json:"$date"`
		}
		if json.Unmarshal(raw, &extended) != nil || len(extended.Date) == 0 {
			return time.Time{}, false
		}
		return parseMongoDate(extended.Date)
	}
	var number json.Number
	if json.Unmarshal(raw, &number) != nil {
		return time.Time{}, false
	}
	seconds, err := number.Float64()
	if err != nil {
		return time.Time{}, false
	}
	if math.Abs(seconds) >= epochMillisFrom {
		return epochTime(seconds / 1000)
	}
	return epochTime(seconds)
}

// parseMongoDate reads the value of "$date": a string, a number of
// milliseconds, or {"$numberLong": "<milliseconds>"}.
func parseMongoDate(raw json.RawMessage) (time.Time, bool) {
	raw = bytes.TrimSpace(raw)
	var long struct {
		NumberLong string `json:"$numberLong"`
	}
	switch {
	case len(raw) > 0 && raw[0] == '"':
		return ParseTimestampJSON(raw)
	case len(raw) > 0 && raw[0] == '{':
		if json.Unmarshal(raw, &long) != nil {
			return time.Time{}, false
		}
		millis, err := strconv.ParseInt(long.NumberLong, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return epochTime(float64(millis) / 1000)
	}
	var millis float64
	if bytes.Equal(raw, []byte("null")) || json.Unmarshal(raw, &millis) != nil {
		return time.Time{}, false
	}
	return epochTime(millis / 1000)
}

// epochTime is Unix seconds as an instant, to the microsecond (what a
// float64 keeps of today's epochs), within what RFC 3339 can print.
func epochTime(seconds float64) (time.Time, bool) {
	const first, last = -62167219200, 253402300799 // 0000-01-01, 9999-12-31T23:59:59
	if math.IsNaN(seconds) || seconds < first || seconds >= last+1 {
		return time.Time{}, false
	}
	whole := math.Floor(seconds)
	micros := math.Round((seconds - whole) * 1e6)
	t := time.Unix(int64(whole), int64(micros)*1000).UTC()
	return t, t.Year() <= 9999
}

// NormalizeTimestampJSON is ParseTimestampJSON's instant printed by
// FormatTimestamp.
func NormalizeTimestampJSON(raw []byte) (string, bool) {
	t, ok := ParseTimestampJSON(raw)
	if !ok {
		return "", false
	}
	return FormatTimestamp(t), true
}

// storedPrecisions are the precisions a server may keep a timestamp at:
// Python's datetime keeps microseconds, MongoDB's dates milliseconds, and
// some stores whole seconds.
var storedPrecisions = []time.Duration{time.Microsecond, time.Millisecond, time.Second}

// SameStoredInstant tells whether stored, a server's timestamp, is written
// as a server that keeps less precision stores it (truncated or rounded):
// "2030-01-01T09:00:00.123456789-03:00" comes back from pymongo as
// "2030-01-01T12:00:00.123000". Reading that as another value would plan
// the same update on every apply, and the server would drop the digits every
// time.
func SameStoredInstant(written, stored string) bool {
	tw, okW := ParseTimestamp(written)
	ts, okS := ParseTimestamp(stored)
	if !okW || !okS {
		return false
	}
	if tw.Equal(ts) {
		return true
	}
	for _, precision := range storedPrecisions {
		if tw.Truncate(precision).Equal(ts) || tw.Round(precision).Equal(ts) {
			return true
		}
	}
	return false
}
