variable "max_error_share" {
  description = "Largest acceptable share of a campaign's subscribers in the error state, from 0 to 1."
  type        = number
  default     = 0.2
}

# Every plan and apply reads the campaign again and warns when too many
# sends failed (a restricted template, conversations already open...).
check "black_friday_error_share" {
  data "campaigns_evolux_subscribers" "black_friday_health" {
    campaigns = ["f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"]
    # Only the counts are needed: no record is kept in memory or in state.
    include_subscribers = false
  }

  assert {
    # Multiplying instead of dividing keeps an empty campaign from dividing by zero.
    condition = (
      data.campaigns_evolux_subscribers.black_friday_health.state_counts["error"]
      <= var.max_error_share * data.campaigns_evolux_subscribers.black_friday_health.total
    )
    error_message = format(
      "%d of the %d Black Friday subscribers are in the error state, more than %g%%. Check the template's status at Meta before sending more.",
      data.campaigns_evolux_subscribers.black_friday_health.state_counts["error"],
      data.campaigns_evolux_subscribers.black_friday_health.total,
      var.max_error_share * 100,
    )
  }
}
