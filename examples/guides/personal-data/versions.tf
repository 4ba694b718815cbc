terraform {
  # Write-only arguments (payload_wo) need Terraform 1.11 or OpenTofu 1.11.
  required_version = ">= 1.11"

  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

# Every setting comes from the environment, filled by the pipeline's secrets.
provider "campaigns" {}
