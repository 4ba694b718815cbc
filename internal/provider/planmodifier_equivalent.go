package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// The framework consults a custom type's semantic equality only when it reads
// values back from Create, Read and Update, never while planning, so an edit
// that changes only the spelling of a value (JSON whitespace, a timestamp's
// offset) would plan an update, or a replacement under RequiresReplace. These
// modifiers keep the prior value instead; Terraform accepts a prior value for
// a configured attribute as "functionally equivalent". List them before
// RequiresReplace.

// useStateWhenEquivalent keeps the prior state value when equivalent says
// the planned value means the same.
func useStateWhenEquivalent(description string, equivalent func(ctx context.Context, prior, planned types.String) bool) planmodifier.String {
	return equivalenceModifier{description: description, equivalent: equivalent}
}

type equivalenceModifier struct {
	description string
	equivalent  func(ctx context.Context, prior, planned types.String) bool
}

func (m equivalenceModifier) Description(context.Context) string { return m.description }

func (m equivalenceModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m equivalenceModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if !req.PlanValue.Equal(req.StateValue) && m.equivalent(ctx, req.StateValue, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

// useStateWhenSemanticallyEqual uses typ's semantic equality (for
// jsontypes.NormalizedType: the same JSON with other whitespace or key
// order). typ must have semantic equality; anything else is a programming
// error and panics.
func useStateWhenSemanticallyEqual(typ basetypes.StringTypable) planmodifier.String {
	if _, ok := typ.ValueType(context.Background()).(basetypes.StringValuableWithSemanticEquals); !ok {
		panic(fmt.Sprintf("useStateWhenSemanticallyEqual: %T has no semantic equality", typ))
	}
	return useStateWhenEquivalent(
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
			// Text that does not parse is equal to nothing; the type's own
			// validation reports it. The constructor checked the assertion.
			semantic, _ := priorValue.(basetypes.StringValuableWithSemanticEquals)
			equal, diags := semantic.StringSemanticEquals(ctx, plannedValue)
			return equal && !diags.HasError()
		})
}

// useStateForSameInstant treats two RFC 3339 texts of the same instant as
// equal whatever their offsets: timetypes.RFC3339's own semantic equality
// only equates "Z" with "+00:00", which is too strict for a schedule. A
// prior value that is the planned one as the server stores it (an import
// holds the server's value, at a coarser precision) is equal too.
func useStateForSameInstant() planmodifier.String {
	return useStateWhenEquivalent(
		"Keeps the prior value when the new timestamp is the same instant written differently.",
		func(_ context.Context, prior, planned types.String) bool {
			return sameInstant(prior.ValueString(), planned.ValueString()) ||
				client.SameStoredInstant(planned.ValueString(), prior.ValueString())
		})
}

// sameInstant tells whether two timestamps name the same instant:
// "2030-01-01T12:00:00Z", "2030-01-01T09:00:00-03:00" and a server's naive
// "2030-01-01T12:00:00" are one moment.
func sameInstant(a, b string) bool {
	if a == b {
		return true
	}
	ta, okA := client.ParseTimestamp(a)
	tb, okB := client.ParseTimestamp(b)
	return okA && okB && ta.Equal(tb)
}
