package provider

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // the IANA zones, on machines without a zoneinfo database (Windows)

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ function.Function = &reportWindowFunction{}

// NewReportWindowFunction is provider::campaigns::report_window.
func NewReportWindowFunction() function.Function { return &reportWindowFunction{} }

type reportWindowFunction struct{}

type reportWindowModel struct {
	Start string `tfsdk:"start"`
	End   string `tfsdk:"end"`
}

func (f *reportWindowFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "report_window"
}

func (f *reportWindowFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The first and last instants of one day in a time zone",
		MarkdownDescription: "The first and last instants of one calendar day in an IANA time zone, as RFC 3339 timestamps in UTC, " +
			"for the `start` and `end` filters of `campaigns_evolux_subscribers`: " +
			"`report_window(\"2024-09-05\", \"America/Sao_Paulo\")` is " +
			"`{ start = \"2024-09-05T03:00:00Z\", end = \"2024-09-06T02:59:59.999Z\" }`. " +
			"`end` is the next day's first instant less one millisecond, so a day with a daylight saving change " +
			"lasts 23 or 25 hours, and a day whose midnight the clocks skip starts when they resume.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "date",
				MarkdownDescription: "The calendar day, as `YYYY-MM-DD`, for example `2024-09-05`.",
			},
			function.StringParameter{
				Name:                "time_zone",
				MarkdownDescription: "The IANA time zone the day is counted in, for example `America/Sao_Paulo` or `UTC`.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: map[string]attr.Type{"start": types.StringType, "end": types.StringType}},
	}
}

func (f *reportWindowFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var date, zone string
	resp.Error = req.Arguments.Get(ctx, &date, &zone)
	if resp.Error != nil {
		return
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0,
			fmt.Sprintf("%q is not a calendar date written YYYY-MM-DD, such as \"2024-09-05\"", date))
		return
	}
	loc, ok := ianaZone(zone)
	if !ok {
		resp.Error = function.NewArgumentFuncError(1,
			fmt.Sprintf("%q is not an IANA time zone, such as \"America/Sao_Paulo\" or \"UTC\"", zone))
		return
	}
	start, next := firstInstant(day, loc), firstInstant(day.AddDate(0, 0, 1), loc)
	if !next.After(start) {
		resp.Error = function.NewArgumentFuncError(0,
			fmt.Sprintf("%q was skipped in %s: its clocks went from the day before to the day after", date, zone))
		return
	}
	window := reportWindowModel{
		Start: start.UTC().Format(time.RFC3339Nano),
		End:   next.Add(-time.Millisecond).UTC().Format(time.RFC3339Nano),
	}
	resp.Error = resp.Result.Set(ctx, window)
}

// firstInstant is the first instant at which loc's clocks show day (its midnight, read as UTC) or later.
// time.Date cannot say it: for a midnight that a daylight saving change skips, it may answer an instant
// of the day before.
func firstInstant(day time.Time, loc *time.Location) time.Time {
	t := day.Add(-26 * time.Hour) // still the day before, whatever the zone's offset
	for {
		local := t.In(loc)
		_, offset := local.Zone()
		_, zoneEnd := local.ZoneBounds()
		// In the zone of t, the clocks show midnight at day less the offset, or already past it at t.
		midnight := day.Add(-time.Duration(offset) * time.Second)
		if midnight.Before(t) {
			midnight = t
		}
		if zoneEnd.IsZero() || midnight.Before(zoneEnd) {
			return midnight
		}
		t = zoneEnd
	}
}
