package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const fireActionAddr = "action.campaigns_builder_fire_trigger.reminder"

func fireActionConfig(srv *emulator.Server, payload string) string {
	return providerConfig(srv) + fmt.Sprintf(`
action "campaigns_builder_fire_trigger" "reminder" {
  config {
    payload = %s
  }
}
`, payload)
}

// triggerPayloads are the payloads of the triggers the emulator holds.
func triggerPayloads(t *testing.T, srv *emulator.Server) []string {
	t.Helper()
	var out []string
	for _, trigger := range srv.Triggers() {
		var compact json.RawMessage
		if err := json.Unmarshal(trigger.Payload, &compact); err != nil {
			t.Fatalf("trigger %d payload: %s", trigger.ID, err)
		}
		out = append(out, string(compact))
	}
	return out
}

func TestAccBuilderFireTriggerAction_invokeFiresOncePerInvocation(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	w := newCLIWorkdir(t, fireActionConfig(srv, reminderPayload))
	skipBelowTerraform1_14(t, w)
	w.initWorkdir()
	w.must("plan", "-input=false", "-no-color")
	if n := srv.Count(emulator.OpTriggerFire); n != 0 {
		t.Fatalf("a plan without -invoke fired %d triggers", n)
	}
	for i := 1; i <= 2; i++ {
		res := w.must("apply", "-input=false", "-no-color", "-auto-approve", "-invoke="+fireActionAddr)
		if n := srv.Count(emulator.OpTriggerFire); n != i {
			t.Fatalf("after %d invocations the emulator counted %d fires", i, n)
		}
		ids := srv.Triggers()
		if want := fmt.Sprintf("Builder trigger fired: id %d", ids[len(ids)-1].ID); !strings.Contains(res.output(), want) {
			t.Errorf("invocation %d does not report %q:\n%s", i, want, res.output())
		}
	}
	for _, p := range triggerPayloads(t, srv) {
		if p != reminderPayloadJSON {
			t.Errorf("fired payload %s, want %s", p, reminderPayloadJSON)
		}
	}
	if got := len(srv.Triggers()); got != 2 {
		t.Errorf("the emulator holds %d triggers after two invocations, want 2", got)
	}
	// An apply that invokes nothing fires nothing, and nothing is in state.
	w.must("apply", "-input=false", "-no-color", "-auto-approve")
	if n := srv.Count(emulator.OpTriggerFire); n != 2 {
		t.Errorf("an apply without -invoke fired: %d fires, want 2", n)
	}
	if got := w.stateResourcesAll(); len(got) != 0 {
		t.Errorf("the action left state: %v", got)
	}
}

// An action_trigger on a campaign's creation fires once, when the campaign is
// created, and never on later applies that update it or change nothing.
func TestAccBuilderFireTriggerAction_afterCreateFiresOnceOnCreate(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	config := func(content string) string {
		return fireActionConfig(srv, `jsonencode({ campaign = campaigns_builder_campaign.launch.id, template = "launch_v1" })`) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "launch" {
  organization  = "acme"
  bot_name      = "sales-bot"
  campaign_name = "launch"
  content       = %q

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.campaigns_builder_fire_trigger.reminder]
    }
  }
}
`, content)
	}
	w := newCLIWorkdir(t, config("Olá!"))
	skipBelowTerraform1_14(t, w)
	w.initWorkdir()
	w.must("apply", "-input=false", "-no-color", "-auto-approve")
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Fatalf("creating the campaign fired %d triggers, want 1", n)
	}
	campaigns := srv.Campaigns()
	if len(campaigns) != 1 {
		t.Fatalf("the emulator holds %d campaigns, want 1", len(campaigns))
	}
	want := fmt.Sprintf(`{"campaign":%q,"template":"launch_v1"}`, campaigns[0].ID)
	if got := triggerPayloads(t, srv); len(got) != 1 || got[0] != want {
		t.Errorf("fired payloads %v, want [%s]", got, want)
	}

	w.must("apply", "-input=false", "-no-color", "-auto-approve")
	w.writeConfig(config("Olá de novo!"))
	w.must("apply", "-input=false", "-no-color", "-auto-approve")
	if n := srv.Count(emulator.OpCampaignUpdate); n != 1 {
		t.Errorf("the changed content made %d updates, want 1", n)
	}
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("applies that did not create the campaign fired: %d fires in all, want 1", n)
	}
}

// A fire that may have run is never repeated, and the invocation says so.
func TestAccBuilderFireTriggerAction_ambiguousFireNotRepeated(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	w := newCLIWorkdir(t, fireActionConfig(srv, reminderPayload))
	skipBelowTerraform1_14(t, w)
	w.initWorkdir()
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultDropAfter, 1)
	res := w.run("apply", "-input=false", "-no-color", "-auto-approve", "-invoke="+fireActionAddr)
	if res.err == nil {
		t.Errorf("an invocation whose outcome is unknown succeeded:\n%s", res.output())
	}
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("the fire was sent %d times, want 1: an ambiguous fire must not be repeated", n)
	}
	out := strings.Join(strings.Fields(res.output()), " ")
	for _, want := range []string{"Trigger may have fired", "may or may not have fired", "not sent again", "Builder UI", "-invoke=ADDRESS"} {
		if !strings.Contains(out, want) {
			t.Errorf("the invocation does not say %q:\n%s", want, res.output())
		}
	}
}

func TestAccBuilderFireTriggerAction_invalidPayloadFailsAtPlan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	w := newCLIWorkdir(t, fireActionConfig(srv, `jsonencode(["not", "an", "object"])`))
	skipBelowTerraform1_14(t, w)
	w.initWorkdir()
	res := w.run("apply", "-input=false", "-no-color", "-auto-approve", "-invoke="+fireActionAddr)
	if res.err == nil || !strings.Contains(res.output(), "payload must be a JSON object") {
		t.Errorf("a payload that is not an object was not refused naming payload:\n%s", res.output())
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("a refused payload still sent %d requests: %v", n, srv.Counts())
	}
}

// When the fire of an after_create action may have run, the apply fails,
// and the next apply neither creates the campaign again nor fires again.
func TestAccBuilderFireTriggerAction_afterCreateAmbiguousNeverRefires(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	w := newCLIWorkdir(t, fireActionConfig(srv, reminderPayload)+`
resource "campaigns_builder_campaign" "launch" {
  organization  = "acme"
  bot_name      = "sales-bot"
  campaign_name = "launch"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.campaigns_builder_fire_trigger.reminder]
    }
  }
}
`)
	skipBelowTerraform1_14(t, w)
	w.initWorkdir()
	srv.InjectFault(emulator.OpTriggerFire, emulator.FaultDropAfter, 1)
	res := w.run("apply", "-input=false", "-no-color", "-auto-approve")
	if res.err == nil || !strings.Contains(res.output(), "Trigger may have fired") {
		t.Errorf("the apply did not fail saying the trigger may have fired:\n%s", res.output())
	}
	res = w.run("apply", "-input=false", "-no-color", "-auto-approve")
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("the emulator counted %d fires, want 1: the ambiguous fire was repeated", n)
	}
	if n := srv.Count(emulator.OpCampaignCreate); n != 1 {
		t.Errorf("the emulator counted %d creates, want 1", n)
	}
}

// The server the binary serves must answer the action and list resource
// RPCs: tf6server finds them by type assertion, so a wrapper that embeds
// only tfprotov6.ProviderServer hides them ("ValidateActionConfig Not
// Implemented").
func TestProtocol6Server_servesActionsAndListResources(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := server.(tfprotov6.ActionServer); !ok {
		t.Errorf("%T does not serve actions", server)
	}
	if _, ok := server.(tfprotov6.ListResourceServer); !ok {
		t.Errorf("%T does not serve list resources", server)
	}
	schema, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.ActionSchemas["campaigns_builder_fire_trigger"]; !ok {
		t.Errorf("the schema has no action campaigns_builder_fire_trigger: %v", schema.Diagnostics)
	}
	if _, ok := schema.ListResourceSchemas["campaigns_builder_campaign"]; !ok {
		t.Errorf("the schema has no list resource campaigns_builder_campaign: %v", schema.Diagnostics)
	}
}
