# Every campaign of the bot that has not started yet, in id order.
data "campaigns_builder_campaigns" "pending" {
  organization = "acme"
  bot_name     = "sales-bot"
  status       = "not_started"
}

output "pending_campaign_names" {
  value = data.campaigns_builder_campaigns.pending.campaigns[*].campaign_name
}

check "no_campaign_in_error" {
  data "campaigns_builder_campaigns" "failed" {
    organization = "acme"
    bot_name     = "sales-bot"
    status       = "error"
  }

  assert {
    condition     = length(data.campaigns_builder_campaigns.failed.campaigns) == 0
    error_message = "Campaigns in error: ${join(", ", data.campaigns_builder_campaigns.failed.campaigns[*].campaign_name)}."
  }
}
