package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

var (
	_ resource.ResourceWithConfigure        = &builderTriggerResource{}
	_ resource.ResourceWithConfigValidators = &builderTriggerResource{}
	_ resource.ResourceWithImportState      = &builderTriggerResource{}
	_ resource.ResourceWithModifyPlan       = &builderTriggerResource{}
)

// Values of fire_outcome.
const (
	fireOutcomeFired    = "fired"    // Builder accepted the fire (2xx)
	fireOutcomeUnknown  = "unknown"  // the fire may or may not have run: never repeated
	fireOutcomeImported = "imported" // adopted by import; this provider did not fire it
)

// Placeholder id prefixes: the fire outcome is unknown, or Builder accepted it without a readable id.
const (
	unknownIDPrefix = "unknown-"
	noIDPrefix      = "no-id-"
)

// NewBuilderTriggerResource is the campaigns_builder_trigger resource.
func NewBuilderTriggerResource() resource.Resource {
	return &builderTriggerResource{}
}

type builderTriggerResource struct{ configuredResource }

type builderTriggerModel struct {
	ID          types.String         `tfsdk:"id"`
	Payload     jsontypes.Normalized `tfsdk:"payload"`
	PayloadWO   jsontypes.Normalized `tfsdk:"payload_wo"`
	WOVersion   types.Int64          `tfsdk:"payload_wo_version"`
	Keepers     types.Map            `tfsdk:"keepers"`
	FiredAt     timetypes.RFC3339    `tfsdk:"fired_at"`
	FireOutcome types.String         `tfsdk:"fire_outcome"`
	Result      jsontypes.Normalized `tfsdk:"result"`
	Timeouts    timeouts.Value       `tfsdk:"timeouts"`
}

// triggerTimeouts are the operations of the resource's timeouts block: a fire, and a read.
var triggerTimeouts = timeouts.Opts{Create: true, Read: true}

func (r *builderTriggerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_trigger"
}

func (r *builderTriggerResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Fires a Fintalk Builder trigger (\"acionamento\") once, with the provider's `builder.api_key`.\n\n" +
			"A fired trigger cannot be taken back, so this resource never fires twice by accident:\n\n" +
			"- **No update.** Changing `payload` or `keepers` replaces the resource, which fires a new trigger; the plan shows it. " +
			"Equivalent JSON (other whitespace or key order) is not a change.\n" +
			"- **Destroy only forgets.** Removing the resource makes no API call: the trigger has already run.\n" +
			"- **Ambiguous fires are kept, never repeated.** When the fire request may have reached Builder but no answer came back " +
			"(a timeout, a dropped connection, a 5xx), it is not sent again. The apply succeeds with a warning that says the trigger may have fired, " +
			"and the resource is saved with `fire_outcome = \"unknown\"` and an `id` starting with `unknown-`, so later applies do not fire it again. " +
			"The warning is a warning and not an error on purpose: Terraform and OpenTofu mark a resource whose create failed as tainted and " +
			"replace it on the next apply, which would fire the trigger a second time. The warning is repeated by every refresh until someone acts: " +
			"`-replace` (or a changed keeper) fires it again on purpose; importing its real id records that it fired. " +
			"To make the apply fail instead, add a `postcondition` on `self.fire_outcome != \"unknown\"`: a failed postcondition does not taint, " +
			"so the apply and every later plan fail until someone acts, and nothing fires again.\n" +
			"- **Gone from the server is kept.** If Builder no longer knows the trigger (404 on read), it stays in state with a warning, " +
			"because dropping it would fire it again on the next apply.\n" +
			"- **Time limits.** `timeouts` bounds the fire (`create`, default `20m`) and each refresh (`read`, `5m`); " +
			"a `429` from Builder certainly did not fire, so it is repeated until then.",
		Blocks: map[string]schema.Block{"timeouts": timeouts.Block(ctx, triggerTimeouts)},
		Attributes: map[string]schema.Attribute{
			"id": serverManaged("Id Builder answered when the trigger fired. When the fire outcome is unknown (see `fire_outcome`), "+
				"a placeholder that starts with `"+unknownIDPrefix+"`, since Builder never answered with an id; "+
				"when Builder accepted the fire but its answer held no readable id, a placeholder that starts with `"+noIDPrefix+"` "+
				"(a warning says how to import the real id).", nil),
			"payload": schema.StringAttribute{
				MarkdownDescription: "The trigger's data, a JSON object as text, sent to Builder as `{\"json\": payload}`; write it with `jsonencode`. " +
					"Whitespace and key order never make a difference. Changing it fires a new trigger.",
				Optional:   true,
				CustomType: jsontypes.NormalizedType{},
				Validators: []validator.String{jsonObjectText},
				PlanModifiers: []planmodifier.String{
					useStateWhenSemanticallyEqual(jsontypes.NormalizedType{}),
					stringplanmodifier.RequiresReplaceIf(payloadChangeFires, payloadReplaces, payloadReplaces),
				},
			},
			"payload_wo": schema.StringAttribute{
				MarkdownDescription: "The payload as a write-only argument (Terraform 1.11+, OpenTofu 1.11+): sent like `payload`, " +
					"never stored in state or shown in a plan, and left out of `result`. Exactly one of `payload` and `payload_wo`. " +
					"Its changes cannot be seen once applied: change `payload_wo_version` (or a keeper) to fire anew.",
				Optional:   true,
				WriteOnly:  true,
				CustomType: jsontypes.NormalizedType{},
				Validators: []validator.String{jsonObjectText},
			},
			"payload_wo_version": schema.Int64Attribute{
				MarkdownDescription: "A number to change when `payload_wo` should fire a new trigger: changing it fires anew; " +
					"setting it where it was unset (an import, a move from `payload`), or removing it, is recorded without firing.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("payload_wo"))},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(versionChangeFires,
					"Changing payload_wo_version fires a new trigger.", "Changing `payload_wo_version` fires a new trigger.")},
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary strings; changing any of them fires a new trigger, for example `{ campaign = campaigns_builder_campaign.x.id }` " +
					"or a date that changes when it should fire again. Builder never sees them. " +
					"Going from no map to an empty one is not a change, and the keepers of an imported trigger are recorded without firing.",
				Optional:    true,
				ElementType: types.StringType,
				PlanModifiers: []planmodifier.Map{
					mapplanmodifier.RequiresReplaceIf(keepersChangeFires,
						"Changing keepers fires a new trigger.",
						"Changing `keepers` fires a new trigger."),
				},
			},
			"fired_at": serverManaged("When this provider sent the trigger (RFC 3339, UTC). "+
				"For an imported trigger, Builder's `created_at` when it has one.", timetypes.RFC3339Type{}),
			"fire_outcome": serverManaged("`"+fireOutcomeFired+"` when Builder accepted the fire (with an id, or with an answer that held none: then `id` is a `"+noIDPrefix+"` placeholder); "+
				"`"+fireOutcomeUnknown+"` when the request may have reached Builder but no answer came back, so it may or may not have fired "+
				"(it is never sent again without `-replace` or a changed keeper); "+
				"`"+fireOutcomeImported+"` for a trigger adopted with `import`.", nil),
			"result": serverManaged("Builder's answer to reading the trigger, as JSON text (use `jsondecode`); it holds the payload under `json` and a `status`. "+
				"Read right after the fire and on every refresh. Null while there is no id to read (`fire_outcome` is `"+fireOutcomeUnknown+"`, or `id` is a `"+noIDPrefix+"` placeholder), "+
				"or if the read after the fire failed (a warning says so; the next refresh fills it).",
				jsontypes.NormalizedType{}),
		},
	}
}

func (r *builderTriggerResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("payload"), path.MatchRoot("payload_wo"))}
}

// ModifyPlan fails a plan that fires (a create: a replacement plans its new object as one) when its Builder
// settings are missing or unusable; an update that makes the payload write-only plans result without it.
func (r *builderTriggerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	switch {
	case req.Plan.Raw.IsNull(): // a destroy
	case req.State.Raw.IsNull():
		resp.Diagnostics.Append(r.data.builderSettingsAtPlan(triggerFires)...)
	default:
		var plan builderTriggerModel
		if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); !plan.Payload.IsNull() || plan.Result.IsUnknown() ||
			plan.Result.IsNull() {
			return
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("result"), plan.result(json.RawMessage(plan.Result.ValueString())))...)
	}
}

// Create fires the trigger, once. Once the request may have left, it never
// returns an error: a tainted trigger would fire again on the next apply.
func (r *builderTriggerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	var plan builderTriggerModel
	c := r.data.load(ctx, req.Plan, &plan, triggerFires, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	payload := plan.Payload
	if payload.IsNull() {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("payload_wo"), &payload)...)
	}
	fire := fireTrigger(ctx, c, payload.ValueString())
	if fire.Outcome == "" {
		// Certainly not fired: nothing goes into state; the next apply tries again.
		addNotFiredError(&resp.Diagnostics, fire.Err)
		return
	}
	plan.FiredAt = timetypes.NewRFC3339TimeValue(fire.SentAt)
	plan.FireOutcome = types.StringValue(fire.Outcome)
	plan.Result = jsontypes.NewNormalizedNull()
	switch id := fire.ID; {
	case fire.Outcome == fireOutcomeUnknown:
		plan.ID = types.StringValue(placeholderTriggerID(unknownIDPrefix))
		resp.Diagnostics.AddWarning(mayHaveFiredSummary, ambiguousFireDetail(plan, fire.Err))
	case id == "": // a 2xx: it fired, whatever the answer says
		plan.ID = types.StringValue(placeholderTriggerID(noIDPrefix))
		resp.Diagnostics.AddWarning(firedWithoutIDSummary, firedWithoutIDDetail(plan, fire.Err))
	default:
		plan.ID = types.StringValue(id)
		// Read back so that result is known after this apply (else the next
		// plan shows it changed outside Terraform); a failure only warns.
		if raw, err := c.GetTrigger(ctx, id); err == nil {
			plan.Result = plan.result(raw)
		} else {
			resp.Diagnostics.AddWarning("Trigger "+id+" fired; its status could not be read",
				fmt.Sprintf("Builder fired trigger %q, but reading it back failed: %s\n\n"+
					"The trigger is saved in state and will not fire again; result stays null until the next refresh reads it.", id, err))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// keptBecauseFired is why a trigger Builder does not show stays in state.
const keptBecauseFired = "The trigger is kept in state because it has already fired and dropping it would make the next apply fire it again"

func (r *builderTriggerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	setIdentityFromState(ctx, &req.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	var state builderTriggerModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	// No id to read by: keep reminding until someone acts.
	if state.FireOutcome.ValueString() == fireOutcomeUnknown {
		resp.Diagnostics.AddWarning("Trigger fire outcome still unknown", ambiguousFireDetail(state, nil))
		return
	}
	if strings.HasPrefix(state.ID.ValueString(), noIDPrefix) {
		resp.Diagnostics.AddWarning(firedWithoutIDSummary, firedWithoutIDDetail(state, nil))
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	c, diags := r.data.builderFor(triggerFires)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	raw, err := c.GetTrigger(ctx, id)
	switch {
	case err == nil:
	case client.IsNotFound(err) && isFreshImport(state):
		resp.Diagnostics.AddError("Cannot import trigger "+id,
			fmt.Sprintf("Builder knows no trigger with id %q (HTTP 404 on read). Check the id; nothing was fired or changed.", id))
		return
	case errors.As(err, new(*client.UnreadableAnswerError)) && !isFreshImport(state):
		// A 2xx holding no trigger (null, from find_one's None) must not fail every plan from now on.
		resp.Diagnostics.AddWarning("Trigger "+id+" not read",
			fmt.Sprintf("Builder's answer to reading trigger %q held no trigger: %s\n\n%s; result keeps its previous value. "+
				"To fire a new one on purpose, use -replace or change a keeper.", id, err, keptBecauseFired))
		return
	case client.IsNotFound(err):
		resp.Diagnostics.AddWarning("Trigger "+id+" unknown to Builder",
			fmt.Sprintf("Builder answered 404 when reading trigger %q: it no longer knows it (it may have been cleaned up). %s. "+
				"To fire a new one on purpose, use -replace or change a keeper; to stop managing it, remove it from the configuration "+
				"(destroying a trigger only forgets it).", id, keptBecauseFired))
		return
	default:
		addClientError(&resp.Diagnostics, "Cannot read trigger "+id, "Reading Builder trigger "+id, err)
		return
	}
	// Only an import fills payload and fired_at from the server: a server's
	// spelling of the payload must never become a replacement, which fires.
	payload, createdAt := triggerReadFields(raw)
	if isFreshImport(state) && payload != "" {
		state.Payload = jsontypes.NewNormalizedValue(payload)
	}
	if state.FiredAt.IsNull() && createdAt != nil {
		state.FiredAt = timetypes.NewRFC3339TimeValue(createdAt.UTC())
	}
	state.Result = state.result(raw)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only records what does not fire (payloadChangeFires, keepersChangeFires); the rest replaces.
func (r *builderTriggerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	resp.State.Raw = req.Plan.Raw
}

// Delete forgets the trigger: a fired trigger cannot be taken back.
func (r *builderTriggerResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	var id types.String
	req.State.GetAttribute(ctx, path.Root("id"), &id)
	tflog.Info(ctx, "forgetting Builder trigger; a fired trigger cannot be taken back", map[string]any{"id": id.ValueString()})
}

func (r *builderTriggerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
	var given types.String
	if resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("id"), &given)...); resp.Diagnostics.HasError() {
		return
	}
	id := strings.TrimSpace(given.ValueString())
	if triggerIDProblem(pathID, id) != "" {
		resp.Diagnostics.AddError("Invalid trigger id",
			fmt.Sprintf("Import a campaigns_builder_trigger by the id Builder gave the trigger, such as 42; got %q.", given.ValueString()))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("fire_outcome"), fireOutcomeImported)...)
}

const payloadReplaces = "Changing the payload fires a new trigger, except when an imported trigger's payload was unknown: then it is recorded without firing."

// payloadChangeFires: a changed payload fires; one there is nothing to compare with (an import's its read lacked,
// or one that was write-only) is recorded without firing, and moving the payload to payload_wo fires only if it differs.
func payloadChangeFires(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	if req.StateValue.IsNull() {
		if !stateIsImported(ctx, req.State, &resp.Diagnostics) {
			resp.Diagnostics.AddAttributeWarning(req.Path, "Payload recorded without firing", "The trigger's payload was "+
				"write-only, so this provider cannot tell whether payload differs from it: it is recorded without firing. "+
				"To fire anew on purpose, use -replace or change a keeper.")
		}
		return
	}
	if !req.PlanValue.IsNull() {
		resp.RequiresReplace = true
		return
	}
	var writeOnly jsontypes.Normalized
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("payload_wo"), &writeOnly)...)
	if writeOnly.IsUnknown() {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Payload moved without firing", "payload_wo is known only at apply, "+
			"so whether it differs from payload cannot be told: it is recorded without firing. To fire it on purpose, "+
			"change payload_wo_version or a keeper.")
		return
	}
	same, diags := jsontypes.NewNormalizedValue(req.StateValue.ValueString()).StringSemanticEquals(ctx, writeOnly)
	resp.Diagnostics.Append(diags...)
	resp.RequiresReplace = !same
}

// versionChangeFires: a changed payload_wo_version fires; one set where there was none, or removed, is recorded.
func versionChangeFires(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
}

// result is Builder's answer to a read, without the payload (under "json") when it is write-only.
func (m builderTriggerModel) result(raw json.RawMessage) jsontypes.Normalized {
	var answer map[string]json.RawMessage
	if m.Payload.IsNull() && json.Unmarshal(raw, &answer) == nil && answer != nil {
		delete(answer, builder.FieldTriggerJSON)
		raw, _ = json.Marshal(answer)
	}
	return jsontypes.NewNormalizedValue(string(raw))
}

// described names the trigger in warnings: by its payload, or by the version of a write-only one.
func (m builderTriggerModel) described() string {
	if m.Payload.IsNull() {
		return fmt.Sprintf("a write-only payload (payload_wo_version %s)", m.WOVersion)
	}
	return "payload " + summarizeJSON(m.Payload.ValueString(), 200)
}

// keepersChangeFires: every keepers change replaces, except null to empty (or
// back) and recording an imported trigger's keepers (Builder never knew them).
func keepersChangeFires(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
	bothEmpty := !req.PlanValue.IsUnknown() && !req.StateValue.IsUnknown() &&
		len(req.PlanValue.Elements()) == 0 && len(req.StateValue.Elements()) == 0
	adopting := req.StateValue.IsNull() && stateIsImported(ctx, req.State, &resp.Diagnostics)
	resp.RequiresReplace = !bothEmpty && !adopting
}

func stateIsImported(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) bool {
	var outcome types.String
	diags.Append(state.GetAttribute(ctx, path.Root("fire_outcome"), &outcome)...)
	return outcome.ValueString() == fireOutcomeImported
}

// isFreshImport is the read completing an import: a 404 means a wrong id, not a trigger gone.
func isFreshImport(state builderTriggerModel) bool {
	return state.FireOutcome.ValueString() == fireOutcomeImported && state.Result.IsNull()
}

// triggerReadFields are a read's payload (JSON text) and creation time; each empty when absent or unusable.
func triggerReadFields(raw json.RawMessage) (payload string, createdAt *time.Time) {
	var answer map[string]json.RawMessage
	if err := json.Unmarshal(raw, &answer); err != nil {
		return "", nil
	}
	if p := bytes.TrimSpace(answer[builder.FieldTriggerJSON]); len(p) > 0 && p[0] == '{' && json.Valid(p) {
		payload = string(p)
	}
	if t, ok := client.ParseTimestampJSON(answer[builder.FieldTriggerCreatedAt]); ok {
		createdAt = &t
	}
	return payload, createdAt
}

// placeholderTriggerID is a random placeholder id: two never look alike.
func placeholderTriggerID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// firedWithoutIDSummary is the summary of every "fired without an id" warning.
const firedWithoutIDSummary = "Trigger fired without a readable id"

// firedWithoutIDDetail explains a fire accepted without a readable id; err is nil when a refresh repeats it.
func firedWithoutIDDetail(m builderTriggerModel, err error) string {
	what := "An earlier apply fired this trigger; Builder accepted it, but its answer held no id this provider can read."
	if err != nil {
		what = fmt.Sprintf("Builder accepted the trigger, but its answer held no id this provider can read: %s", err)
	}
	return fmt.Sprintf("%s\n\nThe trigger fired once and will not be fired again: it is saved in state with fire_outcome = %q and the placeholder id %q. "+
		"Without its real id, result cannot be read.\n\nTrigger: %s; keepers %s; sent at %s.\n\n"+
		"To record its real id: find the trigger with this payload, sent around that time, %s, then run terraform state rm ADDRESS "+
		"and terraform import ADDRESS ID with its Builder id. Nothing is fired by either step.\n%s",
		what, fireOutcomeFired, m.ID.ValueString(), m.described(), summarizeKeepers(m.Keepers), m.FiredAt.ValueString(),
		inTriggerList, addressHint(m.ID.ValueString()))
}

// ambiguousFireDetail is mayHaveFiredDetail for this resource: how to record the trigger or fire it again.
func ambiguousFireDetail(m builderTriggerModel, err error) string {
	return mayHaveFiredDetail(err, m.described(), m.FiredAt.ValueString(), fmt.Sprintf(
		"It is saved in state with fire_outcome = %q and id %q, so later applies will not fire it. Keepers: %s.\n"+
			"- If it fired, record it without firing: terraform state rm ADDRESS, then terraform import ADDRESS ID with its Builder id.\n"+
			"- To fire it again on purpose: terraform apply -replace=ADDRESS, or change a value in keepers.\n%s",
		fireOutcomeUnknown, m.ID.ValueString(), summarizeKeepers(m.Keepers), addressHint(m.ID.ValueString())))
}

// summarizeJSON is JSON text in compact form, cut to at most limit bytes.
func summarizeJSON(text string, limit int) string {
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(text)) == nil {
		text = buf.String()
	}
	return client.Shorten(text, limit)
}

func summarizeKeepers(keepers types.Map) string {
	var pairs []string
	for k, v := range keepers.Elements() {
		text, _ := v.(types.String)
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, text.ValueString()))
	}
	if len(pairs) == 0 {
		return "none"
	}
	sort.Strings(pairs)
	return "{" + strings.Join(pairs, ", ") + "}"
}
