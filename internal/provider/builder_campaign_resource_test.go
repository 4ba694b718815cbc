package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const campaignAddr = "campaigns_builder_campaign.welcome"

func campaignConfig(srv *emulator.Server, bot, content, scheduled string) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "welcome" {
  organization   = "acme"
  bot_name       = %[1]q
  campaign_name  = "welcome-2026"
  name           = "Welcome"
  description    = "First message to new customers"
  content        = %[2]q
  scheduled_date = %[3]q
  sheet_values   = ["name", "phone"]
}
`, bot, content, scheduled)
}

// expectCounts checks the emulator's request counters after a step.
func expectCounts(srv *emulator.Server, want map[emulator.Op]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for op, n := range want {
			if got := srv.Count(op); got != n {
				return fmt.Errorf("emulator counted %d %s requests, want %d (all counts: %v)", got, op, n, srv.Counts())
			}
		}
		return nil
	}
}

func expectCampaignsHeld(srv *emulator.Server, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(srv.Campaigns()); got != n {
			return fmt.Errorf("emulator holds %d campaigns, want %d", got, n)
		}
		return nil
	}
}

func campaignsDestroyed(srv *emulator.Server) resource.TestCheckFunc {
	return expectCampaignsHeld(srv, 0)
}

func onlyCampaignID(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	all := srv.Campaigns()
	if len(all) != 1 {
		t.Fatalf("emulator holds %d campaigns, want 1", len(all))
	}
	return all[0].ID
}

func TestAccBuilderCampaign_createImportUpdateInPlace(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: campaignConfig(srv, "support-bot", "Olá! Bem-vindo.", "2030-01-01T09:00:00-03:00"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(campaignAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`))),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("status"), knownvalue.StringExact(builder.StatusNotStarted)),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("creation_date"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("sheet_values"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("name"), knownvalue.StringExact("phone"),
					})),
				},
				Check: resource.ComposeTestCheckFunc(
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 1}),
					expectCampaignsHeld(srv, 1),
				),
			},
			{
				ResourceName:      campaignAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs := s.RootModule().Resources[campaignAddr]
					return "acme/support-bot/" + rs.Primary.ID, nil
				},
				// Import has no configuration to keep the spelling of: it
				// shows the server's instant normalized to UTC.
				ImportStateVerifyIgnore: []string{"scheduled_date"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["scheduled_date"]; got != "2030-01-01T12:00:00Z" {
						return fmt.Errorf("imported scheduled_date = %q, want 2030-01-01T12:00:00Z", got)
					}
					return nil
				},
			},
			{
				Config: campaignConfig(srv, "support-bot", "Olá! Bem-vinda.", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(campaignAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("content"), knownvalue.StringExact("Olá! Bem-vinda.")),
				},
				Check: expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 1, emulator.OpCampaignUpdate: 1}),
			},
		},
	})
}

func TestAccBuilderCampaign_equivalentScheduledDateNoDiff(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				// The same instant written with another offset.
				Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T09:00:00-03:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 0}),
			},
		},
	})
}

func TestAccBuilderCampaign_startedCampaignCannotChange(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				// The server sends it; the refresh sees the new status, and no diff.
				PreConfig: func() {
					srv.SetCampaignStatus(onlyCampaignID(t, srv), builder.StatusConcluded)
				},
				Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("status"), knownvalue.StringExact(builder.StatusConcluded)),
				},
			},
			{
				Config:      campaignConfig(srv, "support-bot", "changed after sending", "2030-01-01T12:00:00Z"),
				ExpectError: regexp.MustCompile(`(?s)Campaign already started.*cannot be changed.*-replace=ADDRESS.*ADDRESS is this resource's address.*state\s+list\s+-id=[0-9a-f]{24}.*content:\s+Builder\s+holds\s+"hi",\s+the\s+configuration\s+"changed\s+after\s+sending"`),
			},
			{
				// Moving it to another bot is a visible replacement: a new campaign.
				Config: campaignConfig(srv, "sales-bot", "hi", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("status"), knownvalue.StringExact(builder.StatusNotStarted)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectCampaignsHeld(srv, 1),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 0, emulator.OpCampaignCreate: 2, emulator.OpCampaignDelete: 1}),
				),
			},
		},
	})
}

// Moving a started campaign to another bot is a replacement (a new campaign),
// so editing its content in the same change must not be refused as an
// in-place change of a started campaign.
func TestAccBuilderCampaign_startedCampaignMovedAndEditedIsReplaced(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				PreConfig: func() { srv.SetCampaignStatus(onlyCampaignID(t, srv), builder.StatusConcluded) },
				Config:    campaignConfig(srv, "sales-bot", "a new message", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("bot_name"), knownvalue.StringExact("sales-bot")),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("content"), knownvalue.StringExact("a new message")),
					statecheck.ExpectKnownValue(campaignAddr, tfjsonpath.New("status"), knownvalue.StringExact(builder.StatusNotStarted)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectCampaignsHeld(srv, 1),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 0, emulator.OpCampaignCreate: 2, emulator.OpCampaignDelete: 1}),
				),
			},
		},
	})
}

func TestAccBuilderCampaign_conflictFromServerExplained(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				// The campaign starts after the plan was made: the server's 409
				// gives the same explanation as the plan-time check.
				Config: campaignConfig(srv, "support-bot", "changed", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{startCampaignNow(srv)},
				},
				ExpectError: regexp.MustCompile(`(?s)Campaign already started.*HTTP 409`),
			},
		},
	})
}

// startCampaignNow is a plan check that starts every campaign in the
// emulator between plan and apply.
func startCampaignNow(srv *emulator.Server) plancheck.PlanCheck {
	return planCheckFunc(func() {
		for _, c := range srv.Campaigns() {
			srv.SetCampaignStatus(c.ID, builder.StatusInProgress)
		}
	})
}

func TestAccBuilderCampaign_deletedOutOfBandIsRecreated(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				PreConfig: func() { srv.RemoveCampaign(onlyCampaignID(t, srv)) },
				Config:    campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					expectCampaignsHeld(srv, 1),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 2}),
				),
			},
		},
	})
}

func manyCampaignsConfig(srv *emulator.Server, n int) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "many" {
  count         = %d
  organization  = "acme"
  bot_name      = "bot-${count.index %% 3}"
  campaign_name = "campaign-${count.index}"
  content       = "message ${count.index}"
}
`, n)
}

func TestAccBuilderCampaign_manyCampaignsOneLogin(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Latency: 5 * time.Millisecond})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{{
			Config: manyCampaignsConfig(srv, 25),
			// The plan needs no request; the apply is one provider instance:
			// 25 creates must cost exactly one login.
			Check: resource.ComposeTestCheckFunc(
				expectCampaignsHeld(srv, 25),
				expectCounts(srv, map[emulator.Op]int{emulator.OpLogin: 1, emulator.OpCampaignCreate: 25, emulator.OpCampaignRead: 0}),
			),
		}},
	})
}

func TestAccBuilderCampaign_tokenExpiresDuringApply(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Latency: 100 * time.Millisecond, TokenLifetime: 250 * time.Millisecond})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: manyCampaignsConfig(srv, 40),
			Check: resource.ComposeTestCheckFunc(
				expectCampaignsHeld(srv, 40),
				func(*terraform.State) error {
					// 40 creates at parallelism 10 and 100 ms each outlive a 250 ms token.
					if srv.Count(emulator.OpRefresh) == 0 {
						return fmt.Errorf("no token refresh counted: %v", srv.Counts())
					}
					if n := srv.Count(emulator.OpLogin) + srv.Count(emulator.OpRefresh); n > 10 {
						return fmt.Errorf("%d logins and refreshes for 40 creates, want a handful: %v", n, srv.Counts())
					}
					return nil
				},
			),
		}},
	})
}

// A create that fails in any way ends with exactly one campaign, the one in
// state: a lost answer is followed by a read of the same id, not a second
// create (and, on a server that makes its own ids, by a look through the
// bot's list); a refusal that processed nothing is sent again.
func TestAccBuilderCampaign_faultyCreateMakesExactlyOneCampaign(t *testing.T) {
	cases := map[string]struct {
		fault    emulator.FaultKind
		dialects []emulator.Dialect
		want     map[emulator.Op]int
	}{
		"answer lost after the create":   {fault: emulator.FaultDropAfter, want: map[emulator.Op]int{emulator.OpCampaignCreate: 1, emulator.OpCampaignRead: 1}},
		"rate limited":                   {fault: emulator.FaultRateLimit, want: map[emulator.Op]int{emulator.OpCampaignCreate: 2, emulator.OpCampaignRead: 0}},
		"server error before the create": {fault: emulator.FaultServerError, want: map[emulator.Op]int{emulator.OpCampaignCreate: 2, emulator.OpCampaignRead: 1, emulator.OpCampaignList: 1}},
		"answer lost, the server makes its own ids": {
			fault: emulator.FaultDropAfter, dialects: []emulator.Dialect{emulator.DialectServerIDs, emulator.DialectListSummaries},
			want: map[emulator.Op]int{emulator.OpCampaignCreate: 1, emulator.OpCampaignRead: 2, emulator.OpCampaignList: 1},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{Dialects: tc.dialects})
			srv.InjectFault(emulator.OpCampaignCreate, tc.fault, 1)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z"),
					Check: resource.ComposeTestCheckFunc(
						expectCampaignsHeld(srv, 1),
						expectCounts(srv, tc.want),
						func(s *terraform.State) error {
							if id := s.RootModule().Resources[campaignAddr].Primary.ID; id != srv.Campaigns()[0].ID {
								return fmt.Errorf("state holds campaign %s, the emulator %s", id, srv.Campaigns()[0].ID)
							}
							return nil
						},
					),
				}},
			})
		})
	}
}

func TestAccBuilderCampaign_badInputFailsAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	cases := map[string]struct {
		attrs string
		want  string
	}{
		"malformed scheduled_date": {`campaign_name = "x"` + "\n" + `scheduled_date = "tomorrow at nine"`, `scheduled_date`},
		"empty campaign_name":      {`campaign_name = ""`, `campaign_name`},
		"slash in bot_name":        {`campaign_name = "x"` + "\n" + `bot_name = "a/b"`, `bot_name`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			bot := `bot_name = "support-bot"`
			if regexp.MustCompile(`bot_name`).MatchString(tc.attrs) {
				bot = ""
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config: providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "bad" {
  organization = "acme"
  %s
  %s
}
`, bot, tc.attrs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Cleanup(func() { assertNoRequests(t, srv) })
}

func TestAccBuilderCampaign_importIDOfWrongShapeFails(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z")},
			{
				PreConfig:     srv.ResetCounts,
				Config:        campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z"),
				ResourceName:  campaignAddr,
				ImportState:   true,
				ImportStateId: "acme/5eb7cf5a86d9755df3a6c593",
				ExpectError:   regexp.MustCompile(`organization/bot_name/id`),
			},
			{
				PreConfig: func() { assertNoRequests(t, srv) },
				Config:    campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z"),
				PlanOnly:  true,
			},
		},
	})
}

func TestAccBuilderCampaign_unknownProviderURLAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			// The URL is known only after terraform_data is applied: planning
			// must not crash, and the apply creates the campaign.
			Config: fmt.Sprintf(`
resource "terraform_data" "builder_url" {
  input = %[1]q
}

provider "campaigns" {
  builder = {
    url      = terraform_data.builder_url.output
    user     = %[2]q
    password = %[3]q
  }
}

resource "campaigns_builder_campaign" "welcome" {
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = "welcome"
}
`, srv.URL(), emulator.DefaultUser, emulator.DefaultPassword),
			Check: expectCampaignsHeld(srv, 1),
		}},
	})
}

func TestAccBuilderCampaignDataSource_readsByID(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: campaignConfig(srv, "support-bot", "hi", "2030-01-01T12:00:00Z") + `
data "campaigns_builder_campaign" "welcome" {
  organization = campaigns_builder_campaign.welcome.organization
  bot_name     = campaigns_builder_campaign.welcome.bot_name
  id           = campaigns_builder_campaign.welcome.id
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(campaignAddr, tfjsonpath.New("id"), "data.campaigns_builder_campaign.welcome", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.campaigns_builder_campaign.welcome", tfjsonpath.New("campaign_name"), knownvalue.StringExact("welcome-2026")),
				statecheck.ExpectKnownValue("data.campaigns_builder_campaign.welcome", tfjsonpath.New("status"), knownvalue.StringExact(builder.StatusNotStarted)),
				statecheck.ExpectKnownValue("data.campaigns_builder_campaign.welcome", tfjsonpath.New("sheet_values"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
}

func TestAccBuilderCampaignDataSource_unknownIDFails(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "campaigns_builder_campaign" "missing" {
  organization = "acme"
  bot_name     = "support-bot"
  id           = "5eb7cf5a86d9755df3a6c593"
}
`,
			ExpectError: wrappedPhrases("Campaign not found", "Check organization and bot_name as well as id"),
		}},
	})
}

// Adopting a campaign that has already run, with sheet_values = [] where
// Builder holds none: null and [] are one to Builder, so the import neither
// trips the started-campaign guard nor sends an update (which a started
// campaign refuses), and the next plan is empty.
func TestAccBuilderCampaign_importStartedCampaignWithEmptySheetValues(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	const id = "5eb7cf5a86d9755df3a6c593"
	name, content := "sent-2026", "Olá"
	srv.PutCampaign("acme", "support-bot", builder.Campaign{ID: id, CampaignName: &name, Content: &content, Status: ptrTo(builder.StatusConcluded)})
	cfg := providerConfig(srv) + fmt.Sprintf(`
import {
  to = campaigns_builder_campaign.sent
  id = "acme/support-bot/%s"
}

resource "campaigns_builder_campaign" "sent" {
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = %q
  content       = %q
  sheet_values  = []
}
`, id, name, content)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: cfg, Check: expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 0, emulator.OpCampaignCreate: 0})},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 0, emulator.OpCampaignCreate: 0}),
			},
		},
	})
}
