# The summer sale campaign has concluded and should stay in Builder as the
# record of what was sent, but leave this configuration. Its resource block
#
#   resource "campaigns_builder_campaign" "summer_sale" { ... }
#
# is deleted and replaced by this removed block. The next apply removes it
# from the state without deleting it in Builder; once that has been applied
# everywhere, this block can go too.
removed {
  from = campaigns_builder_campaign.summer_sale

  # Terraform 1.7+ and OpenTofu 1.10+. On OpenTofu 1.7 to 1.9, leave the
  # lifecycle block out: a removed block there always keeps the campaign.
  lifecycle {
    destroy = false
  }
}
