# Fires the reminder each time someone runs (Terraform 1.14+):
#   terraform apply -invoke=action.campaigns_builder_fire_trigger.reminder
# A plain apply or plan never fires it, and nothing is kept in state.
action "campaigns_builder_fire_trigger" "reminder" {
  config {
    payload = jsonencode({
      campaign = "black-friday-2030"
      template = "reminder_v2"
      contacts = ["+5511999990001", "+5511999990002"]
    })
  }
}

# Announces a campaign once, when it is created. Later applies that change
# the campaign, or change nothing, do not fire it again.
resource "campaigns_builder_campaign" "launch" {
  organization   = "acme"
  bot_name       = "sales-bot"
  campaign_name  = "launch-2030"
  scheduled_date = "2030-03-02T10:00:00-03:00"
  content        = "Olá {{name}}! Conheça o novo plano Acme."

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.campaigns_builder_fire_trigger.announce_launch]
    }
  }
}

action "campaigns_builder_fire_trigger" "announce_launch" {
  config {
    payload = jsonencode({
      campaign = campaigns_builder_campaign.launch.id
      template = "launch_announcement_v1"
    })
  }
}
