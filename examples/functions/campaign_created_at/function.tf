variable "campaign_id" {
  description = "A Builder campaign id, for example campaigns_builder_campaign.launch.id."
  type        = string
  default     = "66d9167c0000000000000000"
}

# When the campaign was created, read from its id with no request.
output "campaign_created_at" {
  description = "2024-09-05T02:25:00Z for the default id."
  value       = provider::campaigns::campaign_created_at(var.campaign_id)
}

output "campaign_created_on" {
  description = "05 Sep 2024 02:25 UTC for the default id."
  value       = formatdate("DD MMM YYYY hh:mm ZZZ", provider::campaigns::campaign_created_at(var.campaign_id))
}
