package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// useStateWhenSemanticallyEqual keeps the prior state value when the planned
// value is equivalent to it under typ's semantic equality (the same JSON with
// other whitespace or key order; for timetypes.RFC3339, "Z" and "+00:00").
//
// The framework consults a custom type's semantic equality only when it reads
// values back from Create, Read and Update, never while planning: an
// attribute with RequiresReplace would otherwise be replaced over a
// difference of spelling. List this modifier before RequiresReplace.
//
// typ must produce values that implement
// basetypes.StringValuableWithSemanticEquals (jsontypes.NormalizedType,
// timetypes.RFC3339Type); anything else is a programming error and panics.
func useStateWhenSemanticallyEqual(typ basetypes.StringTypable) planmodifier.String {
	if _, ok := typ.ValueType(context.Background()).(basetypes.StringValuableWithSemanticEquals); !ok {
		panic(fmt.Sprintf("useStateWhenSemanticallyEqual: %T has no semantic equality", typ))
	}
	return semanticEqualityModifier{typ: typ}
}

type semanticEqualityModifier struct {
	typ basetypes.StringTypable
}

func (m semanticEqualityModifier) Description(context.Context) string {
	return "Keeps the prior value when the new value is equivalent to it, so that equivalent text never shows a change or a replacement."
}

func (m semanticEqualityModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m semanticEqualityModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if req.PlanValue.Equal(req.StateValue) {
		return
	}
	prior, diags := m.typ.ValueFromString(ctx, req.StateValue)
	if diags.HasError() {
		return
	}
	planned, diags := m.typ.ValueFromString(ctx, req.PlanValue)
	if diags.HasError() {
		return
	}
	// Text that does not parse is not equal to anything; the type's own
	// validation reports it, so its diagnostics are not repeated here.
	equal, diags := prior.(basetypes.StringValuableWithSemanticEquals).StringSemanticEquals(ctx, planned)
	if diags.HasError() || !equal {
		return
	}
	resp.PlanValue = req.StateValue
}
