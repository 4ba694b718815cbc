package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ list.ListResourceWithConfigure = &builderCampaignListResource{}

// NewBuilderCampaignListResource is the campaigns_builder_campaign list resource (Terraform 1.14+).
func NewBuilderCampaignListResource() list.ListResource {
	return &builderCampaignListResource{}
}

type builderCampaignListResource struct{ configuredResource }

type builderCampaignIdentityModel struct {
	Organization types.String `tfsdk:"organization"`
	BotName      types.String `tfsdk:"bot_name"`
	ID           types.String `tfsdk:"id"`
}

func (r *builderCampaignListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_campaign"
}

func (r *builderCampaignListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	sel := campaignSelectionDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the campaign actions of one Fintalk Builder bot for `terraform query` (Terraform 1.14+), " +
			"with the same filters as the `campaigns_builder_campaigns` data source and in the same order: " + campaignOrderDescription + ". " +
			"One list request per query (plus a read of each campaign when Builder's list answers summaries). Each result is a campaign's identity (`organization`, `bot_name`, `id`); " +
			"with `include_resource = true`, also the whole `campaigns_builder_campaign`, so that " +
			"`terraform query -generate-config-out=FILE` writes an `import` block and a resource block per campaign, which plan with no changes.",
		Attributes: map[string]schema.Attribute{
			"organization":  schema.StringAttribute{MarkdownDescription: sel["organization"], Required: true, Validators: pathSegmentValidators},
			"bot_name":      schema.StringAttribute{MarkdownDescription: sel["bot_name"], Required: true, Validators: pathSegmentValidators},
			"status":        schema.StringAttribute{MarkdownDescription: sel["status"], Optional: true, Validators: []validator.String{stringvalidator.OneOf(campaignStatuses...)}},
			"campaign_name": schema.StringAttribute{MarkdownDescription: sel["campaign_name"], Optional: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
		},
	}
}

// List answers a query with one list, streaming a result per campaign that matches.
func (r *builderCampaignListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config campaignSelection
	var diags diag.Diagnostics
	var campaigns []builderCampaignModel
	if c := r.data.load(ctx, req.Config, &config, campaignRequests, &diags); c != nil {
		campaigns = selectCampaigns(ctx, c, config, &diags)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, campaign := range campaigns {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			if i == 0 {
				result.Diagnostics.Append(diags...) // warnings of the list, once
			}
			result.DisplayName = fmt.Sprintf("%s (%s)", campaign.CampaignName.ValueString(), campaign.ID.ValueString())
			result.Diagnostics.Append(result.Identity.Set(ctx, builderCampaignIdentityModel{
				Organization: campaign.Organization, BotName: campaign.BotName, ID: campaign.ID,
			})...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, builderCampaignResourceModel{builderCampaignModel: campaign, Timeouts: nullTimeouts(campaignTimeouts)})...)
			}
			if !push(result) {
				return
			}
		}
	}
}
