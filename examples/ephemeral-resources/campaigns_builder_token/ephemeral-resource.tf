# A token pair for calling Builder endpoints this provider does not model.
# It is never written to the plan or the state.
ephemeral "campaigns_builder_token" "this" {}

# For example, hand it to another provider's write-only or ephemeral argument,
# or to a provisioner's environment:
locals {
  builder_authorization = "Bearer ${ephemeral.campaigns_builder_token.this.token}"
}
