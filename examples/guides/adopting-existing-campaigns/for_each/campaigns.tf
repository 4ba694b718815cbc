locals {
  # One campaign per row, as in the GitOps guide: the rows describe what the
  # bots already have, plus any new campaign.
  campaign_rows = { for row in csvdecode(file("${path.module}/campaigns.csv")) : row.key => row }
}

resource "campaigns_builder_campaign" "this" {
  for_each = local.campaign_rows

  organization   = "acme"
  bot_name       = each.value.bot_name
  campaign_name  = each.value.campaign_name
  scheduled_date = each.value.scheduled_date
  content        = each.value.content
}
