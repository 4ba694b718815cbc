package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// seedCampaigns stores campaigns out of band in acme/sales-bot, one per
// name with the given status, and one in another bot that no selection of
// sales-bot may return. It returns the sales-bot ids sorted.
func seedCampaigns(t *testing.T, srv *emulator.Server, nameStatus ...string) []string {
	t.Helper()
	var ids []string
	for i := 0; i+1 < len(nameStatus); i += 2 {
		id := builder.NewObjectID()
		name, status, content := nameStatus[i], nameStatus[i+1], "Olá de "+nameStatus[i]
		srv.PutCampaign("acme", "sales-bot", builder.Campaign{ID: id, CampaignName: &name, Status: &status, Content: &content,
			SheetValues: []string{"name", "phone"}})
		ids = append(ids, id)
	}
	other := "elsewhere"
	srv.PutCampaign("acme", "support-bot", builder.Campaign{ID: builder.NewObjectID(), CampaignName: &other})
	slices.Sort(ids)
	return ids
}

func campaignsDataSourceConfig(srv *emulator.Server, filters string) string {
	return providerConfig(srv) + fmt.Sprintf(`
data "campaigns_builder_campaigns" "all" {
  organization = "acme"
  bot_name     = "sales-bot"
%s}
`, filters)
}

const campaignsDataAddr = "data.campaigns_builder_campaigns.all"

func TestAccBuilderCampaignsDataSource_listsFiltersAndSortsByID(t *testing.T) {
	t.Parallel()
	// Under list-summaries the list answers only some fields of each
	// campaign: the data source must still return every attribute.
	for _, dialect := range []emulator.Dialect{emulator.DialectReference, emulator.DialectListSummaries, emulator.DialectPydanticV1} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			testCampaignsDataSource(t, emulator.Config{Dialects: []emulator.Dialect{dialect}})
		})
	}
}

func testCampaignsDataSource(t *testing.T, cfg emulator.Config) {
	srv := startEmulator(t, cfg)
	ids := seedCampaigns(t, srv, "zeta", builder.StatusNotStarted, "alpha", builder.StatusConcluded, "mid", builder.StatusNotStarted)
	campaignsAt := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("campaigns").AtSliceIndex(i).AtMapKey(attr)
	}
	idChecks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		idChecks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: campaignsDataSourceConfig(srv, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					// Every campaign of the bot, none of another, in id order.
					statecheck.ExpectKnownValue(campaignsDataAddr, tfjsonpath.New("campaigns"), knownvalue.ListExact(idChecks)),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "organization"), knownvalue.StringExact("acme")),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "bot_name"), knownvalue.StringExact("sales-bot")),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "creation_date"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "content"), knownvalue.StringRegexp(regexp.MustCompile(`^Olá de `))),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "sheet_values"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("name"), knownvalue.StringExact("phone")})),
				},
			},
			{
				Config: campaignsDataSourceConfig(srv, `  status = "not_started"`+"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignsDataAddr, tfjsonpath.New("campaigns"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "status"), knownvalue.StringExact(builder.StatusNotStarted)),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(1, "status"), knownvalue.StringExact(builder.StatusNotStarted)),
				},
			},
			{
				Config: campaignsDataSourceConfig(srv, `  status        = "concluded"`+"\n"+`  campaign_name = "alpha"`+"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignsDataAddr, tfjsonpath.New("campaigns"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "campaign_name"), knownvalue.StringExact("alpha")),
					statecheck.ExpectKnownValue(campaignsDataAddr, campaignsAt(0, "content"), knownvalue.StringExact("Olá de alpha")),
				},
			},
			{
				Config: campaignsDataSourceConfig(srv, `  campaign_name = "nobody"`+"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignsDataAddr, tfjsonpath.New("campaigns"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

func TestAccBuilderCampaignsDataSource_badStatusFailsAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      campaignsDataSourceConfig(srv, `  status = "started"`+"\n"),
			ExpectError: regexp.MustCompile(`(?s)status.*not_started`),
		}},
	})
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("a refused filter still sent %d requests: %v", n, srv.Counts())
	}
}
