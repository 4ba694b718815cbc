# One row of campaigns.csv per campaign: review a spreadsheet change in a pull request,
# and the plan shows exactly which campaigns are created or changed.
locals {
  campaigns = { for row in csvdecode(file("${path.module}/campaigns.csv")) : row.key => row }
}

resource "campaigns_builder_campaign" "support_bot" {
  for_each = local.campaigns

  organization   = "acme"
  bot_name       = "support-bot"
  campaign_name  = each.value.campaign_name
  name           = each.value.name
  scheduled_date = each.value.scheduled_date
  content        = each.value.content
  sheet_values   = ["name", "phone_number"]
}
