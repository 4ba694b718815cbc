# Counts for a dashboard: every page of September's report is read and
# counted, and no record is kept, however large the report.
data "campaigns_evolux_subscribers" "september" {
  start               = "2024-09-01T00:00:00-03:00"
  end                 = "2024-09-30T23:59:59.999-03:00"
  include_subscribers = false

  # Fail, naming the filters to narrow, rather than hold the pipeline.
  timeouts {
    read = "2m"
  }
}

output "september_errors_by_campaign" {
  description = "Subscribers in the error state, per campaign UUID; every campaign of the report is present."
  value = {
    for campaign, states in data.campaigns_evolux_subscribers.september.campaign_counts :
    campaign => states["error"]
  }
}

output "september_total" {
  description = "Subscribers who entered any campaign in September."
  value       = data.campaigns_evolux_subscribers.september.total
}
