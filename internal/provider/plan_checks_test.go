package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

func TestBuilderSettingsAtPlan(t *testing.T) {
	known := func(attr, env, value string, fromEnv bool) setting {
		return setting{attr: attr, env: env, value: value, fromEnv: fromEnv}
	}
	unknown := func(attr, env string) setting { return setting{attr: attr, env: env, unknown: true} }
	url := known("builder.url", "BUILDER_URL", "https://builder.example.com", false)
	user := known("builder.user", "BUILDER_USER", "ops", true)
	password := known("builder.password", "BUILDER_PASSWORD", "secret", true)
	apiKey := known("builder.api_key", "BUILDER_API_KEY", "key", false)
	tests := []struct {
		name     string
		settings builderSettings
		requests builderRequests
		want     []string // one error each, in order, by what its text holds; none when empty
	}{
		{name: "campaigns, everything set", settings: builderSettings{url: url, user: user, password: password}, requests: campaignRequests},
		{name: "triggers need no user", settings: builderSettings{url: url, apiKey: apiKey}, requests: triggerFires},
		{name: "unknown values are left alone",
			settings: builderSettings{url: unknown("builder.url", "BUILDER_URL"), user: unknown("builder.user", "BUILDER_USER"), password: password},
			requests: campaignRequests},
		{name: "a password missing from both places",
			settings: builderSettings{url: url, user: user, password: known("builder.password", "BUILDER_PASSWORD", "", true)},
			requests: campaignRequests, want: []string{"builder.password, but it is set in neither place"}},
		{name: "an API key missing, unknown URL",
			settings: builderSettings{url: unknown("builder.url", "BUILDER_URL"), apiKey: known("builder.api_key", "BUILDER_API_KEY", "", true)},
			requests: triggerFires, want: []string{"BUILDER_API_KEY environment variable is empty or unset"}},
		{name: "plain http from the environment",
			settings: builderSettings{url: known("builder.url", "BUILDER_URL", "http://builder.example.com", true), user: user, password: password},
			requests: campaignRequests, want: []string{"from the BUILDER_URL environment variable (builder.url is not set in the provider configuration) cannot be used: plain http://"}},
		{name: "plain http to loopback is fine",
			settings: builderSettings{url: known("builder.url", "BUILDER_URL", "http://127.0.0.1:8080", true), apiKey: apiKey},
			requests: triggerFires},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &providerData{builder: tt.settings}
			diags := d.builderSettingsAtPlan(tt.requests)
			if diags.ErrorsCount() != len(tt.want) || diags.WarningsCount() != 0 {
				t.Fatalf("diagnostics %v, want %d errors", diags, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.Contains(diags[i].Detail(), want) {
					t.Errorf("error %d: %q lacks %q", i, diags[i].Detail(), want)
				}
			}
		})
	}
	if diags := (*providerData)(nil).builderSettingsAtPlan(campaignRequests); diags.HasError() {
		t.Errorf("an unconfigured provider (validate) reported %v", diags)
	}
}

func TestWarnScheduledInThePast(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		scheduled string
		want      string // the warning holds it; "" for no warning
	}{
		{"2025-11-29T09:00:00-03:00", "1 year ago"},
		{"2026-11-27T12:00:00Z", "2 days ago"},
		{"2026-11-29T11:59:30Z", "less than a minute ago"},
		{"2026-11-29T12:00:01Z", ""},
		{"2027-11-29T09:00:00-03:00", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.scheduled, func(t *testing.T) {
			value := types.StringNull()
			if tt.scheduled != "" {
				value = types.StringValue(tt.scheduled)
			}
			var diags diag.Diagnostics
			warnScheduledInThePast(value, now, &diags)
			if tt.want == "" {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags.WarningsCount() != 1 {
				t.Fatalf("diagnostics %v, want one warning", diags)
			}
			withPath, ok := diags[0].(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(path.Root("scheduled_date")) {
				t.Errorf("the warning is not on scheduled_date: %v", diags[0])
			}
			for _, want := range []string{tt.scheduled, tt.want, "starts as soon as it is created"} {
				if !strings.Contains(diags[0].Detail(), want) {
					t.Errorf("%q lacks %q", diags[0].Detail(), want)
				}
			}
		})
	}
}

// Issue 12, points 5, 6 and 8, as a user meets them in the CLI: a campaign
// scheduled in the past plans with a warning when it is new only; the
// address the -replace hint talks about is on the "with" line and printed by
// `state list -id`; with -refresh=false, a plan with nothing to send passes
// without credentials, and one that would update or replace the campaign or
// fire the trigger again fails at plan, naming the missing setting or the
// unusable BUILDER_URL, with no request.
func TestAccBuilderCampaign_planChecksInTheCLI(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	type values struct{ content, organization, payload string }
	applied := values{content: "Hello", organization: "acme", payload: "v1"}
	config := func(v values) string {
		return fmt.Sprintf(`
provider "campaigns" {}

resource "campaigns_builder_campaign" "welcome" {
  organization   = %q
  bot_name       = "support-bot"
  campaign_name  = "welcome"
  scheduled_date = "2021-01-05T09:00:00-03:00"
  content        = %q
}

resource "campaigns_builder_trigger" "preview" {
  payload = jsonencode({ template = %q })
}
`, v.organization, v.content, v.payload)
	}
	w := newCLIWorkdir(t, config(applied))
	w.setEnv("BUILDER_URL="+srv.URL(), "BUILDER_USER="+emulator.DefaultUser, "BUILDER_PASSWORD="+emulator.DefaultPassword,
		"BUILDER_API_KEY="+emulator.DefaultAPIKey)
	w.initWorkdir()

	plan := w.must("plan", "-input=false", "-no-color")
	for _, want := range []string{"Warning: Campaign scheduled in the past", "with campaigns_builder_campaign.welcome,", "starts as soon as it is created"} {
		if !strings.Contains(plan.output(), want) {
			t.Errorf("the plan of a campaign scheduled in 2021 lacks %q:\n%s", want, plan.output())
		}
	}
	w.must("apply", "-auto-approve", "-input=false", "-no-color")
	campaigns := stateResources(w.state(), "campaigns_builder_campaign")
	if len(campaigns) != 1 {
		t.Fatalf("%d campaigns in state, want 1", len(campaigns))
	}
	id := attrString(campaigns[0], "id")
	if listed := strings.TrimSpace(w.must("state", "list", "-id="+id).stdout); listed != "campaigns_builder_campaign.welcome" {
		t.Errorf("state list -id=%s printed %q, want the resource's address", id, listed)
	}
	if again := w.must("plan", "-input=false", "-no-color"); strings.Contains(again.output(), "scheduled in the past") {
		t.Errorf("a campaign that exists warns again:\n%s", again.output())
	}

	requests := srv.TotalRequests()
	w.setEnv("BUILDER_PASSWORD=", "BUILDER_API_KEY=")
	w.must("plan", "-refresh=false", "-input=false", "-no-color")
	planFails := func(what string, v values, want *regexp.Regexp) {
		t.Helper()
		w.writeConfig(config(v))
		if res := w.run("plan", "-refresh=false", "-input=false", "-no-color"); res.exitCode == 0 || !want.MatchString(res.output()) {
			t.Errorf("%s: exit %d, want a plan error matching %s:\n%s", what, res.exitCode, want, res.output())
		}
	}
	changed := applied
	changed.content = "Hello again"
	planFails("an update without builder.password", changed, inNeitherPlace("builder.password", "BUILDER_PASSWORD"))
	changed = applied
	changed.organization = "acme-eu"
	planFails("a replacement without builder.password", changed, inNeitherPlace("builder.password", "BUILDER_PASSWORD"))
	changed = applied
	changed.payload = "v2"
	planFails("a trigger fired again without builder.api_key", changed, inNeitherPlace("builder.api_key", "BUILDER_API_KEY"))
	w.setEnv("BUILDER_PASSWORD="+emulator.DefaultPassword, "BUILDER_API_KEY="+emulator.DefaultAPIKey, "BUILDER_URL=http://builder.example.com")
	changed = applied
	changed.content = "Hello again"
	planFails("an update with BUILDER_URL plain http to a remote host", changed, fromEnvironment("BUILDER_URL", "builder.url", "plain http://"))
	if n := srv.TotalRequests(); n != requests {
		t.Errorf("the plans that failed sent %d requests (%v), want none", n-requests, srv.Counts())
	}
}
