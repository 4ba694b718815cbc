variable "organization" {
  description = "Builder organization that owns the bot."
  type        = string
  default     = "acme"
}

variable "evolux_campaign" {
  description = "UUID of the Evolux Chat campaign that delivers the message (shown in the URL of its page)."
  type        = string
  default     = "f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"
}

# The Builder campaign: what is sent, and when.
resource "campaigns_builder_campaign" "black_friday" {
  organization   = var.organization
  bot_name       = "promo-bot"
  campaign_name  = "black-friday-2030"
  name           = "Black Friday 2030"
  scheduled_date = "2030-11-29T09:00:00-03:00"
  content        = "Hi {{1}}, Black Friday is here: {{2}} off today only."
  sheet_values   = ["name", "phone_number"]
}
