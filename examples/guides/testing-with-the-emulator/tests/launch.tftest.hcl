# `terraform test` (or `tofu test`) applies the configuration against the
# endpoints named by the environment, checks the assertions, and destroys
# everything at the end. Run it only with the emulator's settings.
run "launch_is_scheduled_not_sent" {
  assert {
    condition     = campaigns_builder_campaign.launch.status == "not_started"
    error_message = "A campaign scheduled for 2030 should not have started; its status is ${campaigns_builder_campaign.launch.status}."
  }

  assert {
    condition     = campaigns_builder_trigger.launch_preview.fire_outcome == "fired"
    error_message = "The preview trigger did not fire cleanly: fire_outcome is ${campaigns_builder_trigger.launch_preview.fire_outcome}."
  }
}
