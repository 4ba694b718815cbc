# A campaign is imported by "organization/bot_name/id".
terraform import campaigns_builder_campaign.black_friday acme/sales-bot/5eb7cf5a86d9755df3a6c593
