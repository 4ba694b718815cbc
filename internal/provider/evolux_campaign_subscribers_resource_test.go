package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const audienceAddr = "campaigns_evolux_campaign_subscribers.test"

// audienceCampaign is the emulator's first campaign (the seed's example).
var audienceCampaign = emulator.SubscriberCampaigns()[0].UUID

// audienceConfig is one audience of the emulator's first campaign; subscribers is an HCL map's body.
func audienceConfig(srv *emulator.Server, subscribers string) string {
	return audienceConfigNamed(srv, "test", subscribers)
}

func audienceConfigNamed(srv *emulator.Server, name, subscribers string) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "campaigns_evolux_campaign_subscribers" %q {
  campaign_uuid = %q
  subscribers = {
%s
  }
  timeouts {
    create = "20s"
    update = "20s"
  }
}
`, name, audienceCampaign, subscribers)
}

const (
	maria = `"5511999990001" = { name = "Silva, Maria \"Mary\"", parameters = ["Maria", "30%"], fields = { CPF = "111.111.111-11" } }`
	joao  = `"5511999990002" = { name = "João", parameters = ["João", "25%"] }`
	ana   = `"+55 (11) 99999-0003" = { name = "Ana", parameters = ["Ana", 10] }` // a number is sent as written
)

// uploaded: the emulator received exactly these phones, in this order over all uploads.
func uploaded(srv *emulator.Server, phones ...string) emulatorCheck {
	return func() error {
		if got := srv.Uploaded(); !slices.Equal(got, phones) {
			return fmt.Errorf("the emulator received uploads of %v, want %v", got, phones)
		}
		return nil
	}
}

func outcomeOf(phone string) tfjsonpath.Path {
	return tfjsonpath.New("insert_outcomes").AtMapKey(phone)
}

func TestAccAudience_insertsEachSubscriberOnce(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 20})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: audienceConfig(srv, maria+"\n"+joao),
				ConfigStateChecks: []statecheck.StateCheck{
					uploaded(srv, "5511999990001", "5511999990002"),
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990001"), knownvalue.StringExact("inserted")),
					statecheck.ExpectKnownValue(audienceAddr, tfjsonpath.New("states").AtMapKey("5511999990002"),
						knownvalue.StringExact("pending")),
					statecheck.ExpectKnownValue(audienceAddr, tfjsonpath.New("state_counts").AtMapKey("pending"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(audienceAddr, tfjsonpath.New("id"), knownvalue.StringExact(audienceCampaign)),
				},
			},
			{
				// Adding one uploads only it, spelled as digits.
				Config: audienceConfig(srv, maria+"\n"+joao+"\n"+ana),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(audienceAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					uploaded(srv, "5511999990001", "5511999990002", "5511999990003"),
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("+55 (11) 99999-0003"), knownvalue.StringExact("inserted")),
				},
			},
			{
				// Changing one already inserted fails the plan, naming it.
				Config:      audienceConfig(srv, strings.Replace(maria, "30%", "35%", 1)+"\n"+joao+"\n"+ana),
				ExpectError: regexp.MustCompile(`(?s)Subscriber 5511999990001 is already in campaign.*parameters`),
			},
			{
				// Removing one only forgets it.
				Config: audienceConfig(srv, maria+"\n"+ana),
				ConfigStateChecks: []statecheck.StateCheck{
					uploaded(srv, "5511999990001", "5511999990002", "5511999990003"),
					statecheck.ExpectKnownValue(audienceAddr, tfjsonpath.New("state_counts").AtMapKey("pending"), knownvalue.Int64Exact(2)),
				},
			},
			{
				// Re-adding a forgotten one that the report shows is recorded, not uploaded.
				Config: audienceConfig(srv, maria+"\n"+joao+"\n"+ana),
				ConfigStateChecks: []statecheck.StateCheck{
					uploaded(srv, "5511999990001", "5511999990002", "5511999990003"),
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990002"), knownvalue.StringExact("inserted")),
				},
			},
			{
				// An import knows the campaign, not which of its subscribers are this configuration's.
				ResourceName:  audienceAddr,
				ImportState:   true,
				ImportStateId: audienceCampaign,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["campaign_uuid"] != audienceCampaign ||
						states[0].Attributes["insert_outcomes.%"] != "0" {
						return fmt.Errorf("imported %v", states)
					}
					return nil
				},
			},
		},
	})
}

// The report spells phones its own way: matched by their digits, never uploaded twice.
func TestAccAudience_reportSpellingsAreMatched(t *testing.T) {
	for _, spelling := range emulator.PhoneSpellings {
		t.Run(spelling, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{EvoluxPhones: spelling})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{Config: audienceConfig(srv, maria+"\n"+joao)},
					{
						// Another resource, as after a lost state: the report alone keeps them from a second upload.
						Config: audienceConfigNamed(srv, "again", maria+"\n"+joao),
						PreConfig: func() {
							if n := len(srv.Uploaded()); n != 2 {
								t.Fatalf("%d uploaded, want 2", n)
							}
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("campaigns_evolux_campaign_subscribers.again", outcomeOf("5511999990001"),
								knownvalue.StringExact("inserted")),
						},
					},
				},
			})
			if n := len(srv.Uploaded()); n != 2 {
				t.Errorf("%d phones uploaded, want 2", n)
			}
		})
	}
}

// Processing after the answer (a task, a delay): the apply waits for the report.
func TestAccAudience_asynchronousUploadsAreAwaited(t *testing.T) {
	for _, answer := range emulator.UploadDialects {
		t.Run(answer, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{EvoluxUpload: answer, InsertDelay: 1500 * time.Millisecond})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config: audienceConfig(srv, maria+"\n"+joao),
					ConfigStateChecks: []statecheck.StateCheck{
						uploaded(srv, "5511999990001", "5511999990002"),
						statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990002"), knownvalue.StringExact("inserted")),
					},
				}},
			})
		})
	}
}

// An upload whose answer is lost may have been processed: never repeated, recorded unknown, settled by a refresh.
func TestAccAudience_ambiguousUploadIsNeverRepeated(t *testing.T) {
	for _, fault := range []emulator.FaultKind{emulator.FaultDropAfter, emulator.FaultServerErrorAfter, emulator.FaultServerError} {
		t.Run(string(fault), func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{})
			srv.InjectFault(emulator.OpEvoluxInsert, fault, 1)
			processed := fault != emulator.FaultServerError
			want := "unknown"
			if processed {
				want = "inserted" // the report read after the failure shows them
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						Config: audienceConfig(srv, maria+"\n"+joao),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990001"), knownvalue.StringExact(want)),
						},
					},
					{
						Config:   audienceConfig(srv, maria+"\n"+joao),
						PlanOnly: true, // nothing to upload: unknown is never repeated by itself
					},
				},
			})
			if n := srv.Count(emulator.OpEvoluxInsert); n != 1 {
				t.Errorf("%d uploads, want 1", n)
			}
		})
	}
}

// Certainly refused: an unknown campaign answers 404, nothing goes to state.
func TestAccAudience_refusedUploadSavesNothing(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	config := strings.Replace(audienceConfig(srv, maria), audienceCampaign, "00000000-0000-4000-8000-000000000000", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)HTTP 404.*Campaign not found`),
		}},
	})
}

func TestAccAudience_badInputFailsAtPlan(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	for name, tc := range map[string]struct{ subscribers, want string }{
		"phone":      {`"55-11-abc" = { name = "X" }`, `"55-11-abc" is not a phone number`},
		"empty name": {`"5511999990001" = { name = "" }`, `subscribers\["5511999990001"\].name: every`},
		"no name":    {`"5511999990001" = { parameters = ["x"] }`, `subscribers\["5511999990001"\].name: every`},
		"misspelt":   {`"5511999990001" = { name = "A", field = { CPF = "1" } }`, `subscribers\["5511999990001"\].field: not an`},
		"not a list": {`"5511999990001" = { name = "A", parameters = "x" }`, `parameters: a list`},
		"not a map":  {`"5511999990001" = { name = "A", fields = ["x"] }`, `fields: a map`},
		"not text":   {`"5511999990001" = { name = "A", parameters = [["x"]] }`, `parameters\[0\]: must be a string`},
		"same phone": {`"5511999990001" = { name = "A" }` + "\n" + `"+55 11 99999 0001" = { name = "B" }`, `may be one phone`},
		"national":   {`"5511999990001" = { name = "A" }` + "\n" + `"11999990001" = { name = "B" }`, `may be one phone`},
		"parameters": {maria + "\n" + `"5511999990009" = { name = "B", parameters = ["x"] }`, `different parameter counts`},
		"column":     {`"5511999990001" = { name = "A", fields = { Phone = "x" } }`, `custom field "Phone"`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps:                    []resource.TestStep{{Config: audienceConfig(srv, tc.subscribers), ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
	assertNoRequests(t, srv)
}

// An ambiguous upload processed later: unknown at first, then settled by a refresh, never uploaded again.
func TestAccAudience_unknownIsSettledByARefresh(t *testing.T) {
	srv := startEmulator(t, emulator.Config{InsertDelay: 2 * time.Second})
	srv.InjectFault(emulator.OpEvoluxInsert, emulator.FaultDropAfter, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: audienceConfig(srv, maria+"\n"+joao),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990001"), knownvalue.StringExact("unknown")),
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990002"), knownvalue.StringExact("unknown")),
				},
			},
			{
				PreConfig: func() { time.Sleep(2 * time.Second) },
				Config:    audienceConfig(srv, maria+"\n"+joao),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(audienceAddr, outcomeOf("5511999990001"), knownvalue.StringExact("inserted")),
					statecheck.ExpectKnownValue(audienceAddr, tfjsonpath.New("state_counts").AtMapKey("pending"), knownvalue.Int64Exact(2)),
					uploaded(srv, "5511999990001", "5511999990002"),
				},
			},
		},
	})
}

// An update that uploads nothing (here: a subscriber removed) returns its plan, with no request: the states
// the report shows by then may have moved on, and a result that differs from the plan is an error of the CLI's.
func TestAudienceUpdate_withNothingToUploadIsItsPlan(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Config{})
	r, sch := audienceResourceFor(t, srv)
	null := tftypes.NewValue(sch.Schema.Type().TerraformType(ctx), nil)
	outcomes := types.MapValueMust(types.StringType, map[string]attr.Value{"5511999990001": types.StringValue("inserted")})
	states := types.MapValueMust(types.StringType, map[string]attr.Value{"5511999990001": types.StringValue("pending")})
	counts, _ := types.MapValueFrom(ctx, types.Int64Type, map[string]int64{"pending": 1})
	maria := types.ObjectValueMust(map[string]attr.Type{"name": types.StringType}, map[string]attr.Value{"name": types.StringValue("Maria")})
	subscribers := types.DynamicValue(types.MapValueMust(maria.Type(ctx), map[string]attr.Value{"5511999990001": maria}))
	plan := tfsdk.Plan{Schema: sch.Schema, Raw: null}
	mustNoError(t, plan.Set(ctx, evoluxAudienceModel{ID: types.StringValue(audienceCampaign), CampaignUUID: types.StringValue(audienceCampaign),
		Subscribers: subscribers, InsertOutcomes: outcomes, States: states, StateCounts: counts, Timeouts: nullTimeouts(audienceTimeouts)}))
	resp := fwresource.UpdateResponse{State: tfsdk.State{Schema: sch.Schema, Raw: null}}
	r.Update(ctx, fwresource.UpdateRequest{Plan: plan, State: tfsdk.State(plan)}, &resp)
	mustNoError(t, resp.Diagnostics)
	if !resp.State.Raw.Equal(plan.Raw) {
		t.Errorf("state %s, want the plan %s", resp.State.Raw, plan.Raw)
	}
	assertNoRequests(t, srv)
}

func audienceResourceFor(t *testing.T, srv *emulator.Server) (*evoluxAudienceResource, fwresource.SchemaResponse) {
	t.Helper()
	r := &evoluxAudienceResource{configuredResource{newProviderData(
		connectionSettings{userAgent: "test", timeout: 2 * time.Second}, builderSettings{},
		evoluxSettings{url: setting{value: srv.URL(), attr: "evolux.url", env: envEvoluxURL},
			token: setting{value: emulator.DefaultEvoluxToken, attr: "evolux.token", env: envEvoluxToken}})}}
	var sch fwresource.SchemaResponse
	r.Schema(context.Background(), fwresource.SchemaRequest{}, &sch)
	return r, sch
}

// A phone state records as unknown is never uploaded by an update, whatever the plan knows; an outcome the plan
// knows is kept (the next refresh settles it), one it does not is settled from the report.
func TestAudienceUpdate_neverUploadsWhatMayBeInserted(t *testing.T) {
	ctx := context.Background()
	const shown, lost, added = "5511999990001", "5511999990002", "5511999990003"
	for name, tc := range map[string]struct {
		planned   types.Map
		wantShown string
	}{
		"outcomes planned": {types.MapValueMust(types.StringType, map[string]attr.Value{shown: types.StringValue(unknownOutcome),
			lost: types.StringValue(unknownOutcome), added: types.StringUnknown()}), unknownOutcome},
		"nothing known at plan": {types.MapUnknown(types.StringType), insertedOutcome},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{})
			r, sch := audienceResourceFor(t, srv)
			c, diags := r.data.evoluxForReports()
			mustNoError(t, diags)
			// An earlier apply's upload of shown, whose answer was lost: the report shows it by now.
			if done := c.Insert(ctx, audienceCampaign, []evolux.NewSubscriber{{Phone: shown, Name: "Maria"}}); done.Err != nil {
				t.Fatal(done.Err)
			}
			sub := types.ObjectValueMust(map[string]attr.Type{"name": types.StringType}, map[string]attr.Value{"name": types.StringValue("X")})
			subs := func(phones ...string) types.Dynamic {
				m := map[string]attr.Value{}
				for _, p := range phones {
					m[p] = sub
				}
				return types.DynamicValue(types.MapValueMust(sub.Type(ctx), m))
			}
			null := tftypes.NewValue(sch.Schema.Type().TerraformType(ctx), nil)
			state := tfsdk.State{Schema: sch.Schema, Raw: null}
			model := evoluxAudienceModel{ID: types.StringValue(audienceCampaign), CampaignUUID: types.StringValue(audienceCampaign),
				Subscribers: subs(shown, lost), Timeouts: nullTimeouts(audienceTimeouts),
				InsertOutcomes: types.MapValueMust(types.StringType, map[string]attr.Value{
					shown: types.StringValue(unknownOutcome), lost: types.StringValue(unknownOutcome)}),
				States: types.MapValueMust(types.StringType, nil), StateCounts: types.MapNull(types.Int64Type)}
			mustNoError(t, state.Set(ctx, model))
			model.Subscribers, model.InsertOutcomes = subs(shown, lost, added), tc.planned
			model.States, model.StateCounts = types.MapUnknown(types.StringType), types.MapUnknown(types.Int64Type)
			plan := tfsdk.Plan{Schema: sch.Schema, Raw: null}
			mustNoError(t, plan.Set(ctx, model))
			resp := fwresource.UpdateResponse{State: tfsdk.State{Schema: sch.Schema, Raw: null}}
			r.Update(ctx, fwresource.UpdateRequest{Plan: plan, State: state}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if got := srv.Uploaded(); !slices.Equal(got, []string{shown, added}) {
				t.Errorf("uploaded %v, want %s before and %s now: %s may have been inserted", got, shown, added, lost)
			}
			var after evoluxAudienceModel
			mustNoError(t, resp.State.Get(ctx, &after))
			want := map[string]string{shown: tc.wantShown, lost: unknownOutcome, added: insertedOutcome}
			if got := stringMap(ctx, after.InsertOutcomes, &resp.Diagnostics); !maps.Equal(got, want) {
				t.Errorf("outcomes %v, want %v", got, want)
			}
		})
	}
}
