package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// badInput is one invalid configuration: it must fail at plan, with a
// message that names the attribute, before any request reaches the API.
type badInput struct {
	name string
	// provider is the provider block, where EMULATOR_URL stands for the
	// emulator's URL; empty means a complete, valid one.
	provider string
	config   string // resources and data sources
	want     *regexp.Regexp
	env      map[string]string // provider environment variables
	// ephemeral cases need a CLI that runs ephemeral resources.
	ephemeral bool
}

// Valid settings for the cases that break something else.
const (
	badInputCampaignDS = `
data "campaigns_builder_campaign" "bad" {
  organization = "acme"
  bot_name     = "support-bot"
  id           = "5eb7cf5a86d9755df3a6c593"
}
`
	badInputTriggerDS = `
data "campaigns_builder_trigger" "bad" {
  id = "42"
}
`
	badInputEvoluxDS = `
data "campaigns_evolux_subscribers" "bad" {}
`
	// A black-friday campaign UUID, valid for the campaigns filter.
	badInputUUID = "70f4ddb6-ece1-4e13-ab90-3698d9d72bf0"
)

func badCampaign(attributes string) string {
	return fmt.Sprintf(`
resource "campaigns_builder_campaign" "bad" {
  %s
}
`, attributes)
}

func badTrigger(payload string) string {
	return fmt.Sprintf(`
resource "campaigns_builder_trigger" "bad" {
  payload = %s
}
`, payload)
}

func badCampaignDS(organization, bot, id string) string {
	return fmt.Sprintf(`
data "campaigns_builder_campaign" "bad" {
  organization = %q
  bot_name     = %q
  id           = %q
}
`, organization, bot, id)
}

func badTriggerDS(id string) string {
	return fmt.Sprintf(`
data "campaigns_builder_trigger" "bad" {
  id = %q
}
`, id)
}

func badEvoluxDS(arguments string) string {
	return fmt.Sprintf(`
data "campaigns_evolux_subscribers" "bad" {
  %s
}
`, arguments)
}

func badProvider(builder string) string {
	return fmt.Sprintf("provider \"campaigns\" {\n  builder = %s\n}\n", builder)
}

const validCampaignAttributes = `organization = "acme"
  bot_name = "support-bot"
  campaign_name = "welcome"`

var badInputs = []badInput{
	// Provider configuration.
	{name: "builder url plain http to a remote host", provider: badProvider(`{ url = "http://builder.example.com", user = "u", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.url: plain http:// is only allowed for loopback hosts")},
	{name: "evolux url plain http to a remote host", provider: `provider "campaigns" {
  evolux = { url = "http://acme.evolux.example.com", token = "t" }
}
`, config: badInputEvoluxDS, want: wrappedPhrases("evolux.url: plain http:// is only allowed for loopback hosts")},
	{name: "builder url of another scheme", provider: badProvider(`{ url = "ftp://builder.example.com", user = "u", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.url: unsupported URL scheme")},
	{name: "builder url without scheme", provider: badProvider(`{ url = "builder.example.com", user = "u", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.url: the URL must be absolute")},
	{name: "builder url carrying credentials", provider: badProvider(`{ url = "https://ops:secret@builder.example.com", user = "u", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.url: the URL must not carry user credentials")},
	{name: "builder url with a query", provider: badProvider(`{ url = "https://builder.example.com/?apikey=x", user = "u", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.url: the URL must not have a query")},
	{name: "request_timeout not a duration", provider: `provider "campaigns" {
  request_timeout = "soon"
}
`, config: badInputCampaignDS, want: wrappedPhrases("Invalid Time Duration String Value", `request_timeout = "soon"`)},
	{name: "request_timeout negative", provider: `provider "campaigns" {
  request_timeout = "-1s"
}
`, config: badInputCampaignDS, want: wrappedPhrases("request_timeout must be a positive duration")},
	{name: "request_timeout zero", provider: `provider "campaigns" {
  request_timeout = "0s"
}
`, config: badInputCampaignDS, want: wrappedPhrases("request_timeout must be a positive duration")},
	{name: "max_retries negative", provider: `provider "campaigns" {
  max_retries = -1
}
`, config: badInputCampaignDS, want: wrappedPhrases("Attribute max_retries value must be between 0 and 10")},
	{name: "max_retries too many", provider: `provider "campaigns" {
  max_retries = 11
}
`, config: badInputCampaignDS, want: wrappedPhrases("Attribute max_retries value must be between 0 and 10")},
	{name: "builder max_requests_per_second zero", provider: badProvider(`{ url = "EMULATOR_URL", user = "u", password = "p", max_requests_per_second = 0 }`),
		config: badInputCampaignDS, want: wrappedPhrases("Attribute builder.max_requests_per_second value must be at least 0.01")},
	{name: "evolux max_requests_per_second negative", provider: `provider "campaigns" {
  evolux = { url = "EMULATOR_URL", token = "t", max_requests_per_second = -5 }
}
`, config: badInputEvoluxDS, want: wrappedPhrases("Attribute evolux.max_requests_per_second value must be at least 0.01")},
	{name: "BUILDER_MAX_REQUESTS_PER_SECOND not a number", provider: badProvider(`{ url = "EMULATOR_URL", user = "u", password = "p" }`),
		env:    map[string]string{envBuilderRate: "ten"},
		config: badInputCampaignDS, want: wrappedPhrases("Invalid BUILDER_MAX_REQUESTS_PER_SECOND", `builder.max_requests_per_second is unset, so it comes from the BUILDER_MAX_REQUESTS_PER_SECOND environment variable, which is "ten"`)},
	{name: "EVOLUX_MAX_REQUESTS_PER_SECOND zero", provider: `provider "campaigns" {
  evolux = { url = "EMULATOR_URL", token = "t" }
}
`, env: map[string]string{envEvoluxRate: "0"},
		config: badInputEvoluxDS, want: wrappedPhrases("Invalid EVOLUX_MAX_REQUESTS_PER_SECOND", "at least 0.01")},
	{name: "campaign timeouts not a duration", config: badCampaign(validCampaignAttributes + `
  timeouts {
    create = "soon"
  }`), want: wrappedPhrases("Invalid Attribute Value Time Duration", `create = "soon"`)},
	{name: "builder user missing for a campaign read", provider: badProvider(`{ url = "EMULATOR_URL", password = "p" }`),
		config: badInputCampaignDS, want: wrappedPhrases("builder.user", "BUILDER_USER")},
	{name: "builder api_key missing for a trigger read", provider: badProvider(`{ url = "EMULATOR_URL", user = "u", password = "p" }`),
		config: badInputTriggerDS, want: wrappedPhrases("builder.api_key", "BUILDER_API_KEY")},
	{name: "evolux token missing", provider: `provider "campaigns" {
  evolux = { url = "EMULATOR_URL" }
}
`, config: badInputEvoluxDS, want: wrappedPhrases("evolux.token", "EVOLUX_TOKEN")},
	{name: "BUILDER_URL plain http to a remote host", provider: badProvider(`{ user = "u", password = "p" }`),
		env:    map[string]string{envBuilderURL: "http://builder.example.com"},
		config: badInputCampaignDS, want: fromEnvironment("BUILDER_URL", "builder.url", "plain http://")},

	// Issue 12, point 5: a plan that would create a campaign or fire a
	// trigger fails when the apply would lack a Builder setting.
	{name: "campaign create without builder.user", provider: badProvider(`{ url = "EMULATOR_URL", password = "p" }`),
		env:    map[string]string{envBuilderUser: ""},
		config: badCampaign(validCampaignAttributes), want: inNeitherPlace("builder.user", "BUILDER_USER")},
	{name: "campaign create with an empty builder.password", provider: badProvider(`{ url = "EMULATOR_URL", user = "u", password = "" }`),
		env:    map[string]string{envBuilderPassword: "set but not used"},
		config: badCampaign(validCampaignAttributes),
		want:   wrappedPhrases("Missing Builder setting builder.password", "builder.password is an empty string in the provider configuration, which wins over BUILDER_PASSWORD")},
	{name: "campaign create with BUILDER_URL plain http to a remote host", provider: badProvider(`{ user = "u", password = "p" }`),
		env:    map[string]string{envBuilderURL: "http://builder.example.com"},
		config: badCampaign(validCampaignAttributes), want: fromEnvironment("BUILDER_URL", "builder.url", "plain http://")},
	{name: "campaign create without any Builder setting", provider: `provider "campaigns" {}` + "\n",
		env:    map[string]string{envBuilderURL: "", envBuilderUser: "", envBuilderPassword: ""},
		config: badCampaign(validCampaignAttributes),
		want: regexp.MustCompile(`(?s)` + inNeitherPlace("builder.url", "BUILDER_URL").String() + ".*" +
			inNeitherPlace("builder.user", "BUILDER_USER").String() + ".*" + inNeitherPlace("builder.password", "BUILDER_PASSWORD").String())},
	{name: "trigger fire without builder.api_key", provider: badProvider(`{ url = "EMULATOR_URL" }`),
		env:    map[string]string{envBuilderAPIKey: ""},
		config: badTrigger(`jsonencode({ campaign = "black-friday" })`), want: inNeitherPlace("builder.api_key", "BUILDER_API_KEY")},
	{name: "trigger fire with BUILDER_URL plain http to a private address", provider: badProvider(`{ api_key = "k" }`),
		env:    map[string]string{envBuilderURL: "http://10.0.0.5:8080"},
		config: badTrigger(`jsonencode({ campaign = "black-friday" })`), want: fromEnvironment("BUILDER_URL", "builder.url", "plain http://")},
	{name: "ephemeral token without password", provider: badProvider(`{ url = "EMULATOR_URL", user = "u" }`), ephemeral: true,
		config: "ephemeral \"campaigns_builder_token\" \"bad\" {}\n", want: wrappedPhrases("builder.password", "BUILDER_PASSWORD")},

	// campaigns_builder_campaign resource.
	{name: "campaign organization empty", config: badCampaign(`organization = ""
  bot_name = "support-bot"
  campaign_name = "welcome"`), want: wrappedPhrases("Attribute organization string length must be at least 1")},
	{name: "campaign organization with a slash", config: badCampaign(`organization = "acme/eu"
  bot_name = "support-bot"
  campaign_name = "welcome"`), want: wrappedPhrases("Attribute organization must not contain a slash")},
	{name: "campaign bot_name empty", config: badCampaign(`organization = "acme"
  bot_name = ""
  campaign_name = "welcome"`), want: wrappedPhrases("Attribute bot_name string length must be at least 1")},
	{name: "campaign bot_name with a slash", config: badCampaign(`organization = "acme"
  bot_name = "support/bot"
  campaign_name = "welcome"`), want: wrappedPhrases("Attribute bot_name must not contain a slash")},
	{name: "campaign campaign_name empty", config: badCampaign(`organization = "acme"
  bot_name = "support-bot"
  campaign_name = ""`), want: wrappedPhrases("Attribute campaign_name string length must be at least 1")},
	{name: "campaign campaign_name missing", config: badCampaign(`organization = "acme"
  bot_name = "support-bot"`), want: wrappedPhrases(`The argument "campaign_name" is required`)},
	{name: "campaign scheduled_date in words", config: badCampaign(validCampaignAttributes + `
  scheduled_date = "tomorrow at nine"`), want: timestampMessage(`scheduled_date = "tomorrow at nine"`, "it is not in the expected form")},
	{name: "campaign scheduled_date without offset", config: badCampaign(validCampaignAttributes + `
  scheduled_date = "2030-01-01T09:00:00"`), want: timestampMessage(`scheduled_date = "2030-01-01T09:00:00"`, "it has no offset from UTC and no Z")},
	{name: "campaign scheduled_date on a day that does not exist", config: badCampaign(validCampaignAttributes + `
  scheduled_date = "2030-02-30T09:00:00Z"`), want: timestampMessage(`scheduled_date = "2030-02-30T09:00:00Z"`, "no such date or time exists")},

	// campaigns_builder_trigger resource.
	{name: "trigger payload not JSON", config: badTrigger(`"{ campaign = black-friday }"`),
		want: wrappedPhrases("Invalid JSON String Value", `payload = "{ campaign = black-friday }"`)},
	{name: "trigger payload a JSON array", config: badTrigger(`jsonencode(["black-friday"])`), want: wrappedPhrases("payload must be a JSON object")},
	{name: "trigger payload a JSON string", config: badTrigger(`jsonencode("black-friday")`), want: wrappedPhrases("payload must be a JSON object")},
	{name: "trigger payload a JSON number", config: badTrigger(`jsonencode(42)`), want: wrappedPhrases("payload must be a JSON object")},
	{name: "trigger payload JSON null", config: badTrigger(`"null"`), want: wrappedPhrases("payload must be a JSON object")},
	{name: "trigger payload missing", config: "resource \"campaigns_builder_trigger\" \"bad\" {}\n", want: wrappedPhrases(`Exactly one of these attributes must be configured: [payload,payload_wo]`)},

	// campaigns_builder_campaign data source.
	{name: "campaign data source id not hexadecimal", config: badCampaignDS("acme", "support-bot", "welcome-2026"),
		want: wrappedPhrases("Attribute id must be a campaign id of 24 lowercase hexadecimal digits")},
	{name: "campaign data source id in capitals", config: badCampaignDS("acme", "support-bot", "5EB7CF5A86D9755DF3A6C593"),
		want: wrappedPhrases("Attribute id must be a campaign id of 24 lowercase hexadecimal digits")},
	{name: "campaign data source id too short", config: badCampaignDS("acme", "support-bot", "5eb7cf5a86d9755df3a6c59"),
		want: wrappedPhrases("Attribute id must be a campaign id of 24 lowercase hexadecimal digits")},
	{name: "campaign data source organization empty", config: badCampaignDS("", "support-bot", "5eb7cf5a86d9755df3a6c593"),
		want: wrappedPhrases("Attribute organization string length must be at least 1")},
	{name: "campaign data source bot_name with a slash", config: badCampaignDS("acme", "support/bot", "5eb7cf5a86d9755df3a6c593"),
		want: wrappedPhrases("Attribute bot_name must not contain a slash")},

	// campaigns_builder_trigger data source.
	{name: "trigger data source id empty", config: badTriggerDS(""), want: wrappedPhrases("id must be the id Builder gave a fired trigger, not empty")},
	{name: "trigger data source id blank", config: badTriggerDS("   "), want: wrappedPhrases("id must be the id Builder gave a fired trigger, not empty")},
	{name: "trigger data source id of an unknown outcome", config: badTriggerDS(unknownIDPrefix + "0123456789ab"),
		want: wrappedPhrases(`id is "unknown-0123456789ab", the placeholder of a trigger whose fire outcome is unknown`)},

	// campaigns_evolux_subscribers data source.
	{name: "evolux state unknown", config: badEvoluxDS(`state = "delivered"`), want: wrappedPhrases("Attribute state value must be one of")},
	{name: "evolux template_uuid malformed", config: badEvoluxDS(`template_uuid = "reminder_v2"`), want: wrappedPhrases("Attribute template_uuid must be a UUID")},
	{name: "evolux campaigns holding a name", config: badEvoluxDS(fmt.Sprintf(`campaigns = [%q, "black-friday"]`, badInputUUID)),
		want: wrappedPhrases(`Attribute campaigns[Value("black-friday")] must be a UUID`)},
	{name: "evolux campaigns empty", config: badEvoluxDS(`campaigns = []`), want: wrappedPhrases("Empty campaigns filter", "without a campaigns[] parameter it reports every campaign", "omit campaigns")},
	{name: "evolux start a date only", config: badEvoluxDS(`start = "2024-09-05"`), want: timestampMessage(`start = "2024-09-05"`, "it is a date without a time")},
	{name: "evolux end with month 13", config: badEvoluxDS(`end = "2024-13-01T00:00:00Z"`), want: timestampMessage(`end = "2024-13-01T00:00:00Z"`, "no such date or time exists")},
	{name: "evolux start after end", config: badEvoluxDS(`start = "2024-09-06T00:00:00Z"
  end = "2024-09-05T23:59:59Z"`), want: wrappedPhrases("start is after end", "start (2024-09-06T00:00:00Z) is after end")},
	{name: "evolux timezone unknown", config: badEvoluxDS(`timezone = "Mars/Olympus_Mons"`), want: wrappedPhrases("timezone must be an IANA time zone name")},
	{name: "evolux timezone Local", config: badEvoluxDS(`timezone = "Local"`), want: wrappedPhrases("timezone must be an IANA time zone name")},
	{name: "evolux field key without value", config: badEvoluxDS(`conversation_field_key = "perfil"`),
		want: wrappedPhrases(`Attribute "conversation_field_value" must be specified when "conversation_field_key" is specified`)},
	{name: "evolux field value without key", config: badEvoluxDS(`conversation_field_value = "PJ"`),
		want: wrappedPhrases(`Attribute "conversation_field_key" must be specified when "conversation_field_value" is specified`)},
	{name: "evolux phone_number empty", config: badEvoluxDS(`phone_number = ""`), want: wrappedPhrases("Attribute phone_number string length must be at least 1")},
	{name: "evolux name empty", config: badEvoluxDS(`name = ""`), want: wrappedPhrases("Attribute name string length must be at least 1")},
	{name: "evolux argument misspelt", config: badEvoluxDS(`phone = "1199881122"`), want: wrappedPhrases(`An argument named "phone" is not expected here`)},
}

// Issue 7, item 5, and safety rule 5: each invalid configuration fails at
// plan with a message naming the attribute, and no request reaches the API
// (each case has its own emulator, which counts).
func TestAccBadInput_failsAtPlanNamingAttributeWithoutRequests(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{Subscribers: 5})
			provider := providerConfig(srv)
			if tc.provider != "" {
				provider = strings.ReplaceAll(tc.provider, "EMULATOR_URL", srv.URL())
			}
			testCase := resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config:      provider + tc.config,
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			}
			if tc.ephemeral {
				testCase.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}
			}
			if len(tc.env) > 0 {
				// The provider reads its environment in this process, so these
				// cases cannot run alongside the others.
				for name, value := range tc.env {
					t.Setenv(name, value)
				}
				resource.Test(t, testCase)
			} else {
				resource.ParallelTest(t, testCase)
			}
			assertNoRequests(t, srv)
		})
	}
	if len(badInputs) < 30 {
		t.Errorf("%d bad inputs, the issue asks for at least 30", len(badInputs))
	}
}

// timestampMessage is the plan-time error of a malformed timestamp: what was
// given, what is wrong with it, and an example of what is expected.
func timestampMessage(given, problem string) *regexp.Regexp {
	return wrappedPhrases("Invalid timestamp", given+" is not a timestamp", problem, timestampExample, "The offset or Z is required")
}

// inNeitherPlace is the error of a setting missing from both the provider
// configuration and its environment variable.
func inNeitherPlace(attr, env string) *regexp.Regexp {
	return wrappedPhrases("Missing Builder setting "+attr, "set in neither place", "leaves "+attr+" unset", "the "+env+" environment variable is empty or unset")
}

// fromEnvironment is the error of an unusable value that came from env.
func fromEnvironment(env, attr, problem string) *regexp.Regexp {
	return wrappedPhrases("the "+env+" environment variable ("+attr+" is not set in the provider configuration)", problem)
}
