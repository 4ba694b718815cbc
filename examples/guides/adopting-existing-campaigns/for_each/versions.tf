terraform {
  # import blocks with for_each: Terraform 1.7+, OpenTofu 1.7+.
  required_version = ">= 1.7"

  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

provider "campaigns" {}
