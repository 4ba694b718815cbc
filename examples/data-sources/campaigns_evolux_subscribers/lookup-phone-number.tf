# Where does one customer stand? One entry per campaign the number is in;
# an empty list means it is in none.
data "campaigns_evolux_subscribers" "customer" {
  phone_number = "+5511987654321"
}

output "customer_campaigns" {
  description = "State of the customer in each campaign, with a custom field read from the raw record."
  # The records are personal data, so subscribers is sensitive: an output of
  # them says so, and the CLI shows it only with -json or output NAME.
  sensitive = true
  value = [
    for s in data.campaigns_evolux_subscribers.customer.subscribers : {
      campaign_uuid = s.campaign_uuid
      state         = s.state
      created_at    = s.created_at
      # Fields the data source does not model are in raw; try() keeps this
      # working if the server leaves them out.
      customer_type = try(jsondecode(s.raw).conversation_fields.tipo_cliente, null)
    }
  ]
}
