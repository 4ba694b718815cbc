package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// The one way the campaigns_builder_campaigns data source and the list resource select a bot's
// campaigns: one list request (completed by reads of summaries), the same filters and order.

// campaignStatuses are the values the status filter accepts.
var campaignStatuses = []string{builder.StatusNotStarted, builder.StatusInProgress, builder.StatusConcluded, builder.StatusError}

// campaignSelectionDescriptions describe the selection attributes.
var campaignSelectionDescriptions = map[string]string{
	"organization": "Organization that owns the bot.",
	"bot_name":     "Bot whose campaigns are listed.",
	"status": "Only campaigns with this status: `not_started`, `in_progress`, `concluded` or `error`. " +
		"For example `not_started` selects the campaigns that can still be changed.",
	"campaign_name": "Only campaigns whose `campaign_name` is exactly this.",
}

// campaignOrderDescription is the results' order, for the docs.
const campaignOrderDescription = "sorted by `id` (a campaign id starts with its creation time, so this is close to creation order, " +
	"and it never changes between runs)"

// campaignSelection is the bot and the filters (the list resource's configuration).
type campaignSelection struct {
	Organization types.String `tfsdk:"organization"`
	BotName      types.String `tfsdk:"bot_name"`
	Status       types.String `tfsdk:"status"`
	CampaignName types.String `tfsdk:"campaign_name"`
}

func (s campaignSelection) matches(c builder.Campaign) bool {
	match := func(filter types.String, value *string) bool {
		return filter.IsNull() || value != nil && *value == filter.ValueString()
	}
	return match(s.Status, c.Status) && match(s.CampaignName, c.CampaignName)
}

// selectCampaigns lists the bot's campaigns (ListCampaignsComplete), keeping those the filters match, in order.
func selectCampaigns(ctx context.Context, c *builder.Client, s campaignSelection, diags *diag.Diagnostics) []builderCampaignModel {
	org, bot := s.Organization.ValueString(), s.BotName.ValueString()
	all, err := c.ListCampaignsComplete(ctx, org, bot)
	if err != nil {
		addClientError(diags, "Campaigns not listed", fmt.Sprintf("Listing the campaigns of bot %s/%s", org, bot), err)
		return nil
	}
	slices.SortStableFunc(all, func(a, b builder.Campaign) int { return cmp.Compare(a.ID, b.ID) })
	models := make([]builderCampaignModel, 0, len(all))
	for _, campaign := range all {
		if !s.matches(campaign) {
			continue
		}
		m := builderCampaignModel{Organization: s.Organization, BotName: s.BotName}
		diags.Append(m.fromAPI(campaign)...)
		models = append(models, m)
	}
	return models
}
