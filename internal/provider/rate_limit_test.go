package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// rateLimitedConfig is 10 campaigns, each with a trigger, and a report of
// 10 pages: more than a bucket of 10 a second lets through at once.
func rateLimitedConfig(srv *emulator.Server, content string, provider string) string {
	return provider + fmt.Sprintf(`
resource "campaigns_builder_campaign" "wave" {
  count         = 10
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = "wave-${count.index}"
  content       = %q
}

resource "campaigns_builder_trigger" "wave" {
  count   = 10
  payload = jsonencode({ campaign = campaigns_builder_campaign.wave[count.index].id })
}

data "campaigns_evolux_subscribers" "report" {
  include_subscribers = false
}
`, content)
}

// Under a token bucket on each API, with and without Retry-After, the
// lifecycle (create with triggers at Terraform's parallelism, refresh,
// update, destroy) finishes in one run each time, exactly: every campaign
// and trigger once, the whole report. A ceiling of max_requests_per_second
// under the bucket's rate is never refused.
func TestAccRateLimit_lifecycleFinishesInOneRunExactly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limit   emulator.RateLimit
		ceiling string // max_requests_per_second, or ""
	}{
		{"with Retry-After", emulator.RateLimit{PerSecond: 10}, ""},
		{"without Retry-After", emulator.RateLimit{PerSecond: 10, Bare: true}, ""},
		{"under a ceiling", emulator.RateLimit{PerSecond: 10, Bare: true}, "8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Config{Subscribers: 10 * 50, BuilderRate: tc.limit, EvoluxRate: tc.limit})
			provider := providerConfig(srv)
			if tc.ceiling != "" {
				provider = strings.Replace(provider, "  builder = {\n", "  builder = {\n    max_requests_per_second = "+tc.ceiling+"\n", 1)
				provider = strings.Replace(provider, "  evolux = {\n", "  evolux = {\n    max_requests_per_second = "+tc.ceiling+"\n", 1)
			}
			exactly := func(campaigns int, content string) resource.TestCheckFunc {
				return func(*terraform.State) error {
					got := srv.Campaigns()
					if len(got) != campaigns {
						return fmt.Errorf("%d campaigns on the server, want %d", len(got), campaigns)
					}
					for _, c := range got {
						if c.Content == nil || *c.Content != content {
							return fmt.Errorf("campaign %s holds content %v, want %q", c.ID, c.Content, content)
						}
					}
					if fired := len(srv.Triggers()); fired != 10 {
						return fmt.Errorf("%d triggers fired, want 10", fired)
					}
					return nil
				}
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						Config: rateLimitedConfig(srv, "first", provider),
						Check:  exactly(10, "first"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("data.campaigns_evolux_subscribers.report", tfjsonpath.New("total"), knownvalue.Int64Exact(10*50)),
						},
					},
					{
						Config: rateLimitedConfig(srv, "second", provider),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("campaigns_builder_campaign.wave[7]", plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction("campaigns_builder_trigger.wave[7]", plancheck.ResourceActionNoop),
						}},
						Check: exactly(10, "second"),
					},
				},
				CheckDestroy: func(*terraform.State) error {
					if n := len(srv.Campaigns()); n != 0 {
						return fmt.Errorf("%d campaigns left after destroy", n)
					}
					return nil
				},
			})
			builderRefused, evoluxRefused := srv.RateLimited()
			switch {
			case tc.ceiling != "" && builderRefused+evoluxRefused > 0:
				t.Errorf("under a ceiling of %s a second, the bucket of %v refused %d Builder and %d Evolux requests; want none",
					tc.ceiling, tc.limit.PerSecond, builderRefused, evoluxRefused)
			case tc.ceiling == "" && (builderRefused == 0 || evoluxRefused == 0):
				t.Errorf("the buckets refused %d Builder and %d Evolux requests: the limit was never met, so this proves nothing", builderRefused, evoluxRefused)
			}
			t.Logf("%d Builder and %d Evolux requests refused of %d", builderRefused, evoluxRefused, srv.TotalRequests())
		})
	}
}
