variable "campaign_id" {
  type        = string
  description = "Id of a campaign created outside this configuration."
}

data "campaigns_builder_campaign" "launch" {
  organization = "acme"
  bot_name     = "sales-bot"
  id           = var.campaign_id
}

check "launch_campaign_healthy" {
  assert {
    condition     = data.campaigns_builder_campaign.launch.status != "error"
    error_message = "Campaign ${data.campaigns_builder_campaign.launch.campaign_name} ended in error; see ${coalesce(data.campaigns_builder_campaign.launch.log_file, "its log")}."
  }
}
