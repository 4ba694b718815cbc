# Everyone who entered the Black Friday campaign on 5 September 2024,
# Sao Paulo time (UTC-3).
data "campaigns_evolux_subscribers" "black_friday" {
  campaigns = ["f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"]
  start     = "2024-09-05T00:00:00-03:00"
  end       = "2024-09-05T23:59:59.999-03:00"
}

# Companies that failed to receive the message in two campaigns: filters
# combine, and a custom conversation field is matched by key and value.
data "campaigns_evolux_subscribers" "company_errors" {
  campaigns = [
    "f45d98dc-ac5e-48f2-9c01-ebe18f86d28b",
    "0b6f3c1e-2d4a-4f8b-9c7e-5a1d2e3f4b5c",
  ]
  state                    = "error"
  timezone                 = "America/Sao_Paulo"
  conversation_field_key   = "tipo_cliente"
  conversation_field_value = "Pessoa Jurídica"
}
