# The campaigns each bot already has, one list request per bot.
data "campaigns_builder_campaigns" "existing" {
  for_each = toset([for row in local.campaign_rows : row.bot_name])

  organization = "acme"
  bot_name     = each.key
}

locals {
  # "bot/campaign_name" => id of the existing campaign.
  existing_ids = merge([
    for bot, found in data.campaigns_builder_campaigns.existing : {
      for c in found.campaigns : "${bot}/${c.campaign_name}" => c.id
    }
  ]...)
}

# A row whose campaign exists is imported instead of created; the others are
# created. Once applied, these blocks do nothing and can be deleted.
import {
  for_each = {
    for key, row in local.campaign_rows : key => local.existing_ids["${row.bot_name}/${row.campaign_name}"]
    if contains(keys(local.existing_ids), "${row.bot_name}/${row.campaign_name}")
  }
  to = campaigns_builder_campaign.this[each.key]
  id = "acme/${local.campaign_rows[each.key].bot_name}/${each.value}"
}
