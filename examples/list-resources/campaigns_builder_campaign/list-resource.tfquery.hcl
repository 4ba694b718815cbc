# Every campaign of the bot that has not started (Terraform 1.14+):
#   terraform query
# and, to adopt them, an import block and a resource block for each:
#   terraform query -generate-config-out=adopted.tf
list "campaigns_builder_campaign" "pending" {
  provider         = campaigns
  include_resource = true

  config {
    organization = "acme"
    bot_name     = "sales-bot"
    status       = "not_started"
  }
}
