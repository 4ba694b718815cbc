package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

func triggerDataSourceConfig(srv *emulator.Server, id string) string {
	return providerConfig(srv) + fmt.Sprintf(`
data "campaigns_builder_trigger" "test" {
  id = %[1]q
}
`, id)
}

func TestAccBuilderTriggerDataSource_readsByID(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	id := fireOutOfBand(t, srv, reminderPayloadJSON)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: triggerDataSourceConfig(srv, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.campaigns_builder_trigger.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue("data.campaigns_builder_trigger.test", tfjsonpath.New("result"), isSentResult(reminderPayloadJSON)),
				// Reading never fires: the one fire is the out-of-band one.
				firesCounted(srv, 1),
			},
		}},
	})
}

func TestAccBuilderTriggerDataSource_readsTriggerFiredByResource(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: triggerConfig(srv, reminderPayload, "") + `
data "campaigns_builder_trigger" "test" {
  id = campaigns_builder_trigger.test.id
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(
					"data.campaigns_builder_trigger.test", tfjsonpath.New("id"),
					triggerAddr, tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.campaigns_builder_trigger.test", tfjsonpath.New("result"), isSentResult(reminderPayloadJSON)),
				firesCounted(srv, 1),
			},
		}},
	})
}

func TestAccBuilderTriggerDataSource_notFound(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      triggerDataSourceConfig(srv, "404"),
			ExpectError: regexp.MustCompile(`(?s)Trigger 404 not found.*HTTP 404`),
		}},
	})
}

func TestAccBuilderTriggerDataSource_unknownOutcomePlaceholderRefusedAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      triggerDataSourceConfig(srv, unknownIDPrefix+"0123456789ab"),
			ExpectError: regexp.MustCompile(`(?s)Invalid trigger id.*fire\s+outcome\s+is\s+unknown`),
		}},
	})
	assertNoRequests(t, srv)
}

// The example in the docs, applied as written, with its variable set to a
// trigger the emulator holds.
func TestAccBuilderTriggerDataSource_example(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	id := fireOutOfBand(t, srv, reminderPayloadJSON)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:          providerConfig(srv) + readExample(t, "data-sources/campaigns_builder_trigger/data-source.tf"),
			ConfigVariables: config.Variables{"trigger_id": config.StringVariable(id)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("reminder_status", knownvalue.StringExact(builder.TriggerStatusSent)),
			},
		}},
	})
}
