# The contacts go to Builder and nowhere else: payload_wo is never stored in
# state or shown in a plan, and result keeps only Builder's status.
resource "campaigns_builder_trigger" "renewal_reminder" {
  payload_wo = jsonencode({
    campaign = "renewal"
    template = "renewal_reminder_v1"
    contacts = ["+5511999990101", "+5511999990102"]
  })
  # Bump to send the reminder again on purpose.
  payload_wo_version = 1
}
