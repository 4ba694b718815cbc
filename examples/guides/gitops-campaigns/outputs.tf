output "campaigns" {
  description = "Each spreadsheet row's campaign: Builder id, status and start."
  value = {
    for key, c in campaigns_builder_campaign.this : key => {
      id             = c.id
      status         = c.status
      scheduled_date = c.scheduled_date
    }
  }
}
