package bench

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const (
	benchUser     = emulator.DefaultUser
	benchPassword = emulator.DefaultPassword
	benchToken    = emulator.DefaultEvoluxToken
	// benchSchedule is far ahead, so no campaign starts during a run.
	benchSchedule = "2030-01-01T09:00:00-03:00"
)

// providerHCL declares the provider and points both APIs at the emulator.
func providerHCL(url string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

provider "campaigns" {
  builder = {
    url      = %[1]q
    user     = %[2]q
    password = %[3]q
  }
  evolux = {
    url   = %[1]q
    token = %[4]q
  }
}
`, url, benchUser, benchPassword, benchToken)
}

// campaignsHCL is count campaigns spread over bots bots; benchCampaign is
// the same campaign as the floor client sends it.
func campaignsHCL(url, organization string, count, bots int) string {
	return providerHCL(url) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "c" {
  count          = %[2]d
  organization   = %[1]q
  bot_name       = "bot-${count.index %% %[3]d}"
  campaign_name  = "campaign-${count.index}"
  description    = "benchmark campaign ${count.index}"
  content        = "Olá! Mensagem ${count.index}"
  scheduled_date = %[4]q
}
`, organization, count, bots, benchSchedule)
}

// terraformDataHCL is the core half of the apply floor: the same number of
// resources with the same attributes, held by the CLI's built-in
// terraform_data, so no provider runs at all.
func terraformDataHCL(organization string, count, bots int) string {
	return fmt.Sprintf(`resource "terraform_data" "c" {
  count = %[2]d
  input = {
    organization   = %[1]q
    bot_name       = "bot-${count.index %% %[3]d}"
    campaign_name  = "campaign-${count.index}"
    description    = "benchmark campaign ${count.index}"
    content        = "Olá! Mensagem ${count.index}"
    scheduled_date = %[4]q
  }
}
`, organization, count, bots, benchSchedule)
}

// subscribersHCL reads the whole report, records kept; only its total is
// an output, so the plan's text stays short.
func subscribersHCL(url string) string {
	return providerHCL(url) + `
data "campaigns_evolux_subscribers" "all" {}

output "total" {
  value = data.campaigns_evolux_subscribers.all.total
}
`
}

// subscribersOrderHCL is subscribersHCL with outputs that prove the count
// and the order: a digest of the phone numbers (unique per record) in
// order. Computing it costs the CLI seconds, so the timed plans leave it out.
func subscribersOrderHCL(url string) string {
	return subscribersHCL(url) + `
output "listed" {
  value = nonsensitive(length(data.campaigns_evolux_subscribers.all.subscribers))
}

output "phone_numbers_sha256" {
  value = nonsensitive(sha256(join(",", data.campaigns_evolux_subscribers.all.subscribers[*].phone_number)))
}
`
}

// subscriberCountsHCL reads the whole report for its counts only.
func subscriberCountsHCL(url string) string {
	return providerHCL(url) + `
data "campaigns_evolux_subscribers" "all" {
  include_subscribers = false
}

output "total" {
  value = data.campaigns_evolux_subscribers.all.total
}

output "errors" {
  value = data.campaigns_evolux_subscribers.all.state_counts["error"]
}
`
}

// workdir creates dir with main.tf holding hcl. A lock file left by an
// earlier run would pin the checksum of an earlier build of the wrapper.
func workdir(dir, hcl string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.Remove(filepath.Join(dir, ".terraform.lock.hcl")); err != nil && !os.IsNotExist(err) {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o644)
}
