# Reads a fired trigger by the id Builder answered; reading never fires
# anything.
variable "trigger_id" {
  type    = string
  default = "42"
}

data "campaigns_builder_trigger" "reminder" {
  id = var.trigger_id
}

output "reminder_status" {
  value = jsondecode(data.campaigns_builder_trigger.reminder.result).status
}
