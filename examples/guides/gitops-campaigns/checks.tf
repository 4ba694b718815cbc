variable "max_error_share" {
  description = "Largest acceptable share of an Evolux campaign's subscribers in the error state, from 0 to 1."
  type        = number
  default     = 0.2
}

# The Evolux Chat report of each row that names the Evolux campaign
# delivering it, by row key. Rows without one are skipped.
data "campaigns_evolux_subscribers" "delivery" {
  for_each = { for key, row in local.campaign_rows : key => row.evolux_campaign if row.evolux_campaign != "" }

  campaigns = [each.value]
}

# A failed assertion is reported as a warning on every plan and apply; it
# never blocks a deploy.
check "no_campaign_in_error" {
  assert {
    condition = alltrue([for c in campaigns_builder_campaign.this : c.status != "error"])
    error_message = format(
      "Builder reports these campaigns in error: %s. Read their log_file before sending more.",
      join(", ", [for key, c in campaigns_builder_campaign.this : key if c.status == "error"]),
    )
  }
}

check "evolux_error_share" {
  assert {
    # Multiplying instead of dividing keeps a campaign without subscribers
    # from dividing by zero.
    condition = alltrue([
      for r in data.campaigns_evolux_subscribers.delivery :
      r.state_counts["error"] <= var.max_error_share * r.total
    ])
    error_message = format(
      "More than %g%% of the subscribers are in the error state in: %s. Check the template's status before sending more.",
      var.max_error_share * 100,
      join(", ", [
        for key, r in data.campaigns_evolux_subscribers.delivery :
        format("%s (%d of %d)", key, r.state_counts["error"], r.total)
        if r.state_counts["error"] > var.max_error_share * r.total
      ]),
    )
  }
}
