# The Black Friday audience, keyed by phone number with its country code.
# Each subscriber is inserted once: adding one uploads only it; changing one
# already inserted fails the plan (it has been messaged); removing one only
# forgets it.
resource "campaigns_evolux_campaign_subscribers" "black_friday" {
  campaign_uuid = "f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"

  subscribers = {
    "5511999990001" = { name = "Maria do Carmo", parameters = ["Maria", "30%"], fields = { CPF = "111.111.111-11" } }
    "5511999990002" = { name = "João", parameters = ["João", "25%"] }
  }
}

output "black_friday_states" {
  description = "How many of the audience are in each state of the report."
  value       = campaigns_evolux_campaign_subscribers.black_friday.state_counts
}
