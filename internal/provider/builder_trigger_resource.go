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
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.Resource                = &builderTriggerResource{}
	_ resource.ResourceWithConfigure   = &builderTriggerResource{}
	_ resource.ResourceWithImportState = &builderTriggerResource{}
	_ resource.ResourceWithModifyPlan  = &builderTriggerResource{}
)

// Values of fire_outcome.
const (
	fireOutcomeFired    = "fired"    // Builder accepted the fire (2xx)
	fireOutcomeUnknown  = "unknown"  // the fire may or may not have run: never repeated
	fireOutcomeImported = "imported" // adopted by import; this provider did not fire it
)

// Placeholder ids, for a trigger Builder gave no readable id: unknownIDPrefix
// when the fire outcome is unknown, noIDPrefix when Builder accepted the fire
// (a 2xx) but its answer held no id this provider could read.
const (
	unknownIDPrefix = "unknown-"
	noIDPrefix      = "no-id-"
)

// NewBuilderTriggerResource is the campaigns_builder_trigger resource.
func NewBuilderTriggerResource() resource.Resource {
	return &builderTriggerResource{}
}

type builderTriggerResource struct {
	data *providerData
}

type builderTriggerModel struct {
	ID          types.String         `tfsdk:"id"`
	Payload     jsontypes.Normalized `tfsdk:"payload"`
	Keepers     types.Map            `tfsdk:"keepers"`
	FiredAt     timetypes.RFC3339    `tfsdk:"fired_at"`
	FireOutcome types.String         `tfsdk:"fire_outcome"`
	Result      jsontypes.Normalized `tfsdk:"result"`
}

func (r *builderTriggerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_trigger"
}

func (r *builderTriggerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
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
			"because dropping it would fire it again on the next apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Id Builder answered when the trigger fired. When the fire outcome is unknown (see `fire_outcome`), " +
					"a placeholder that starts with `" + unknownIDPrefix + "`, since Builder never answered with an id; " +
					"when Builder accepted the fire but its answer held no readable id, a placeholder that starts with `" + noIDPrefix + "` " +
					"(a warning says how to import the real id).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"payload": schema.StringAttribute{
				MarkdownDescription: "The trigger's data, a JSON object as text, sent to Builder as `{\"json\": payload}`; write it with `jsonencode`. " +
					"Whitespace and key order never make a difference. Changing it fires a new trigger.",
				Required:   true,
				CustomType: jsontypes.NormalizedType{},
				Validators: []validator.String{jsonObjectText{}},
				PlanModifiers: []planmodifier.String{
					useStateWhenSemanticallyEqual(jsontypes.NormalizedType{}),
					stringplanmodifier.RequiresReplaceIf(payloadChangeFires,
						"Changing the payload fires a new trigger, except when an imported trigger's payload was unknown: then it is recorded without firing.",
						"Changing the payload fires a new trigger, except when an imported trigger's payload was unknown: then it is recorded without firing."),
				},
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
			"fired_at": schema.StringAttribute{
				MarkdownDescription: "When this provider sent the trigger (RFC 3339, UTC). For an imported trigger, Builder's `created_at` when it has one.",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"fire_outcome": schema.StringAttribute{
				MarkdownDescription: "`" + fireOutcomeFired + "` when Builder accepted the fire (with an id, or with an answer that held none: then `id` is a `" + noIDPrefix + "` placeholder); " +
					"`" + fireOutcomeUnknown + "` when the request may have reached Builder but no answer came back, so it may or may not have fired " +
					"(it is never sent again without `-replace` or a changed keeper); " +
					"`" + fireOutcomeImported + "` for a trigger adopted with `import`.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"result": schema.StringAttribute{
				MarkdownDescription: "Builder's answer to reading the trigger, as JSON text (use `jsondecode`); it holds the payload under `json` and a `status`. " +
					"Read right after the fire and on every refresh. Null while there is no id to read (`fire_outcome` is `" + fireOutcomeUnknown + "`, or `id` is a `" + noIDPrefix + "` placeholder), " +
					"or if the read after the fire failed (a warning says so; the next refresh fills it).",
				Computed:      true,
				CustomType:    jsontypes.NormalizedType{},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *builderTriggerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = dataFromConfigure(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan: a plan that fires a trigger fails when its Builder settings
// are missing or unusable. A trigger fires only when it is created: a
// replacement (a changed payload or keeper, -replace) plans its new object
// as a create, with no prior state, and is checked there. The rest of the
// trigger's planning is in its plan modifiers.
func (r *builderTriggerResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return // a destroy, or an update that fires nothing
	}
	resp.Diagnostics.Append(r.data.builderSettingsAtPlan(triggerFires)...)
}

// Create fires the trigger, once. From the moment the request may have left,
// it must not return an error: Terraform would mark the resource tainted and
// the next apply would fire it again.
func (r *builderTriggerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	var plan builderTriggerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.data.builderForTriggers()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	fire := fireTrigger(ctx, c, plan.Payload.ValueString())
	plan.FiredAt = timetypes.NewRFC3339TimeValue(fire.SentAt)
	plan.Result = jsontypes.NewNormalizedNull()
	switch id := fire.ID; {
	case fire.Outcome == fireOutcomeFired && id == "":
		// Builder accepted the fire (a 2xx): it fired, once, whatever its
		// answer says. Save it so that it is never fired again.
		plan.ID = types.StringValue(placeholderTriggerID(noIDPrefix))
		plan.FireOutcome = types.StringValue(fireOutcomeFired)
		resp.Diagnostics.AddWarning(firedWithoutIDSummary, firedWithoutIDDetail(ctx, plan, fire.Err))
	case fire.Outcome == fireOutcomeFired:
		plan.ID = types.StringValue(id)
		plan.FireOutcome = types.StringValue(fireOutcomeFired)
		// Read it back so that result is known after this apply; otherwise
		// the next plan would report it as changed outside Terraform. The
		// trigger has fired, so a failure here is only a warning.
		if raw, err := c.GetTrigger(ctx, id); err == nil {
			plan.Result = jsontypes.NewNormalizedValue(string(raw))
		} else {
			resp.Diagnostics.AddWarning("Trigger "+id+" fired; its status could not be read",
				fmt.Sprintf("Builder fired trigger %q, but reading it back failed: %s\n\n"+
					"The trigger is saved in state and will not fire again; result stays null until the next refresh reads it.", id, err))
		}
	case fire.Outcome == fireOutcomeUnknown:
		plan.ID = types.StringValue(placeholderTriggerID(unknownIDPrefix))
		plan.FireOutcome = types.StringValue(fireOutcomeUnknown)
		resp.Diagnostics.AddWarning(mayHaveFiredSummary, ambiguousFireDetail(ctx, plan, fire.Err))
	default:
		// Certainly not fired (refused, rejected, or never sent): nothing
		// goes into state, so the next apply tries again.
		addNotFiredError(&resp.Diagnostics, fire.Err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *builderTriggerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	setIdentityFromState(ctx, &req.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	var state builderTriggerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.FireOutcome.ValueString() == fireOutcomeUnknown {
		// There is no id to read. Keep reminding until someone acts.
		resp.Diagnostics.AddWarning("Trigger fire outcome still unknown", ambiguousFireDetail(ctx, state, nil))
		return
	}
	if strings.HasPrefix(state.ID.ValueString(), noIDPrefix) {
		// Fired, but there is no id to read it by until someone imports it.
		resp.Diagnostics.AddWarning(firedWithoutIDSummary, firedWithoutIDDetail(ctx, state, nil))
		return
	}
	c, diags := r.data.builderForTriggers()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
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
		// Reading changes nothing and fires nothing: a 2xx that holds no
		// trigger (null, for one the server forgot, from a handler returning
		// find_one's None) must not fail every plan from now on.
		resp.Diagnostics.AddWarning("Trigger "+id+" not read",
			fmt.Sprintf("Builder's answer to reading trigger %q held no trigger: %s\n\n"+
				"The trigger is kept in state as it was, because it has already fired and dropping it would make the next apply fire it again; "+
				"result keeps its previous value. To fire a new one on purpose, use -replace or change a keeper.", id, err))
		return
	case client.IsNotFound(err):
		resp.Diagnostics.AddWarning("Trigger "+id+" unknown to Builder",
			fmt.Sprintf("Builder answered 404 when reading trigger %q: it no longer knows it (it may have been cleaned up). "+
				"The trigger is kept in state because it has already fired and dropping it would make the next apply fire it again. "+
				"To fire a new one on purpose, use -replace or change a keeper; to stop managing it, remove it from the configuration "+
				"(destroying a trigger only forgets it).", id))
		return
	default:
		addClientError(&resp.Diagnostics, "Cannot read trigger "+id, "Reading Builder trigger "+id, err)
		return
	}

	state.Result = jsontypes.NewNormalizedValue(string(raw))
	// Only an import fills payload and fired_at from the server: once set,
	// they are ours, and a server-side spelling of the payload must never
	// turn into a replacement, which would fire again.
	if state.Payload.IsNull() || state.FiredAt.IsNull() {
		payload, createdAt := triggerReadFields(raw)
		if state.Payload.IsNull() && payload != "" {
			state.Payload = jsontypes.NewNormalizedValue(payload)
		}
		if state.FiredAt.IsNull() && createdAt != nil {
			state.FiredAt = timetypes.NewRFC3339TimeValue(createdAt.UTC())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only records values that do not fire: the keepers and payload of an
// imported trigger, or keepers going from null to empty. Every other change
// is a replacement (see payloadChangeFires and keepersChangeFires).
func (r *builderTriggerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, triggerIdentityAttributes)
	var plan builderTriggerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete forgets the trigger: a fired trigger cannot be taken back, and
// Builder has no operation to cancel one.
func (r *builderTriggerResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	var id types.String
	req.State.GetAttribute(ctx, path.Root("id"), &id)
	tflog.Info(ctx, "forgetting Builder trigger; a fired trigger cannot be taken back", map[string]any{"id": id.ValueString()})
}

func (r *builderTriggerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
	var imported types.String
	resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("id"), &imported)...)
	given := imported.ValueString()
	id := strings.TrimSpace(given)
	if resp.Diagnostics.HasError() {
		return
	}
	if id == "" || isPlaceholderTriggerID(id) {
		resp.Diagnostics.AddError("Invalid trigger id",
			fmt.Sprintf("Import a campaigns_builder_trigger by the id Builder gave the trigger, such as 42; got %q.", given))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("fire_outcome"), fireOutcomeImported)...)
}

// payloadChangeFires: every payload change replaces, except recording the
// configured payload of an imported trigger whose read answer had none.
func payloadChangeFires(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !(req.StateValue.IsNull() && stateIsImported(ctx, req.State, &resp.Diagnostics))
}

// keepersChangeFires: every keepers change replaces, except null to empty
// (or back) and recording the keepers of an imported trigger, which Builder
// never knew.
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

// isFreshImport is the read that completes an import: a 404 then means a
// wrong id, not a trigger that disappeared.
func isFreshImport(state builderTriggerModel) bool {
	return state.FireOutcome.ValueString() == fireOutcomeImported && state.Result.IsNull()
}

// triggerReadFields takes the payload (as JSON text) and creation time from a
// trigger read answer; either is empty when absent or unusable.
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

// placeholderTriggerID is a placeholder id with prefix. It is random so that
// two such triggers never look alike.
func placeholderTriggerID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// isPlaceholderTriggerID tells a placeholder from an id Builder gave.
func isPlaceholderTriggerID(id string) bool {
	return strings.HasPrefix(id, unknownIDPrefix) || strings.HasPrefix(id, noIDPrefix)
}

// firedWithoutIDSummary is the summary of every "fired without an id" warning.
const firedWithoutIDSummary = "Trigger fired without a readable id"

// firedWithoutIDDetail explains a fire that Builder accepted without a
// readable id: it fired, what is saved, and how to record its real id. err
// is the fire's answer problem, or nil when a later refresh repeats it.
func firedWithoutIDDetail(ctx context.Context, m builderTriggerModel, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "Builder accepted the trigger, but its answer held no id this provider can read: %s\n\n", err)
	} else {
		b.WriteString("An earlier apply fired this trigger; Builder accepted it, but its answer held no id this provider can read.\n\n")
	}
	fmt.Fprintf(&b, "The trigger fired once and will not be fired again: it is saved in state with fire_outcome = %q and the placeholder id %q. "+
		"Without its real id, result cannot be read.\n\n", fireOutcomeFired, m.ID.ValueString())
	fmt.Fprintf(&b, "Trigger: payload %s; keepers %s; sent at %s.\n\n",
		summarizeJSON(m.Payload.ValueString(), 200), summarizeKeepers(ctx, m.Keepers), m.FiredAt.ValueString())
	b.WriteString("To record its real id: find the trigger with this payload, sent around that time, in the Builder UI " +
		"(with the campaigns emulator, in its trigger list), then run terraform state rm ADDRESS and terraform import ADDRESS ID with its Builder id. " +
		"Nothing is fired by either step.\n" +
		addressHint(m.ID.ValueString()))
	return b.String()
}

// ambiguousFireDetail explains an ambiguous fire of this resource (see
// mayHaveFiredDetail): which trigger, and how to record it or fire again.
func ambiguousFireDetail(ctx context.Context, m builderTriggerModel, err error) string {
	return mayHaveFiredDetail(err, m.Payload.ValueString(), m.FiredAt.ValueString(), fmt.Sprintf(
		"It is saved in state with fire_outcome = %q and id %q, so later applies will not fire it. Keepers: %s.\n"+
			"- If it fired, record it without firing: terraform state rm ADDRESS, then terraform import ADDRESS ID with its Builder id.\n"+
			"- To fire it again on purpose: terraform apply -replace=ADDRESS, or change a value in keepers.\n"+
			"%s",
		fireOutcomeUnknown, m.ID.ValueString(), summarizeKeepers(ctx, m.Keepers), addressHint(m.ID.ValueString())))
}

// summarizeJSON is JSON text in compact form, cut to at most limit bytes.
func summarizeJSON(text string, limit int) string {
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(text)) == nil {
		text = buf.String()
	}
	return client.Shorten(text, limit)
}

func summarizeKeepers(ctx context.Context, keepers types.Map) string {
	if keepers.IsNull() || keepers.IsUnknown() || len(keepers.Elements()) == 0 {
		return "none"
	}
	var values map[string]string
	if diags := keepers.ElementsAs(ctx, &values, false); diags.HasError() {
		return keepers.String()
	}
	pairs := make([]string, 0, len(values))
	for k, v := range values {
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(pairs)
	return "{" + strings.Join(pairs, ", ") + "}"
}

// jsonObjectText refuses JSON text that is not an object; text that is not
// JSON at all is refused by jsontypes.Normalized's own validation.
type jsonObjectText struct{}

func (jsonObjectText) Description(context.Context) string {
	return "value must be a JSON object"
}

func (v jsonObjectText) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jsonObjectText) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var object map[string]json.RawMessage
	text := req.ConfigValue.ValueString()
	if !json.Valid([]byte(text)) {
		return
	}
	if err := json.Unmarshal([]byte(text), &object); err != nil || object == nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%s must be a JSON object, such as jsonencode({ name = \"value\" }); got %s.", req.Path, summarizeJSON(text, 80)))
	}
}
