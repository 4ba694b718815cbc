package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// The framework consults semantic equality only when reading values back, never
// while planning, so a change of spelling alone would plan an update or a replacement.
// These modifiers keep the prior value instead (Terraform accepts it); list them before RequiresReplace.

// equivalenceModifier keeps the prior value when equivalent says the planned one means the same.
type equivalenceModifier struct {
	description string
	equivalent  func(ctx context.Context, prior, planned types.String) bool
}

func (m equivalenceModifier) Description(context.Context) string         { return m.description }
func (m equivalenceModifier) MarkdownDescription(context.Context) string { return m.description }

func (m equivalenceModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if !req.PlanValue.Equal(req.StateValue) && m.equivalent(ctx, req.StateValue, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

// useStateWhenSemanticallyEqual uses typ's semantic equality (JSON: other
// whitespace or key order); a typ without one is a programming error: panic.
func useStateWhenSemanticallyEqual(typ basetypes.StringTypable) planmodifier.String {
	if _, ok := typ.ValueType(context.Background()).(basetypes.StringValuableWithSemanticEquals); !ok {
		panic(fmt.Sprintf("useStateWhenSemanticallyEqual: %T has no semantic equality", typ))
	}
	return equivalenceModifier{
		"Keeps the prior value when the new value is equivalent to it, so that equivalent text never shows a change or a replacement.",
		func(ctx context.Context, prior, planned types.String) bool {
			priorValue, diags := typ.ValueFromString(ctx, prior)
			if diags.HasError() {
				return false
			}
			plannedValue, diags := typ.ValueFromString(ctx, planned)
			if diags.HasError() {
				return false
			}
			// Text that does not parse equals nothing (its validation reports it).
			semantic, _ := priorValue.(basetypes.StringValuableWithSemanticEquals)
			equal, diags := semantic.StringSemanticEquals(ctx, plannedValue)
			return equal && !diags.HasError()
		}}
}

// useStateForSameInstant equates texts of one instant whatever their offsets (timetypes only equates
// "Z" and "+00:00"), and a prior value that is the planned one as the server stores it (an import's).
func useStateForSameInstant() planmodifier.String {
	return equivalenceModifier{
		"Keeps the prior value when the new timestamp is the same instant written differently.",
		func(_ context.Context, prior, planned types.String) bool {
			return sameInstant(prior.ValueString(), planned.ValueString()) ||
				client.SameStoredInstant(planned.ValueString(), prior.ValueString())
		}}
}

// sameInstant: "...12:00:00Z", "...09:00:00-03:00" and a server's naive "...12:00:00" are one instant.
func sameInstant(a, b string) bool {
	if a == b {
		return true
	}
	ta, okA := client.ParseTimestamp(a)
	tb, okB := client.ParseTimestamp(b)
	return okA && okB && ta.Equal(tb)
}
