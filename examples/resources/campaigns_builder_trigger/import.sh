# Import a trigger by the id Builder answered when it fired. Nothing is fired:
# the configuration's keepers (and its payload, if Builder did not return one)
# are recorded on the next apply without firing.
terraform import campaigns_builder_trigger.black_friday_reminder 42
