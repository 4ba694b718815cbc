package provider

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

// timestampExample is the example every timestamp message gives.
const timestampExample = "2030-09-22T10:00:00-03:00"

// timestampText refuses what is not an RFC 3339 timestamp, saying in plain words what is wrong: Go's
// parser, which timetypes.RFC3339 quotes, names its layout instead.
var timestampText = stringCheck{"value must be an RFC 3339 timestamp with an offset", "Invalid timestamp",
	func(p path.Path, v string) string {
		problem := timestampProblem(v)
		if problem == "" {
			return ""
		}
		return fmt.Sprintf("%s = %q is not a timestamp this provider can use: %s.\n\n"+
			"Write a date, the letter T, a time, and the offset from UTC, for example %q (10:00 at UTC-3, São Paulo) "+
			"or \"2030-09-22T13:00:00Z\" (the same instant in UTC; Z means UTC). "+
			"The offset or Z is required: without it the instant would depend on the time zone of the machine that reads it.",
			p, v, problem, timestampExample)
	}}

// timestampMistakes tell, in order, what a text that is not RFC 3339 gets wrong.
var timestampMistakes = []struct {
	made    func(text string) bool
	problem string
}{
	{func(text string) bool { return strings.TrimSpace(text) != text }, "it has spaces around it"},
	{func(text string) bool { return isRFC3339(strings.ToUpper(text)) }, "the T and the Z must be capital letters"},
	{func(text string) bool { return strings.Contains(text, "/") }, "the date must be written year-month-day, with hyphens"},
	{matches(`^\d{4}-\d{2}-\d{2}$`), "it is a date without a time"},
	{matches(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$`), "it has no offset from UTC and no Z"},
	{matches(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}`), "a space separates the date and the time, where a T is expected"},
	{matches(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$`), "the time has no seconds"},
	{matches(`[+-]\d{4}$`), "the offset needs a colon, as in -03:00"},
	{matches(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`),
		"no such date or time exists (check the month, the day and the hour)"},
}

func matches(pattern string) func(string) bool { return regexp.MustCompile(pattern).MatchString }

// timestampProblem says in plain words what is wrong with text as RFC 3339, or ""; never Go's parser's words.
func timestampProblem(text string) string {
	if isRFC3339(text) {
		return ""
	}
	for _, m := range timestampMistakes {
		if m.made(text) {
			return m.problem
		}
	}
	return "it is not in the expected form"
}

// isRFC3339 is the test timetypes.RFC3339 would apply.
func isRFC3339(text string) bool {
	_, err := time.Parse(time.RFC3339, text)
	return err == nil
}
