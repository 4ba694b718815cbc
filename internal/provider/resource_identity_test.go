package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

var tfjsonpathID = tfjsonpath.New("id")

// Resource identity needs Terraform 1.12+ or OpenTofu 1.12+; older CLIs run
// every other test, which shows they keep working without it.
func skipBelowIdentity() []tfversion.TerraformVersionCheck {
	return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
}

func TestAccBuilderCampaign_identityImportBlock(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   skipBelowIdentity(),
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: campaignConfig(srv, "support-bot", "Olá!", "2030-01-01T09:00:00-03:00"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(campaignAddr, map[string]knownvalue.Check{
						"organization": knownvalue.StringExact("acme"),
						"bot_name":     knownvalue.StringExact("support-bot"),
						"id":           knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(campaignAddr, tfjsonpathID),
				},
			},
			{
				// An import block with identity = {...}: the plan imports
				// and changes nothing, and the identity stays the same.
				ResourceName:    campaignAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// A campaign created outside Terraform is adopted by an import block that
// names it by identity: nothing is created, nothing changes.
func TestAccBuilderCampaign_identityImportAdoptsOutOfBand(t *testing.T) {
	t.Parallel()
	// Under list-summaries, the read after an import must not take a list
	// summary for the whole campaign: the plan would show fields cleared.
	for _, dialect := range []emulator.Dialect{emulator.DialectReference, emulator.DialectListSummaries} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			testIdentityImportAdoptsOutOfBand(t, emulator.Config{Dialects: []emulator.Dialect{dialect}})
		})
	}
}

func testIdentityImportAdoptsOutOfBand(t *testing.T, cfg emulator.Config) {
	srv := startEmulator(t, cfg)
	id := builder.NewObjectID()
	name, content := "spring-sale", "Promoção de primavera"
	srv.PutCampaign("acme", "sales-bot", builder.Campaign{ID: id, CampaignName: &name, Content: &content})
	config := providerConfig(srv) + fmt.Sprintf(`
import {
  to = campaigns_builder_campaign.spring
  identity = {
    organization = "acme"
    bot_name     = "sales-bot"
    id           = %[1]q
  }
}

resource "campaigns_builder_campaign" "spring" {
  organization  = "acme"
  bot_name      = "sales-bot"
  campaign_name = %[2]q
  content       = %[3]q
}
`, id, name, content)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   skipBelowIdentity(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("campaigns_builder_campaign.spring", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("campaigns_builder_campaign.spring", tfjsonpathID, knownvalue.StringExact(id)),
					statecheck.ExpectIdentity("campaigns_builder_campaign.spring", map[string]knownvalue.Check{
						"organization": knownvalue.StringExact("acme"),
						"bot_name":     knownvalue.StringExact("sales-bot"),
						"id":           knownvalue.StringExact(id),
					}),
				},
				Check: expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 0, emulator.OpCampaignUpdate: 0}),
			},
		},
	})
}

func TestAccBuilderCampaign_identityImportRefusesBadID(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   skipBelowIdentity(),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(srv) + `
import {
  to = campaigns_builder_campaign.x
  identity = {
    organization = "acme"
    bot_name     = "sales-bot"
    id           = "42"
  }
}

resource "campaigns_builder_campaign" "x" {
  organization  = "acme"
  bot_name      = "sales-bot"
  campaign_name = "x"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid import id.*24-hex-digit\s+id.*Got\s+the\s+identity`),
			},
		},
	})
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("a refused identity still sent %d requests: %v", n, srv.Counts())
	}
}

func TestAccBuilderTrigger_identityImportBlock(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   skipBelowIdentity(),
		Steps: []resource.TestStep{
			{
				Config: triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(triggerAddr, map[string]knownvalue.Check{"id": knownvalue.NotNull()}),
					statecheck.ExpectIdentityValueMatchesState(triggerAddr, tfjsonpathID),
				},
			},
			{
				// The import records the trigger; it never fires it again.
				ResourceName:    triggerAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
	if got := srv.Count(emulator.OpTriggerFire); got != 1 {
		t.Errorf("emulator counted %d fires, want 1: an import must not fire", got)
	}
}
