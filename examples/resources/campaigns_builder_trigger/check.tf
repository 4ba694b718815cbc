# A check block reports, on every plan and apply, a trigger whose status is
# not "sent", or whose fire outcome is unknown (its placeholder id cannot be
# read, so the scoped data source fails and the check warns). Checks never
# block an apply and never fire anything.
check "black_friday_reminder_sent" {
  data "campaigns_builder_trigger" "reminder" {
    id = campaigns_builder_trigger.black_friday_reminder.id
  }

  assert {
    condition     = jsondecode(data.campaigns_builder_trigger.reminder.result).status == "sent"
    error_message = "Builder trigger ${campaigns_builder_trigger.black_friday_reminder.id} is not sent."
  }
}
