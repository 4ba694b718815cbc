terraform {
  required_version = ">= 1.8"
  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

# Everything comes from the environment (make demo points it at the emulator):
# BUILDER_URL, BUILDER_USER, BUILDER_PASSWORD, BUILDER_API_KEY, EVOLUX_URL, EVOLUX_TOKEN.
provider "campaigns" {}
