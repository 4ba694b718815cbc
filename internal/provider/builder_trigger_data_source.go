package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

var _ datasource.DataSourceWithConfigure = &builderTriggerDataSource{}

// NewBuilderTriggerDataSource is the campaigns_builder_trigger data source.
func NewBuilderTriggerDataSource() datasource.DataSource {
	return &builderTriggerDataSource{}
}

type builderTriggerDataSource struct{ configuredDataSource }

type builderTriggerDataModel struct {
	ID     types.String         `tfsdk:"id"`
	Result jsontypes.Normalized `tfsdk:"result"`
}

func (d *builderTriggerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_trigger"
}

func (d *builderTriggerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one fired Fintalk Builder trigger by id, with the provider's `builder.api_key`: " +
			"for checking the status of a trigger fired elsewhere, or by a `campaigns_builder_trigger` resource, from `check` blocks and outputs. " +
			"Reading never fires anything.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Id Builder gave the trigger when it fired, such as the `id` of a `campaigns_builder_trigger` resource.",
				Required:            true,
				Validators:          []validator.String{firedTriggerID},
			},
			"result": schema.StringAttribute{
				MarkdownDescription: "Builder's answer to reading the trigger, as JSON text (use `jsondecode`); it holds the payload under `json` and a `status`.",
				Computed:            true,
				CustomType:          jsontypes.NormalizedType{},
			},
		},
	}
}

func (d *builderTriggerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg builderTriggerDataModel
	c := d.data.load(ctx, req.Config, &cfg, triggerFires, &resp.Diagnostics)
	if c == nil {
		return
	}
	id := cfg.ID.ValueString()
	// An id known only at apply (a trigger fired in it) is checked here.
	if msg := triggerIDProblem(path.Root("id"), id); msg != "" {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid trigger id", msg)
		return
	}
	raw, err := c.GetTrigger(ctx, id)
	switch {
	case client.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Trigger "+id+" not found",
			fmt.Sprintf("Builder knows no trigger with id %q (HTTP 404 on read). Check the id: it is the one Builder answered when the trigger fired.", id))
		return
	case err != nil:
		addClientError(&resp.Diagnostics, "Cannot read trigger "+id, "Reading Builder trigger "+id, err)
		return
	}
	cfg.Result = jsontypes.NewNormalizedValue(string(raw))
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

func triggerIDProblem(p path.Path, id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return fmt.Sprintf("%s must be the id Builder gave a fired trigger, not empty.", p)
	case strings.HasPrefix(id, unknownIDPrefix):
		return fmt.Sprintf("%s is %q, the placeholder of a trigger whose fire outcome is unknown: Builder never answered with an id, so it cannot be read. "+
			"Look for the trigger in the Builder UI instead.", p, id)
	case strings.HasPrefix(id, noIDPrefix):
		return fmt.Sprintf("%s is %q, the placeholder of a trigger Builder accepted without answering a readable id, so it cannot be read. "+
			"Look for the trigger in the Builder UI instead.", p, id)
	}
	return ""
}
