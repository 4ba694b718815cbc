package provider

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

// timestampText refuses what is not an RFC 3339 timestamp, saying in plain words what is wrong: Go's
// parser, which timetypes.RFC3339 quotes, names its layout instead.
var timestampText = stringCheck{"value must be an RFC 3339 timestamp with an offset", "Invalid timestamp",
	func(p path.Path, v string) string {
		if problem := timestampProblem(v); problem != "" {
			return timestampExpectation(p.String(), v, problem)
		}
		return ""
	}}

// timestampExample is the example every timestamp message gives.
const timestampExample = "2030-09-22T10:00:00-03:00"

// timestampExpectation is the one explanation of what a timestamp must look like.
func timestampExpectation(attr, value, problem string) string {
	return fmt.Sprintf("%s = %q is not a timestamp this provider can use: %s.\n\n"+
		"Write a date, the letter T, a time, and the offset from UTC, for example %q (10:00 at UTC-3, São Paulo) "+
		"or \"2030-09-22T13:00:00Z\" (the same instant in UTC; Z means UTC). "+
		"The offset or Z is required: without it the instant would depend on the time zone of the machine that reads it.",
		attr, value, problem, timestampExample)
}

var (
	dateOnly        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	withoutOffset   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$`)
	spaceSeparated  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}`)
	minutesOnly     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$`)
	offsetNoColon   = regexp.MustCompile(`[+-]\d{4}$`)
	rfc3339Skeleton = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)

// timestampProblem says in plain words what is wrong with text as RFC 3339, or ""; never Go's parser's words.
func timestampProblem(text string) string {
	if isRFC3339(text) {
		return ""
	}
	switch {
	case strings.TrimSpace(text) != text:
		return "it has spaces around it"
	case isRFC3339(strings.ToUpper(text)):
		return "the T and the Z must be capital letters"
	case strings.Contains(text, "/"):
		return "the date must be written year-month-day, with hyphens"
	case dateOnly.MatchString(text):
		return "it is a date without a time"
	case withoutOffset.MatchString(text):
		return "it has no offset from UTC and no Z"
	case spaceSeparated.MatchString(text):
		return "a space separates the date and the time, where a T is expected"
	case minutesOnly.MatchString(text):
		return "the time has no seconds"
	case offsetNoColon.MatchString(text):
		return "the offset needs a colon, as in -03:00"
	case rfc3339Skeleton.MatchString(text):
		return "no such date or time exists (check the month, the day and the hour)"
	}
	return "it is not in the expected form"
}

// isRFC3339 is the test timetypes.RFC3339 would apply.
func isRFC3339(text string) bool {
	_, err := time.Parse(time.RFC3339, text)
	return err == nil
}
