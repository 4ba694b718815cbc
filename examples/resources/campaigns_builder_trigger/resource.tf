# Fires the Builder trigger once, with the provider's builder.api_key.
# Changing the payload or a keeper fires a new one; destroying only forgets
# it, because a fired trigger cannot be taken back.
resource "campaigns_builder_trigger" "black_friday_reminder" {
  payload = jsonencode({
    campaign = "black-friday"
    template = "reminder_v2"
    contacts = ["+5511999990001", "+5511999990002"]
  })

  # Change round to send the same payload again on purpose.
  keepers = {
    round = "1"
  }

  lifecycle {
    # When the fire request may have reached Builder but no answer came back,
    # the apply only warns, and the trigger is kept so that it never fires
    # again by itself. This postcondition turns that into a failed apply (and
    # failed plans until someone acts), without firing anything again.
    postcondition {
      condition     = self.fire_outcome != "unknown"
      error_message = "Trigger ${self.id} may or may not have fired. Check Builder, then fire it again with -replace, or import its real id."
    }
  }
}

# result is Builder's read answer; it is null while fire_outcome is "unknown".
output "black_friday_reminder_status" {
  value = try(jsondecode(campaigns_builder_trigger.black_friday_reminder.result).status, null)
}
