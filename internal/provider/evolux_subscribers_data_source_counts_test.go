package provider

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// TestAccEvoluxSubscribers_countsOnlyKeepsNoRecords reads the same report
// through Evolux's older v1 envelope with and without the records: the
// counts are the same and exact either way (computed here from what a plain
// HTTP client gets), and without them subscribers is null.
func TestAccEvoluxSubscribers_countsOnlyKeepsNoRecords(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 1000, Seed: 3, PageSize: 50, EvoluxPaging: emulator.PagingV1})
	want := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, nil)
	if len(want) != 1000 {
		t.Fatalf("the emulator served %d records directly, want 1000", len(want))
	}
	srv.ResetCounts()
	counts := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(1000)),
		statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("state_counts"), expectedStateCounts(t, want)),
		statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("campaign_counts"), expectedCampaignCounts(t, want)),
	}
	config := func(include string) string {
		return providerConfig(srv) + `
data "campaigns_evolux_subscribers" "test" {
  include_subscribers = ` + include + `
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: config("false"),
				ConfigStateChecks: append([]statecheck.StateCheck{
					statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), knownvalue.Null()),
				}, counts...),
			},
			{
				Config: config("true"),
				ConfigStateChecks: append([]statecheck.StateCheck{
					statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), subscribersAre(want)),
				}, counts...),
			},
		},
	})
	// Every read costs the 20 pages, whatever is kept.
	if n := srv.Count(emulator.OpEvoluxSubscribers); n == 0 || n%20 != 0 {
		t.Errorf("the emulator received %d report requests, want a positive multiple of 20", n)
	}
}

// TestAccEvoluxSubscribers_timeoutNamesTheFiltersToNarrow: a report that
// takes longer than timeouts.read fails, naming the filters not used yet.
func TestAccEvoluxSubscribers_timeoutNamesTheFiltersToNarrow(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 100, Seed: 3, Latency: 3 * time.Second})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "campaigns_evolux_subscribers" "test" {
  state = "error"
  timeouts {
    read = "1s"
  }
}
`,
			ExpectError: wrappedPhrases("Evolux report took too long", "within 1s (timeouts.read",
				"not set yet: campaigns, template_uuid, start, end", "include_subscribers = false"),
		}},
	})
	// The report needs two pages of 3 s each; a read that the deadline
	// stopped never asked for the second. (Counted, not timed: the machine
	// may be busy.)
	if n := srv.Count(emulator.OpEvoluxSubscribers); n != 1 {
		t.Errorf("the emulator received %d report requests, want 1: the timeout did not stop the read", n)
	}
}

// campaignStateCounts tallies the records as campaign_counts does: for each
// campaign UUID of the records (campaign.uuid in the emulator's records),
// the six states, zero included.
func campaignStateCounts(t *testing.T, records []json.RawMessage) map[string]map[string]int64 {
	t.Helper()
	counts := map[string]map[string]int64{}
	for _, r := range records {
		var record struct {
			State    string `json:"state"`
			Campaign struct {
				UUID string `json:"uuid"`
			} `json:"campaign"`
		}
		if err := json.Unmarshal(r, &record); err != nil {
			t.Fatal(err)
		}
		if record.Campaign.UUID == "" || record.State == "" {
			continue
		}
		if counts[record.Campaign.UUID] == nil {
			counts[record.Campaign.UUID] = map[string]int64{}
			for _, s := range evolux.States {
				counts[record.Campaign.UUID][s] = 0
			}
		}
		counts[record.Campaign.UUID][record.State]++
	}
	return counts
}

// expectedCampaignCounts is the campaign_counts the records must produce.
func expectedCampaignCounts(t *testing.T, records []json.RawMessage) knownvalue.Check {
	t.Helper()
	counts := campaignStateCounts(t, records)
	if len(counts) < 2 {
		t.Fatalf("the records span %d campaigns; the test needs several", len(counts))
	}
	checks := map[string]knownvalue.Check{}
	for campaign, states := range counts {
		inner := map[string]knownvalue.Check{}
		for s, n := range states {
			inner[s] = knownvalue.Int64Exact(n)
		}
		checks[campaign] = knownvalue.MapExact(inner)
	}
	return knownvalue.MapExact(checks)
}

// expectedCampaignErrors is the error count of each campaign of the records.
func expectedCampaignErrors(t *testing.T, records []json.RawMessage) knownvalue.Check {
	t.Helper()
	checks := map[string]knownvalue.Check{}
	for campaign, states := range campaignStateCounts(t, records) {
		checks[campaign] = knownvalue.Int64Exact(states["error"])
	}
	return knownvalue.MapExact(checks)
}
