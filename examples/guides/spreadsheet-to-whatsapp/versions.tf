terraform {
  required_version = ">= 1.8"

  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

# Every setting comes from the environment, filled by the pipeline's secrets:
# BUILDER_URL, BUILDER_USER, BUILDER_PASSWORD, EVOLUX_URL, EVOLUX_TOKEN.
provider "campaigns" {}
