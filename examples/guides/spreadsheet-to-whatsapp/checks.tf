variable "max_error_share" {
  description = "Largest acceptable share of the campaign's subscribers in the error state, from 0 to 1."
  type        = number
  default     = 0.2
}

# Every plan and apply reads the campaign's report again and warns when too
# many sends failed; a check never blocks an apply.
check "delivery_errors" {
  data "campaigns_evolux_subscribers" "delivery" {
    campaigns           = [var.evolux_campaign]
    include_subscribers = false
  }

  assert {
    # Multiplying instead of dividing keeps an empty campaign from dividing by zero.
    condition = (
      data.campaigns_evolux_subscribers.delivery.state_counts["error"]
      <= var.max_error_share * data.campaigns_evolux_subscribers.delivery.total
    )
    error_message = format(
      "%d of the %d subscribers are in the error state. Check the template at Meta before sending more.",
      data.campaigns_evolux_subscribers.delivery.state_counts["error"],
      data.campaigns_evolux_subscribers.delivery.total,
    )
  }
}

output "audience_outcomes" {
  description = "What became of each subscriber: inserted, unknown or not_inserted."
  value       = campaigns_evolux_campaign_subscribers.black_friday.insert_outcomes
}
