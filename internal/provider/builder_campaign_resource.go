package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

var (
	_ resource.ResourceWithConfigure   = &builderCampaignResource{}
	_ resource.ResourceWithModifyPlan  = &builderCampaignResource{}
	_ resource.ResourceWithImportState = &builderCampaignResource{}
)

// NewBuilderCampaignResource is the campaigns_builder_campaign resource.
func NewBuilderCampaignResource() resource.Resource {
	return &builderCampaignResource{}
}

type builderCampaignResource struct{ configuredResource }

// builderCampaignResourceModel is the resource's: a campaign and the time limits of its operations.
type builderCampaignResourceModel struct {
	builderCampaignModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// campaignTimeouts are the operations of the resource's timeouts block.
var campaignTimeouts = timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}

func (r *builderCampaignResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_campaign"
}

// pathSegmentValidators: organization and bot_name are path segments and parts of the import id.
var pathSegmentValidators = []validator.String{
	stringvalidator.LengthAtLeast(1),
	stringvalidator.RegexMatches(regexp.MustCompile(`^[^/]*$`), "must not contain a slash"),
}

func (r *builderCampaignResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A campaign action in a Fintalk Builder bot's campaign module.\n\n" +
			"* **Created once.** The provider generates the campaign id before the first request. If a create fails in a way that may have reached the server " +
			"(a timeout, a dropped connection, a 5xx), it reads the campaign by that id and adopts it, or sends the same create again: a campaign is never created twice. " +
			"A server that makes its own ids has the campaign found by its fields. If the outcome still cannot be settled, the id stays in state with a warning, " +
			"not tainted (a tainted campaign would be deleted and sent again), and the next refresh settles it.\n" +
			"* **Changed in place until it starts.** While `status` is `not_started`, changes are sent with an update. " +
			"Once the campaign has started (`in_progress`, `concluded` or `error`), a plan that changes it fails: sent messages cannot be changed. " +
			"Send a new campaign on purpose with a new resource, or `-replace`.\n" +
			"* **Drift is shown.** A campaign deleted outside Terraform leaves the state on refresh and the next plan creates it again. " +
			"`status`, `creation_date` and `log_file` refresh without making a diff. " +
			"State keeps what you configured after a create or update, however Builder spells its answer; a refresh reads what Builder holds, " +
			"and the same instant written another way is not a change.\n" +
			"* **Destroy deletes** the campaign; to stop managing it and keep it, use a `removed` block with `destroy = false`.\n" +
			"* **Time limits.** `timeouts` bounds each operation (`create`, `update` and `delete` default to `20m`, `read` to `5m`); " +
			"a `429` from Builder is repeated until then.",
		Attributes: campaignAttributes(),
		Blocks:     map[string]schema.Block{"timeouts": timeouts.Block(ctx, campaignTimeouts)},
	}
}

// serverManaged is a computed attribute the server sets once, so a plan keeps it; typ may be nil.
func serverManaged(description string, typ basetypes.StringTypable) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true, CustomType: typ,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// campaignAttributes: the id, and one per builder.CampaignFields, by kind and role.
func campaignAttributes() map[string]schema.Attribute {
	d := campaignDescriptions
	attributes := map[string]schema.Attribute{
		"id": serverManaged(d["id"], nil),
	}
	for _, f := range builder.CampaignFields {
		text := schema.StringAttribute{MarkdownDescription: d[f.Key], Optional: true}
		switch {
		case f.Role == builder.RoleServer:
			text = serverManaged(d[f.Key], nil)
		case f.Role == builder.RolePath:
			text = schema.StringAttribute{MarkdownDescription: d[f.Key], Required: true, Validators: pathSegmentValidators,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}}
		case f.Role == builder.RoleRequired:
			text = schema.StringAttribute{MarkdownDescription: d[f.Key], Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}}
		case f.Kind == builder.KindTimestamp:
			text.Validators, text.PlanModifiers = []validator.String{timestampText}, []planmodifier.String{useStateForSameInstant()}
		case f.Kind == builder.KindList:
			attributes[f.Key] = schema.ListAttribute{MarkdownDescription: d[f.Key], Optional: true, ElementType: types.StringType}
			continue
		}
		attributes[f.Key] = text
	}
	return attributes
}

// ModifyPlan refuses any in-place change to a started campaign (a replacement is allowed); a create,
// a replacement's new object too, is checked as one.
func (r *builderCampaignResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	switch {
	case req.Plan.Raw.IsNull(): // destroy
		return
	case req.State.Raw.IsNull(): // create: only the schedule matters, so the whole plan is not decoded
		var scheduled types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("scheduled_date"), &scheduled)...)
		resp.Diagnostics.Append(r.data.builderSettingsAtPlan(campaignRequests)...)
		warnScheduledInThePast(scheduled, time.Now(), &resp.Diagnostics)
		return
	}
	// Decoded once for both checks: each Get reflects over the whole model.
	var state, plan builderCampaignResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	if mark := readCreateMark(ctx, req.Private); mark != nil && mark.Absent {
		// Never made: the update creates it under its id; status is the server's to say.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.Diagnostics.Append(r.data.builderSettingsAtPlan(campaignRequests)...)
		return
	}
	changed := changedCampaignAttributes(state.builderCampaignModel, plan.builderCampaignModel)
	if len(changed) > 0 {
		resp.Diagnostics.Append(r.data.builderSettingsAtPlan(campaignRequests)...)
	}
	// resp.RequiresReplace is filled only after ModifyPlan: organization and bot_name tell a replacement.
	replaced := !state.Organization.Equal(plan.Organization) || !state.BotName.Equal(plan.BotName)
	if len(changed) > 0 && campaignStarted(state.Status) && !replaced {
		resp.Diagnostics.AddAttributeError(path.Root(changed[0].name), "Campaign already started",
			campaignStartedDetail(state.builderCampaignModel)+"\n\n"+describeChanges(changed))
	}
}

// campaignChange is a planned change: what the campaign holds and what is asked.
type campaignChange struct {
	name          string
	held, planned attr.Value
}

// changedCampaignAttributes lists the user attributes an update would send.
func changedCampaignAttributes(state, plan builderCampaignModel) []campaignChange {
	var changed []campaignChange
	for _, f := range builder.CampaignFields {
		if !f.User() {
			continue
		}
		held, planned := state.attribute(f.Key), plan.attribute(f.Key)
		same := held.Equal(planned)
		if f.Kind == builder.KindList {
			same = sameSheetValues(state.SheetValues, plan.SheetValues)
		}
		if !same {
			changed = append(changed, campaignChange{f.Key, held, planned})
		}
	}
	return changed
}

// describeChanges says what Builder holds for each change: a user reverting needs the server's values.
func describeChanges(changed []campaignChange) string {
	lines := make([]string, len(changed))
	for i, c := range changed {
		lines[i] = fmt.Sprintf("%s: Builder holds %s, the configuration %s", c.name, c.held, c.planned)
	}
	return "Changed (to revert, set these to what Builder holds):\n" + strings.Join(lines, "\n")
}

// sameSheetValues: null and [] are one to Builder (state holds null for a campaign read without any).
func sameSheetValues(state, plan types.List) bool {
	if state.IsUnknown() || plan.IsUnknown() {
		return state.Equal(plan)
	}
	return state.Equal(plan) || len(state.Elements()) == 0 && len(plan.Elements()) == 0
}

func (r *builderCampaignResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, campaignIdentityAttributes)
	var plan builderCampaignResourceModel
	c := r.data.load(ctx, req.Plan, &plan, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	plan.ID = types.StringValue(c.NewCampaignID(plan.Organization.ValueString(), plan.BotName.ValueString()))
	r.create(ctx, c, plan, false, &resp.State, resp.Private, &resp.Diagnostics)
}

// privateState is a request's or response's private state: the framework's type is internal.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// create posts plan under plan.ID and records the outcome: acknowledged, or unsettled with its create mark.
// again is the create of one found never made, whose id was planned as known.
func (r *builderCampaignResource) create(ctx context.Context, c *builder.Client, plan builderCampaignResourceModel, again bool,
	state *tfsdk.State, private privateState, diags *diag.Diagnostics) {
	body := plan.toAPI(ctx, diags)
	if diags.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "campaign_id", plan.ID.ValueString())
	created, err := c.CreateCampaign(ctx, plan.Organization.ValueString(), plan.BotName.ValueString(), body)
	var (
		uncertain   *builder.UncertainCreateError
		unconfirmed *builder.UnconfirmedCreateError
		made        builder.Window
	)
	switch {
	case err == nil:
		// Acknowledged: its id (ours, or the server's: the problems say) reaches state whatever the answer.
		if again && created.ID != plan.ID.ValueString() {
			diags.AddWarning("Campaign created under an id of Builder's own",
				fmt.Sprintf("Builder made %s under id %s, not the id %s it was sent and planned with: state keeps Builder's, so nothing is orphaned, "+
					"and Terraform reports the id's change as an inconsistent result. What is keyed on the campaign's id (a trigger's keepers) sees a new "+
					"value in the next plan: review it before applying, since a trigger whose keepers change fires again.",
					plan.label(), created.ID, plan.ID.ValueString()))
		}
		plan.ID = types.StringValue(created.ID)
		diags.Append(plan.fromWriteAnswer(created)...)
		diags.Append(state.Set(ctx, plan)...)
		diags.Append(private.SetKey(ctx, createMarkKey, nil)...) // settled: an absent mark must not create it twice
		return
	case errors.As(err, &unconfirmed):
		made = unconfirmed.Window
		diags.AddWarning("Campaign created under an id Builder did not give",
			fmt.Sprintf("Builder accepted campaign %q, but its answer did not say which campaign it made, and neither the id this provider sent (%s) "+
				"nor the bot's list shows it: %s\n\n%s", plan.CampaignName.ValueString(), plan.ID.ValueString(), err, settledOnRefresh(plan.builderCampaignModel)))
	case errors.As(err, &uncertain):
		made = uncertain.Window
		diags.AddWarning("Campaign may have been created",
			fmt.Sprintf("Creating campaign %q failed in a way that may have reached Builder, and reading it back did not settle whether it exists: %s\n\n%s",
				plan.CampaignName.ValueString(), err, settledOnRefresh(plan.builderCampaignModel)))
	default:
		// Certainly not created: nothing new goes into state, so the next plan proposes the create again.
		addClientError(diags, "Campaign not created", fmt.Sprintf("Creating campaign %q (id %s)", plan.CampaignName.ValueString(), plan.ID.ValueString()), err)
		return
	}
	// The server may hold it: state keeps the id sent and the mark; the next refresh settles it. A warning,
	// not an error: a tainted campaign would be deleted and created again, sent twice if it has started.
	plan.Status, plan.CreationDate, plan.LogFile = types.StringNull(), types.StringNull(), types.StringNull()
	diags.Append(state.Set(ctx, plan)...)
	mark, _ := json.Marshal(createMarkValue{From: made.From.UTC(), To: made.To.UTC(), Acknowledged: unconfirmed != nil}) // always encodes
	diags.Append(private.SetKey(ctx, createMarkKey, mark)...)
}

func (r *builderCampaignResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	setIdentityFromState(ctx, &req.State, resp.Identity, &resp.Diagnostics, campaignIdentityAttributes)
	var state builderCampaignResourceModel
	c := r.data.load(ctx, req.State, &state, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	org, bot := state.Organization.ValueString(), state.BotName.ValueString()
	prior := state.toAPI(ctx, &resp.Diagnostics)
	var got builder.Campaign
	var err error
	if state.CampaignName.IsNull() {
		// Just imported (campaign_name is required otherwise): nothing in
		// state could tell a list summary from the whole campaign.
		got, err = c.ImportCampaign(ctx, org, bot, state.ID.ValueString())
	} else {
		// One list request per bot serves all its campaigns; the state's
		// values tell a list summary from a cleared field.
		got, err = c.RefreshCampaign(ctx, org, bot, prior)
	}
	mark := readCreateMark(ctx, req.Private) // an unsettled create's
	if mark != nil && client.IsNotFound(err) {
		// The server does not know the id sent, but one that ignores the ids
		// it is sent may hold it under its own: only the whole list settles it.
		got, err = c.LocateCampaign(ctx, org, bot, prior, builder.Window{From: mark.From, To: mark.To})
		switch {
		case err == nil:
			// An identity (the id sent) never changes: a person records it.
			resp.Diagnostics.AddError("Campaign created under another id",
				fmt.Sprintf("Builder made %s under an id of its own: campaign %s holds every field that was sent, and no state holds it.\n\n"+
					"Record it without creating anything: terraform state rm ADDRESS, then terraform import ADDRESS %s/%s/%s.\n%s",
					state.label(), got.ID, org, bot, got.ID, addressHint(state.ID.ValueString())))
			return
		case !client.IsNotFound(err) || mark.Acknowledged:
			reason := "Builder accepted the create, but neither its id nor the bot's list shows it now"
			if !client.IsNotFound(err) {
				reason = "looking for it failed: " + err.Error()
			}
			resp.Diagnostics.AddError("Campaign not located",
				fmt.Sprintf("The create of %s may have made it under an id Builder did not give, and %s.\n\n"+
					"It is not created again by itself. Find it in the Builder UI, then run terraform state rm ADDRESS and terraform import ADDRESS %s/%s/ID with its id; "+
					"if it does not exist, terraform state rm ADDRESS alone lets the next apply create it.\n%s",
					state.label(), reason, org, bot, addressHint(state.ID.ValueString())))
			return
		default:
			// Certainly never made: kept under the id sent, which the next
			// apply creates (ModifyPlan), so that what is keyed on the id
			// (a trigger's keepers) does not change and fire again.
			mark.Absent = true
			raw, _ := json.Marshal(mark) // always encodes
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, createMarkKey, raw)...)
			return
		}
	}
	switch {
	case client.IsNotFound(err):
		tflog.Warn(ctx, "campaign no longer exists on the server; removing it from state so the plan recreates it",
			map[string]any{"campaign_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
	case err != nil:
		addClientError(&resp.Diagnostics, "Campaign not read", fmt.Sprintf("Reading campaign %s", state.ID.ValueString()), err)
	default:
		if mark != nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, createMarkKey, nil)...) // found: settled
		}
		resp.Diagnostics.Append(state.fromAPI(got)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
}

// settledOnRefresh says what becomes of a campaign whose create is unsettled.
func settledOnRefresh(m builderCampaignModel) string {
	return fmt.Sprintf("Its id %s is kept in state, so nothing is orphaned, and nothing is created again by itself: the next refresh looks for it, "+
		"by that id and by its fields in the bot's list. Found, it is kept; certainly absent, the next apply creates it; "+
		"if that cannot be told, the plan fails and says how to record it. To look at it now, read it with the campaigns_builder_campaign data source "+
		"(organization %q, bot_name %q, id %q).",
		m.ID.ValueString(), m.Organization.ValueString(), m.BotName.ValueString(), m.ID.ValueString())
}

// createMarkKey is the private state of an unsettled create: its refresh looks for it by its fields.
const createMarkKey = "create"

type createMarkValue struct {
	From         time.Time `json:"from"` // when the create ran (builder.Window)
	To           time.Time `json:"to"`
	Acknowledged bool      `json:"acknowledged"` // Builder answered a 2xx: the campaign exists somewhere
	Absent       bool      `json:"absent"`       // a refresh settled it: never made; the next apply creates it
}

func readCreateMark(ctx context.Context, private privateState) *createMarkValue {
	raw, diags := private.GetKey(ctx, createMarkKey)
	var mark *createMarkValue
	if len(raw) == 0 || diags.HasError() || json.Unmarshal(raw, &mark) != nil {
		return nil
	}
	return mark
}

func (r *builderCampaignResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer setIdentityFromState(ctx, &resp.State, resp.Identity, &resp.Diagnostics, campaignIdentityAttributes)
	var state, plan builderCampaignResourceModel
	c := r.data.load(ctx, req.State, &state, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if mark := readCreateMark(ctx, req.Private); mark != nil && mark.Absent {
		resp.State.Raw = req.State.Raw // kept as it was if the create certainly fails
		r.create(ctx, c, plan, true, &resp.State, resp.Private, &resp.Diagnostics)
		return
	}
	if len(changedCampaignAttributes(state.builderCampaignModel, plan.builderCampaignModel)) == 0 {
		// Only the spelling changed (sheet_values null and []): no request,
		// which a started campaign would refuse.
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	body := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := c.UpdateCampaign(ctx, plan.Organization.ValueString(), plan.BotName.ValueString(), plan.ID.ValueString(), body)
	if client.StatusOf(err) == http.StatusConflict {
		// Started between refresh and apply: the same rule as at plan time.
		state.Status = types.StringValue(builder.StatusInProgress)
		resp.Diagnostics.AddError("Campaign already started", campaignStartedDetail(state.builderCampaignModel)+"\n\nServer message: "+err.Error())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Campaign not updated", fmt.Sprintf("Updating campaign %s", plan.ID.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(plan.fromWriteAnswer(updated)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *builderCampaignResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state builderCampaignResourceModel
	c := r.data.load(ctx, req.State, &state, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if err := c.DeleteCampaign(ctx, state.Organization.ValueString(), state.BotName.ValueString(), state.ID.ValueString()); err != nil {
		addClientError(&resp.Diagnostics, "Campaign not deleted", fmt.Sprintf("Deleting campaign %s", state.ID.ValueString()), err)
	}
}

// ImportState takes "organization/bot_name/id", or an identity of the three.
func (r *builderCampaignResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts, given := campaignImportParts(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || strings.Contains(parts[0]+parts[1], "/") || !builder.ValidObjectID(parts[2]) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("A campaigns_builder_campaign is imported by \"organization/bot_name/id\", or by an identity of the three, "+
				"where organization and bot_name hold no slash and id is the campaign's 24-hex-digit id, "+
				"for example \"acme/support-bot/5eb7cf5a86d9755df3a6c593\". Got %s.", given))
		return
	}
	for i, name := range campaignIdentityAttributes { // organization/bot_name/id
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), parts[i])...)
	}
}
