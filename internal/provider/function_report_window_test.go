package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestReportWindow_dayInTimeZone(t *testing.T) {
	for _, tc := range []struct {
		date, zone, start, end string
		hours                  int
	}{
		{"2024-09-05", "America/Sao_Paulo", "2024-09-05T03:00:00Z", "2024-09-06T02:59:59.999Z", 24},
		{"2024-09-05", "UTC", "2024-09-05T00:00:00Z", "2024-09-05T23:59:59.999Z", 24},
		{"2024-09-05", "Asia/Kolkata", "2024-09-04T18:30:00Z", "2024-09-05T18:29:59.999Z", 24},
		{"2024-02-29", "America/Sao_Paulo", "2024-02-29T03:00:00Z", "2024-03-01T02:59:59.999Z", 24},
		// Daylight saving began at midnight: the clocks went from 23:59:59 to 01:00, so the day starts at 01:00 -02.
		{"2018-11-04", "America/Sao_Paulo", "2018-11-04T03:00:00Z", "2018-11-05T01:59:59.999Z", 23},
		// It ended at midnight: 23:00 to 23:59 of the 16th came twice.
		{"2019-02-16", "America/Sao_Paulo", "2019-02-16T02:00:00Z", "2019-02-17T02:59:59.999Z", 25},
		{"2024-03-10", "America/New_York", "2024-03-10T05:00:00Z", "2024-03-11T03:59:59.999Z", 23},
		{"2024-11-03", "America/New_York", "2024-11-03T04:00:00Z", "2024-11-04T04:59:59.999Z", 25},
	} {
		t.Run(tc.zone+" "+tc.date, func(t *testing.T) {
			got, err := runFunction(t, NewReportWindowFunction(), tc.date, tc.zone)
			if err != nil {
				t.Fatalf("error: %s", err.Text)
			}
			want := types.ObjectValueMust(map[string]attr.Type{"start": types.StringType, "end": types.StringType},
				map[string]attr.Value{"start": types.StringValue(tc.start), "end": types.StringValue(tc.end)})
			if !got.Equal(want) {
				t.Fatalf("got %s, want %s", got, want)
			}
			start, _ := time.Parse(time.RFC3339, tc.start)
			end, _ := time.Parse(time.RFC3339, tc.end)
			if length := end.Add(time.Millisecond).Sub(start); length != time.Duration(tc.hours)*time.Hour {
				t.Errorf("the day lasts %s, want %dh", length, tc.hours)
			}
		})
	}
}

func TestReportWindow_badArgumentsNameTheirParameter(t *testing.T) {
	for _, tc := range []struct{ date, zone, parameter, says string }{
		{"2024-13-01", "America/Sao_Paulo", "date", `"2024-13-01" is not a calendar date`},
		{"2024-02-30", "America/Sao_Paulo", "date", `"2024-02-30"`},
		{"05/09/2024", "America/Sao_Paulo", "date", "YYYY-MM-DD"},
		{"2024-09-05T00:00:00Z", "UTC", "date", "YYYY-MM-DD"},
		{"", "UTC", "date", `""`},
		// Samoa moved across the date line: its clocks went from 29 to 31 December 2011.
		{"2011-12-30", "Pacific/Apia", "date", "skipped in Pacific/Apia"},
		{"2024-09-05", "America/Sao_Pablo", "time_zone", `"America/Sao_Pablo" is not an IANA time zone`},
		{"2024-09-05", "", "time_zone", `"" is not an IANA time zone`},
		{"2024-09-05", "Local", "time_zone", `"Local" is not an IANA time zone`},
		{"2024-09-05", "-03:00", "time_zone", "IANA"},
	} {
		t.Run(tc.date+" "+tc.zone, func(t *testing.T) {
			f := NewReportWindowFunction()
			_, err := runFunction(t, f, tc.date, tc.zone)
			if problem := argumentProblem(t, f, err, tc.parameter, tc.says); problem != "" {
				t.Error(problem)
			}
		})
	}
}

func TestAccFunctionReportWindow_saoPauloDay(t *testing.T) {
	functionOutputTest(t, `provider::campaigns::report_window("2024-09-05", "America/Sao_Paulo")`,
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"start": knownvalue.StringExact("2024-09-05T03:00:00Z"),
			"end":   knownvalue.StringExact("2024-09-06T02:59:59.999Z"),
		}))
}

func TestAccFunctionReportWindow_unknownTimeZoneFails(t *testing.T) {
	functionErrorTest(t, `provider::campaigns::report_window("2024-09-05", "America/Sao_Pablo")`,
		"time_zone", `"America/Sao_Pablo" is not an IANA time zone`)
}
