variable "organization" {
  description = "Builder organization that owns the bots."
  type        = string
  default     = "acme"
}

locals {
  # One campaign per row of campaigns.csv, addressed by its key column, so
  # that adding, editing or deleting a row touches only that campaign. A
  # repeated key fails the plan.
  campaign_rows = { for row in csvdecode(file("${path.module}/campaigns.csv")) : row.key => row }
}

resource "campaigns_builder_campaign" "this" {
  for_each = local.campaign_rows

  organization   = var.organization
  bot_name       = each.value.bot_name
  campaign_name  = each.value.campaign_name
  name           = each.value.name
  scheduled_date = each.value.scheduled_date
  file           = each.value.audience_file
  content        = each.value.content
  sheet_values   = ["name", "phone_number"]
}
