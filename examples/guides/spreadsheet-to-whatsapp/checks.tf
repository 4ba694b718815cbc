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
  description = "How many subscribers were inserted, are unknown or were not inserted."
  # insert_outcomes is keyed by phone number, so it is sensitive; the counts are not.
  value = {
    for outcome in ["inserted", "unknown", "not_inserted"] : outcome => nonsensitive(length([
      for o in values(campaigns_evolux_campaign_subscribers.black_friday.insert_outcomes) : o if o == outcome
    ]))
  }
}
