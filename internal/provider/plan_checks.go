package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Plan-time checks, with no request: a mistake fails the pipeline before the merge, not after.

// warnScheduledInThePast warns about a new campaign whose scheduled_date has
// passed: Builder starts it at once (a typo in the year would send it today).
func warnScheduledInThePast(scheduled types.String, now time.Time, diags *diag.Diagnostics) {
	if scheduled.IsNull() || scheduled.IsUnknown() {
		return
	}
	at, err := time.Parse(time.RFC3339, scheduled.ValueString())
	if err != nil || !at.Before(now) {
		return
	}
	diags.AddAttributeWarning(path.Root("scheduled_date"), "Campaign scheduled in the past",
		fmt.Sprintf("scheduled_date is %s, %s ago. A campaign whose date has passed starts as soon as it is created, "+
			"so this apply would send it right away. If that is what you want, go ahead; "+
			"if the date is a mistake (a wrong year or month), correct it before applying.",
			scheduled.ValueString(), roughDuration(now.Sub(at))))
}

// roughDuration is d in the largest whole unit that fits, for people.
func roughDuration(d time.Duration) string {
	for _, u := range []struct {
		size time.Duration
		name string
	}{{365 * 24 * time.Hour, "year"}, {24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if n := int(d / u.size); n == 1 {
			return "1 " + u.name
		} else if n > 1 {
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return "less than a minute"
}

// addressHint says where to find the address a -replace, state rm or import needs: the provider is never told it.
func addressHint(id string) string {
	return fmt.Sprintf("ADDRESS is this resource's address, such as campaigns_builder_campaign.welcome or "+
		"campaigns_builder_trigger.launch[\"eu\"]: the CLI prints it on the \"with\" line above this message, "+
		"and `terraform state list -id=%s` prints it too (with OpenTofu, run tofu instead of terraform).", id)
}
