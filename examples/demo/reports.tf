# Evolux Chat's report on the "Boas-vindas" WhatsApp campaign.
data "campaigns_evolux_subscribers" "welcome" {
  campaigns = ["3c5e7a9b-1d2f-4a6c-b8e0-2f4a6c8e0b1d"]
}

# Warns (it never blocks an apply) when too many sends failed.
check "welcome_error_share" {
  assert {
    condition     = data.campaigns_evolux_subscribers.welcome.state_counts["error"] <= 0.25 * data.campaigns_evolux_subscribers.welcome.total
    error_message = "More than a quarter of the welcome campaign's subscribers are in the error state."
  }
}
