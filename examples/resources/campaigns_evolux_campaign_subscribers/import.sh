# Import an audience by its campaign's UUID. Nothing is uploaded: the next
# apply records the configured subscribers the report already shows as
# inserted, and uploads only the others.
terraform import campaigns_evolux_campaign_subscribers.black_friday f45d98dc-ac5e-48f2-9c01-ebe18f86d28b
