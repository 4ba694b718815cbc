variable "bot_name" {
  description = "Bot whose existing campaigns are adopted."
  type        = string
  default     = "sales-bot"
}

# Step 1: what the bot already has.
data "campaigns_builder_campaigns" "existing" {
  organization = "acme"
  bot_name     = var.bot_name
}

output "existing_campaigns" {
  description = "Each existing campaign: id, name and status."
  value = [
    for c in data.campaigns_builder_campaigns.existing.campaigns : "${c.id} ${c.campaign_name} (${c.status})"
  ]
}

# Step 2: an import block per campaign, addressed by its campaign_name, for
#   terraform output -raw import_blocks > imports.tf
output "import_blocks" {
  description = "One import block per existing campaign, as HCL text."
  value = join("", [
    for c in data.campaigns_builder_campaigns.existing.campaigns : format(
      "import {\n  to = campaigns_builder_campaign.%s\n  id = \"%s/%s/%s\"\n}\n\n",
      can(regex("^[a-zA-Z_]", c.campaign_name)) ? replace(c.campaign_name, "/[^a-zA-Z0-9_]/", "_") : "campaign_${replace(c.campaign_name, "/[^a-zA-Z0-9_]/", "_")}",
      c.organization, c.bot_name, c.id,
    )
  ])
}
