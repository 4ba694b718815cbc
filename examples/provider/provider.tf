# Credentials come from variables or from the environment
# (BUILDER_URL, BUILDER_USER, BUILDER_PASSWORD, BUILDER_API_KEY, EVOLUX_URL, EVOLUX_TOKEN).
provider "campaigns" {
  builder = {
    url  = var.builder_url
    user = var.builder_user
    # password and api_key from BUILDER_PASSWORD and BUILDER_API_KEY
  }
  evolux = {
    url = var.evolux_url
    # token from EVOLUX_TOKEN
  }
  request_timeout = "30s"
  max_retries     = 4
}

variable "builder_url" {
  type    = string
  default = "https://builder.example.com"
}

variable "builder_user" {
  type    = string
  default = "ops@example.com"
}

variable "evolux_url" {
  type    = string
  default = "https://acme.evolux.cx"
}
