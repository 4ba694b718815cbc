package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Go's reference time, which its parser quotes in its errors: a user cannot
// be expected to read a layout string.
var goLayoutFragments = []string{"2006", "15:04", "Z07", "01-02T"}

func TestTimestampValue_malformedValueExplainedInPlainWords(t *testing.T) {
	tests := []struct {
		value, problem string
	}{
		{"tomorrow at nine", "not in the expected form"},
		{"2030-09-22", "a date without a time"},
		{"22/09/2030 10:00", "year-month-day"},
		{"2030-09-22T10:00:00", "no offset from UTC and no Z"},
		{"2030-09-22T10:00", "no offset from UTC and no Z"},
		{"2030-09-22 10:00:00-03:00", "a space separates the date and the time"},
		{"2030-09-22T10:00-03:00", "the time has no seconds"},
		{"2030-09-22T10:00:00-0300", "the offset needs a colon"},
		{"2030-02-30T10:00:00Z", "no such date or time exists"},
		{"2030-13-01T10:00:00Z", "no such date or time exists"},
		{" 2030-09-22T10:00:00Z", "spaces around it"},
		{"2030-09-22t13:00:00z", "must be capital letters"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			var resp xattr.ValidateAttributeResponse
			value := timestampValue{}
			value.StringValue = types.StringValue(tt.value)
			value.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("scheduled_date")}, &resp)
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("diagnostics %v, want one error", resp.Diagnostics)
			}
			got := resp.Diagnostics[0].Summary() + "\n" + resp.Diagnostics[0].Detail()
			for _, want := range []string{"scheduled_date", tt.problem, timestampExample, "offset or Z is required"} {
				if !strings.Contains(got, want) {
					t.Errorf("message lacks %q:\n%s", want, got)
				}
			}
			for _, fragment := range goLayoutFragments {
				if strings.Contains(got, fragment) {
					t.Errorf("message quotes Go's layout (%q):\n%s", fragment, got)
				}
			}
		})
	}
	for _, valid := range []string{"2030-09-22T10:00:00-03:00", "2030-09-22T13:00:00Z", "2030-09-22T13:00:00.123456Z"} {
		var resp xattr.ValidateAttributeResponse
		value := timestampValue{}
		value.StringValue = types.StringValue(valid)
		value.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("start")}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%q refused: %v", valid, resp.Diagnostics)
		}
	}
}

// The type keeps timetypes.RFC3339's behaviour: the same value round-trips
// through the type, and Z equals +00:00.
func TestTimestampType_behavesAsRFC3339(t *testing.T) {
	ctx := context.Background()
	valuable, diags := timestampType{}.ValueFromString(ctx, types.StringValue("2030-09-22T13:00:00Z"))
	value, ok := valuable.(timestampValue)
	if diags.HasError() || !ok {
		t.Fatalf("%T, %v", valuable, diags)
	}
	tfValue, err := value.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	back, err := timestampType{}.ValueFromTerraform(ctx, tfValue)
	if err != nil || !back.Equal(value) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	other, _ := timestampType{}.ValueFromString(ctx, types.StringValue("2030-09-22T13:00:00+00:00"))
	if equal, _ := value.StringSemanticEquals(ctx, other); !equal {
		t.Error("Z and +00:00 are not semantically equal")
	}
	if !value.Type(ctx).Equal(timestampType{}) || value.Equal(types.StringValue("2030-09-22T13:00:00Z")) {
		t.Error("a timestamp value must be of timestampType only")
	}
}
