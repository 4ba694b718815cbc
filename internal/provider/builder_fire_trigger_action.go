package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ action.ActionWithConfigure = &builderFireTriggerAction{}

// NewBuilderFireTriggerAction is the campaigns_builder_fire_trigger action (Terraform 1.14+).
func NewBuilderFireTriggerAction() action.Action {
	return &builderFireTriggerAction{}
}

type builderFireTriggerAction struct {
	data *providerData
}

type builderFireTriggerModel struct {
	Payload  jsontypes.Normalized `tfsdk:"payload"`
	Timeouts timeouts.Value       `tfsdk:"timeouts"`
}

func (a *builderFireTriggerAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_builder_fire_trigger"
}

func (a *builderFireTriggerAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Fires a Fintalk Builder trigger (\"acionamento\") each time it is invoked, with the provider's `builder.api_key` " +
			"(Terraform 1.14+). Nothing is kept in state: `terraform apply -invoke=action.campaigns_builder_fire_trigger.NAME` fires once per run, " +
			"and an `action_trigger` in a resource's `lifecycle` fires once per event it names, for example when a campaign is created.\n\n" +
			"A fire whose outcome is unknown (a timeout, a dropped connection, a 5xx after sending) is never repeated: " +
			"the invocation fails with \"Trigger may have fired\" and says how to check before invoking it again. " +
			"A `429` certainly did not fire, so it is repeated until `timeouts.invoke` (default `20m`).",
		Blocks: map[string]schema.Block{"timeouts": timeouts.Block(ctx)},
		Attributes: map[string]schema.Attribute{
			"payload": schema.StringAttribute{
				MarkdownDescription: "The trigger's data, a JSON object as text, sent to Builder as `{\"json\": payload}`; write it with `jsonencode`. " +
					"Checked at plan time, like the `payload` of `campaigns_builder_trigger`.",
				Required:   true,
				CustomType: jsontypes.NormalizedType{},
				Validators: []validator.String{jsonObjectText},
			},
		},
	}
}

func (a *builderFireTriggerAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = dataFromConfigure(req.ProviderData, &resp.Diagnostics)
}

// Invoke fires the trigger once. An ambiguous outcome is an error: an action
// keeps no state, and whoever invoked it must know before firing again.
func (a *builderFireTriggerAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config builderFireTriggerModel
	c := a.data.load(ctx, req.Config, &config, triggerFires, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, config.Timeouts.Invoke, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	payload := config.Payload.ValueString()
	resp.SendProgress(action.InvokeProgressEvent{Message: "Firing Builder trigger with payload " + summarizeJSON(payload, 120)})
	fire := fireTrigger(ctx, c, payload)
	switch fire.Outcome {
	case fireOutcomeFired:
		message := "Builder trigger fired: id " + fire.ID
		if fire.ID == "" {
			message = fmt.Sprintf("Builder trigger fired; Builder accepted it, but its answer held no readable id: %s", fire.Err)
		}
		resp.SendProgress(action.InvokeProgressEvent{Message: message})
	case fireOutcomeUnknown:
		resp.SendProgress(action.InvokeProgressEvent{Message: "Builder trigger may have fired: no usable answer; not sent again"})
		resp.Diagnostics.AddError(mayHaveFiredSummary, mayHaveFiredDetail(fire.Err, "payload "+summarizeJSON(payload, 200), fire.SentAt.Format(time.RFC3339),
			"- If it fired, there is nothing to do: invoking the action again would fire it a second time.\n"+
				"- If it did not fire and it should, invoke the action again on purpose: terraform apply -invoke=ADDRESS "+
				"(an action_trigger in a lifecycle block fires again only on its next event)."))
	default:
		addNotFiredError(&resp.Diagnostics, fire.Err)
	}
}
