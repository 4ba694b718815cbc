package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ ephemeral.EphemeralResourceWithConfigure = &builderTokenEphemeralResource{}

// NewBuilderTokenEphemeralResource is the campaigns_builder_token ephemeral resource.
func NewBuilderTokenEphemeralResource() ephemeral.EphemeralResource {
	return &builderTokenEphemeralResource{}
}

type builderTokenEphemeralResource struct {
	data *providerData
}

type builderTokenModel struct {
	Token        types.String `tfsdk:"token"`
	RefreshToken types.String `tfsdk:"refresh_token"`
}

func (r *builderTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_token"
}

func (r *builderTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Logs in to Fintalk Builder with the provider's `builder.user` and `builder.password` and exposes the token pair, " +
			"for calling Builder endpoints this provider does not model, for example from a provisioner or another provider's ephemeral or write-only argument. " +
			"Ephemeral: the tokens are never written to the plan or the state. Needs Terraform 1.10+ or OpenTofu 1.11+.",
		Attributes: map[string]schema.Attribute{
			"token": schema.StringAttribute{
				MarkdownDescription: "Bearer token for the `Authorization` header of Builder campaign requests.",
				Computed:            true,
				Sensitive:           true,
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "Refresh token that obtains a new `token` when this one expires.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (r *builderTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = dataFromConfigure(req.ProviderData, &resp.Diagnostics)
}

func (r *builderTokenEphemeralResource) Open(ctx context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	c, diags := r.data.builderFor(campaignRequests)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	tokens, err := c.Tokens(ctx)
	if err != nil {
		addClientError(&resp.Diagnostics, "Builder login failed", "Logging in to Builder", err)
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, builderTokenModel{
		Token:        types.StringValue(tokens.Token),
		RefreshToken: types.StringValue(tokens.RefreshToken),
	})...)
}
