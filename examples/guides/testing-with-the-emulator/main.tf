terraform {
  required_version = ">= 1.8"

  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

# No settings in the configuration: BUILDER_URL, BUILDER_USER,
# BUILDER_PASSWORD, BUILDER_API_KEY, EVOLUX_URL and EVOLUX_TOKEN come from the
# environment. In production the pipeline's secrets fill them; in a test, the
# emulator's env file does. A URL written here would win over the emulator's.
provider "campaigns" {}

resource "campaigns_builder_campaign" "launch" {
  organization   = "acme"
  bot_name       = "sales-bot"
  campaign_name  = "product-launch-2030"
  name           = "Product launch"
  scheduled_date = "2030-03-04T10:00:00-03:00"
  content        = "Olá {{name}}! Conheça o novo plano Acme Pro."
  sheet_values   = ["name", "phone_number"]
}

# Fires once when the campaign is created; a new campaign id fires it again.
resource "campaigns_builder_trigger" "launch_preview" {
  payload = jsonencode({
    campaign = campaigns_builder_campaign.launch.campaign_name
    template = "launch_preview_v1"
    contacts = ["+5511999990001"]
  })

  keepers = {
    campaign_id = campaigns_builder_campaign.launch.id
  }

  lifecycle {
    postcondition {
      condition     = self.fire_outcome != "unknown"
      error_message = "Trigger ${self.id} may or may not have fired. Check Builder, then fire it again with -replace, or import its real id."
    }
  }
}

data "campaigns_evolux_subscribers" "black_friday_errors" {
  campaigns = ["f45d98dc-ac5e-48f2-9c01-ebe18f86d28b"]
  state     = "error"
}

output "launch_id" {
  value = campaigns_builder_campaign.launch.id
}

output "launch_preview_id" {
  value = campaigns_builder_trigger.launch_preview.id
}

output "black_friday_errors" {
  value = data.campaigns_evolux_subscribers.black_friday_errors.total
}
