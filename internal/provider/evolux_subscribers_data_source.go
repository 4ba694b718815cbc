package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	_ "time/tzdata" // time.LoadLocation without /usr/share/zoneinfo (CI containers, Windows)

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

var (
	_ datasource.DataSourceWithConfigure      = &evoluxSubscribersDataSource{}
	_ datasource.DataSourceWithValidateConfig = &evoluxSubscribersDataSource{}
)

// NewEvoluxSubscribersDataSource is the campaigns_evolux_subscribers data source.
func NewEvoluxSubscribersDataSource() datasource.DataSource {
	return &evoluxSubscribersDataSource{}
}

type evoluxSubscribersDataSource struct{ configuredDataSource }

type evoluxSubscribersModel struct {
	ID                     types.String   `tfsdk:"id"`
	PhoneNumber            types.String   `tfsdk:"phone_number"`
	Name                   types.String   `tfsdk:"name"`
	State                  types.String   `tfsdk:"state"`
	TemplateUUID           types.String   `tfsdk:"template_uuid"`
	Campaigns              types.Set      `tfsdk:"campaigns"`
	Start                  types.String   `tfsdk:"start"`
	End                    types.String   `tfsdk:"end"`
	Timezone               types.String   `tfsdk:"timezone"`
	ConversationFieldKey   types.String   `tfsdk:"conversation_field_key"`
	ConversationFieldValue types.String   `tfsdk:"conversation_field_value"`
	IncludeSubscribers     types.Bool     `tfsdk:"include_subscribers"`
	Subscribers            types.List     `tfsdk:"subscribers"`
	Total                  types.Int64    `tfsdk:"total"`
	StateCounts            types.Map      `tfsdk:"state_counts"`
	CampaignCounts         types.Map      `tfsdk:"campaign_counts"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

// defaultReadTimeout fits 3,000 pages one by one at 100 ms; past it, better to narrow the report.
const defaultReadTimeout = 5 * time.Minute

var (
	evoluxStates = "`" + strings.Join(evolux.States, "`, `") + "`" // for descriptions
	// evoluxSubscriberType is the type of one element of `subscribers`.
	evoluxSubscriberType, _ = subscriberObject().Type().(types.ObjectType)
)

// evoluxUUIDForm is the 8-4-4-4-12 hexadecimal form the Evolux document shows, in either case.
var (
	evoluxUUIDForm      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	evoluxUUIDValidator = stringvalidator.RegexMatches(evoluxUUIDForm, "must be a UUID such as 70f4ddb6-ece1-4e13-ab90-3698d9d72bf0")
)

// filterString is an optional text filter; "" is refused, an empty parameter being undocumented.
func filterString(description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true,
		Validators: append([]validator.String{stringvalidator.LengthAtLeast(1)}, validators...)}
}

func filterTimestamp(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Validators: []validator.String{timestampText}}
}

func (d *evoluxSubscribersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_evolux_subscribers"
}

func (d *evoluxSubscribersDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the Evolux Chat campaign subscribers report: the contacts inserted into WhatsApp campaigns, " +
			"with their state, filtered as the Evolux API filters them. Every page of the report is read. " +
			"Needs the provider's `evolux` settings only; Builder credentials are not required. " +
			"The report's response body is not documented by Evolux: each record's full JSON is kept in `raw`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Identifier derived from the filters (a SHA-256 of them): the same filters give the same `id`."},
			"phone_number": filterString("Only the subscriber with this phone number, as Evolux stores it (for example `1199881122`)."),
			"name": filterString("Only subscribers with this name (for example `Maria do Carmo`); " +
				"how Evolux matches it is up to the server."),
			"state": schema.StringAttribute{
				MarkdownDescription: "Only subscribers in this state, one of " + evoluxStates + ". " +
					"`pending`: not sent yet; `scheduled`: scheduled; `sent`: sent, no interaction yet; " +
					"`dnd`: on a do-not-disturb list; `completed`: sent and the contact interacted; " +
					"`error`: sending failed (a restricted Meta template, a conversation already open, and so on).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(evolux.States...)},
			},
			"template_uuid": schema.StringAttribute{
				MarkdownDescription: "Only subscribers sent this WhatsApp template (a UUID, which Evolux support provides).",
				Optional:            true,
				Validators:          []validator.String{evoluxUUIDValidator},
			},
			"campaigns": schema.SetAttribute{
				MarkdownDescription: "Only subscribers of these campaigns: the UUIDs shown in the URL of each campaign's management page. " +
					"Sent as one `campaigns[]` query parameter per UUID. Omit it to read every campaign; an empty set is refused, " +
					"so that a computed list that comes out empty cannot silently widen the report to every campaign.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.Set{nonEmptyCampaignsFilter{}, setvalidator.ValueStringsAre(evoluxUUIDValidator)},
			},
			"start": filterTimestamp("Only subscribers inserted into their campaign at or after this instant, in RFC 3339 form " +
				"(for example `2024-09-05T03:00:00Z` or `2024-09-05T00:00:00-03:00`). Must not be after `end`."),
			"end": filterTimestamp("Only subscribers inserted into their campaign at or before this instant, in RFC 3339 form " +
				"(for example `2024-09-06T02:59:59.999Z`)."),
			"timezone": schema.StringAttribute{
				MarkdownDescription: "IANA time zone of the report (for example `America/Manaus` or `UTC`). " +
					"When not set, the parameter is not sent and Evolux uses its default, `" + evolux.DefaultTimezone + "`, which this attribute then shows.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{ianaTimezoneValidator},
			},
			"conversation_field_key": filterString("Name of a custom conversation field of the campaign (for example `CPF` or `perfil`). "+
				"Only subscribers whose field has the value `conversation_field_value`; the two go together.",
				stringvalidator.AlsoRequires(path.MatchRoot("conversation_field_value"))),
			"conversation_field_value": filterString("Value of the custom field `conversation_field_key` (for example `Pessoa Jurídica`); "+
				"the two go together.", stringvalidator.AlsoRequires(path.MatchRoot("conversation_field_key"))),
			"include_subscribers": schema.BoolAttribute{
				MarkdownDescription: "Whether to keep the records in `subscribers` (default `true`). With `false`, every page is still read, " +
					"but only counted: `subscribers` is null, nothing per record is kept in memory or in state, and `total`, `state_counts` " +
					"and `campaign_counts` are filled as usual. The way to feed `check` blocks, alerts and dashboards from large reports.",
				Optional: true,
			},
			"subscribers": schema.ListNestedAttribute{
				MarkdownDescription: "The matching subscribers, in the order the API returned them; null when `include_subscribers` is `false`. " +
					"Fields the record does not carry are null. The record format is ASSUMED (undocumented); `raw` has the whole record. " +
					"Sensitive, since it holds personal data (names, phone numbers, custom fields): plans and outputs show it only " +
					"through `nonsensitive()`.",
				Computed:     true,
				Sensitive:    true,
				NestedObject: subscriberObject(),
			},
			"total": schema.Int64Attribute{MarkdownDescription: "Number of subscribers read, over every page.", Computed: true},
			"state_counts": schema.MapAttribute{
				MarkdownDescription: "Number of subscribers in each state. Every one of " + evoluxStates + " is present, with `0` when none is in it, " +
					"so `state_counts[\"error\"]` is always valid. A state outside these six, should the server report one, gets its own key; " +
					"records without a state are counted only in `total`.",
				Computed:    true,
				ElementType: types.Int64Type,
			},
			"campaign_counts": schema.MapAttribute{
				MarkdownDescription: "Number of subscribers of each campaign in each state: campaign UUID (as the records carry it) to a map " +
					"like `state_counts`, every one of " + evoluxStates + " present. For example " +
					"`campaign_counts[\"f45d98dc-ac5e-48f2-9c01-ebe18f86d28b\"][\"error\"]`. Records without a campaign are counted only " +
					"in `total` and `state_counts`. Filled whether or not `include_subscribers` is set.",
				Computed:    true,
				ElementType: types.MapType{ElemType: types.Int64Type},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{})},
	}
}

// subscriberObject is the schema of one element of `subscribers`.
func subscriberObject() schema.NestedAttributeObject {
	descriptions := map[string]string{
		"name":          "Subscriber's name (`name`).",
		"phone_number":  "Subscriber's phone number (`phone_number`).",
		"state":         "State of the sending to this subscriber (`state`), normally one of " + evoluxStates + ".",
		"campaign_uuid": "UUID of the subscriber's campaign: `campaign_uuid`, else `campaign.uuid`, else `campaign` when it is a string.",
		"template_uuid": "UUID of the template sent: `template_uuid`, else `template.uuid`, else `template` when it is a string.",
		"created_at":    "When the subscriber entered the campaign (`created_at`), as the server wrote it.",
		"raw": "The whole record as JSON text, for `jsondecode` of fields this data source does not model " +
			"(for example `jsondecode(s.raw).conversation_fields`).",
	}
	attributes := map[string]schema.Attribute{}
	for _, a := range subscriberAttributes {
		attribute := schema.StringAttribute{MarkdownDescription: descriptions[a.name], Computed: true}
		if a.name == "raw" {
			attribute.CustomType = jsontypes.NormalizedType{}
		}
		attributes[a.name] = attribute
	}
	return schema.NestedAttributeObject{Attributes: attributes}
}

// ValidateConfig: start after end, at plan time (null, unknown and malformed values not compared).
func (d *evoluxSubscribersDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var start, end types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("start"), &start)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("end"), &end)...)
	s, startErr := time.Parse(time.RFC3339, start.ValueString())
	e, endErr := time.Parse(time.RFC3339, end.ValueString())
	if !resp.Diagnostics.HasError() && startErr == nil && endErr == nil && s.After(e) {
		resp.Diagnostics.AddAttributeError(path.Root("start"), "start is after end",
			fmt.Sprintf("start (%s) is after end (%s), so the report could only be empty. "+
				"Swap the two, or move start earlier.", start.ValueString(), end.ValueString()))
	}
}

func (d *evoluxSubscribersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model evoluxSubscribersModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &model)...); resp.Diagnostics.HasError() {
		return
	}
	if !req.Config.Raw.IsFullyKnown() { // Terraform defers such a read; a CLI that would not
		resp.Diagnostics.AddError("Filters not known yet",
			"Some arguments of campaigns_evolux_subscribers are known only after apply, so the report cannot be read during this plan. "+
				"Apply the resources they depend on first.")
		return
	}
	filter, diags := model.filter(ctx)
	c, moreDiags := d.data.evoluxForReports()
	timeout, timeoutDiags := model.Timeouts.Read(ctx, defaultReadTimeout)
	if resp.Diagnostics.Append(slices.Concat(diags, moreDiags, timeoutDiags)...); resp.Diagnostics.HasError() {
		return
	}
	readCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// Each page is counted, and encoded for the server's handoff, as it arrives; under the
	// framework's server alone the records go into the state the framework's way.
	include := model.IncludeSubscribers.IsNull() || model.IncludeSubscribers.ValueBool()
	counts := newSubscriberCounts()
	handoff, _ := ctx.Value(subscribersHandoffKey{}).(*subscribersHandoff) // nil under the framework's server alone
	var elems []attr.Value
	err := c.Read(readCtx, filter, func(records []evolux.Subscriber) error {
		switch counts.add(records); {
		case include && handoff != nil:
			handoff.add(records)
		case include:
			elems = appendSubscriberObjects(elems, records)
		}
		return nil
	})
	switch {
	case err != nil && readCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil:
		resp.Diagnostics.AddError("Evolux report took too long", fmt.Sprintf("Reading the Evolux subscribers report did not "+
			"finish within %s (timeouts.read, default %s); %d records had been read. %s",
			timeout, defaultReadTimeout, counts.total, model.narrowingAdvice()))
		return
	case err != nil:
		resp.Diagnostics.Append(subscribersReadError(err, model)...)
		return
	}

	if model.Timezone.IsNull() {
		model.Timezone = types.StringValue(evolux.DefaultTimezone)
	}
	model.ID = types.StringValue(subscribersFilterID(filter, model.Timezone.ValueString()))
	model.Total = types.Int64Value(counts.total)
	model.StateCounts, model.CampaignCounts = counts.maps()
	model.Subscribers = types.ListNull(evoluxSubscriberType) // counts only, or until the server splices the records in
	switch stateType, _ := req.Config.Schema.Type().TerraformType(ctx).(tftypes.Object); {
	case include && handoff != nil:
		handoff.stateType = &stateType
	case include:
		model.Subscribers = types.ListValueMust(evoluxSubscriberType, elems)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// narrowingAdvice names the filters not set yet, else the time window.
func (m evoluxSubscribersModel) narrowingAdvice() string {
	var unset []string
	for _, filter := range []struct {
		name  string
		value attr.Value
	}{
		{"campaigns", m.Campaigns}, {"state", m.State}, {"template_uuid", m.TemplateUUID}, {"start", m.Start}, {"end", m.End},
		{"conversation_field_key and conversation_field_value", m.ConversationFieldKey}, {"phone_number", m.PhoneNumber}, {"name", m.Name},
	} {
		if filter.value.IsNull() {
			unset = append(unset, filter.name)
		}
	}
	advice := "Narrow the report with the filters of campaigns_evolux_subscribers: a shorter start to end window"
	if len(unset) > 0 {
		advice = "Narrow the report with the filters of campaigns_evolux_subscribers not set yet: " + strings.Join(unset, ", ")
	}
	if m.IncludeSubscribers.IsNull() || m.IncludeSubscribers.ValueBool() {
		advice += "; or set include_subscribers = false when only the counts are needed"
	}
	return advice + ", or allow more time with timeouts { read = \"...\" }."
}

// subscribersReadError adds to the client's error the setting to fix or the filters to narrow.
func subscribersReadError(err error, m evoluxSubscribersModel) diag.Diagnostics {
	summary, advice := "Cannot read the Evolux subscribers report", ""
	var apiErr *client.APIError
	switch {
	case strings.Contains(err.Error(), "narrow the filter"):
		summary, advice = "Evolux report too large", "\n\n"+m.narrowingAdvice()
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden):
		summary, advice = "Evolux rejected the token", "\n\nCheck evolux.token in the provider configuration (or the "+
			envEvoluxToken+" environment variable): it must be an API token that Evolux support issued for this instance, sent as a Bearer token."
	}
	var diags diag.Diagnostics // addClientError adds exactly one
	addClientError(&diags, summary, "Reading the Evolux campaign subscribers report", err)
	return diag.Diagnostics{diag.NewErrorDiagnostic(summary, diags[0].Detail()+advice)}
}

// filter is the client's query, values as written: start and end keep the user's offset.
func (m evoluxSubscribersModel) filter(ctx context.Context) (evolux.Filter, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := evolux.Filter{
		PhoneNumber:            m.PhoneNumber.ValueString(),
		Name:                   m.Name.ValueString(),
		State:                  m.State.ValueString(),
		TemplateUUID:           m.TemplateUUID.ValueString(),
		Start:                  m.Start.ValueString(),
		End:                    m.End.ValueString(),
		Timezone:               m.Timezone.ValueString(),
		ConversationFieldKey:   m.ConversationFieldKey.ValueString(),
		ConversationFieldValue: m.ConversationFieldValue.ValueString(),
	}
	if !m.Campaigns.IsNull() {
		diags = m.Campaigns.ElementsAs(ctx, &f.Campaigns, false)
		slices.Sort(f.Campaigns) // a set has no order: the same query on every run
	}
	return f, diags
}

// subscribersFilterID is a stable id for one query (the default time zone and its explicit name alike).
func subscribersFilterID(f evolux.Filter, timezone string) string {
	f.Timezone = timezone
	b, _ := json.Marshal(f) // strings and a slice: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendSubscriberObjects appends records as the framework's values of `subscribers`' elements.
func appendSubscriberObjects(elems []attr.Value, records []evolux.Subscriber) []attr.Value {
	for i := range records {
		values := make(map[string]attr.Value, len(subscriberAttributes))
		for _, attribute := range subscriberAttributes {
			values[attribute.name] = types.StringPointerValue(attribute.value(&records[i]))
		}
		values["raw"] = jsontypes.NewNormalizedPointerValue(subscriberRaw(&records[i]))
		elems = append(elems, types.ObjectValueMust(evoluxSubscriberType.AttrTypes, values))
	}
	return elems
}

// subscriberCounts counts records as they are read, keeping only their state and campaign.
type subscriberCounts struct {
	total  int64
	states map[string]map[string]int64 // by campaign UUID; "" for every record with a state
}

func newSubscriberCounts() *subscriberCounts {
	return &subscriberCounts{states: map[string]map[string]int64{}}
}

func (c *subscriberCounts) add(records []evolux.Subscriber) {
	c.total += int64(len(records))
	for _, r := range records {
		if r.State != nil && *r.State != "" {
			c.count("", *r.State)
			if r.CampaignUUID != nil && *r.CampaignUUID != "" {
				c.count(*r.CampaignUUID, *r.State)
			}
		}
	}
}

// count counts a state of a campaign, keys cloned when new: the record's text is not kept.
func (c *subscriberCounts) count(campaign, state string) {
	states, ok := c.states[campaign]
	if !ok {
		states = map[string]int64{}
		c.states[strings.Clone(campaign)] = states
	}
	if _, ok := states[state]; !ok {
		state = strings.Clone(state)
	}
	states[state]++
}

// maps are state_counts and campaign_counts, every documented state present, so HCL needs no try().
func (c *subscriberCounts) maps() (types.Map, types.Map) {
	campaigns := make(map[string]attr.Value, len(c.states))
	for campaign, states := range c.states {
		if campaign != "" {
			campaigns[campaign] = countsMap(states)
		}
	}
	return countsMap(c.states[""]), types.MapValueMust(types.MapType{ElemType: types.Int64Type}, campaigns)
}

func countsMap(counts map[string]int64) types.Map {
	elems := make(map[string]attr.Value, len(evolux.States)+len(counts))
	for _, s := range evolux.States {
		elems[s] = types.Int64Value(0)
	}
	for s, n := range counts {
		elems[s] = types.Int64Value(n)
	}
	return types.MapValueMust(types.Int64Type, elems)
}

// ianaTimezoneValidator accepts IANA time zone names, as Evolux expects.
var ianaTimezoneValidator = stringCheck{"value must be an IANA time zone name such as America/Sao_Paulo", "Invalid time zone",
	func(p path.Path, name string) string {
		if _, ok := ianaZone(name); !ok {
			return fmt.Sprintf("%s must be an IANA time zone name such as %q or \"UTC\", got %q.", p, evolux.DefaultTimezone, name)
		}
		return ""
	}}

// ianaZone is the IANA time zone name names; time.LoadLocation also reads "" as UTC and "Local" as the
// machine's zone, which name none.
func ianaZone(name string) (*time.Location, bool) {
	loc, err := time.LoadLocation(name)
	return loc, err == nil && name != "" && name != "Local"
}
