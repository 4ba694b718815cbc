output "black_friday_total" {
  description = "Subscribers who entered the Black Friday campaign on 5 September."
  value       = data.campaigns_evolux_subscribers.black_friday.total
}

output "black_friday_state_counts" {
  description = "The same subscribers by state; every state is present, zero included."
  value       = data.campaigns_evolux_subscribers.black_friday.state_counts
}

output "black_friday_completion_percent" {
  description = "Share of the day's subscribers who interacted with the message."
  # max() keeps a day without subscribers from dividing by zero.
  value = floor(
    100 * data.campaigns_evolux_subscribers.black_friday.state_counts["completed"]
    / max(data.campaigns_evolux_subscribers.black_friday.total, 1)
  )
}

output "company_error_phone_numbers" {
  description = "Phone numbers of the companies whose message failed, to follow up by hand."
  value       = data.campaigns_evolux_subscribers.company_errors.subscribers[*].phone_number
  sensitive   = true # personal data: printed only by output -json or output NAME
}
