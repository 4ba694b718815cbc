package provider

import (
	"context"
	"encoding/json"
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

// stringCheck validates known strings: problem returns what is wrong (the error's detail), or "".
type stringCheck struct {
	description, summary string
	problem              func(p path.Path, value string) string
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.problem(req.Path, req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, msg)
	}
}

// positiveDuration refuses durations <= 0 (timetypes.GoDuration refuses the rest).
var positiveDuration = stringCheck{"value must be a positive duration", "Invalid duration", func(p path.Path, v string) string {
	if d, err := time.ParseDuration(v); err == nil && d <= 0 {
		return fmt.Sprintf("%s must be a positive duration such as \"30s\", got %q.", p, v)
	}
	return ""
}}

// jsonObjectText refuses JSON that is not an object (jsontypes.Normalized refuses non-JSON).
var jsonObjectText = stringCheck{"value must be a JSON object", "Invalid payload", func(p path.Path, text string) string {
	var object map[string]json.RawMessage
	if json.Valid([]byte(text)) && (json.Unmarshal([]byte(text), &object) != nil || object == nil) {
		return fmt.Sprintf("%s must be a JSON object, such as jsonencode({ name = \"value\" }); got %s.", p, summarizeJSON(text, 80))
	}
	return ""
}}

// firedTriggerID refuses an empty id and the placeholders, which Builder cannot know.
var firedTriggerID = stringCheck{"value must be the id of a fired trigger", "Invalid trigger id", triggerIDProblem}

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

// nonEmptyCampaignsFilter refuses campaigns = [], which the API would widen to every campaign.
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
