package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

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

// Values of a subscriber's insert_outcome.
const (
	insertedOutcome    = "inserted"     // the report shows it in the campaign
	unknownOutcome     = "unknown"      // it may have been inserted: never uploaded again by itself
	notInsertedOutcome = "not_inserted" // certainly not uploaded: the next apply uploads it
)

// NewEvoluxAudienceResource is the campaigns_evolux_campaign_subscribers resource.
func NewEvoluxAudienceResource() resource.Resource { return &evoluxAudienceResource{} }

type evoluxAudienceResource struct{ configuredResource }

type evoluxAudienceModel struct {
	ID           types.String   `tfsdk:"id"`
	CampaignUUID types.String   `tfsdk:"campaign_uuid"`
	Subscribers  types.Map      `tfsdk:"subscribers"`
	StateCounts  types.Map      `tfsdk:"state_counts"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

type audienceSubscriber struct {
	Name          types.String `tfsdk:"name"`
	Parameters    types.List   `tfsdk:"parameters"`
	Fields        types.Map    `tfsdk:"fields"`
	State         types.String `tfsdk:"state"`
	InsertOutcome types.String `tfsdk:"insert_outcome"`
}

var audienceTimeouts = timeouts.Opts{Create: true, Read: true, Update: true}

var audienceSubscriberType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name": types.StringType, "parameters": types.ListType{ElemType: types.StringType},
	"fields": types.MapType{ElemType: types.StringType}, "state": types.StringType, "insert_outcome": types.StringType,
}}

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
			"(a timeout, a dropped connection, a 5xx), its phones the report does not show are saved with `insert_outcome = \"unknown\"` " +
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
			"subscribers": schema.MapNestedAttribute{
				MarkdownDescription: "The subscribers, keyed by phone number with its country code, as digits (`5511999990001`; spaces, " +
					"`+`, `(`, `)` and `-` are allowed and ignored). Two keys that may be one phone (the same digits, or one with a " +
					"country code and the other without) are refused. From a CSV file: " +
					"`{ for row in csvdecode(file(\"audience.csv\")) : row.phone => { name = row.name, parameters = [row.parameter1] } }`.",
				Required: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Required: true, MarkdownDescription: "The subscriber's name (the CSV's `name`).",
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
					"parameters": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "The values of the campaign template's parameters, in order (`parameter1`, `parameter2`, …); " +
							"every subscriber has as many."},
					"fields": schema.MapAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Custom data, a CSV column each (for example `{ CPF = \"111.111.111-11\" }`); a name may not be " +
							"`name`, `phone` or `parameterN`."},
					"state": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The subscriber's state in the report (" + evoluxStates + "), null while the report does not show it."},
					"insert_outcome": schema.StringAttribute{Computed: true,
						MarkdownDescription: "`" + insertedOutcome + "` once the report shows it; `" + unknownOutcome + "` when an upload " +
							"holding it may or may not have been processed (never uploaded again by itself); `" + notInsertedOutcome +
							"` when its upload was refused (the next apply uploads it)."},
				}},
			},
			"state_counts": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "How many of these subscribers the report shows in each state (every state is a key)."},
		},
	}
}

// fieldNameTaken matches the columns a custom field may not take.
var fieldNameTaken = regexp.MustCompile(`(?i)^(` + evolux.ColumnName + `|` + evolux.ColumnPhone + `|` + evolux.ColumnParameter + `[0-9]+)$`)

// ValidateConfig refuses, with no request, what Evolux would refuse or what could insert a phone twice.
func (r *evoluxAudienceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var subscribers types.Map
	if resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("subscribers"), &subscribers)...); resp.Diagnostics.HasError() ||
		subscribers.IsUnknown() || subscribers.IsNull() {
		return
	}
	subs := audienceElements(ctx, subscribers, &resp.Diagnostics)
	attribute := func(phone string) path.Path { return path.Root("subscribers").AtMapKey(phone) }
	parameterCounts := map[int][]string{}
	for _, phone := range slices.Sorted(maps.Keys(subs)) {
		s := subs[phone]
		if _, ok := evolux.PhoneDigits(phone); !ok {
			resp.Diagnostics.AddAttributeError(attribute(phone), "Invalid phone number",
				fmt.Sprintf("%q is not a phone number: once spaces, +, (, ) and - are removed it must be 8 to 15 digits, "+
					"with the country code, such as 5511999990001.", phone))
		}
		if !s.Parameters.IsUnknown() {
			parameterCounts[len(s.Parameters.Elements())] = append(parameterCounts[len(s.Parameters.Elements())], phone)
		}
		for name := range s.Fields.Elements() {
			if fieldNameTaken.MatchString(name) || strings.TrimSpace(name) == "" {
				resp.Diagnostics.AddAttributeError(attribute(phone).AtName("fields"), "Invalid custom field name",
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
		resp.Diagnostics.AddAttributeError(attribute(group[0]), "The same phone twice",
			fmt.Sprintf("%s may be one phone (the same digits, or one with a country code and the other without): the report "+
				"cannot tell them apart, so one of them could be messaged twice. Keep one.", strings.Join(group, " and ")))
	}
}

// ModifyPlan keeps what is recorded of subscribers already inserted, fails a change to one, and says that
// removing or destroying only forgets.
func (r *evoluxAudienceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state evoluxAudienceModel
	if !req.State.Raw.IsNull() {
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
			return
		}
	}
	prior := audienceElements(ctx, state.Subscribers, &resp.Diagnostics)
	if req.Plan.Raw.IsNull() {
		if len(prior) > 0 {
			resp.Diagnostics.AddWarning("Destroying only forgets the subscribers",
				fmt.Sprintf("Evolux Chat documents no way to remove a subscriber from a campaign: the %d subscribers of campaign %s "+
					"stay in it, and have been messaged. Destroying only removes them from the state.",
					len(prior), state.CampaignUUID.ValueString()))
		}
		return
	}
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() || plan.Subscribers.IsUnknown() {
		return
	}
	if !plan.CampaignUUID.Equal(state.CampaignUUID) {
		prior = nil // a new campaign: a new audience
	}
	planned := audienceElements(ctx, plan.Subscribers, &resp.Diagnostics)
	uploads := 0
	for phone, s := range planned {
		was, ok := prior[phone]
		if !ok || was.InsertOutcome.ValueString() == notInsertedOutcome {
			s.State, s.InsertOutcome = types.StringUnknown(), types.StringUnknown()
			uploads++
		} else {
			if changed := changedFields(s, was); len(changed) > 0 {
				resp.Diagnostics.AddAttributeError(path.Root("subscribers").AtMapKey(phone), "Subscriber already inserted",
					fmt.Sprintf("Subscriber %s is already in campaign %s (insert_outcome %q) and has been sent its message, so its %s "+
						"cannot be changed. To send it again on purpose with new values, remove it from the configuration, apply, "+
						"and add it back: it is uploaded again only if the report no longer shows it.",
						phone, plan.CampaignUUID.ValueString(), was.InsertOutcome.ValueString(), strings.Join(changed, " and ")))
			}
			s.State, s.InsertOutcome = was.State, was.InsertOutcome
		}
		planned[phone] = s
	}
	var forgotten []string
	for phone := range prior {
		if _, ok := planned[phone]; !ok {
			forgotten = append(forgotten, phone)
		}
	}
	if len(forgotten) > 0 {
		resp.Diagnostics.AddWarning("Removed subscribers are only forgotten",
			fmt.Sprintf("Evolux Chat documents no way to remove a subscriber from a campaign: %s stay in campaign %s and have been "+
				"messaged. This apply only removes them from the state.", listPhones(forgotten), plan.CampaignUUID.ValueString()))
	}
	plan.Subscribers = audienceMap(planned, &resp.Diagnostics)
	if uploads > 0 || len(forgotten) > 0 {
		plan.StateCounts = types.MapUnknown(types.Int64Type)
	} else {
		plan.StateCounts = state.StateCounts
	}
	if uploads > 0 {
		resp.Diagnostics.Append(r.data.evoluxSettingsAtPlan()...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// changedFields names what differs between a planned subscriber and the one inserted; unknown is no change yet.
func changedFields(planned, inserted audienceSubscriber) (changed []string) {
	for _, f := range []struct {
		name         string
		plan, before attr.Value
	}{{"name", planned.Name, inserted.Name}, {"parameters", planned.Parameters, inserted.Parameters},
		{"fields", planned.Fields, inserted.Fields}} {
		if !f.plan.IsUnknown() && !f.plan.Equal(f.before) && !(isEmpty(f.plan) && isEmpty(f.before)) {
			changed = append(changed, f.name)
		}
	}
	return changed
}

// isEmpty is a null value or an empty collection: neither sends a column value.
func isEmpty(v attr.Value) bool {
	switch v := v.(type) {
	case types.List:
		return v.IsNull() || len(v.Elements()) == 0
	case types.Map:
		return v.IsNull() || len(v.Elements()) == 0
	}
	return v.IsNull()
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
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	r.insert(ctx, plan, audienceElements(ctx, state.Subscribers, &resp.Diagnostics), false, &resp.State, &resp.Diagnostics)
}

// insert uploads the planned subscribers not yet inserted, skipping those the report already shows, and saves
// what became of each. Once anything may have been inserted a create never fails: a tainted audience would be
// created again, uploading its unsettled phones a second time.
func (r *evoluxAudienceResource) insert(ctx context.Context, plan evoluxAudienceModel, prior map[string]audienceSubscriber,
	creating bool, state stateSetter, diags *diag.Diagnostics) {
	c, moreDiags := r.data.evoluxForReports()
	if diags.Append(moreDiags...); diags.HasError() {
		return
	}
	campaign := plan.CampaignUUID.ValueString()
	subs := audienceElements(ctx, plan.Subscribers, diags)
	phones := evolux.NewPhones(slices.Collect(maps.Keys(subs)))
	shown := map[string]string{}
	see := func(phone, state string) { shown[phone] = state }
	if err := c.Audience(ctx, campaign, phones, see); err != nil {
		addClientError(diags, "Subscribers not uploaded", "Reading campaign "+campaign+"'s report before the upload", err)
		return
	}
	var upload []evolux.NewSubscriber
	for _, phone := range slices.Sorted(maps.Keys(subs)) {
		was, ok := prior[phone]
		if _, inReport := shown[phone]; inReport || ok && was.InsertOutcome.ValueString() != notInsertedOutcome {
			continue
		}
		s := subs[phone]
		if s.Name.IsUnknown() || s.Parameters.IsUnknown() || s.Fields.IsUnknown() {
			diags.AddAttributeError(path.Root("subscribers").AtMapKey(phone), "Subscriber not known at apply",
				"Its name, parameters or fields are still unknown at apply, so it cannot be uploaded; this is a bug in the provider.")
			return
		}
		digits, _ := evolux.PhoneDigits(phone)
		row := evolux.NewSubscriber{Phone: digits, Name: s.Name.ValueString(), Fields: map[string]string{}}
		diags.Append(s.Parameters.ElementsAs(ctx, &row.Parameters, false)...)
		diags.Append(s.Fields.ElementsAs(ctx, &row.Fields, false)...)
		upload = append(upload, row)
	}
	byDigits := map[string]string{}
	for phone := range subs {
		digits, _ := evolux.PhoneDigits(phone)
		byDigits[digits] = phone
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
	outcome := map[string]string{}
	for _, phone := range append(sent, unsure...) {
		outcome[phone] = unknownOutcome // until the report shows it
	}
	for _, row := range upload[len(done.Sent)+len(done.Unsure):] {
		outcome[byDigits[row.Phone]] = notInsertedOutcome
	}
	plan.Subscribers, plan.StateCounts = settle(subs, prior, outcome, shown, diags)
	unknown := unknownPhones(ctx, plan.Subscribers, diags)
	if len(unknown) > 0 {
		diags.AddWarning("Subscribers may have been inserted", mayHaveBeenInsertedDetail(campaign, unknown, done.Err))
	}
	if done.Err != nil {
		what := fmt.Sprintf("Uploading %d subscribers to campaign %s", len(upload), campaign)
		switch {
		case creating && len(unknown) > 0:
			diags.AddWarning("Some subscribers not uploaded", fmt.Sprintf("%s stopped: %s\n\nThose not sent are saved "+
				"with insert_outcome = %q, and the next apply uploads them.", what, done.Err, notInsertedOutcome))
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

// settle is each subscriber's state and outcome from the report and the uploads, and the state counts.
func settle(subs, prior map[string]audienceSubscriber, outcome, shown map[string]string,
	diags *diag.Diagnostics) (types.Map, types.Map) {
	counts := map[string]int64{}
	for _, s := range evolux.States {
		counts[s] = 0
	}
	for phone, s := range subs {
		if was, ok := prior[phone]; ok && was.InsertOutcome.ValueString() != notInsertedOutcome {
			s.State, s.InsertOutcome = was.State, was.InsertOutcome
		}
		if o, ok := outcome[phone]; ok {
			s.InsertOutcome = types.StringValue(o)
		}
		if state, ok := shown[phone]; ok {
			s.InsertOutcome = types.StringValue(insertedOutcome)
			s.State = types.StringNull()
			if state != "" {
				s.State = types.StringValue(state)
				counts[state]++
			}
		} else if s.InsertOutcome.IsUnknown() || s.InsertOutcome.IsNull() {
			s.InsertOutcome = types.StringValue(notInsertedOutcome) // neither shown nor sent
		}
		if s.State.IsUnknown() {
			s.State = types.StringNull()
		}
		subs[phone] = s
	}
	stateCounts, d := types.MapValueFrom(context.Background(), types.Int64Type, counts)
	diags.Append(d...)
	return audienceMap(subs, diags), stateCounts
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
	subs := audienceElements(ctx, state.Subscribers, &resp.Diagnostics)
	shown := map[string]string{}
	err := c.Audience(ctx, campaign, evolux.NewPhones(slices.Collect(maps.Keys(subs))),
		func(phone, state string) { shown[phone] = state })
	if err != nil {
		addClientError(&resp.Diagnostics, "Cannot read campaign "+campaign+"'s subscribers", "Reading the report", err)
		return
	}
	var missing []string
	for phone, s := range subs {
		if _, ok := shown[phone]; !ok && s.InsertOutcome.ValueString() == insertedOutcome {
			missing = append(missing, phone)
		}
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddWarning("Subscribers missing from the report", fmt.Sprintf(
			"The report of campaign %s no longer shows %s, inserted earlier. They are kept as inserted and never uploaded "+
				"again: they have been messaged.", campaign, listPhones(missing)))
	}
	state.Subscribers, state.StateCounts = settle(subs, subs, nil, shown, &resp.Diagnostics)
	if unknown := unknownPhones(ctx, state.Subscribers, &resp.Diagnostics); len(unknown) > 0 {
		resp.Diagnostics.AddWarning("Subscribers may have been inserted", mayHaveBeenInsertedDetail(campaign, unknown, nil))
	}
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
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), uuid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("campaign_uuid"), uuid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("subscribers"), types.MapValueMust(audienceSubscriberType, nil))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), nullTimeouts(audienceTimeouts))...)
}

func audienceElements(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]audienceSubscriber {
	subs := map[string]audienceSubscriber{}
	if !m.IsNull() && !m.IsUnknown() {
		diags.Append(m.ElementsAs(ctx, &subs, false)...)
	}
	return subs
}

func audienceMap(subs map[string]audienceSubscriber, diags *diag.Diagnostics) types.Map {
	m, d := types.MapValueFrom(context.Background(), audienceSubscriberType, subs)
	diags.Append(d...)
	return m
}

func unknownPhones(ctx context.Context, m types.Map, diags *diag.Diagnostics) (phones []string) {
	for phone, s := range audienceElements(ctx, m, diags) {
		if s.InsertOutcome.ValueString() == unknownOutcome {
			phones = append(phones, phone)
		}
	}
	return phones
}

// mayHaveBeenInsertedDetail explains subscribers whose upload may or may not have been processed.
func mayHaveBeenInsertedDetail(campaign string, phones []string, err error) string {
	what := "An earlier upload holding them may or may not have been processed, and the report does not show them yet."
	if err != nil {
		what = fmt.Sprintf("The upload holding them may or may not have been processed (%s), and the report does not show them.", err)
	}
	return fmt.Sprintf("%s\n\nSubscribers: %s, of campaign %s. They may have been sent the campaign's message, so they were not "+
		"uploaded again: they are saved with insert_outcome = %q, and every refresh settles those the report shows as %q.\n\n"+
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
