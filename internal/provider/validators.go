package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
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
	d, diags := timetypes.NewGoDurationValue(0).ValueFromString(ctx, req.ConfigValue)
	if diags.HasError() {
		return // reported by the type's own validation
	}
	dur, diags := d.(timetypes.GoDuration).ValueGoDuration()
	if diags.HasError() {
		return
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
