package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// Firing a trigger, for the campaigns_builder_trigger resource and action: one request, never
// repeated once it may have run, and one explanation when nobody knows whether it fired.

// triggerFire is the outcome of one fire.
type triggerFire struct {
	Outcome string    // fireOutcomeFired, fireOutcomeUnknown (it may have run: never repeat it), or "" (certainly not fired)
	ID      string    // Builder's id, when fired; "" when its 2xx answer held none (Err says why)
	SentAt  time.Time // when the request left, UTC, to the second
	Err     error     // why it did not fire, or why the outcome is unknown
}

// fireTrigger sends payload once; the client repeats it only when it certainly did not run (refused, 429).
func fireTrigger(ctx context.Context, c *builder.Client, payload string) triggerFire {
	fire := triggerFire{SentAt: time.Now().UTC().Truncate(time.Second)}
	id, err := c.FireTrigger(ctx, json.RawMessage(payload))
	var unreadable *client.UnreadableAnswerError
	switch {
	case err == nil:
		fire.Outcome, fire.ID = fireOutcomeFired, id
		tflog.Info(ctx, "fired Builder trigger", map[string]any{"id": id})
	case errors.As(err, &unreadable) && unreadable.Status >= 200 && unreadable.Status <= 299:
		// A 2xx without a readable id: Builder accepted the fire, so it fired.
		fire.Outcome, fire.Err = fireOutcomeFired, err
		tflog.Warn(ctx, "fired Builder trigger, but its answer held no readable id")
	case client.MayHaveBeenProcessed(err):
		fire.Outcome, fire.Err = fireOutcomeUnknown, err
		tflog.Warn(ctx, "Builder trigger may have fired: outcome unknown, not repeated")
	default:
		fire.Err = err
	}
	return fire
}

// mayHaveFiredSummary is the summary of every "may have fired" diagnostic.
const mayHaveFiredSummary = "Trigger may have fired: outcome unknown"

// inTriggerList is where a person finds a fired trigger.
const inTriggerList = "in the Builder UI (with the campaigns emulator, in its trigger list)"

// mayHaveFiredDetail explains an ambiguous fire: that it was not repeated, why, how to check. err is nil
// when a refresh repeats it; next says what to do, for the resource or the action.
func mayHaveFiredDetail(err error, trigger, sentAt, next string) string {
	what := "An earlier apply sent this trigger to Builder, but no usable answer came back."
	if err != nil {
		what = fmt.Sprintf("The trigger was sent to Builder, but no usable answer came back: %s", err)
	}
	return fmt.Sprintf("%s\n\nIt may or may not have fired, and it was not sent again: repeating it could message everyone twice.\n\n"+
		"Trigger: %s; sent at %s.\n\nTo check: look for a trigger with this payload, sent around that time, %s.\n%s",
		what, trigger, sentAt, inTriggerList, next)
}

// addNotFiredError reports a fire that certainly did not run.
func addNotFiredError(diags *diag.Diagnostics, err error) {
	addClientError(diags, "Trigger not fired", "Firing the Builder trigger", err)
}
