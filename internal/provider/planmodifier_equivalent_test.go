package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

func TestUseStateWhenSemanticallyEqual(t *testing.T) {
	const state = `{"a":1,"b":["x"]}`
	cases := map[string]struct {
		typ         basetypes.StringTypable
		state, plan types.String
		want        types.String
	}{
		"JSON, other whitespace and key order": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(state),
			plan: types.StringValue("{ \"b\": [ \"x\" ],\n  \"a\": 1 }"), want: types.StringValue(state),
		},
		"JSON, a different value": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(state),
			plan: types.StringValue(`{"a":2,"b":["x"]}`), want: types.StringValue(`{"a":2,"b":["x"]}`),
		},
		"JSON, a different number spelling is a different value": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(`{"a":1}`),
			plan: types.StringValue(`{"a":1.0}`), want: types.StringValue(`{"a":1.0}`),
		},
		"JSON, invalid plan": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(state),
			plan: types.StringValue(`{"a":`), want: types.StringValue(`{"a":`),
		},
		"JSON, unknown plan": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(state),
			plan: types.StringUnknown(), want: types.StringUnknown(),
		},
		"JSON, null state (create)": {
			typ: jsontypes.NormalizedType{}, state: types.StringNull(),
			plan: types.StringValue(state), want: types.StringValue(state),
		},
		"JSON, null plan": {
			typ: jsontypes.NormalizedType{}, state: types.StringValue(state),
			plan: types.StringNull(), want: types.StringNull(),
		},
		"RFC 3339, Z and +00:00": {
			typ: timetypes.RFC3339Type{}, state: types.StringValue("2025-11-28T12:00:00Z"),
			plan: types.StringValue("2025-11-28T12:00:00+00:00"), want: types.StringValue("2025-11-28T12:00:00Z"),
		},
		"RFC 3339, the type decides: timetypes keeps offsets apart": {
			typ: timetypes.RFC3339Type{}, state: types.StringValue("2025-11-28T12:00:00Z"),
			plan: types.StringValue("2025-11-28T09:00:00-03:00"), want: types.StringValue("2025-11-28T09:00:00-03:00"),
		},
		"RFC 3339, another instant": {
			typ: timetypes.RFC3339Type{}, state: types.StringValue("2025-11-28T12:00:00Z"),
			plan: types.StringValue("2025-11-28T12:00:01Z"), want: types.StringValue("2025-11-28T12:00:01Z"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := planmodifier.StringRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.StringResponse{PlanValue: tc.plan}
			useStateWhenSemanticallyEqual(tc.typ).PlanModifyString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("diagnostics: %v", resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}

func TestUseStateWhenSemanticallyEqual_refusesTypesWithoutSemanticEquality(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a type without semantic equality")
		}
	}()
	useStateWhenSemanticallyEqual(types.StringType)
}

func TestUseStateForSameInstant(t *testing.T) {
	cases := map[string]struct{ state, plan, want types.String }{
		"the same instant at another offset": {types.StringValue("2030-01-01T12:00:00Z"), types.StringValue("2030-01-01T09:00:00-03:00"), types.StringValue("2030-01-01T12:00:00Z")},
		"fractional zeros":                   {types.StringValue("2030-01-01T12:00:00Z"), types.StringValue("2030-01-01T12:00:00.000Z"), types.StringValue("2030-01-01T12:00:00Z")},
		"another instant":                    {types.StringValue("2030-01-01T12:00:00Z"), types.StringValue("2030-01-01T09:00:00Z"), types.StringValue("2030-01-01T09:00:00Z")},
		// An import holds the server's value, kept at a coarser precision
		// than the configuration writes: the same value, no update (which a
		// started campaign would refuse, blocking the import).
		"imported at the server's precision": {types.StringValue("2030-01-01T12:00:00.123456Z"), types.StringValue("2030-01-01T09:00:00.123456789-03:00"), types.StringValue("2030-01-01T12:00:00.123456Z")},
		"another millisecond":                {types.StringValue("2030-01-01T12:00:00.124Z"), types.StringValue("2030-01-01T09:00:00.123456789-03:00"), types.StringValue("2030-01-01T09:00:00.123456789-03:00")},
		"not a timestamp":                    {types.StringValue("2030-01-01T12:00:00Z"), types.StringValue("tomorrow"), types.StringValue("tomorrow")},
		"create":                             {types.StringNull(), types.StringValue("2030-01-01T12:00:00Z"), types.StringValue("2030-01-01T12:00:00Z")},
		"unknown plan":                       {types.StringValue("2030-01-01T12:00:00Z"), types.StringUnknown(), types.StringUnknown()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := &planmodifier.StringResponse{PlanValue: tc.plan}
			useStateForSameInstant().PlanModifyString(context.Background(), planmodifier.StringRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}, resp)
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}
