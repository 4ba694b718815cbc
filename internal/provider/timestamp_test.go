package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
			var resp validator.StringResponse
			timestampText.ValidateString(context.Background(),
				validator.StringRequest{Path: path.Root("scheduled_date"), ConfigValue: types.StringValue(tt.value)}, &resp)
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
		var resp validator.StringResponse
		timestampText.ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("start"), ConfigValue: types.StringValue(valid)}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%q refused: %v", valid, resp.Diagnostics)
		}
	}
}
