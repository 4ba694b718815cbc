package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// builderCampaignModel is a campaign, for the resource and the data sources alike.
type builderCampaignModel struct {
	ID            types.String `tfsdk:"id"`
	Organization  types.String `tfsdk:"organization"`
	BotName       types.String `tfsdk:"bot_name"`
	CampaignName  types.String `tfsdk:"campaign_name"`
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	ScheduledDate types.String `tfsdk:"scheduled_date"`
	Content       types.String `tfsdk:"content"`
	File          types.String `tfsdk:"file"`
	SheetValues   types.List   `tfsdk:"sheet_values"`
	Status        types.String `tfsdk:"status"`
	CreationDate  types.String `tfsdk:"creation_date"`
	LogFile       types.String `tfsdk:"log_file"`
}

// campaignDescriptions: the id's, and each of builder.CampaignFields'.
var campaignDescriptions = func() map[string]string {
	d := map[string]string{
		"id": "Campaign id, a 24-hex-digit MongoDB ObjectId. The provider generates it before the first request, " +
			"so that a create interrupted by a network failure can be checked and never creates a second campaign.",
	}
	for _, f := range builder.CampaignFields {
		d[f.Key] = f.Description
	}
	return d
}()

// campaignStarted: messages may have gone out (any status but not_started).
func campaignStarted(status types.String) bool {
	return !status.IsNull() && !status.IsUnknown() && status.ValueString() != builder.StatusNotStarted
}

// campaignStartedDetail is the one explanation (at plan, and on a 409) of why a started campaign cannot change.
func campaignStartedDetail(m builderCampaignModel) string {
	return fmt.Sprintf("Campaign %q (id %s, bot %s/%s) has already started: its status is %q. "+
		"Messages that were sent cannot be changed or unsent, so this provider does not change a started campaign.\n\n"+
		"To send a new campaign on purpose, add it as a new campaigns_builder_campaign resource and keep this one as the record of what was sent, "+
		"or revert this change and run apply with -replace=ADDRESS to send this campaign again. "+
		"To stop managing it without deleting it, use a removed block with destroy = false.\n\n"+
		"%s",
		m.CampaignName.ValueString(), m.ID.ValueString(), m.Organization.ValueString(), m.BotName.ValueString(), m.Status.ValueString(),
		addressHint(m.ID.ValueString()))
}

// toAPI builds the request body. Null optional attributes are nil (left out of a create, sent as
// null by an update, which clears them); an empty sheet_values is [].
func (m builderCampaignModel) toAPI(ctx context.Context, diags *diag.Diagnostics) builder.Campaign {
	c := builder.Campaign{ID: m.ID.ValueString(), ScheduledDate: m.ScheduledDate.ValueStringPointer()}
	for _, f := range builder.CampaignFields {
		if text := m.text(f); text != nil && f.Role != builder.RoleServer {
			*f.Text(&c) = text.ValueStringPointer()
		}
	}
	if !m.SheetValues.IsNull() && !m.SheetValues.IsUnknown() {
		c.SheetValues = []string{}
		diags.Append(m.SheetValues.ElementsAs(ctx, &c.SheetValues, false)...)
	}
	return c
}

// text is the model's attribute for a text field (nil for other kinds): a new field needs only its attribute.
func (m *builderCampaignModel) text(f builder.CampaignField) *types.String {
	if f.Kind != builder.KindText {
		return nil
	}
	text, _ := m.attributeAt(f.Key).Interface().(*types.String)
	return text
}

// attribute is the model's attribute named key (its tfsdk tag).
func (m builderCampaignModel) attribute(key string) attr.Value {
	value, _ := m.attributeAt(key).Elem().Interface().(attr.Value)
	return value
}

func (m *builderCampaignModel) attributeAt(key string) reflect.Value {
	i, ok := campaignModelFields[key]
	if !ok {
		panic("builderCampaignModel has no attribute " + key) // a field of builder.CampaignFields without its attribute
	}
	return reflect.ValueOf(m).Elem().Field(i).Addr()
}

// campaignModelFields indexes the model's fields by their tfsdk tags.
var campaignModelFields = func() map[string]int {
	t := reflect.TypeFor[builderCampaignModel]()
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		fields[t.Field(i).Tag.Get("tfsdk")] = i
	}
	return fields
}()

// fromAPI fills the model from a read; an empty list keeps the prior null or [] (the API does not tell them apart).
func (m *builderCampaignModel) fromAPI(c builder.Campaign) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(c.ID)
	for _, f := range builder.CampaignFields {
		text := m.text(f)
		if text == nil {
			continue
		}
		switch server := *f.Text(&c); f.Role {
		case builder.RolePath:
			*text = keepKnown(*text, server)
		case builder.RoleOptional:
			*text = optionalText(*text, server)
		default:
			*text = types.StringPointerValue(server)
		}
	}
	m.ScheduledDate = m.scheduledDateFromServer(c.ScheduledDate, &diags)
	m.CreationDate = serverTimestamp(c.CreationDate)
	m.addAnswerProblems(c.Problems, &diags)

	if len(c.SheetValues) > 0 {
		list, d := types.ListValueFrom(context.Background(), types.StringType, c.SheetValues)
		diags.Append(d...)
		m.SheetValues = list
	} else if m.SheetValues.IsNull() || m.SheetValues.IsUnknown() || len(m.SheetValues.Elements()) > 0 {
		m.SheetValues = types.ListNull(types.StringType)
	}
	return diags
}

// fromWriteAnswer takes from a write's answer only the server-managed attributes the plan left
// unknown: user attributes keep their planned values, so no answer makes an inconsistent result.
func (m *builderCampaignModel) fromWriteAnswer(c builder.Campaign) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.Status.IsUnknown() {
		m.Status = types.StringPointerValue(c.Status)
	}
	if m.LogFile.IsUnknown() {
		m.LogFile = types.StringPointerValue(c.LogFile)
	}
	if m.CreationDate.IsUnknown() {
		m.CreationDate = serverTimestamp(c.CreationDate)
	}
	m.addAnswerProblems(c.Problems, &diags)
	return diags
}

// addAnswerProblems turns builder.Campaign.Problems into one warning, never a failed operation.
func (m builderCampaignModel) addAnswerProblems(problems []string, diags *diag.Diagnostics) {
	if len(problems) == 0 {
		return
	}
	diags.AddWarning("Unexpected answer from Builder",
		fmt.Sprintf("Builder's answer about %s was not in the form this provider expects; it was read this way:\n- %s\n\n"+
			"The campaign is managed as usual. If a value looks wrong, compare it with the Builder UI.",
			m.label(), strings.Join(problems, "\n- ")))
}

// optionalText: empty and null are one to Builder (a server refusing null is sent ""): either keeps the prior.
func optionalText(prior types.String, server *string) types.String {
	if (server == nil || *server == "") && (prior.IsNull() || prior.ValueString() == "") && !prior.IsUnknown() {
		return prior
	}
	return types.StringPointerValue(server)
}

// keepKnown prefers the server's value, else ours (for the path fields).
func keepKnown(prior types.String, server *string) types.String {
	if server == nil || *server == "" {
		if prior.IsUnknown() {
			return types.StringNull()
		}
		return prior
	}
	return types.StringValue(*server)
}

// serverTimestamp is RFC 3339 UTC when it parses, else the server's text (the client reports it as a problem).
func serverTimestamp(v *string) types.String {
	if v == nil {
		return types.StringNull()
	}
	if normalized, ok := client.NormalizeTimestamp(*v); ok {
		return types.StringValue(normalized)
	}
	return types.StringValue(*v)
}

// scheduledDateFromServer: the same instant spelled another way (client.SameStoredInstant) keeps the
// configured spelling; another is drift, as written if RFC 3339, else normalized. An unreadable value
// keeps the prior one with a warning: no failed refresh, no endless diff.
func (m builderCampaignModel) scheduledDateFromServer(v *string, diags *diag.Diagnostics) types.String {
	prior := m.ScheduledDate
	if v == nil {
		return types.StringNull()
	}
	known := !prior.IsNull() && !prior.IsUnknown()
	if known && (prior.ValueString() == *v || client.SameStoredInstant(prior.ValueString(), *v)) {
		return prior
	}
	if isRFC3339(*v) {
		return types.StringValue(*v) // most likely what was configured
	}
	if normalized, ok := client.NormalizeTimestamp(*v); ok {
		return types.StringValue(normalized)
	}
	was := "none"
	if known {
		was = prior.ValueString()
	} else {
		prior = types.StringNull()
	}
	diags.AddWarning("Unexpected timestamp from Builder",
		fmt.Sprintf("Builder answered scheduled_date = %q for %s, which is not a timestamp this provider can read; "+
			"scheduled_date keeps its previous value (%s), so a change Builder made to it would not show.",
			strings.TrimSpace(*v), m.label(), was))
	return prior
}

// label names the campaign in diagnostics.
func (m builderCampaignModel) label() string {
	return fmt.Sprintf("campaign %q (id %s, bot %s/%s)",
		m.CampaignName.ValueString(), m.ID.ValueString(), m.Organization.ValueString(), m.BotName.ValueString())
}
