package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// timestampType is timetypes.RFC3339 for timestamps a user writes (scheduled_date, the Evolux start
// and end), except that a malformed value is explained in plain words, not by quoting Go's parser.
type timestampType struct {
	timetypes.RFC3339Type
}

var (
	_ basetypes.StringTypable                    = timestampType{}
	_ basetypes.StringValuableWithSemanticEquals = timestampValue{}
	_ xattr.ValidateableAttribute                = timestampValue{}
)

func (t timestampType) String() string { return "timestampType" }

func (t timestampType) ValueType(context.Context) attr.Value { return timestampValue{} }

func (t timestampType) Equal(o attr.Type) bool {
	_, ok := o.(timestampType)
	return ok
}

func (t timestampType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return timestampValue{RFC3339: timetypes.RFC3339{StringValue: in}}, nil
}

func (t timestampType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.RFC3339Type.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	rfc, ok := value.(timetypes.RFC3339)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	return timestampValue{RFC3339: rfc}, nil
}

// timestampValue is the value of timestampType.
type timestampValue struct {
	timetypes.RFC3339
}

func (v timestampValue) Type(context.Context) attr.Type { return timestampType{} }

func (v timestampValue) Equal(o attr.Value) bool {
	other, ok := o.(timestampValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v timestampValue) StringSemanticEquals(ctx context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(timestampValue)
	if !ok {
		return false, nil
	}
	return v.RFC3339.StringSemanticEquals(ctx, other.RFC3339)
}

func (v timestampValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if problem := timestampProblem(v.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp", timestampExpectation(req.Path.String(), v.ValueString(), problem))
	}
}

func timestampNull() timestampValue { return timestampValue{RFC3339: timetypes.NewRFC3339Null()} }

func timestampOf(v timetypes.RFC3339) timestampValue { return timestampValue{RFC3339: v} }

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

// isRFC3339 is the test timetypes.RFC3339 applies.
func isRFC3339(text string) bool {
	_, err := time.Parse(time.RFC3339, text)
	return err == nil
}
