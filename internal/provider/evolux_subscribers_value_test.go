package provider

import (
	"testing"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

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

	states, campaigns := counts.maps()
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
