package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// reminderPhone is the personal data of reminderPayload.
const reminderPhone = "+5511999990001"

// writeOnlyTriggerConfig is one trigger with a write-only payload (an HCL expression) and its version.
func writeOnlyTriggerConfig(srv *emulator.Server, payload string, version int) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_builder_trigger" "test" {
  payload_wo         = %s
  payload_wo_version = %d
}
`, payload, version)
}

// writeOnlyCLIs: write-only arguments need Terraform or OpenTofu 1.11.
var writeOnlyCLIs = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// stateLacks: the whole state, as the CLI shows it, holds none of texts.
type stateLacks []string

func (s stateLacks) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = s.check(req.State)
}

func (s stateLacks) check(state any) error {
	text, err := json.Marshal(state)
	if err != nil {
		return err
	}
	for _, lacked := range s {
		if strings.Contains(string(text), lacked) {
			return fmt.Errorf("the state holds %q: %s", lacked, text)
		}
	}
	return nil
}

// isResultWithoutPayload matches a trigger read answer with its status and no payload under "json".
var isResultWithoutPayload = knownvalue.StringFunc(func(v string) error {
	var answer map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &answer); err != nil {
		return fmt.Errorf("result is not a JSON object: %s", v)
	}
	if _, ok := answer[builder.FieldTriggerJSON]; ok || answer[builder.FieldTriggerStatus] == nil {
		return fmt.Errorf("result %s: want a status and no %q", v, builder.FieldTriggerJSON)
	}
	return nil
})

func TestAccBuilderTrigger_writeOnlyPayloadNeverReachesState(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   writeOnlyCLIs,
		Steps: []resource.TestStep{
			{
				Config: writeOnlyTriggerConfig(srv, reminderPayload, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1),
					expectAttr("payload", knownvalue.Null()),
					expectAttr("payload_wo", knownvalue.Null()),
					expectAttr("result", isResultWithoutPayload),
					stateLacks{reminderPhone, "reminder_v2"},
				},
			},
			{
				// A refresh reads the trigger again, and still keeps the payload out.
				Config:            writeOnlyTriggerConfig(srv, reminderPayload, 1),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1), stateLacks{reminderPhone}},
			},
			{
				// A new version fires anew.
				Config: writeOnlyTriggerConfig(srv, reminderPayload, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 2), stateLacks{reminderPhone}},
			},
			{
				// Back to payload: nothing to compare with, so recorded without firing.
				Config:            triggerConfig(srv, reminderPayload, ""),
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 2), expectAttr("payload", knownvalue.StringExact(reminderPayloadJSON))},
			},
		},
	})
	if got := jsonOfNewestTrigger(t, srv); !jsonEquivalent(got, reminderPayloadJSON) {
		t.Errorf("the emulator holds payload %s, want %s", got, reminderPayloadJSON)
	}
}

// Moving a payload to payload_wo fires only if it differs.
func TestAccBuilderTrigger_payloadMovedToWriteOnlyFiresOnlyIfChanged(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	other := `jsonencode({ campaign = "black-friday", template = "reminder_v3" })`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		TerraformVersionChecks:   writeOnlyCLIs,
		Steps: []resource.TestStep{
			{Config: triggerConfig(srv, reminderPayload, ""), ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 1)}},
			{
				Config: writeOnlyTriggerConfig(srv, reminderPayload, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					firesCounted(srv, 1), expectAttr("result", isResultWithoutPayload), stateLacks{reminderPhone},
				},
			},
			{Config: triggerConfig(srv, reminderPayload, "")}, // recorded without firing
			{
				Config: writeOnlyTriggerConfig(srv, other, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(triggerAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{firesCounted(srv, 2), stateLacks{"reminder_v3"}},
			},
		},
	})
}

func TestAccBuilderTrigger_writeOnlyBadInputFailsAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	for name, tc := range map[string]struct{ body, want string }{
		"both":                {`payload = ` + reminderPayload + "\n  payload_wo = " + reminderPayload, `(?s)Exactly one of these attributes.*\[payload,payload_wo\]`},
		"neither":             {`keepers = { a = "b" }`, `(?s)Exactly one of these attributes.*\[payload,payload_wo\]`},
		"version without wo":  {`payload = ` + reminderPayload + "\n  payload_wo_version = 1", `(?s)payload_wo_version.*payload_wo`},
		"write-only not JSON": {`payload_wo = "[1]"`, `must be a JSON object`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				TerraformVersionChecks:   writeOnlyCLIs,
				Steps: []resource.TestStep{{
					Config:      providerConfig(srv) + "resource \"campaigns_builder_trigger\" \"test\" {\n  " + tc.body + "\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	assertNoRequests(t, srv)
}

// The "may have fired" warnings of a write-only payload name its version, never print it.
func TestTriggerWarnings_writeOnlyPayloadNamedByVersion(t *testing.T) {
	m := builderTriggerModel{Payload: jsontypes.NewNormalizedNull(), WOVersion: types.Int64Value(3),
		ID: types.StringValue("unknown-1"), Keepers: types.MapNull(types.StringType)}
	for _, detail := range []string{ambiguousFireDetail(m, nil), firedWithoutIDDetail(m, nil)} {
		if !strings.Contains(detail, "payload_wo_version 3") {
			t.Errorf("the warning does not name the version:\n%s", detail)
		}
	}
	result := m.result(json.RawMessage(`{"status":"sent","json":{"phone":"` + reminderPhone + `"},"id":"1"}`))
	if strings.Contains(result.ValueString(), reminderPhone) || !strings.Contains(result.ValueString(), `"status":"sent"`) {
		t.Errorf("result %s: want the status without the payload", result.ValueString())
	}
}

// A CLI older than 1.11 cannot send write-only values: the plan fails saying so, before any request.
func TestBuilderTrigger_writeOnlyPayloadRefusedByOlderCLIs(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema := schemas.ResourceSchemas["campaigns_builder_trigger"]
	config := simValue(objectType(schema), map[string]any{"payload_wo": reminderPayloadJSON})
	dv, err := tfprotov6.NewDynamicValue(objectType(schema), config)
	if err != nil {
		t.Fatal(err)
	}
	for _, allowed := range []bool{false, true} {
		resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
			TypeName: "campaigns_builder_trigger", Config: &dv,
			ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: allowed},
		})
		if err != nil {
			t.Fatal(err)
		}
		refused := slices.ContainsFunc(resp.Diagnostics, func(d *tfprotov6.Diagnostic) bool {
			return d.Severity == tfprotov6.DiagnosticSeverityError && strings.Contains(d.Detail, "Terraform 1.11 and later")
		})
		if refused == allowed {
			t.Errorf("write-only allowed by the CLI %v: refused %v (%v)", allowed, refused, resp.Diagnostics)
		}
	}
}
