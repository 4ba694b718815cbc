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

// campaignImportParts are the organization, bot_name and id an import gives, by id or by identity,
// and how they were given, for the error.
func campaignImportParts(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (parts []string, given string) {
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		return strings.Split(req.ID, "/"), fmt.Sprintf("%q", req.ID)
	}
	for _, name := range campaignIdentityAttributes {
		var v types.String
		diags.Append(req.Identity.GetAttribute(ctx, path.Root(name), &v)...)
		parts = append(parts, strings.TrimSpace(v.ValueString()))
		given += fmt.Sprintf(" %s = %q", name, parts[len(parts)-1])
	}
	return parts, "the identity" + given
}
