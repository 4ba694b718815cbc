# Counts only: every page of the report is read and counted, and no record
# (no name, phone number or custom field) is kept in memory or in state.
data "campaigns_evolux_subscribers" "renewal_counts" {
  campaigns           = ["f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"]
  include_subscribers = false
}

output "renewal_errors" {
  description = "Subscribers of the renewal campaign whose message failed: a count, not personal data."
  value       = data.campaigns_evolux_subscribers.renewal_counts.state_counts["error"]
}

# When the records are needed, for one customer, they stay sensitive: an
# output of them must say so, and the CLI prints it only when asked
# (output -json, or output NAME).
data "campaigns_evolux_subscribers" "one_customer" {
  phone_number = "1199881122"
}

output "customer_states" {
  description = "The customer's state in each campaign."
  value       = [for s in data.campaigns_evolux_subscribers.one_customer.subscribers : s.state]
  sensitive   = true
}

# A count computed from sensitive records is not personal data: nonsensitive()
# says so on purpose, so that it prints in plans and CI logs.
output "customer_campaign_count" {
  value = nonsensitive(length(data.campaigns_evolux_subscribers.one_customer.subscribers))
}
