package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// sameInstant tells whether two RFC 3339 texts name the same instant, whatever
// their offsets: "2030-01-01T12:00:00Z" and "2030-01-01T09:00:00-03:00" are
// one moment. timetypes.RFC3339's own semantic equality only equates "Z"
// with "+00:00", which is too strict for a schedule.
func sameInstant(a, b string) bool {
	if a == b {
		return true
	}
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}

// useStateForSameInstant keeps the prior timestamp when the configuration
// names the same instant in other words, so such an edit plans no change.
func useStateForSameInstant() planmodifier.String {
	return sameInstantModifier{}
}

type sameInstantModifier struct{}

func (sameInstantModifier) Description(context.Context) string {
	return "Keeps the prior value when the new timestamp is the same instant written differently."
}

func (m sameInstantModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameInstantModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if sameInstant(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
