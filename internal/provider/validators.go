package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// positiveDuration refuses zero and negative durations; timetypes.GoDuration
// already refuses text that is not a duration.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return "value must be a positive duration"
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (positiveDuration) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	dur, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		return // reported by timetypes.GoDuration's own validation
	}
	if dur <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s must be a positive duration such as \"30s\", got %q.", req.Path, req.ConfigValue.ValueString()))
	}
}

// validateURLAttribute applies the https-or-loopback rule to a configured URL.
func validateURLAttribute(v types.String, p path.Path, diags *diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if err := client.ValidateBaseURL(v.ValueString()); err != nil {
		diags.AddAttributeError(p, "Invalid URL", fmt.Sprintf("%s: %s", p, err))
	}
}

var pathID = path.Root("id")

// objectIDValidator accepts a MongoDB ObjectId: 24 hexadecimal digits.
var objectIDValidator = stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9a-f]{24}$`), "must be a campaign id of 24 lowercase hexadecimal digits")

// nonEmptyCampaignsFilter refuses campaigns = [] and says why: the API reads
// no campaigns[] parameter as every campaign, so an empty list (often one
// computed from a lookup that matched nothing) would silently widen the
// report to every campaign instead of selecting none.
type nonEmptyCampaignsFilter struct{}

func (nonEmptyCampaignsFilter) Description(context.Context) string {
	return "must hold at least one campaign UUID; omit it to read every campaign"
}

func (v nonEmptyCampaignsFilter) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (nonEmptyCampaignsFilter) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || len(req.ConfigValue.Elements()) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty campaigns filter",
		fmt.Sprintf("%s is an empty list. Evolux has no way to ask for no campaign: without a campaigns[] parameter it reports "+
			"every campaign, so an empty list (for example one computed from a lookup that matched nothing) would silently "+
			"read the subscribers of every campaign. Give at least one campaign UUID, or omit %s (or set it to null) "+
			"to read every campaign on purpose.", req.Path, req.Path))
}
