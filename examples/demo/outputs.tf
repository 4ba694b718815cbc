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

output "welcome_announcement" {
  description = "The trigger fired for the welcome series."
  value = {
    id       = campaigns_builder_trigger.welcome_announcement.id
    fired_at = campaigns_builder_trigger.welcome_announcement.fired_at
  }
}

output "welcome_subscribers" {
  description = "Subscribers of the welcome campaign in Evolux, by state."
  value = merge(
    { total = data.campaigns_evolux_subscribers.welcome.total },
    data.campaigns_evolux_subscribers.welcome.state_counts,
  )
}
