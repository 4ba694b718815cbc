terraform {
  # import blocks: Terraform 1.5+, OpenTofu 1.6+; -generate-config-out likewise.
  required_version = ">= 1.5"

  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

# Settings from the environment: BUILDER_URL, BUILDER_USER, BUILDER_PASSWORD.
provider "campaigns" {}
