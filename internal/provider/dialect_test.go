package provider

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// The emulator shares the client's reading of the wire (wire.go), so by
// itself it cannot catch a misread contract: its dialects can. Every
// lifecycle below runs under every dialect, asserting what the emulator
// holds after each step.

// dialectCase is one emulator set-up the lifecycles run under.
type dialectCase struct {
	name     string
	dialects []emulator.Dialect
}

// dialectCases is every dialect the emulator names, presets included, and
// one case with every dialect that combines with the others at once.
func dialectCases() []dialectCase {
	var cases []dialectCase
	for _, d := range emulator.Dialects() {
		cases = append(cases, dialectCase{name: string(d), dialects: []emulator.Dialect{d}})
	}
	return append(cases, dialectCase{name: "all-at-once", dialects: []emulator.Dialect{
		emulator.DialectNaiveTimestamps, emulator.DialectOmitNulls, emulator.DialectExtraFields, emulator.DialectListSummaries, emulator.DialectListEnvelope,
		emulator.DialectCreated200, emulator.DialectWriteAnswersIDOnly, emulator.DialectIDAlias, emulator.DialectPathPrefix,
		emulator.DialectTrailingSlash, emulator.DialectDelete204, emulator.DialectTriggerIDString, emulator.DialectDetailList,
		emulator.DialectGatewayTextErrors, emulator.DialectPutMerges,
	}})
}

// The CLI makes no difference to how the provider reads the wire, and the
// full matrix (23 lifecycles when measured; one more per new dialect) costs
// about 85 s of CPU per CLI: measured with
// `time` on the compiled test binary, -test.run TestAccDialect
// -test.parallel 4, under OpenTofu 1.12.6: 55 s user + 32 s system, 107 s
// wall on a 2-core machine shared with other builds; Terraform costs the
// same per case. So the whole matrix runs under OpenTofu, and under
// Terraform these representative cases run; the others skip saying why.
var dialectsUnderTerraform = map[string]bool{
	string(emulator.DialectReference):     true,
	string(emulator.DialectPydanticV1):    true,
	string(emulator.DialectGateway):       true,
	string(emulator.DialectListSummaries): true,
	"all-at-once":                         true,
}

// skipUnlessMatrixCLI skips dialect d when the acceptance CLI is Terraform
// and d is not one of its representative cases.
func skipUnlessMatrixCLI(t *testing.T, d dialectCase) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" || dialectsUnderTerraform[d.name] || accCLIIsOpenTofu() {
		return // without TF_ACC the acceptance framework skips, saying so
	}
	t.Skipf("dialect %s runs under OpenTofu; under Terraform the lifecycle runs under %s only",
		d.name, strings.Join(sortedKeys(dialectsUnderTerraform), ", "))
}

// accCLIIsOpenTofu tells whether the acceptance tests drive OpenTofu
// (TF_ACC_TERRAFORM_PATH; without it terraform-plugin-testing finds
// Terraform).
var accCLIIsOpenTofu = sync.OnceValue(func() bool {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		return false
	}
	out, err := exec.Command(cli, "version").Output()
	return err == nil && strings.HasPrefix(string(out), "OpenTofu")
})

// startDialect starts the emulator for d and returns it with the Builder URL
// the provider must use (under a path prefix for some dialects).
func startDialect(t *testing.T, d dialectCase) (*emulator.Server, string) {
	t.Helper()
	srv := startEmulator(t, emulator.Config{Dialects: d.dialects})
	return srv, srv.BuilderURL()
}

const (
	lifecycleA       = "campaigns_builder_campaign.a"
	lifecycleB       = "campaigns_builder_campaign.b"
	lifecycleTrigger = "campaigns_builder_trigger.t"
)

// lifecycleConfig is the lifecycle's configuration; the edited one changes
// campaign a's content and removes or empties what else it had, which an
// update must clear on the server too.
func lifecycleConfig(url string, edited bool) string {
	a := `
  content        = "message a"
  description    = "first"
  file           = "audience-a.csv"
  sheet_values   = ["name", "phone"]`
	if edited {
		a = `
  content        = "message a, edited"
  sheet_values   = []`
	}
	return providerBlock(url, "5s", 3) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "a" {
  organization   = "acme"
  bot_name       = "support-bot"
  campaign_name  = "lifecycle-a"
  name           = "A"
  scheduled_date = "2030-01-01T09:00:00.123456789-03:00"%s
}

resource "campaigns_builder_campaign" "b" {
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = "lifecycle-b"
  content       = "message b"
}

resource "campaigns_builder_trigger" "t" {
  payload = jsonencode({ campaign = "lifecycle", contacts = ["+5511999990001"] })
  keepers = { campaign = campaigns_builder_campaign.a.id }
}
`, a)
}

// clearedOnServer: the emulator holds campaign name with no description, no
// file and no sheet values, as the edited lifecycle configuration says
// (empty counts as none: a server that refuses null is sent "").
func clearedOnServer(srv *emulator.Server, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range srv.Campaigns() {
			if c.CampaignName == nil || *c.CampaignName != name {
				continue
			}
			if deref(c.Description) != "" || deref(c.File) != "" || len(c.SheetValues) > 0 {
				text := func(p *string) string {
					if p == nil {
						return "null"
					}
					return fmt.Sprintf("%q", *p)
				}
				return fmt.Errorf("the emulator holds campaign %q with description %s, file %s, sheet_values %q; the update should have cleared them",
					name, text(c.Description), text(c.File), c.SheetValues)
			}
			return nil
		}
		return fmt.Errorf("the emulator holds no campaign %q", name)
	}
}

// heldAsInState: the emulator holds exactly the campaigns in state, under
// the same ids, with want content by campaign name; and exactly `fires`
// fires and triggers, the trigger in state being one it holds.
func heldAsInState(srv *emulator.Server, content map[string]string, fires int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		held := map[string]string{}
		for _, c := range srv.Campaigns() {
			name := *c.CampaignName
			if _, dup := held[name]; dup {
				return fmt.Errorf("the emulator holds campaign %q twice", name)
			}
			held[name] = c.ID
			if want, ok := content[name]; ok && (c.Content == nil || *c.Content != want) {
				return fmt.Errorf("the emulator holds campaign %q with content %v, want %q", name, c.Content, want)
			}
		}
		if len(held) != len(content) {
			return fmt.Errorf("the emulator holds %d campaigns %v, want %d", len(held), held, len(content))
		}
		for _, addr := range []string{lifecycleA, lifecycleB} {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s is not in state", addr)
			}
			if name := rs.Primary.Attributes["campaign_name"]; held[name] != rs.Primary.ID {
				return fmt.Errorf("%s: state holds id %q, the emulator holds %q as %q", addr, rs.Primary.ID, name, held[name])
			}
		}
		if got := srv.Count(emulator.OpTriggerFire); got != fires {
			return fmt.Errorf("the emulator counted %d fires, want %d", got, fires)
		}
		if got := len(srv.Triggers()); got != fires {
			return fmt.Errorf("the emulator holds %d triggers, want %d", got, fires)
		}
		if rs, ok := s.RootModule().Resources[lifecycleTrigger]; !ok || rs.Primary.Attributes["fire_outcome"] != fireOutcomeFired {
			return fmt.Errorf("%s is not in state as fired", lifecycleTrigger)
		}
		return nil
	}
}

// The campaign and trigger lifecycles under every dialect: create two
// campaigns and fire a trigger, an empty plan, an update in place, an import,
// a campaign deleted out of band and recreated, a refresh, then destroy.
func TestAccDialect_lifecycle(t *testing.T) {
	for _, d := range dialectCases() {
		t.Run(d.name, func(t *testing.T) {
			skipUnlessMatrixCLI(t, d)
			srv, url := startDialect(t, d)
			empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
			updates := 1
			if slices.Contains(d.dialects, emulator.DialectNullsRefused) {
				updates = 2 // the update that clears fields is refused with its nulls, then sent without them
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						Config: lifecycleConfig(url, false),
						Check: resource.ComposeTestCheckFunc(
							heldAsInState(srv, map[string]string{"lifecycle-a": "message a", "lifecycle-b": "message b"}, 1),
							expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 2}),
						),
					},
					{
						Config:           lifecycleConfig(url, false),
						ConfigPlanChecks: empty,
						Check:            expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 2, emulator.OpCampaignUpdate: 0}),
					},
					{
						Config: lifecycleConfig(url, true),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(lifecycleA, plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction(lifecycleB, plancheck.ResourceActionNoop),
							plancheck.ExpectResourceAction(lifecycleTrigger, plancheck.ResourceActionNoop),
						}},
						Check: resource.ComposeTestCheckFunc(
							heldAsInState(srv, map[string]string{"lifecycle-a": "message a, edited", "lifecycle-b": "message b"}, 1),
							clearedOnServer(srv, "lifecycle-a"),
							expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 2, emulator.OpCampaignUpdate: updates}),
						),
					},
					{
						ResourceName:      lifecycleA,
						ImportState:       true,
						ImportStateVerify: true,
						ImportStateIdFunc: func(s *terraform.State) (string, error) {
							return "acme/support-bot/" + s.RootModule().Resources[lifecycleA].Primary.ID, nil
						},
						// Import has no configuration to keep the spelling of:
						// the server's instant, in UTC, at the precision the
						// server keeps (some keep microseconds or milliseconds).
						ImportStateVerifyIgnore: []string{"scheduled_date"},
						ImportStateCheck: func(states []*terraform.InstanceState) error {
							if got := states[0].Attributes["scheduled_date"]; !client.SameStoredInstant("2030-01-01T12:00:00.123456789Z", got) {
								return fmt.Errorf("imported scheduled_date = %q, want 2030-01-01T12:00:00.123456789Z or that instant at a coarser precision", got)
							}
							return nil
						},
					},
					{
						// Deleted in Builder: the refresh drops it and the plan
						// creates it again, under a new id; nothing else changes.
						PreConfig: func() { srv.RemoveCampaign(campaignIDNamed(t, srv, "lifecycle-b")) },
						Config:    lifecycleConfig(url, true),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(lifecycleB, plancheck.ResourceActionCreate),
							plancheck.ExpectResourceAction(lifecycleA, plancheck.ResourceActionNoop),
							plancheck.ExpectResourceAction(lifecycleTrigger, plancheck.ResourceActionNoop),
						}},
						Check: resource.ComposeTestCheckFunc(
							heldAsInState(srv, map[string]string{"lifecycle-a": "message a, edited", "lifecycle-b": "message b"}, 1),
							expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 3, emulator.OpCampaignDelete: 0}),
						),
					},
					{
						RefreshState: true,
						Check: resource.ComposeTestCheckFunc(
							heldAsInState(srv, map[string]string{"lifecycle-a": "message a, edited", "lifecycle-b": "message b"}, 1),
							resource.TestCheckResourceAttrSet(lifecycleTrigger, "result"),
						),
					},
				},
				CheckDestroy: func(*terraform.State) error {
					// Campaigns deleted, none orphaned; the trigger only forgotten.
					if n := len(srv.Campaigns()); n != 0 {
						return fmt.Errorf("the emulator still holds %d campaigns after destroy", n)
					}
					if n := len(srv.Triggers()); n != 1 {
						return fmt.Errorf("the emulator holds %d triggers after destroy, want the 1 fired", n)
					}
					return expectCounts(srv, map[emulator.Op]int{emulator.OpTriggerFire: 1, emulator.OpCampaignCreate: 3})(nil)
				},
			})
		})
	}
}

// campaignIDNamed is the id of the emulator's campaign with that name.
func campaignIDNamed(t *testing.T, srv *emulator.Server, name string) string {
	t.Helper()
	var ids []string
	for _, c := range srv.Campaigns() {
		if c.CampaignName != nil && *c.CampaignName == name {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("the emulator holds %d campaigns named %q (%s), want 1", len(ids), name, strings.Join(ids, ", "))
	}
	return ids[0]
}

// A plan of many campaigns of one bot costs one login and one list. When the
// list answers full documents, that is all; when it answers summaries, each
// campaign whose state holds a field the summary lacks is read once, and the
// plan is still empty: a summary is never taken for a cleared campaign.
func TestAccDialect_refreshCostsOneListPerBot(t *testing.T) {
	const n = 12
	cases := []struct {
		dialect emulator.Dialect
		reads   int
	}{
		{emulator.DialectReference, 0},
		{emulator.DialectListSummaries, n},
	}
	for _, tc := range cases {
		t.Run(string(tc.dialect), func(t *testing.T) {
			srv, url := startDialect(t, dialectCase{name: string(tc.dialect), dialects: []emulator.Dialect{tc.dialect}})
			config := manyCampaignsOneBotConfig(url, n)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{Config: config, Check: expectCampaignsHeld(srv, n)},
					{
						PreConfig:        srv.ResetCounts,
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						// The step's first command is the refreshing plan;
						// applying an empty plan sends nothing.
						Check: expectCounts(srv, map[emulator.Op]int{
							emulator.OpLogin: 1, emulator.OpCampaignList: 1, emulator.OpCampaignRead: tc.reads,
						}),
					},
				},
			})
		})
	}
}

func manyCampaignsOneBotConfig(url string, n int) string {
	return providerBlock(url, "5s", 3) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "many" {
  count         = %d
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = "campaign-${count.index}"
  content       = "message ${count.index}"
  sheet_values  = ["name"]
}
`, n)
}
