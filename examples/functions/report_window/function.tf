# The subscribers who entered any campaign on 5 September 2024, Sao Paulo
# time: the report's start and end bound that day, whatever its length.
locals {
  september_5 = provider::campaigns::report_window("2024-09-05", "America/Sao_Paulo")
}

data "campaigns_evolux_subscribers" "september_5" {
  start               = local.september_5.start
  end                 = local.september_5.end
  include_subscribers = false
}

output "september_5_window" {
  description = "The first and last instants of the day: 2024-09-05T03:00:00Z and 2024-09-06T02:59:59.999Z."
  value       = local.september_5
}

output "september_5_total" {
  value = data.campaigns_evolux_subscribers.september_5.total
}

# A day with a daylight saving change lasts 23 or 25 hours: in New York,
# 10 March 2024 ends at 2024-03-11T03:59:59.999Z, 23 hours after it began.
output "new_york_spring_forward" {
  value = provider::campaigns::report_window("2024-03-10", "America/New_York")
}
