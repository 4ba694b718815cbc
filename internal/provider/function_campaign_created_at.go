package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

var _ function.Function = &campaignCreatedAtFunction{}

// NewCampaignCreatedAtFunction is provider::campaigns::campaign_created_at.
func NewCampaignCreatedAtFunction() function.Function { return &campaignCreatedAtFunction{} }

type campaignCreatedAtFunction struct{}

func (f *campaignCreatedAtFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "campaign_created_at"
}

func (f *campaignCreatedAtFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "When a Builder campaign id was made",
		MarkdownDescription: "The creation time a Builder campaign id carries, as an RFC 3339 timestamp in UTC to the second: " +
			"the id is a MongoDB ObjectId, whose first 4 bytes are the seconds since the Unix epoch. " +
			"`campaign_created_at(\"66d9167c0000000000000000\")` is `\"2024-09-05T02:25:00Z\"`. " +
			"It needs no request, so it is known at plan time whenever the id is.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "id",
				MarkdownDescription: "The campaign id, 24 lowercase hexadecimal digits, such as `campaigns_builder_campaign.x.id`.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *campaignCreatedAtFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var id string
	resp.Error = req.Arguments.Get(ctx, &id)
	if resp.Error != nil {
		return
	}
	created, ok := builder.ObjectIDTime(id)
	if !builder.ValidObjectID(id) || !ok {
		resp.Error = function.NewArgumentFuncError(0,
			fmt.Sprintf("%q is not a campaign id: 24 lowercase hexadecimal digits", id))
		return
	}
	resp.Error = resp.Result.Set(ctx, created.UTC().Format(time.RFC3339))
}
