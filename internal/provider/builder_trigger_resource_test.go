package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const triggerAddr = "campaigns_builder_trigger.test"

// triggerConfig is one trigger; payload and keepers are HCL expressions, and
// an empty keepers leaves the attribute out.
func triggerConfig(srv *emulator.Server, payload, keepers string) string {
	var keepersLine string
	if keepers != "" {
		keepersLine = "  keepers = " + keepers + "\n"
	}
	return providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_builder_trigger" "test" {
  payload = %[1]s
%[2]s}
`, payload, keepersLine)
}

const reminderPayload = `jsonencode({ campaign = "black-friday", template = "reminder_v2", contacts = ["+5511999990001"] })`

// reminderPayloadJSON is reminderPayload as jsonencode writes it.
const reminderPayloadJSON = `{"campaign":"black-friday","contacts":["+5511999990001"],"template":"reminder_v2"}`

// emulatorCheck asserts on what the emulator received or holds, after a
// step's apply, next to the state checks.
type emulatorCheck func() error

func (c emulatorCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// firesCounted: the emulator received exactly n fire requests in all.
func firesCounted(srv *emulator.Server, n int) emulatorCheck {
	return func() error {
		if got := srv.Count(emulator.OpTriggerFire); got != n {
			return fmt.Errorf("the emulator counted %d trigger fires, want %d", got, n)
		}
		return nil
	}
}

// triggersHeld: the emulator holds exactly n fired triggers.
func triggersHeld(srv *emulator.Server, n int) emulatorCheck {
	return func() error {
		if got := len(srv.Triggers()); got != n {
			return fmt.Errorf("the emulator holds %d triggers, want %d", got, n)
		}
		return nil
	}
}

// lastTriggerID is the id the emulator gave its newest trigger.
func lastTriggerID(srv *emulator.Server) (string, error) {
	triggers := srv.Triggers()
	if len(triggers) == 0 {
		return "", fmt.Errorf("the emulator holds no trigger")
	}
	return strconv.FormatInt(triggers[len(triggers)-1].ID, 10), nil
}

// isNewestTrigger matches the id of the emulator's newest trigger.
func isNewestTrigger(srv *emulator.Server) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		want, err := lastTriggerID(srv)
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("id %q, want the emulator's newest trigger %q", v, want)
		}
		return nil
	})
}

func jsonEquivalent(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// isSentResult matches a trigger read answer with status "sent" and the
// given payload under "json".
func isSentResult(payload string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		var answer map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v), &answer); err != nil {
			return fmt.Errorf("result is not a JSON object: %s", v)
		}
		var status string
		_ = json.Unmarshal(answer[builder.FieldTriggerStatus], &status)
		if status != builder.TriggerStatusSent {
			return fmt.Errorf("result status %q, want %q: %s", status, builder.TriggerStatusSent, v)
		}
		if !jsonEquivalent(string(answer[builder.FieldTriggerJSON]), payload) {
			return fmt.Errorf("result payload %s, want %s", answer[builder.FieldTriggerJSON], payload)
		}
		return nil
	})
}

func expectAttr(attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(triggerAddr, tfjsonpath.New(attr), check)
}

func TestAccBuilderTrigger_firesOnce(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	cfg := triggerConfig(srv, reminderPayload, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					triggersHeld(srv, 1),
					expectAttr("id", isNewestTrigger(srv)),
					expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired)),
					expectAttr("fired_at", knownvalue.NotNull()),
					expectAttr("payload", knownvalue.StringExact(reminderPayloadJSON)),
					// Read back after the fire, so that the next plan shows no drift.
					expectAttr("result", isSentResult(reminderPayloadJSON)),
				},
			},
			{
				// Refresh and plan again: nothing to do, nothing fired.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					expectAttr("result", isSentResult(reminderPayloadJSON)),
				},
			},
		},
	})
	if got := jsonOfNewestTrigger(t, srv); !jsonEquivalent(got, reminderPayloadJSON) {
		t.Errorf("the emulator holds payload %s, want %s", got, reminderPayloadJSON)
	}
}

func jsonOfNewestTrigger(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	triggers := srv.Triggers()
	if len(triggers) == 0 {
		t.Fatal("the emulator holds no trigger")
	}
	return string(triggers[len(triggers)-1].Payload)
}

func TestAccBuilderTrigger_equivalentJSONNoDiff(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	// Other key order, whitespace and number spelling: the same JSON.
	equivalent := "<<-EOT\n    {\n      \"template\" : \"reminder_v2\",\n      \"contacts\": [ \"+5511999990001\" ],\n      \"campaign\":\"black-friday\"\n    }\n  EOT"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:            triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)},
			},
			{
				Config: triggerConfig(srv, equivalent, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					expectAttr("payload", knownvalue.StringExact(reminderPayloadJSON)),
				},
			},
		},
	})
}

func TestAccBuilderTrigger_keeperChangeFiresOnceMore(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "1" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					newID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
					expectAttr("keepers", knownvalue.MapExact(map[string]knownvalue.Check{"round": knownvalue.StringExact("1")})),
				},
			},
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 2),
					triggersHeld(srv, 2),
					newID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
					sameID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
					expectAttr("id", isNewestTrigger(srv)),
				},
			},
			{
				// Unchanged keepers: nothing more.
				Config: triggerConfig(srv, reminderPayload, `{ round = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 2),
					sameID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
				},
			},
		},
	})
}

func TestAccBuilderTrigger_payloadChangeFiresOnceMore(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:            triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)},
			},
			{
				Config: triggerConfig(srv, `jsonencode({ campaign = "black-friday", template = "last_call" })`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 2), expectAttr("id", isNewestTrigger(srv))},
			},
		},
	})
}

func TestAccBuilderTrigger_emptyKeepersDoNotFire(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:            triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)},
			},
			{
				Config: triggerConfig(srv, reminderPayload, "{}"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1), expectAttr("keepers", knownvalue.MapSizeExact(0))},
			},
		},
	})
}

// Safety rule 2: an ambiguous fire is never repeated, the resource is kept
// so that no later unattended apply fires it again, and only a human action
// (here a taint, as -replace does) fires it once more.
func TestAccBuilderTrigger_neverRefiresAfterAmbiguousFire(t *testing.T) {
	cases := map[string]struct {
		fault emulator.FaultKind
		held  int // triggers the emulator holds after the ambiguous fire
	}{
		"dropped connection after processing": {emulator.FaultDropAfter, 1},
		"server error":                        {emulator.FaultServerError, 0},
		"timeout after processing":            {emulator.FaultSlow, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The slow answer comes after providerConfig's 5s request timeout.
			srv := startEmulator(t, emulator.Config{SlowDelay: 20 * time.Second})
			srv.InjectFault(emulator.OpTriggerFire, tc.fault, 1)
			cfg := triggerConfig(srv, reminderPayload, `{ round = "1" }`)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						// The apply succeeds with a warning, and keeps the trigger.
						Config: cfg,
						ConfigStateChecks: []statecheck.StateCheck{
							firesCounted(srv, 1),
							triggersHeld(srv, tc.held),
							expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeUnknown)),
							expectAttr("id", knownvalue.StringRegexp(regexp.MustCompile(`^`+unknownIDPrefix+`[0-9a-f]{12}$`))),
							expectAttr("fired_at", knownvalue.NotNull()),
							expectAttr("result", knownvalue.Null()),
						},
					},
					{
						// The next unattended apply: nothing to do, nothing sent,
						// not even a read.
						PreConfig: srv.ResetCounts,
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							firesCounted(srv, 0),
							emulatorCheck(func() error {
								if n := srv.TotalRequests(); n != 0 {
									return fmt.Errorf("the emulator received %d requests (%v), want none", n, srv.Counts())
								}
								return nil
							}),
						},
					},
					{
						// A human fires it again on purpose: exactly one more.
						Taint:  []string{triggerAddr},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace)},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							firesCounted(srv, 1),
							triggersHeld(srv, tc.held+1),
							expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired)),
							expectAttr("id", isNewestTrigger(srv)),
						},
					},
				},
			})
		})
	}
}

func TestAccBuilderTrigger_keeperChangeFiresOnceMoreAfterAmbiguousFire(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultDropAfter, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "1" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeUnknown)),
				},
			},
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 2),
					triggersHeld(srv, 2),
					expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired)),
				},
			},
		},
	})
}

func TestAccBuilderTrigger_rateLimitedFireRetriedOnce(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultRateLimit, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: triggerConfig(srv, reminderPayload, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				// The 429 certainly did not fire: one retry, one trigger.
				firesCounted(srv, 2),
				triggersHeld(srv, 1),
				expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired)),
				expectAttr("id", isNewestTrigger(srv)),
			},
		}},
	})
}

func TestAccBuilderTrigger_rejectedFireLeavesNothingInState(t *testing.T) {
	srv := startEmulator(t, emulator.Config{APIKey: "the-real-key"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				// providerConfig sends the default key, which this emulator refuses (403).
				Config:      triggerConfig(srv, reminderPayload, ""),
				ExpectError: regexp.MustCompile(`(?s)Trigger not fired.*HTTP 403`),
			},
			{
				// Certainly not fired, so not in state: the next apply creates it.
				Config:             triggerConfig(srv, reminderPayload, ""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("the emulator counted %d fires, want 1 (a 403 is not retried)", n)
	}
}

func TestAccBuilderTrigger_destroyOnlyForgets(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:            triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)},
			},
			{
				PreConfig: srv.ResetCounts,
				Config:    providerConfig(srv),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					triggersHeld(srv, 1),
					onlyTriggerReads(srv),
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if err := triggersHeld(srv, 1)(); err != nil {
				return err
			}
			return onlyTriggerReads(srv)()
		},
	})
}

// onlyTriggerReads: since the last ResetCounts, the emulator received
// nothing but trigger reads (the refresh before a plan).
func onlyTriggerReads(srv *emulator.Server) emulatorCheck {
	return func() error {
		if reads, total := srv.Count(emulator.OpTriggerRead), srv.TotalRequests(); total != reads {
			return fmt.Errorf("the emulator received %d requests besides trigger reads (%v), want none", total-reads, srv.Counts())
		}
		return nil
	}
}

// A trigger the server no longer knows, whether it answers 404 or 200 null
// (a handler returning find_one's None), stays in state with a warning.
func TestAccBuilderTrigger_missingOnServerKeptWithWarning(t *testing.T) {
	for _, dialects := range [][]emulator.Dialect{nil, {emulator.DialectReadNull}} {
		t.Run(fmt.Sprint(dialects), func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{Dialects: dialects})
			cfg := triggerConfig(srv, reminderPayload, "")
			sameID := statecheck.CompareValue(compare.ValuesSame())
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						Config: cfg,
						ConfigStateChecks: []statecheck.StateCheck{
							firesCounted(srv, 1),
							sameID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
						},
					},
					{
						PreConfig: func() { removeAllTriggers(t, srv) },
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							firesCounted(srv, 1),
							triggersHeld(srv, 0),
							sameID.AddStateValue(triggerAddr, tfjsonpath.New("id")),
							expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired)),
						},
					},
				},
			})
		})
	}
}

func removeAllTriggers(t *testing.T, srv *emulator.Server) {
	t.Helper()
	for _, trigger := range srv.Triggers() {
		if !srv.RemoveTrigger(trigger.ID) {
			t.Fatalf("removing trigger %d from the emulator", trigger.ID)
		}
	}
}

func TestAccBuilderTrigger_importByID(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	cfg := triggerConfig(srv, reminderPayload, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				ResourceName:      triggerAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// fired_at is Builder's created_at after an import, our clock
				// before; fire_outcome says the trigger was imported.
				ImportStateVerifyIgnore: []string{"fired_at", "fire_outcome"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d resources, want 1", len(states))
					}
					if got := states[0].Attributes["fire_outcome"]; got != fireOutcomeImported {
						return fmt.Errorf("fire_outcome %q, want %q", got, fireOutcomeImported)
					}
					if got := states[0].Attributes["fired_at"]; got == "" {
						return fmt.Errorf("fired_at is empty, want Builder's created_at")
					}
					return firesCounted(srv, 1)()
				},
			},
			{
				ResourceName:  triggerAddr,
				ImportState:   true,
				ImportStateId: "999",
				ExpectError:   regexp.MustCompile(`(?s)Cannot import trigger 999.*404`),
			},
			{
				ResourceName:  triggerAddr,
				ImportState:   true,
				ImportStateId: "unknown-0123456789ab",
				ExpectError:   regexp.MustCompile(`Invalid trigger id`),
			},
		},
	})
}

// fireOutOfBand fires a trigger the way another tool would, and returns its id.
func fireOutOfBand(t *testing.T, srv *emulator.Server, payload string) string {
	t.Helper()
	hc, err := client.New(client.Config{BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	id, err := builder.New(hc, builder.Credentials{APIKey: emulator.DefaultAPIKey}).FireTrigger(context.Background(), json.RawMessage(payload))
	if err != nil {
		t.Fatalf("firing a trigger out of band: %s", err)
	}
	return id
}

// Importing a trigger must not fire it again, even when the configuration
// has keepers that Builder never knew: they are recorded in place.
func TestAccBuilderTrigger_importAdoptsKeepersWithoutFiring(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	id := fireOutOfBand(t, srv, `{"template": "reminder_v2", "campaign": "black-friday", "contacts": ["+5511999990001"]}`)
	importBlock := fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", triggerAddr, id)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "1" }`) + importBlock,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					expectAttr("id", knownvalue.StringExact(id)),
					expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeImported)),
					expectAttr("keepers", knownvalue.MapExact(map[string]knownvalue.Check{"round": knownvalue.StringExact("1")})),
					expectAttr("result", isSentResult(reminderPayloadJSON)),
				},
			},
			{
				Config: triggerConfig(srv, reminderPayload, `{ round = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)},
			},
			{
				// From now on the keepers are ours: changing one fires.
				Config: triggerConfig(srv, reminderPayload, `{ round = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 2), expectAttr("fire_outcome", knownvalue.StringExact(fireOutcomeFired))},
			},
		},
	})
}

func TestAccBuilderTrigger_invalidPayloadFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		payload string
		want    *regexp.Regexp
	}{
		"not JSON":    {`"{ campaign = black-friday }"`, regexp.MustCompile(`(?s)Invalid JSON String Value.*payload`)},
		"JSON array":  {`jsonencode(["black-friday"])`, regexp.MustCompile(`payload must be a JSON object`)},
		"JSON string": {`jsonencode("black-friday")`, regexp.MustCompile(`payload must be a JSON object`)},
		"JSON null":   {`jsonencode(null)`, regexp.MustCompile(`payload must be a JSON object`)},
		"empty":       {`""`, regexp.MustCompile(`(?s)Invalid JSON String Value.*payload`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config:      triggerConfig(srv, tc.payload, ""),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
			assertNoRequests(t, srv)
		})
	}
}

func TestAccBuilderTrigger_missingAPIKeyNamesAttributeAndVariable(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"campaigns\" {\n  builder = { url = %q }\n}\n", srv.URL()) + `
resource "campaigns_builder_trigger" "test" {
  payload = jsonencode({ campaign = "black-friday" })
}
`,
			ExpectError: regexp.MustCompile(`(?s)builder\.api_key.*BUILDER_API_KEY`),
		}},
	})
	assertNoRequests(t, srv)
}

// The example in the docs, applied as written.
func TestAccBuilderTrigger_example(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	example := providerConfig(srv) + readExample(t, "resources/campaigns_builder_trigger/resource.tf")
	addr := "campaigns_builder_trigger.black_friday_reminder"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: example,
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), isNewestTrigger(srv)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("keepers"), knownvalue.MapExact(map[string]knownvalue.Check{"round": knownvalue.StringExact("1")})),
					statecheck.ExpectKnownOutputValue("black_friday_reminder_status", knownvalue.StringExact(builder.TriggerStatusSent)),
				},
			},
			{
				Config: example,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					statecheck.ExpectKnownOutputValue("black_friday_reminder_status", knownvalue.StringExact(builder.TriggerStatusSent)),
				},
			},
		},
	})
}

// The check-block example reads the trigger's status on every plan; a
// check-scoped data source is read every time, so the plan is never empty.
func TestAccBuilderTrigger_exampleCheck(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	cfg := providerConfig(srv) + readExample(t, "resources/campaigns_builder_trigger/resource.tf") +
		readExample(t, "resources/campaigns_builder_trigger/check.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectNonEmptyPlan: true, ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)}},
			{Config: cfg, ExpectNonEmptyPlan: true, ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)}},
		},
	})
}

// The example's postcondition makes an ambiguous apply fail, and every plan
// after it, without firing again: a failed postcondition does not taint
// (unlike an error from the provider). A human fires it again on purpose.
func TestAccBuilderTrigger_examplePostconditionFailsAmbiguousApplyWithoutRefiring(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultDropAfter, 1)
	cfg := providerConfig(srv) + readExample(t, "resources/campaigns_builder_trigger/resource.tf")
	addr := "campaigns_builder_trigger.black_friday_reminder"
	failed := regexp.MustCompile(`(?s)Resource postcondition failed.*may or may not\s+have\s+fired`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: failed},
			{PreConfig: assertFires(t, srv, 1), Config: cfg, ExpectError: failed},
			{
				PreConfig: assertFires(t, srv, 1),
				Taint:     []string{addr},
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 2),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fire_outcome"), knownvalue.StringExact(fireOutcomeFired)),
				},
			},
		},
	})
}

// assertFires is a PreConfig that checks the fires counted so far, for steps
// that end in an expected error and so run no state checks.
func assertFires(t *testing.T, srv *emulator.Server, n int) func() {
	return func() {
		t.Helper()
		if err := firesCounted(srv, n)(); err != nil {
			t.Error(err)
		}
	}
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatalf("reading the example: %s", err)
	}
	return "\n" + string(data)
}

// ---- without a CLI: the diagnostics themselves

// triggerResourceFor is the resource configured against srv, as the provider
// would configure it.
func triggerResourceFor(srv *emulator.Server) *builderTriggerResource {
	return triggerResourceAt(srv.URL())
}

func triggerResourceAt(url string) *builderTriggerResource {
	data := newProviderData(
		connectionSettings{userAgent: "test", timeout: 2 * time.Second, maxRetries: 1},
		builderSettings{
			url:    setting{value: url, attr: "builder.url", env: envBuilderURL},
			apiKey: setting{value: emulator.DefaultAPIKey, attr: "builder.api_key", env: envBuilderAPIKey},
		},
		evoluxSettings{},
	)
	return &builderTriggerResource{configuredResource{data}}
}

func triggerSchema(t *testing.T) fwresource.SchemaResponse {
	t.Helper()
	var resp fwresource.SchemaResponse
	NewBuilderTriggerResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	return resp
}

func TestBuilderTriggerCreate_ambiguousFireWarnsAndKeepsState(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Config{})
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultDropAfter, 1)
	sch := triggerSchema(t).Schema
	null := tftypes.NewValue(sch.Type().TerraformType(ctx), nil)

	plan := tfsdk.Plan{Schema: sch, Raw: null}
	keepers, _ := types.MapValueFrom(ctx, types.StringType, map[string]string{"round": "7"})
	mustNoError(t, plan.Set(ctx, builderTriggerModel{
		Timeouts:    nullTimeouts(triggerTimeouts),
		ID:          types.StringUnknown(),
		Payload:     jsontypes.NewNormalizedValue(`{"campaign": "black-friday"}`),
		Keepers:     keepers,
		FiredAt:     timetypes.NewRFC3339Unknown(),
		FireOutcome: types.StringUnknown(),
		Result:      jsontypes.NewNormalizedUnknown(),
	}))
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: null}}
	triggerResourceFor(srv).Create(ctx, fwresource.CreateRequest{Plan: plan}, resp)

	if resp.Diagnostics.HasError() {
		t.Fatalf("an ambiguous fire must not be an error (Terraform would taint and fire again): %v", resp.Diagnostics)
	}
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("fires counted %d, want 1", n)
	}
	warnings := resp.Diagnostics.Warnings()
	if len(warnings) != 1 {
		t.Fatalf("got %d warnings, want 1: %v", len(warnings), resp.Diagnostics)
	}
	detail := warnings[0].Detail()
	for _, want := range []string{
		"may or may not have fired", "not sent again", // what happened
		`{"campaign":"black-friday"}`, `round="7"`, // which trigger
		"Builder UI",                                    // how to check
		"-replace=ADDRESS", "change a value in keepers", // how to fire again on purpose
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("the warning does not say %q:\n%s", want, detail)
		}
	}
	if summary := warnings[0].Summary(); !strings.Contains(summary, "may have fired") {
		t.Errorf("summary %q does not say the trigger may have fired", summary)
	}

	var state builderTriggerModel
	mustNoError(t, resp.State.Get(ctx, &state))
	if state.FireOutcome.ValueString() != fireOutcomeUnknown || !strings.HasPrefix(state.ID.ValueString(), unknownIDPrefix) {
		t.Errorf("state has fire_outcome %s and id %s, want %q and an %q placeholder", state.FireOutcome, state.ID, fireOutcomeUnknown, unknownIDPrefix)
	}
	if !strings.Contains(detail, state.ID.ValueString()) {
		t.Errorf("the warning does not name the placeholder id %s", state.ID)
	}

	// A refresh makes no request and repeats the warning.
	srv.ResetCounts()
	readResp := &fwresource.ReadResponse{State: resp.State}
	triggerResourceFor(srv).Read(ctx, fwresource.ReadRequest{State: resp.State}, readResp)
	if readResp.Diagnostics.HasError() || len(readResp.Diagnostics.Warnings()) != 1 {
		t.Errorf("refresh diagnostics %v, want one warning", readResp.Diagnostics)
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("refresh sent %d requests, want none", n)
	}
}

func TestBuilderTriggerRead_missingOnServerWarnsAndKeeps(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Config{})
	sch := triggerSchema(t).Schema
	state := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
	mustNoError(t, state.Set(ctx, builderTriggerModel{
		Timeouts:    nullTimeouts(triggerTimeouts),
		ID:          types.StringValue("41"),
		Payload:     jsontypes.NewNormalizedValue(`{"campaign":"black-friday"}`),
		Keepers:     types.MapNull(types.StringType),
		FiredAt:     timetypes.NewRFC3339TimeValue(time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC)),
		FireOutcome: types.StringValue(fireOutcomeFired),
		Result:      jsontypes.NewNormalizedNull(),
	}))
	resp := &fwresource.ReadResponse{State: state}
	triggerResourceFor(srv).Read(ctx, fwresource.ReadRequest{State: state}, resp)

	if resp.Diagnostics.HasError() {
		t.Fatalf("a 404 must not fail the refresh: %v", resp.Diagnostics)
	}
	warnings := resp.Diagnostics.Warnings()
	if len(warnings) != 1 {
		t.Fatalf("got %d warnings, want 1: %v", len(warnings), resp.Diagnostics)
	}
	for _, want := range []string{"404", "41", "kept in state", "fire it again"} {
		if !strings.Contains(warnings[0].Summary()+warnings[0].Detail(), want) {
			t.Errorf("the warning does not say %q: %s: %s", want, warnings[0].Summary(), warnings[0].Detail())
		}
	}
	if resp.State.Raw.IsNull() {
		t.Fatal("the trigger was removed from state; the next apply would fire it again")
	}
	var id types.String
	mustNoError(t, resp.State.GetAttribute(ctx, path.Root("id"), &id))
	if id.ValueString() != "41" {
		t.Errorf("id %s after refresh, want 41", id)
	}
}

func mustNoError(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("unexpected error: %v", diags)
	}
}

func TestTriggerReadFields(t *testing.T) {
	payload, created := triggerReadFields(json.RawMessage(`{"id": 3, "json": {"a": 1}, "status": "sent", "created_at": "2025-11-28T09:00:00Z"}`))
	if payload != `{"a": 1}` {
		t.Errorf("payload %q", payload)
	}
	if created == nil || !created.Equal(time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("created_at %v", created)
	}
	// Issue 17, item 5: created_at is read as every other timestamp is, in
	// any spelling the server's stack prints.
	for _, spelled := range []string{`"2025-11-28T09:00:00"`, `"2025-11-28 09:00:00.000000"`, `"2025-11-28T06:00:00-03:00"`, `{"$date": "2025-11-28T09:00:00.000Z"}`, `1764320400`} {
		_, created := triggerReadFields(json.RawMessage(`{"created_at": ` + spelled + `}`))
		if created == nil || !created.Equal(time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("created_at %s: read as %v", spelled, created)
		}
	}
	for _, raw := range []string{`{}`, `{"json": [1], "created_at": "yesterday"}`, `{"json": null, "created_at": true}`, `[]`} {
		if payload, created := triggerReadFields(json.RawMessage(raw)); payload != "" || created != nil {
			t.Errorf("%s: got %q and %v, want neither", raw, payload, created)
		}
	}
}

func TestSummarizeJSON(t *testing.T) {
	if got := summarizeJSON(`{ "a" : 1 }`, 100); got != `{"a":1}` {
		t.Errorf("compact: %q", got)
	}
	if got := summarizeJSON(`{"name":"ação"}`, 11); got != `{"name":"a…` {
		t.Errorf("cut inside a rune: %q", got)
	}
}

func TestKeepersChangeFires(t *testing.T) {
	ctx := context.Background()
	sch := triggerSchema(t).Schema
	keepers := func(m map[string]string) types.Map {
		if m == nil {
			return types.MapNull(types.StringType)
		}
		v, _ := types.MapValueFrom(ctx, types.StringType, m)
		return v
	}
	cases := map[string]struct {
		outcome     string
		state, plan types.Map
		want        bool
	}{
		"changed value":             {fireOutcomeFired, keepers(map[string]string{"round": "1"}), keepers(map[string]string{"round": "2"}), true},
		"added":                     {fireOutcomeFired, keepers(nil), keepers(map[string]string{"round": "1"}), true},
		"removed":                   {fireOutcomeFired, keepers(map[string]string{"round": "1"}), keepers(nil), true},
		"unknown":                   {fireOutcomeFired, keepers(nil), types.MapUnknown(types.StringType), true},
		"null to empty":             {fireOutcomeFired, keepers(nil), keepers(map[string]string{}), false},
		"empty to null":             {fireOutcomeFired, keepers(map[string]string{}), keepers(nil), false},
		"after ambiguous fire":      {fireOutcomeUnknown, keepers(nil), keepers(map[string]string{"round": "1"}), true},
		"imported, first keepers":   {fireOutcomeImported, keepers(nil), keepers(map[string]string{"round": "1"}), false},
		"imported, keepers changed": {fireOutcomeImported, keepers(map[string]string{"round": "1"}), keepers(map[string]string{"round": "2"}), true},
		"imported, keepers unknown": {fireOutcomeImported, keepers(nil), types.MapUnknown(types.StringType), false},
		"imported, keepers removed": {fireOutcomeImported, keepers(map[string]string{"round": "1"}), keepers(nil), true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			state := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
			mustNoError(t, state.Set(ctx, builderTriggerModel{
				Timeouts:    nullTimeouts(triggerTimeouts),
				ID:          types.StringValue("1"),
				Payload:     jsontypes.NewNormalizedValue(`{}`),
				Keepers:     tc.state,
				FiredAt:     timetypes.NewRFC3339Null(),
				FireOutcome: types.StringValue(tc.outcome),
				Result:      jsontypes.NewNormalizedNull(),
			}))
			req := planmodifier.MapRequest{State: state, StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			var resp mapplanmodifier.RequiresReplaceIfFuncResponse
			keepersChangeFires(ctx, req, &resp)
			mustNoError(t, resp.Diagnostics)
			if resp.RequiresReplace != tc.want {
				t.Errorf("fires: %t, want %t", resp.RequiresReplace, tc.want)
			}
		})
	}
}

func TestJSONObjectText(t *testing.T) {
	cases := map[string]struct {
		value   types.String
		wantErr bool
	}{
		"object":       {types.StringValue(`{"a": 1}`), false},
		"empty object": {types.StringValue(`{}`), false},
		"array":        {types.StringValue(`[{"a": 1}]`), true},
		"string":       {types.StringValue(`"a"`), true},
		"number":       {types.StringValue(`1`), true},
		"null":         {types.StringValue(`null`), true},
		"not JSON":     {types.StringValue(`{a}`), false}, // jsontypes reports it
		"unknown":      {types.StringUnknown(), false},
		"unset":        {types.StringNull(), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := validator.StringRequest{Path: path.Root("payload"), ConfigValue: tc.value}
			var resp validator.StringResponse
			jsonObjectText.ValidateString(context.Background(), req, &resp)
			if resp.Diagnostics.HasError() != tc.wantErr {
				t.Fatalf("error: %t, want %t: %v", resp.Diagnostics.HasError(), tc.wantErr, resp.Diagnostics)
			}
			if tc.wantErr && !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "payload must be a JSON object") {
				t.Errorf("the error does not name payload: %s", resp.Diagnostics.Errors()[0].Detail())
			}
		})
	}
}

func TestPayloadChangeFires(t *testing.T) {
	ctx := context.Background()
	sch := triggerSchema(t).Schema
	cases := map[string]struct {
		outcome     string
		state, plan types.String
		want        bool
	}{
		"changed":                      {fireOutcomeFired, types.StringValue(`{"a":1}`), types.StringValue(`{"a":2}`), true},
		"unknown":                      {fireOutcomeFired, types.StringValue(`{"a":1}`), types.StringUnknown(), true},
		"imported, payload changed":    {fireOutcomeImported, types.StringValue(`{"a":1}`), types.StringValue(`{"a":2}`), true},
		"imported without a payload":   {fireOutcomeImported, types.StringNull(), types.StringValue(`{"a":2}`), false},
		"ambiguous fire, then changed": {fireOutcomeUnknown, types.StringValue(`{"a":1}`), types.StringValue(`{"a":2}`), true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			state := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
			mustNoError(t, state.SetAttribute(ctx, path.Root("fire_outcome"), tc.outcome))
			req := planmodifier.StringRequest{State: state, StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			var resp stringplanmodifier.RequiresReplaceIfFuncResponse
			payloadChangeFires(ctx, req, &resp)
			mustNoError(t, resp.Diagnostics)
			if resp.RequiresReplace != tc.want {
				t.Errorf("fires: %t, want %t", resp.RequiresReplace, tc.want)
			}
		})
	}
}
