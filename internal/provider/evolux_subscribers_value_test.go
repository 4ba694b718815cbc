package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

func testSubscribers(names ...string) []evolux.Subscriber {
	state := "sent"
	records := make([]evolux.Subscriber, len(names))
	for i, name := range names {
		records[i] = evolux.Subscriber{Name: &name, State: &state, Raw: `{"name":"` + name + `"}`}
	}
	return records
}

// The subscribers list is a custom type only so that the framework's work
// after a read stays constant; to Terraform and to HCL it must be exactly
// the list of objects the schema describes.
func TestSubscribersValue_isTheListTerraformSees(t *testing.T) {
	ctx := context.Background()
	want := types.ListType{ElemType: evoluxSubscriberType}.TerraformType(ctx)
	if got := (subscribersListType{}).TerraformType(ctx); !got.Equal(want) {
		t.Fatalf("TerraformType() = %s, want %s", got, want)
	}

	value := newSubscribersValue(ctx, testSubscribers("Ana", "Bia"))
	list, diags := value.ToListValue(ctx)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if len(list.Elements()) != 2 {
		t.Fatalf("ToListValue() has %d elements, want 2", len(list.Elements()))
	}
	back, diags := subscribersListType{}.ValueFromList(ctx, list)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !back.Equal(value) || !value.Equal(back) {
		t.Fatal("a value converted to types.List and back is not equal to itself")
	}

	raw, err := value.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := subscribersListType{}.ValueFromTerraform(ctx, raw)
	if err != nil || !again.Equal(value) {
		t.Fatalf("ValueFromTerraform(ToTerraformValue()) = %v, %v", again, err)
	}
	if _, err := (subscribersListType{}).ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "x")); err == nil {
		t.Fatal("ValueFromTerraform accepted a string")
	}
}

func TestSubscribersValue_equal(t *testing.T) {
	ctx := context.Background()
	null, err := subscribersListType{}.ValueFromTerraform(ctx, tftypes.NewValue((subscribersListType{}).TerraformType(ctx), nil))
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := subscribersListType{}.ValueFromTerraform(ctx, tftypes.NewValue((subscribersListType{}).TerraformType(ctx), tftypes.UnknownValue))
	if err != nil {
		t.Fatal(err)
	}
	ab := newSubscribersValue(ctx, testSubscribers("Ana", "Bia"))
	tests := []struct {
		name string
		a, b attr.Value
		want bool
	}{
		{"the same value", ab, ab, true},
		{"equal elements built apart", newSubscribersValue(ctx, testSubscribers("Ana", "Bia")), ab, true},
		{"another element", newSubscribersValue(ctx, testSubscribers("Ana", "Cid")), ab, false},
		{"fewer elements", newSubscribersValue(ctx, testSubscribers("Ana")), ab, false},
		{"empty and empty", newSubscribersValue(ctx, nil), newSubscribersValue(ctx, nil), true},
		{"null and a list", null, ab, false},
		{"null and null", null, subscribersValue{}, true},
		{"unknown and a list", unknown, ab, false},
		{"unknown and unknown", unknown, unknown, true},
		{"a types.List", ab, types.ListNull(evoluxSubscriberType), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Fatalf("Equal() = %v, want %v", got, tt.want)
			}
		})
	}
}

// newSubscribersValue is the value of `subscribers` for these records.
func newSubscribersValue(ctx context.Context, records []evolux.Subscriber) subscribersValue {
	b := newSubscribersBuilder(ctx)
	b.add(records)
	return b.value()
}

// TestSubscriberCounts_tolerantRecords: a record without a state counts
// only in total, one without a campaign in total and state_counts; every
// documented state is present, zero included, in each map; a state outside
// them gets its own key.
func TestSubscriberCounts_tolerantRecords(t *testing.T) {
	str := func(s string) *string { return &s }
	page := []evolux.Subscriber{
		{State: str("sent"), CampaignUUID: str("c1")},
		{State: str("sent"), CampaignUUID: str("c1")},
		{State: str("error"), CampaignUUID: str("c2")},
		{State: str("paused"), CampaignUUID: str("c2")},
		{State: str("dnd")},
		{CampaignUUID: str("c3")},
		{State: str("")},
		{},
	}
	counts := newSubscriberCounts()
	counts.add(page)
	counts.add(page[:1])

	states, diags := counts.stateCounts()
	campaigns, moreDiags := counts.campaignCounts()
	if diags.HasError() || moreDiags.HasError() {
		t.Fatal(diags, moreDiags)
	}
	if counts.total != 9 {
		t.Errorf("total %d, want 9", counts.total)
	}
	wantStates := `{"completed":0,"dnd":1,"error":1,"paused":1,"pending":0,"scheduled":0,"sent":3}`
	if got := states.String(); got != wantStates {
		t.Errorf("state_counts %s\nwant %s", got, wantStates)
	}
	wantCampaigns := `{"c1":{"completed":0,"dnd":0,"error":0,"pending":0,"scheduled":0,"sent":3},` +
		`"c2":{"completed":0,"dnd":0,"error":1,"paused":1,"pending":0,"scheduled":0,"sent":0}}`
	if got := campaigns.String(); got != wantCampaigns {
		t.Errorf("campaign_counts %s\nwant %s", got, wantCampaigns)
	}
}
