# The same trigger with a write-only payload (Terraform 1.11+, OpenTofu 1.11+):
# the phone numbers are sent to Builder and never stored in state or shown in
# a plan, and result keeps only Builder's status. Changes to payload_wo cannot
# be seen once applied: bump payload_wo_version to fire it anew.
resource "campaigns_builder_trigger" "black_friday_last_call" {
  payload_wo = jsonencode({
    campaign = "black-friday"
    template = "last_call_v1"
    contacts = ["+5511999990001", "+5511999990002"]
  })
  payload_wo_version = 1
}
