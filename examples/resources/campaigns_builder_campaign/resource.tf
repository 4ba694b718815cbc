resource "campaigns_builder_campaign" "black_friday" {
  organization   = "acme"
  bot_name       = "sales-bot"
  campaign_name  = "black-friday-2026"
  name           = "Black Friday 2026"
  description    = "Offer for customers who opted in to promotions"
  scheduled_date = "2030-11-27T09:00:00-03:00"
  content        = "Olá {{name}}! Nossa Black Friday começou: 30% de desconto até domingo."
  file           = "audiences/black-friday-2026.csv"
  sheet_values   = ["name", "phone_number", "segment"]
}

output "black_friday_status" {
  value = campaigns_builder_campaign.black_friday.status
}
