package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// Resource identity (Terraform 1.12+, OpenTofu 1.12+): the attributes, of the same names, that name
// one remote object. The framework asks for it after every Create, Read and Update, so those set it.

var (
	_ resource.ResourceWithIdentity = &builderCampaignResource{}
	_ resource.ResourceWithIdentity = &builderTriggerResource{}
)

// campaignIdentityAttributes name a campaign: its id is unique, but request paths need the bot too.
var campaignIdentityAttributes = []string{"organization", "bot_name", "id"}

// triggerIdentityAttributes name a trigger: Builder reads one by id alone.
var triggerIdentityAttributes = []string{"id"}

func (r *builderCampaignResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"organization": identityschema.StringAttribute{RequiredForImport: true, Description: "Organization that owns the bot."},
			"bot_name":     identityschema.StringAttribute{RequiredForImport: true, Description: "Bot whose campaign module holds the campaign."},
			"id":           identityschema.StringAttribute{RequiredForImport: true, Description: "Campaign id, 24 lowercase hexadecimal digits."},
		},
	}
}

func (r *builderTriggerResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id Builder gave the trigger when it fired."},
		},
	}
}

// setIdentityFromState copies attrs from state into identity, if both exist. It works on raw
// values: the framework's getters reflect over the schema, and this runs for every campaign.
func setIdentityFromState(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, attrs []string) {
	if identity == nil || state == nil || state.Raw.IsNull() || !state.Raw.IsKnown() {
		return
	}
	var fields map[string]tftypes.Value
	if err := state.Raw.As(&fields); err != nil {
		diags.AddError("Resource identity not set", "Reading the identity attributes from the state failed: "+err.Error())
		return
	}
	values := make(map[string]tftypes.Value, len(attrs))
	for _, name := range attrs {
		v, ok := fields[name]
		if !ok || !v.IsKnown() || v.IsNull() {
			return
		}
		values[name] = v
	}
	identity.Raw = tftypes.NewValue(identity.Schema.Type().TerraformType(ctx), values)
}

// importCampaignByIdentity is ImportState by identity, as strict as by id; false when the import is by id.
func (r *builderCampaignResource) importCampaignByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) bool {
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		return false
	}
	values := make(map[string]string, len(campaignIdentityAttributes))
	var missing []string
	for _, name := range campaignIdentityAttributes {
		var v types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(name), &v)...)
		if values[name] = strings.TrimSpace(v.ValueString()); values[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError("Incomplete identity", fmt.Sprintf("Importing a campaigns_builder_campaign by identity needs %s; missing: %s.",
			strings.Join(campaignIdentityAttributes, ", "), strings.Join(missing, ", ")))
	}
	if resp.Diagnostics.HasError() {
		return true
	}
	for _, name := range []string{"organization", "bot_name"} {
		if strings.Contains(values[name], "/") {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Invalid identity",
				fmt.Sprintf("identity.%s must not contain a slash; got %q.", name, values[name]))
		}
	}
	if !builder.ValidObjectID(values["id"]) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid identity",
			fmt.Sprintf("identity.id must be the campaign's id, 24 lowercase hexadecimal digits such as \"5eb7cf5a86d9755df3a6c593\"; got %q.", values["id"]))
	}
	if resp.Diagnostics.HasError() {
		return true
	}
	for _, name := range campaignIdentityAttributes {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), values[name])...)
	}
	return true
}
