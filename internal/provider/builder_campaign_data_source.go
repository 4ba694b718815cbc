package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

var _ datasource.DataSourceWithConfigure = &builderCampaignDataSource{}

// NewBuilderCampaignDataSource is the campaigns_builder_campaign data source.
func NewBuilderCampaignDataSource() datasource.DataSource {
	return &builderCampaignDataSource{}
}

type builderCampaignDataSource struct{ configuredDataSource }

func (d *builderCampaignDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_campaign"
}

// campaignDataSourceDescriptions are the resource's, but for what the resource does (the id, replacements, diffs).
func campaignDataSourceDescriptions() map[string]string {
	desc := maps.Clone(campaignDescriptions)
	maps.Copy(desc, map[string]string{
		"id": "Id of the campaign to read, a 24-hex-digit MongoDB ObjectId: the `id` of a `campaigns_builder_campaign` " +
			"resource, or the campaign's `_id` in Builder.",
		"organization":   "Organization that owns the bot the campaign belongs to.",
		"bot_name":       "Bot whose campaign module holds the campaign.",
		"scheduled_date": "When the campaign starts, as an RFC 3339 timestamp such as `2026-12-01T09:00:00-03:00`.",
		"status": "Status Builder reports: `not_started`, `in_progress`, `concluded` or `error`. " +
			"Anything but `not_started` means the campaign has started and its messages may have gone out.",
	})
	return desc
}

func (d *builderCampaignDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := campaignDataSourceDescriptions()
	required := func(name string, validators ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc[name], Required: true, Validators: validators}
	}
	attributes := campaignReadAttributes(desc)
	attributes["id"] = required("id", objectIDValidator)
	attributes["organization"] = required("organization", pathSegmentValidators...)
	attributes["bot_name"] = required("bot_name", pathSegmentValidators...)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one campaign action of a Fintalk Builder bot by its id, for campaigns managed elsewhere or to check one in a `check` block.",
		Attributes:          attributes,
	}
}

// campaignReadAttributes are a campaign's computed attributes, so both data sources hold a builderCampaignModel.
func campaignReadAttributes(desc map[string]string) map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{}
	for _, f := range builder.CampaignFields {
		switch {
		case f.Role == builder.RolePath:
		case f.Kind == builder.KindList:
			attributes[f.Key] = schema.ListAttribute{MarkdownDescription: desc[f.Key], Computed: true, ElementType: types.StringType}
		default:
			attributes[f.Key] = schema.StringAttribute{MarkdownDescription: desc[f.Key], Computed: true}
		}
	}
	return attributes
}

func (d *builderCampaignDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model builderCampaignModel
	c := d.data.load(ctx, req.Config, &model, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	got, err := c.GetCampaign(ctx, model.Organization.ValueString(), model.BotName.ValueString(), model.ID.ValueString())
	if client.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(pathID, "Campaign not found",
			fmt.Sprintf("Builder has no campaign %s in bot %s/%s. Check organization and bot_name as well as id: "+
				"Builder finds a campaign only under the organization and bot that hold it, so a campaign that exists "+
				"in another bot is not found here.", model.ID.ValueString(), model.Organization.ValueString(), model.BotName.ValueString()))
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Campaign not read", fmt.Sprintf("Reading campaign %s", model.ID.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(model.fromAPI(got)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
