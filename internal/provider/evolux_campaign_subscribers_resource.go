package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

var (
	_ resource.ResourceWithConfigure      = &evoluxAudienceResource{}
	_ resource.ResourceWithImportState    = &evoluxAudienceResource{}
	_ resource.ResourceWithModifyPlan     = &evoluxAudienceResource{}
	_ resource.ResourceWithValidateConfig = &evoluxAudienceResource{}
)

// Values of a subscriber's insert_outcomes.
const (
	insertedOutcome    = "inserted"     // the report shows it in the campaign
	unknownOutcome     = "unknown"      // it may have been inserted: never uploaded again by itself
	notInsertedOutcome = "not_inserted" // certainly not uploaded: the next apply uploads it
)

// NewEvoluxAudienceResource is the campaigns_evolux_campaign_subscribers resource.
func NewEvoluxAudienceResource() resource.Resource { return &evoluxAudienceResource{} }

type evoluxAudienceResource struct{ configuredResource }

type evoluxAudienceModel struct {
	ID             types.String   `tfsdk:"id"`
	CampaignUUID   types.String   `tfsdk:"campaign_uuid"`
	Subscribers    types.Dynamic  `tfsdk:"subscribers"`
	InsertOutcomes types.Map      `tfsdk:"insert_outcomes"`
	States         types.Map      `tfsdk:"states"`
	StateCounts    types.Map      `tfsdk:"state_counts"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

var audienceTimeouts = timeouts.Opts{Create: true, Read: true, Update: true}

func (r *evoluxAudienceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_evolux_campaign_subscribers"
}

func (r *evoluxAudienceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The subscribers this configuration puts into one Evolux Chat campaign, keyed by phone number. " +
			"Inserting a subscriber sends it the campaign's WhatsApp message at once, so each is inserted exactly once:\n\n" +
			"- **Only the missing are uploaded.** Before an upload the campaign's report is read once, and a phone it already shows " +
			"(however Evolux spells it: with or without the country code, a `+`, formatting) is recorded as inserted, not uploaded. " +
			"After an upload the report is read until each phone shows, within the `create` or `update` timeout.\n" +
			"- **Ambiguous uploads are kept, never repeated.** When an upload may have reached Evolux but no answer came back " +
			"(a timeout, a dropped connection, a 5xx), its phones the report does not show are recorded as `\"unknown\"` in `insert_outcomes` " +
			"and a warning; later refreshes settle them as the report shows them. A refused upload (a 4xx, a 429 past its wait) " +
			"records its phones as `not_inserted`, and the next apply uploads them.\n" +
			"- **No change, no removal.** A subscriber already inserted has been messaged: changing its `name`, `parameters` or `fields` " +
			"fails the plan. Evolux Chat documents no removal, so removing a subscriber from the map, or destroying the resource, " +
			"only forgets it; the plan says so.\n" +
			"- **Large audiences** go up as CSV in uploads of at most 8 MiB each (Evolux takes at most 50 MB, uploaded within 30 s).\n\n" +
			"Needs the provider's `evolux` settings only.",
		Blocks: map[string]schema.Block{"timeouts": timeouts.Block(ctx, audienceTimeouts)},
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The campaign's UUID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"campaign_uuid": schema.StringAttribute{
				MarkdownDescription: "The campaign's UUID, shown in the URL of its page in Evolux Chat. Changing it makes a new audience " +
					"(the old one is only forgotten).",
				Required:      true,
				Validators:    []validator.String{evoluxUUIDValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"subscribers": schema.DynamicAttribute{
				MarkdownDescription: "The subscribers, a map keyed by phone number with its country code, as digits (`5511999990001`; " +
					"spaces, `+`, `(`, `)` and `-` are allowed and ignored), each an object with `name` (required, the CSV's `name`), " +
					"`parameters` (the values of the campaign template's parameters in order, `parameter1`, `parameter2`, …; every " +
					"subscriber has as many) and `fields` (custom data, a CSV column each, such as `{ CPF = \"111.111.111-11\" }`; a " +
					"name may not be `name`, `phone` or `parameterN`). Numbers and booleans are sent as written. Two keys that may be " +
					"one phone (the same digits, or one with a country code and the other without) are refused. From a CSV file: " +
					"`{ for row in csvdecode(file(\"audience.csv\")) : row.phone => { name = row.name, parameters = [row.parameter1] } }`. " +
					"A dynamic value rather than a nested map because a provider's nested attributes cost time in the square of their " +
					"size, and an audience may hold 100,000 subscribers; its shape is checked at plan time all the same. Sensitive, " +
					"since it holds personal data: plans show it only as changed, outputs only through `nonsensitive()`.",
				Required:  true,
				Sensitive: true,
			},
			"insert_outcomes": schema.MapAttribute{Computed: true, ElementType: types.StringType, Sensitive: true,
				MarkdownDescription: "What became of each subscriber, keyed as `subscribers`: `" + insertedOutcome + "` once the report " +
					"shows it; `" + unknownOutcome + "` when an upload holding it may or may not have been processed (never uploaded " +
					"again by itself); `" + notInsertedOutcome + "` when its upload was refused (the next apply uploads it). " +
					"Sensitive, as its keys are phone numbers."},
			"states": schema.MapAttribute{Computed: true, ElementType: types.StringType, Sensitive: true,
				MarkdownDescription: "Each subscriber's state in the report (" + evoluxStates + "), keyed as `subscribers`; a " +
					"subscriber the report does not show has no entry. Sensitive, as its keys are phone numbers."},
			"state_counts": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "How many of these subscribers the report shows in each state (every state is a key)."},
		},
	}
}

// fieldNameTaken matches the columns a custom field may not take.
var fieldNameTaken = regexp.MustCompile(`(?i)^(` + evolux.ColumnName + `|` + evolux.ColumnPhone + `|` + evolux.ColumnParameter + `[0-9]+)$`)

// ValidateConfig refuses, with no request, what Evolux would refuse or what could insert a phone twice.
func (r *evoluxAudienceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config evoluxAudienceModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &config)...); resp.Diagnostics.HasError() {
		return
	}
	subs, _ := audienceRows(config.Subscribers, &resp.Diagnostics)
	parameterCounts := map[int][]string{}
	for _, phone := range slices.Sorted(maps.Keys(subs)) {
		s := subs[phone]
		if _, ok := evolux.PhoneDigits(phone); !ok {
			resp.Diagnostics.AddAttributeError(subscriberPath(phone), "Invalid phone number",
				fmt.Sprintf("%q is not a phone number: once spaces, +, (, ) and - are removed it must be 8 to 15 digits, "+
					"with the country code, such as 5511999990001.", phone))
		}
		if s.known {
			parameterCounts[len(s.Parameters)] = append(parameterCounts[len(s.Parameters)], phone)
		}
		for name := range s.Fields {
			if fieldNameTaken.MatchString(name) || strings.TrimSpace(name) == "" {
				resp.Diagnostics.AddAttributeError(subscriberPath(phone).AtName("fields"), "Invalid custom field name",
					fmt.Sprintf("The custom field %q of %s would be the CSV column of a name, a phone or a template parameter; "+
						"use another name.", name, phone))
			}
		}
	}
	if len(parameterCounts) > 1 {
		var counts []string
		for _, n := range slices.Sorted(maps.Keys(parameterCounts)) {
			counts = append(counts, fmt.Sprintf("%d parameters: %s", n, listPhones(parameterCounts[n])))
		}
		resp.Diagnostics.AddAttributeError(path.Root("subscribers"), "Subscribers with different parameter counts",
			"Every subscriber must have as many parameters as the campaign's template uses, in order; here "+
				strings.Join(counts, "; ")+".")
	}
	for _, group := range evolux.SamePhones(slices.Collect(maps.Keys(subs))) {
		resp.Diagnostics.AddAttributeError(subscriberPath(group[0]), "The same phone twice",
			fmt.Sprintf("%s may be one phone (the same digits, or one with a country code and the other without): the report "+
				"cannot tell them apart, so one of them could be messaged twice. Keep one.", strings.Join(group, " and ")))
	}
}

func subscriberPath(phone string) path.Path { return path.Root("subscribers").AtMapKey(phone) }

// ModifyPlan keeps what is recorded of subscribers already inserted, fails a change to one, and says that
// removing or destroying only forgets.
func (r *evoluxAudienceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state evoluxAudienceModel
	if !req.State.Raw.IsNull() {
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
			return
		}
	}
	outcomes := stringMap(ctx, state.InsertOutcomes, &resp.Diagnostics)
	if req.Plan.Raw.IsNull() {
		if len(outcomes) > 0 {
			resp.Diagnostics.AddWarning("Destroying only forgets the subscribers",
				fmt.Sprintf("Evolux Chat documents no way to remove a subscriber from a campaign: the %d subscribers of campaign %s "+
					"stay in it, and have been messaged. Destroying only removes them from the state.",
					len(outcomes), state.CampaignUUID.ValueString()))
		}
		return
	}
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	planned, known := audienceRows(plan.Subscribers, &resp.Diagnostics)
	if !known {
		return // the framework plans the results as unknown
	}
	if !plan.CampaignUUID.Equal(state.CampaignUUID) {
		outcomes = nil // a new campaign: a new audience
	}
	inserted, _ := audienceRows(state.Subscribers, &resp.Diagnostics)
	states := stringMap(ctx, state.States, &resp.Diagnostics)
	plannedOutcomes, plannedStates := map[string]attr.Value{}, map[string]string{}
	uploads := 0
	for _, phone := range slices.Sorted(maps.Keys(planned)) {
		was, ok := outcomes[phone]
		if !ok || was == notInsertedOutcome {
			plannedOutcomes[phone] = types.StringUnknown()
			uploads++
			continue
		}
		if changed := planned[phone].changedFrom(inserted[phone]); len(changed) > 0 {
			resp.Diagnostics.AddAttributeError(subscriberPath(phone), "Subscriber already inserted",
				fmt.Sprintf("Subscriber %s is already in campaign %s (insert outcome %q) and has been sent its message, so its %s "+
					"cannot be changed. To send it again on purpose with new values, remove it from the configuration, apply, "+
					"and add it back: it is uploaded again only if the report no longer shows it.",
					phone, plan.CampaignUUID.ValueString(), was, strings.Join(changed, " and ")))
		}
		plannedOutcomes[phone] = types.StringValue(was)
		if st, ok := states[phone]; ok {
			plannedStates[phone] = st
		}
	}
	var forgotten []string
	for phone := range outcomes {
		if _, ok := planned[phone]; !ok {
			forgotten = append(forgotten, phone)
		}
	}
	if len(forgotten) > 0 {
		resp.Diagnostics.AddWarning("Removed subscribers are only forgotten",
			fmt.Sprintf("Evolux Chat documents no way to remove a subscriber from a campaign: %s stay in campaign %s and have been "+
				"messaged. This apply only removes them from the state.", listPhones(forgotten), plan.CampaignUUID.ValueString()))
	}
	plan.InsertOutcomes = types.MapValueMust(types.StringType, plannedOutcomes)
	if uploads > 0 {
		plan.States, plan.StateCounts = types.MapUnknown(types.StringType), types.MapUnknown(types.Int64Type)
		resp.Diagnostics.Append(r.data.evoluxSettingsAtPlan()...)
	} else {
		plan.States, plan.StateCounts = stateMaps(plannedStates, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func (r *evoluxAudienceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan evoluxAudienceModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	plan.ID = plan.CampaignUUID
	r.insert(ctx, plan, nil, true, &resp.State, &resp.Diagnostics)
}

func (r *evoluxAudienceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state evoluxAudienceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	if !plan.States.IsUnknown() { // nothing to upload (ModifyPlan): the plan is the new state
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	r.insert(ctx, plan, stringMap(ctx, state.InsertOutcomes, &resp.Diagnostics), false, &resp.State, &resp.Diagnostics)
}

// insert uploads the subscribers prior does not record as inserted or unknown, skipping those the report already
// shows, and saves what became of each; an outcome the plan knows is kept, so the result matches the plan. Once
// anything may have been inserted a create never fails: a tainted audience would be created again, uploading its
// unsettled phones a second time.
func (r *evoluxAudienceResource) insert(ctx context.Context, plan evoluxAudienceModel, prior map[string]string,
	creating bool, state stateSetter, diags *diag.Diagnostics) {
	c, moreDiags := r.data.evoluxForReports()
	if diags.Append(moreDiags...); diags.HasError() {
		return
	}
	campaign := plan.CampaignUUID.ValueString()
	subs, known := audienceRows(plan.Subscribers, diags)
	if !known {
		diags.AddAttributeError(path.Root("subscribers"), "Subscribers not known at apply",
			"Some subscriber is still unknown at apply, so it cannot be uploaded; this is a bug in the provider.")
	}
	if diags.HasError() {
		return
	}
	phones := evolux.NewPhones(slices.Collect(maps.Keys(subs)))
	shown := map[string]string{}
	see := func(phone, state string) { shown[phone] = state }
	if err := c.Audience(ctx, campaign, phones, see); err != nil {
		addClientError(diags, "Subscribers not uploaded", "Reading campaign "+campaign+"'s report before the upload", err)
		return
	}
	var upload []evolux.NewSubscriber
	byDigits := map[string]string{}
	for _, phone := range slices.Sorted(maps.Keys(subs)) {
		digits, _ := evolux.PhoneDigits(phone)
		byDigits[digits] = phone
		was, ok := prior[phone]
		if _, inReport := shown[phone]; inReport || ok && was != notInsertedOutcome {
			continue
		}
		row := subs[phone].NewSubscriber
		row.Phone = digits
		upload = append(upload, row)
	}
	configured := func(rows []string) (out []string) {
		for _, digits := range rows {
			out = append(out, byDigits[digits])
		}
		return out
	}
	done := c.Insert(ctx, campaign, upload)
	sent, unsure := configured(done.Sent), configured(done.Unsure)
	if len(sent) > 0 {
		if _, err := c.Await(ctx, campaign, phones, sent, see); err != nil {
			diags.AddWarning("Uploaded subscribers not confirmed", fmt.Sprintf(
				"Evolux accepted the upload, but reading campaign %s's report afterwards failed: %s", campaign, err))
		}
	} else if len(unsure) > 0 {
		_ = c.Audience(ctx, campaign, phones, see) // what it shows is settled; a failure leaves them unknown
	}
	outcomes := map[string]string{}
	for phone := range subs {
		outcomes[phone] = prior[phone]
	}
	for _, phone := range append(sent, unsure...) {
		outcomes[phone] = unknownOutcome // until the report shows it
	}
	for _, row := range upload[len(done.Sent)+len(done.Unsure):] {
		outcomes[byDigits[row.Phone]] = notInsertedOutcome
	}
	settle(outcomes, shown)
	for phone, v := range plan.InsertOutcomes.Elements() {
		if planned, ok := v.(types.String); ok && !planned.IsUnknown() && !planned.IsNull() {
			outcomes[phone] = planned.ValueString() // its next refresh settles it
		}
	}
	unknown := phonesWith(outcomes, unknownOutcome)
	plan.InsertOutcomes, plan.States, plan.StateCounts = audienceResults(outcomes, shown, diags)
	if len(unknown) > 0 {
		diags.AddWarning("Subscribers may have been inserted", mayHaveBeenInsertedDetail(campaign, unknown, done.Err))
	}
	if done.Err != nil {
		what := fmt.Sprintf("Uploading %d subscribers to campaign %s", len(upload), campaign)
		switch {
		case creating && len(unknown) > 0:
			diags.AddWarning("Some subscribers not uploaded", fmt.Sprintf("%s stopped: %s\n\nThose not sent are saved "+
				"as %q in insert_outcomes, and the next apply uploads them.", what, done.Err, notInsertedOutcome))
		case len(unsure) == 0: // certainly refused
			addClientError(diags, "Subscribers not uploaded", what, done.Err)
		}
		if creating && len(sent)+len(unsure)+len(shown) == 0 {
			return // nothing happened: nothing goes to state
		}
	}
	diags.Append(state.Set(ctx, plan)...)
}

// stateSetter is a response's state.
type stateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

// settle records as inserted each phone the report shows, and as not inserted one neither shown nor sent.
func settle(outcomes, shown map[string]string) {
	for phone, o := range outcomes {
		if _, ok := shown[phone]; ok {
			outcomes[phone] = insertedOutcome
		} else if o == "" {
			outcomes[phone] = notInsertedOutcome
		}
	}
}

// phonesWith are the phones whose outcome is outcome.
func phonesWith(outcomes map[string]string, outcome string) (phones []string) {
	for phone, o := range outcomes {
		if o == outcome {
			phones = append(phones, phone)
		}
	}
	return phones
}

// audienceResults are the computed attributes: outcomes, the states of the phones the report shows, their counts.
func audienceResults(outcomes, shown map[string]string, diags *diag.Diagnostics) (types.Map, types.Map, types.Map) {
	m, d := types.MapValueFrom(context.Background(), types.StringType, outcomes)
	diags.Append(d...)
	states := map[string]string{}
	for phone, state := range shown {
		if _, ok := outcomes[phone]; ok && state != "" {
			states[phone] = state
		}
	}
	s, counts := stateMaps(states, diags)
	return m, s, counts
}

// stateMaps are the states attribute and the state_counts it gives (countsMap: every state a key).
func stateMaps(states map[string]string, diags *diag.Diagnostics) (types.Map, types.Map) {
	counts := map[string]int64{}
	for _, s := range states {
		counts[s]++
	}
	m, d := types.MapValueFrom(context.Background(), types.StringType, states)
	diags.Append(d...)
	return m, countsMap(counts)
}

func (r *evoluxAudienceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state evoluxAudienceModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	c, diags := r.data.evoluxForReports()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	campaign := state.CampaignUUID.ValueString()
	outcomes := stringMap(ctx, state.InsertOutcomes, &resp.Diagnostics)
	shown := map[string]string{}
	err := c.Audience(ctx, campaign, evolux.NewPhones(slices.Collect(maps.Keys(outcomes))),
		func(phone, state string) { shown[phone] = state })
	if err != nil {
		addClientError(&resp.Diagnostics, "Cannot read campaign "+campaign+"'s subscribers", "Reading the report", err)
		return
	}
	var missing []string
	for phone, o := range outcomes {
		if _, ok := shown[phone]; !ok && o == insertedOutcome {
			missing = append(missing, phone)
		}
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddWarning("Subscribers missing from the report", fmt.Sprintf(
			"The report of campaign %s no longer shows %s, inserted earlier. They are kept as inserted and never uploaded "+
				"again: they have been messaged.", campaign, listPhones(missing)))
	}
	settle(outcomes, shown)
	if unknown := phonesWith(outcomes, unknownOutcome); len(unknown) > 0 {
		resp.Diagnostics.AddWarning("Subscribers may have been inserted", mayHaveBeenInsertedDetail(campaign, unknown, nil))
	}
	state.InsertOutcomes, state.States, state.StateCounts = audienceResults(outcomes, shown, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Delete forgets: Evolux Chat documents no removal, and the subscribers have been messaged.
func (r *evoluxAudienceResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	var campaign types.String
	req.State.GetAttribute(ctx, path.Root("campaign_uuid"), &campaign)
	tflog.Info(ctx, "forgetting an Evolux campaign audience; its subscribers stay in the campaign",
		map[string]any{"campaign_uuid": campaign.ValueString()})
}

// ImportState adopts a campaign by its UUID with no subscribers: the next apply records those of the
// configuration the report shows without uploading them.
func (r *evoluxAudienceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	uuid := strings.TrimSpace(req.ID)
	if !evoluxUUIDForm.MatchString(uuid) {
		resp.Diagnostics.AddError("Invalid campaign UUID",
			fmt.Sprintf("Import a campaigns_evolux_campaign_subscribers by its campaign's UUID, such as "+
				"f45d98dc-ac5e-48f2-9c01-ebe18f86d28b; got %q.", req.ID))
		return
	}
	none := types.MapValueMust(types.StringType, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, evoluxAudienceModel{ID: types.StringValue(uuid), CampaignUUID: types.StringValue(uuid),
		Subscribers: types.DynamicNull(), InsertOutcomes: none, States: none, StateCounts: types.MapNull(types.Int64Type),
		Timeouts: nullTimeouts(audienceTimeouts)})...)
}

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if !m.IsNull() && !m.IsUnknown() {
		diags.Append(m.ElementsAs(ctx, &out, false)...)
	}
	return out
}

// mayHaveBeenInsertedDetail explains subscribers whose upload may or may not have been processed.
func mayHaveBeenInsertedDetail(campaign string, phones []string, err error) string {
	what := "An earlier upload holding them may or may not have been processed, and the report does not show them yet."
	if err != nil {
		what = fmt.Sprintf("The upload holding them may or may not have been processed (%s), and the report does not show them.", err)
	}
	return fmt.Sprintf("%s\n\nSubscribers: %s, of campaign %s. They may have been sent the campaign's message, so they were not "+
		"uploaded again: they are recorded as %q in insert_outcomes, and every refresh settles those the report shows as %q.\n\n"+
		"To check: the data source campaigns_evolux_subscribers with campaigns = [%q] and phone_number set, or the campaign's "+
		"page in Evolux Chat.\nTo send one again on purpose: remove it from subscribers and apply, then add it back and apply; "+
		"it is uploaded only if the report does not show it.", what, listPhones(phones), campaign, unknownOutcome, insertedOutcome,
		campaign)
}

// listPhones names phones in order, at most ten of them.
func listPhones(phones []string) string {
	phones = slices.Sorted(slices.Values(phones))
	if len(phones) > 10 {
		return fmt.Sprintf("%s and %d more", strings.Join(phones[:10], ", "), len(phones)-10)
	}
	return strings.Join(phones, ", ")
}

// audienceRow is one subscriber of the configuration; known is false while any of it is unknown.
type audienceRow struct {
	evolux.NewSubscriber
	known bool
}

// changedFrom names what differs from the subscriber inserted; what is unknown has not changed yet.
func (s audienceRow) changedFrom(inserted audienceRow) (changed []string) {
	if !s.known || !inserted.known {
		return nil
	}
	if s.Name != inserted.Name {
		changed = append(changed, "name")
	}
	if !slices.Equal(s.Parameters, inserted.Parameters) {
		changed = append(changed, "parameters")
	}
	if !maps.Equal(s.Fields, inserted.Fields) {
		changed = append(changed, "fields")
	}
	return changed
}

// audienceRows reads subscribers: a map or object keyed by phone of objects or maps with name, parameters and
// fields. What does not have that shape is an error naming it; known is false while any part is unknown.
func audienceRows(v types.Dynamic, diags *diag.Diagnostics) (rows map[string]audienceRow, known bool) {
	if v.IsUnknown() || v.IsUnderlyingValueUnknown() {
		return nil, false
	}
	rows, known = map[string]audienceRow{}, true
	if v.IsNull() || v.IsUnderlyingValueNull() {
		return rows, true
	}
	// The CLIs show no path inside a dynamic value, so the detail names it.
	invalid := func(at path.Path, detail string) {
		diags.AddAttributeError(at, "Invalid subscribers", at.String()+": "+detail)
	}
	subs, ok := members(v.UnderlyingValue())
	if !ok {
		invalid(path.Root("subscribers"), "a map keyed by phone number, such as { \"5511999990001\" = { name = \"Maria\" } }.")
		return rows, true
	}
	for phone, value := range subs {
		row, at := audienceRow{known: true, NewSubscriber: evolux.NewSubscriber{Fields: map[string]string{}}}, subscriberPath(phone)
		attrs, ok := members(value)
		if !ok || value.IsNull() {
			invalid(at, "a subscriber is an object with name, parameters and fields.")
			continue
		}
		text := func(v attr.Value, at path.Path) string {
			s, isKnown, ok := scalarText(v)
			if !ok {
				invalid(at, "must be a string, a number or a boolean.")
			}
			row.known = row.known && isKnown
			return s
		}
		for name, a := range attrs {
			switch at := at.AtName(name); {
			case a.IsUnknown():
				row.known = false
			case a.IsNull():
			case name == "name":
				row.Name = text(a, at)
			case name == "parameters":
				elems, ok := elements(a)
				if !ok {
					invalid(at, "a list, such as [\"Maria\", \"30%\"].")
				}
				for i, e := range elems {
					row.Parameters = append(row.Parameters, text(e, at.AtListIndex(i)))
				}
			case name == "fields":
				fields, ok := members(a)
				if !ok {
					invalid(at, "a map, such as { CPF = \"111.111.111-11\" }.")
				}
				for k, f := range fields {
					row.Fields[k] = text(f, at.AtMapKey(k))
				}
			default:
				invalid(at, "not an attribute of a subscriber, which has name, parameters and fields.")
			}
		}
		if row.known && strings.TrimSpace(row.Name) == "" {
			invalid(at.AtName("name"), "every subscriber needs a name that is not empty.")
		}
		known = known && row.known
		rows[phone] = row
	}
	return rows, known
}

// members are an object's attributes or a map's elements.
func members(v attr.Value) (map[string]attr.Value, bool) {
	switch v := v.(type) {
	case types.Object:
		return v.Attributes(), true
	case types.Map:
		return v.Elements(), true
	}
	return nil, false
}

// elements are a list's, a tuple's or a set's.
func elements(v attr.Value) ([]attr.Value, bool) {
	switch v := v.(type) {
	case types.List:
		return v.Elements(), true
	case types.Tuple:
		return v.Elements(), true
	case types.Set:
		return v.Elements(), true
	}
	return nil, false
}

// scalarText is a string, number or boolean as a CSV cell holds it.
func scalarText(v attr.Value) (text string, known, ok bool) {
	if v.IsUnknown() {
		return "", false, true
	}
	switch v := v.(type) {
	case types.String:
		return v.ValueString(), true, true
	case types.Number:
		return v.ValueBigFloat().Text('f', -1), true, !v.IsNull()
	case types.Bool:
		return strconv.FormatBool(v.ValueBool()), true, !v.IsNull()
	}
	return "", true, false
}
