package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ datasource.DataSourceWithConfigure = &builderCampaignsDataSource{}

// NewBuilderCampaignsDataSource is the campaigns_builder_campaigns data source.
func NewBuilderCampaignsDataSource() datasource.DataSource {
	return &builderCampaignsDataSource{}
}

type builderCampaignsDataSource struct{ configuredDataSource }

type builderCampaignsModel struct {
	campaignSelection
	Campaigns []builderCampaignModel `tfsdk:"campaigns"`
}

func (d *builderCampaignsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_campaigns"
}

func (d *builderCampaignsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	sel := campaignSelectionDescriptions
	desc := campaignDataSourceDescriptions()
	desc["id"] = "Campaign id, a 24-hex-digit MongoDB ObjectId."
	element := campaignReadAttributes(desc)
	for _, name := range []string{"id", "organization", "bot_name"} {
		element[name] = schema.StringAttribute{MarkdownDescription: desc[name], Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every campaign action of one Fintalk Builder bot, optionally filtered by `status` and `campaign_name`, " +
			campaignOrderDescription + ". One list request per read (plus a read of each campaign when Builder's list answers summaries).\n\n" +
			"Use it to look at what a bot holds, in `check` blocks and outputs, or to adopt existing campaigns: " +
			"`import` blocks with `for_each` over `campaigns` (see the guide \"Adopting existing campaigns\").",
		Attributes: map[string]schema.Attribute{
			"organization":  schema.StringAttribute{MarkdownDescription: sel["organization"], Required: true, Validators: pathSegmentValidators},
			"bot_name":      schema.StringAttribute{MarkdownDescription: sel["bot_name"], Required: true, Validators: pathSegmentValidators},
			"status":        schema.StringAttribute{MarkdownDescription: sel["status"], Optional: true, Validators: []validator.String{stringvalidator.OneOf(campaignStatuses...)}},
			"campaign_name": schema.StringAttribute{MarkdownDescription: sel["campaign_name"], Optional: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"campaigns": schema.ListNestedAttribute{
				MarkdownDescription: "The campaigns that match, " + campaignOrderDescription + ". Each has the attributes of the `campaigns_builder_campaign` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: element},
			},
		},
	}
}

func (d *builderCampaignsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model builderCampaignsModel
	c := d.data.load(ctx, req.Config, &model, campaignRequests, &resp.Diagnostics)
	if c == nil {
		return
	}
	if model.Campaigns = selectCampaigns(ctx, c, model.campaignSelection, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
