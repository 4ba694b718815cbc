output "campaigns" {
  description = "Each campaign's id and server-side status."
  value = {
    for key, c in campaigns_builder_campaign.support_bot : key => {
      id     = c.id
      status = c.status
      starts = c.scheduled_date
    }
  }
}
