# Announce the welcome series to the support team's bot once it is scheduled.
# The trigger fires once; destroying it only forgets it (a fired trigger cannot
# be taken back). Bump round to send it again on purpose.
resource "campaigns_builder_trigger" "welcome_announcement" {
  payload = jsonencode({
    event       = "campaign_scheduled"
    campaign_id = campaigns_builder_campaign.support_bot["welcome"].id
    starts      = campaigns_builder_campaign.support_bot["welcome"].scheduled_date
  })

  keepers = {
    round = "1"
  }
}
