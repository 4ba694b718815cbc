package provider

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goversion "github.com/hashicorp/go-version"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// auditSecret is a value that cannot appear anywhere by chance.
func auditSecret(t *testing.T, kind string) string {
	t.Helper()
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "audit-" + kind + "-" + hex.EncodeToString(b[:])
}

// ephemeralResourcesFrom is the first CLI version that runs this provider's
// ephemeral resource under both OpenTofu and Terraform.
var ephemeralResourcesFrom = goversion.Must(goversion.NewVersion("1.11.0"))

// secretsAuditConfig uses every resource, data source and, when the CLI has
// them, the ephemeral token. With ephemeral input variables (the way to keep
// secrets out of saved plans, which store ordinary variables' values) the
// secrets come through the provider block, as most users write it; without
// them, from the provider's environment variables.
func secretsAuditConfig(url string, ephemeral bool) string {
	variables := `
variable "builder_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "builder_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "evolux_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
`
	secretAttributes := map[string]string{
		"password": "\n    password = var.builder_password",
		"api_key":  "\n    api_key  = var.builder_api_key",
		"token":    "\n    token = var.evolux_token",
	}
	if !ephemeral {
		variables = ""
		secretAttributes = map[string]string{}
	}
	config := variables + fmt.Sprintf(`
provider "campaigns" {
  builder = {
    url      = %[1]q
    user     = "audit@example.com"%[2]s%[3]s
  }
  evolux = {
    url   = %[1]q%[4]s
  }
  request_timeout = "5s"
}

resource "campaigns_builder_campaign" "audit" {
  organization  = "acme"
  bot_name      = "audit-bot"
  campaign_name = "audit"
  content       = "secrets stay secret"
}

resource "campaigns_builder_trigger" "audit" {
  payload = jsonencode({ campaign = campaigns_builder_campaign.audit.id })
}

resource "campaigns_builder_campaign" "follow_up" {
  organization  = "acme"
  bot_name      = "audit-bot"
  campaign_name = "audit-follow-up"
  content       = "after trigger ${campaigns_builder_trigger.audit.id}"
}

data "campaigns_builder_campaign" "audit" {
  organization = campaigns_builder_campaign.audit.organization
  bot_name     = campaigns_builder_campaign.audit.bot_name
  id           = campaigns_builder_campaign.audit.id
}

data "campaigns_builder_trigger" "audit" {
  id = campaigns_builder_trigger.audit.id
}

data "campaigns_evolux_subscribers" "audit" {
  state = "sent"
}

output "subscribers_sent" {
  value = data.campaigns_evolux_subscribers.audit.total
}
`, url, secretAttributes["password"], secretAttributes["api_key"], secretAttributes["token"])
	if ephemeral {
		config += `
ephemeral "campaigns_builder_token" "audit" {}
`
	}
	return config
}

// Issue 7, item 3, and safety rule 6: a whole life cycle (init, plan, apply,
// plan, destroy) of every resource, data source and the ephemeral token,
// logged at TRACE: no password, API key, Evolux token, or access or refresh
// token that Builder issued appears in the log, the state, the saved plans'
// show -json, or anything the CLI printed.
func TestAccSecrets_neverInLogStateOrPlan(t *testing.T) {
	secrets := map[string]string{
		"builder password": auditSecret(t, "password"),
		"builder API key":  auditSecret(t, "apikey"),
		"Evolux token":     auditSecret(t, "evolux"),
	}
	srv := startRecordingServer(t, emulator.Config{
		User:        "audit@example.com",
		Password:    secrets["builder password"],
		APIKey:      secrets["builder API key"],
		EvoluxToken: secrets["Evolux token"],
		Subscribers: 60,
		Seed:        11,
		// The follow-up campaign is created four round trips after the
		// login, when the token has expired: a refresh (which sends a
		// refresh token and gets a new pair) is audited too.
		TokenLifetime: 300 * time.Millisecond,
		Latency:       100 * time.Millisecond,
	}, nil)
	w := newCLIWorkdir(t, "")
	withEphemeral := !w.version.LessThan(ephemeralResourcesFrom)
	w.writeConfig(secretsAuditConfig(srv.url, withEphemeral))
	t.Parallel()

	logPath := filepath.Join(t.TempDir(), "trace.log")
	w.setEnv("TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	if withEphemeral {
		w.setEnv(
			"TF_VAR_builder_password="+secrets["builder password"],
			"TF_VAR_builder_api_key="+secrets["builder API key"],
			"TF_VAR_evolux_token="+secrets["Evolux token"],
		)
	} else {
		w.setEnv(
			envBuilderPassword+"="+secrets["builder password"],
			envBuilderAPIKey+"="+secrets["builder API key"],
			envEvoluxToken+"="+secrets["Evolux token"],
		)
	}

	var printed []string
	run := func(args ...string) cliResult {
		res := w.must(args...)
		printed = append(printed, res.output())
		return res
	}
	run("init", "-input=false", "-no-color")
	run("plan", "-input=false", "-no-color", "-out=create.tfplan")
	_, createPlan := w.savedPlan("create.tfplan")
	run("apply", "-input=false", "-no-color", "create.tfplan")
	stateAfterApply, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	showState := run("show", "-json", "-no-color").stdout
	run("plan", "-input=false", "-no-color", "-out=steady.tfplan")
	_, steadyPlan := w.savedPlan("steady.tfplan")
	run("destroy", "-auto-approve", "-input=false", "-no-color")

	issued := srv.issuedTokens()
	if srv.Count(emulator.OpLogin) == 0 || srv.Count(emulator.OpRefresh) == 0 {
		t.Errorf("%d logins and %d refreshes: the audit must cover both (%v)", srv.Count(emulator.OpLogin), srv.Count(emulator.OpRefresh), srv.Counts())
	}
	for i, token := range issued {
		secrets[fmt.Sprintf("issued token %d", i+1)] = token
	}

	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the TRACE log: %s", err)
	}
	log := string(logBytes)
	// The audit proves something only if the provider's own debug entries,
	// with the requests that carried the secrets, are in the log.
	for _, want := range []string{
		"HTTP log in to Builder", "HTTP create campaign", "HTTP fire trigger", "HTTP read trigger",
		"HTTP read campaign", "HTTP refresh Builder token", "HTTP read Evolux campaign subscribers", "Bearer REDACTED", "apikey=REDACTED",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the TRACE log (%d bytes) has no %q: the provider's debug entries are missing, so the audit proves nothing", len(log), want)
		}
	}
	if withEphemeral && !strings.Contains(log, "tf_rpc=OpenEphemeralResource") {
		t.Errorf("the TRACE log has no OpenEphemeralResource call: the ephemeral token was not opened, so it was not audited")
	}

	places := map[string]string{
		"the TRACE log":             log,
		"the state file":            string(stateAfterApply),
		"show -json of the state":   showState,
		"show -json of create plan": createPlan,
		"show -json of steady plan": steadyPlan,
		"the CLI's output":          strings.Join(printed, "\n"),
	}
	for place, text := range places {
		for name, secret := range secrets {
			if n := strings.Count(text, secret); n > 0 {
				t.Errorf("%s contains the %s %d times, first in: %s", place, name, n, lineWith(text, secret))
			}
		}
	}
	t.Logf("audited %d secrets (%d tokens issued by %d logins and %d refreshes) in a %d-byte TRACE log, %d-byte state, plans of %d and %d bytes; ephemeral token: %v",
		len(secrets), len(issued), srv.Count(emulator.OpLogin), srv.Count(emulator.OpRefresh),
		len(log), len(stateAfterApply), len(createPlan), len(steadyPlan), withEphemeral)
}

// lineWith is the first line of text that holds s, cut to a readable length
// (the secrets are random test values, safe to print).
func lineWith(text, s string) string {
	i := strings.Index(text, s)
	start := strings.LastIndexByte(text[:i], '\n') + 1
	end := len(text)
	if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
		end = i + j
	}
	line := text[start:end]
	if len(line) > 400 {
		from := max(i-start-200, 0)
		line = "…" + line[from:min(from+400, len(line))] + "…"
	}
	return line
}
