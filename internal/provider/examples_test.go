package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Every example under examples/ is applied as a user would apply it: the
// directory as it is, settings from the environment, then init, apply, a plan
// that must be empty, and destroy. A new example directory fails this test
// until it is listed here.

const examplesRoot = "../../examples"

type exampleCase struct {
	// vars are TF_VAR_ values; prepare may return more, computed from the emulator.
	vars map[string]string
	// prepare seeds the emulator and returns extra variables.
	prepare func(t *testing.T, srv *emulator.Server) map[string]string
	// minVersion skips CLIs older than this (ephemeral resources: 1.11).
	minVersion string
	// readsInChecks: data sources nested in check blocks are read again by
	// every plan, so the plan after apply holds those reads and nothing else.
	readsInChecks bool
	// check runs after apply.
	check func(t *testing.T, srv *emulator.Server, w *cliWorkdir)
	// keeps is how many campaigns the example leaves in Builder on purpose.
	keeps int
	// stateless examples leave nothing in state: only provider settings, or
	// only ephemeral values.
	stateless bool
	// latest examples need Terraform 1.14+ (actions, terraform query).
	latest bool
	// beforeApply runs after init, before the apply (terraform query).
	beforeApply func(t *testing.T, srv *emulator.Server, w *cliWorkdir)
}

var exampleCases = map[string]exampleCase{
	"demo":                                        {},
	"provider":                                    {prepare: providerExampleVars, stateless: true},
	"resources/campaigns_builder_campaign":        {check: removedBlockKeepsCampaign, keeps: 1},
	"resources/campaigns_builder_trigger":         {readsInChecks: true},
	"data-sources/campaigns_builder_campaign":     {prepare: seedCampaignForExample},
	"data-sources/campaigns_builder_campaigns":    {prepare: seedCampaignForExample, readsInChecks: true, check: pendingCampaignListed},
	"data-sources/campaigns_builder_trigger":      {prepare: fireTriggerForExample},
	"data-sources/campaigns_evolux_subscribers":   {readsInChecks: true},
	"ephemeral-resources/campaigns_builder_token": {minVersion: "1.11.0", stateless: true},
	"guides/gitops-campaigns":                     {},
	"resources/campaigns_evolux_campaign_subscribers": {check: examplePhonesUploaded(
		"5511999990001", "5511999990002", "5521988880001", "5521988880002")},
	"guides/spreadsheet-to-whatsapp": {readsInChecks: true, check: examplePhonesUploaded(
		"5511999990001", "5511999990002", "5511999990003")},
	"guides/testing-with-the-emulator":       {},
	"guides/personal-data":                   {check: exampleStateLacks("+5511999990101", "renewal_reminder_v1")},
	"actions/campaigns_builder_fire_trigger": {latest: true, check: actionExampleFires},
	// The adopted campaigns were there before; destroy deletes them.
	"list-resources/campaigns_builder_campaign":   {latest: true, prepare: seedCampaignsToAdopt, beforeApply: queryGeneratesAdoption, keeps: -2},
	"guides/adopting-existing-campaigns":          {prepare: seedCampaignsToAdopt, check: adoptWithGeneratedConfig, keeps: -2},
	"guides/adopting-existing-campaigns/for_each": {prepare: seedRowsToAdopt, check: rowsAdopted, keeps: -2},
	"functions/report_window": {check: exampleOutputsAre(map[string]string{
		"september_5_window":      `{"end":"2024-09-06T02:59:59.999Z","start":"2024-09-05T03:00:00Z"}`,
		"new_york_spring_forward": `{"end":"2024-03-11T03:59:59.999Z","start":"2024-03-10T05:00:00Z"}`,
	})},
	"functions/phone_number": {stateless: true, check: exampleOutputsAre(map[string]string{
		"subscriber_phones": `{"12125550100":"Ian","551132221122":"Ana","5511999660003":"Eva",` +
			`"5511999881122":"Maria","5521988880001":"João","5555999770002":"Rui"}`,
	})},
	"functions/campaign_created_at": {stateless: true, check: exampleOutputsAre(map[string]string{
		"campaign_created_at": `"2024-09-05T02:25:00Z"`,
		"campaign_created_on": `"05 Sep 2024 02:25 UTC"`,
	})},
}

func TestAccExamples_everyExampleAppliesCleanly(t *testing.T) {
	dirs := exampleDirs(t)
	for _, dir := range dirs {
		if _, ok := exampleCases[dir]; !ok {
			t.Errorf("examples/%s is not applied by any test: add it to exampleCases", dir)
		}
	}
	for _, dir := range dirs {
		tc, ok := exampleCases[dir]
		if !ok {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			applyExample(t, dir, tc)
		})
	}
}

// exampleDirs lists the directories under examples/ that hold .tf files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(examplesRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (filepath.Ext(path) == ".tf" || strings.HasSuffix(path, ".tfquery.hcl")) {
			rel, _ := filepath.Rel(examplesRoot, filepath.Dir(path))
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	return dirs
}

func applyExample(t *testing.T, dir string, tc exampleCase) {
	srv := startEmulator(t, emulator.Config{Subscribers: 300, Seed: 3})
	w := newCLIWorkdir(t, "")
	if tc.minVersion != "" && w.version.LessThan(goversion.Must(goversion.NewVersion(tc.minVersion))) {
		t.Skipf("needs a CLI of version %s or later, this one is %s", tc.minVersion, w.version)
	}
	if tc.latest {
		skipBelowTerraform1_14(t, w)
	}
	w.copyExample(filepath.Join(examplesRoot, dir))
	w.setEnv(
		"BUILDER_URL="+srv.URL(), "BUILDER_USER="+emulator.DefaultUser, "BUILDER_PASSWORD="+emulator.DefaultPassword,
		"BUILDER_API_KEY="+emulator.DefaultAPIKey, "EVOLUX_URL="+srv.URL(), "EVOLUX_TOKEN="+emulator.DefaultEvoluxToken,
	)
	vars := map[string]string{}
	for k, v := range tc.vars {
		vars[k] = v
	}
	if tc.prepare != nil {
		for k, v := range tc.prepare(t, srv) {
			vars[k] = v
		}
	}
	for k, v := range vars {
		w.setEnv("TF_VAR_" + k + "=" + v)
	}
	seeded := len(srv.Campaigns())

	w.initWorkdir()
	if tc.beforeApply != nil {
		tc.beforeApply(t, srv, w)
	}
	w.must("apply", "-auto-approve", "-input=false", "-no-color")
	if len(w.stateResourcesAll()) == 0 && !tc.stateless {
		t.Error("the apply left nothing in state: the example manages or reads nothing")
	}
	if tc.check != nil {
		tc.check(t, srv, w)
	}
	w.must("plan", "-input=false", "-no-color", "-out=after-apply.tfplan")
	plan, _ := w.savedPlan("after-apply.tfplan")
	if changes := changesOtherThanNoOp(plan, tc.readsInChecks); len(changes) > 0 {
		t.Errorf("the plan after apply is not empty: %s", strings.Join(changes, "; "))
	}
	w.must("destroy", "-auto-approve", "-input=false", "-no-color")
	if n := len(w.stateResourcesAll()); n != 0 {
		t.Errorf("%d resources left in state after destroy", n)
	}
	if n := len(srv.Campaigns()); n != seeded+tc.keeps {
		t.Errorf("%d campaigns in the emulator after destroy, want %d", n, seeded+tc.keeps)
	}
}

// copyExample replaces the configuration with the example's files. An
// example without its own required_providers gets the terraform block a
// user's root module would have.
func (w *cliWorkdir) copyExample(dir string) {
	w.t.Helper()
	if err := os.Remove(filepath.Join(w.dir, "main.tf")); err != nil {
		w.t.Fatal(err)
	}
	ownsTerraformBlock := false
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if filepath.Ext(path) == ".tf" && strings.Contains(string(content), "required_providers") {
			ownsTerraformBlock = true
		}
		target := filepath.Join(w.dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, content, 0o644)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	if !ownsTerraformBlock {
		writeFile(w.t, filepath.Join(w.dir, "terraform_block_added_by_test.tf"), requiredProvidersBlock)
	}
}

// stateResourcesAll lists every resource instance in state.
func (w *cliWorkdir) stateResourcesAll() []string {
	res := w.run("state", "list", "-no-color")
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

func providerExampleVars(_ *testing.T, srv *emulator.Server) map[string]string {
	return map[string]string{"builder_url": srv.URL(), "builder_user": emulator.DefaultUser, "evolux_url": srv.URL()}
}

func seedCampaignForExample(_ *testing.T, srv *emulator.Server) map[string]string {
	id := builder.NewObjectID()
	name, status := "launch-2030", builder.StatusNotStarted
	srv.PutCampaign("acme", "sales-bot", builder.Campaign{ID: id, CampaignName: &name, Status: &status})
	return map[string]string{"campaign_id": id}
}

func fireTriggerForExample(t *testing.T, srv *emulator.Server) map[string]string {
	hc, err := client.New(client.Config{BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	id, err := builder.New(hc, builder.Credentials{APIKey: emulator.DefaultAPIKey}).
		FireTrigger(context.Background(), json.RawMessage(`{"campaign":"black-friday"}`))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"trigger_id": id}
}

// removedBlockKeepsCampaign shows the documented way to stop managing a
// campaign without deleting it: the removed block in removed.tf.
func removedBlockKeepsCampaign(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	t.Helper()
	removed := filepath.Join(w.dir, "removed.tf")
	content, err := os.ReadFile(removed)
	if err != nil {
		t.Fatal(err)
	}
	// First manage summer_sale, as the configuration did before the removed block.
	writeFile(t, removed, `
resource "campaigns_builder_campaign" "summer_sale" {
  organization  = "acme"
  bot_name      = "sales-bot"
  campaign_name = "summer-sale"
}
`)
	w.must("apply", "-auto-approve", "-input=false", "-no-color")
	held := len(srv.Campaigns())
	writeFile(t, removed, string(content))
	w.must("apply", "-auto-approve", "-input=false", "-no-color")
	if got := len(srv.Campaigns()); got != held {
		t.Errorf("the removed block deleted a campaign: the emulator holds %d, held %d", got, held)
	}
	for _, addr := range w.stateResourcesAll() {
		if strings.Contains(addr, "summer_sale") {
			t.Errorf("%s is still in state after the removed block", addr)
		}
	}
}

// pendingCampaignListed: the data source example lists the seeded campaign.
func pendingCampaignListed(t *testing.T, _ *emulator.Server, w *cliWorkdir) {
	t.Helper()
	res := w.must("output", "-json", "pending_campaign_names")
	if strings.TrimSpace(res.stdout) != `["launch-2030"]` {
		t.Errorf("pending_campaign_names = %s, want [\"launch-2030\"]", res.stdout)
	}
}

// actionExampleFires: the campaign's creation fired announce_launch once;
// invoking reminder fires once more; nothing else fires.
func actionExampleFires(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	t.Helper()
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("creating the campaign fired %d triggers, want 1 (announce_launch)", n)
	}
	w.must("apply", "-auto-approve", "-input=false", "-no-color", "-invoke=action.campaigns_builder_fire_trigger.reminder")
	if n := srv.Count(emulator.OpTriggerFire); n != 2 {
		t.Errorf("after -invoke of reminder the emulator counted %d fires, want 2", n)
	}
}

// seedCampaignsToAdopt: the bot already has two campaigns that have not
// started, and one that has concluded.
func seedCampaignsToAdopt(_ *testing.T, srv *emulator.Server) map[string]string {
	str := func(s string) *string { return &s }
	srv.PutCampaign("acme", "sales-bot", builder.Campaign{ID: builder.NewObjectID(), CampaignName: str("spring-sale"),
		Content: str("Promoção de primavera"), ScheduledDate: str("2030-09-22T10:00:00-03:00"), SheetValues: []string{"name"}})
	srv.PutCampaign("acme", "sales-bot", builder.Campaign{ID: builder.NewObjectID(), CampaignName: str("2030-renewals"),
		Name: str("Renewals"), File: str("audiences/renewals.csv")})
	return nil
}

// queryGeneratesAdoption runs the list resource example as its comment says,
// writing an import and a resource block per campaign; the apply that
// follows imports them.
func queryGeneratesAdoption(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	t.Helper()
	srv.ResetCounts()
	w.must("query", "-no-color", "-generate-config-out=adopted.tf")
	if n := srv.Count(emulator.OpCampaignList); n != 1 {
		t.Errorf("the query sent %d list requests, want 1", n)
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "adopted.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(generated), "\nimport {"); n != 2 {
		t.Errorf("adopted.tf has %d import blocks, want 2:\n%s", n, generated)
	}
}

// adoptWithGeneratedConfig follows the guide: import blocks from the
// data source's output, resource blocks from -generate-config-out, a plan
// that imports both campaigns and changes nothing, and no write to Builder.
func adoptWithGeneratedConfig(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	t.Helper()
	imports := w.must("output", "-raw", "import_blocks")
	writeFile(t, filepath.Join(w.dir, "imports.tf"), imports.stdout)
	w.must("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	expectAdoptionPlan(t, srv, w, 2)
}

// expectAdoptionPlan: the plan imports n campaigns and changes nothing, and
// its apply sends nothing but reads.
func expectAdoptionPlan(t *testing.T, srv *emulator.Server, w *cliWorkdir, n int) {
	t.Helper()
	w.must("plan", "-input=false", "-no-color", "-out=adopt.tfplan")
	plan, raw := w.savedPlan("adopt.tfplan")
	imported := 0
	for _, rc := range plan.ResourceChanges {
		if rc.Change != nil && rc.Change.Importing != nil {
			imported++
		}
	}
	if imported != n {
		t.Errorf("the plan imports %d campaigns, want %d", imported, n)
	}
	if changes := changesOtherThanNoOp(plan, true); len(changes) > 0 {
		t.Errorf("the adoption plan changes something: %s\n%s", strings.Join(changes, "; "), raw)
	}
	w.must("apply", "-auto-approve", "-input=false", "-no-color", "adopt.tfplan")
	for _, op := range []emulator.Op{emulator.OpCampaignCreate, emulator.OpCampaignUpdate, emulator.OpCampaignDelete} {
		if got := srv.Count(op); got != 0 {
			t.Errorf("adopting sent %d %s requests, want 0", got, op)
		}
	}
}

// seedRowsToAdopt: two of the three rows of the for_each example's CSV
// already exist in Builder, as another tool created them.
func seedRowsToAdopt(t *testing.T, srv *emulator.Server) map[string]string {
	t.Helper()
	rows := map[string][3]string{ // bot, campaign_name, scheduled_date, as in campaigns.csv
		"black-friday-2030":    {"sales-bot", "black-friday-2030", "2030-11-29T09:00:00-03:00"},
		"satisfaction-2030-q4": {"support-bot", "satisfaction-2030-q4", "2030-12-10T14:00:00-03:00"},
	}
	contents := map[string]string{
		"black-friday-2030":    "Olá {{name}}! Nossa Black Friday começou.",
		"satisfaction-2030-q4": "Olá {{name}}, como foi seu atendimento?",
	}
	for name, row := range rows {
		campaignName, scheduled, content := row[1], row[2], contents[name]
		srv.PutCampaign("acme", row[0], builder.Campaign{ID: builder.NewObjectID(), CampaignName: &campaignName,
			ScheduledDate: &scheduled, Content: &content})
	}
	return nil
}

// rowsAdopted: the apply imported the two existing campaigns and created
// only the third row's.
func rowsAdopted(t *testing.T, srv *emulator.Server, _ *cliWorkdir) {
	t.Helper()
	if n := srv.Count(emulator.OpCampaignCreate); n != 1 {
		t.Errorf("the apply created %d campaigns, want 1 (the row that did not exist)", n)
	}
	if n := srv.Count(emulator.OpCampaignUpdate); n != 0 {
		t.Errorf("the apply updated %d campaigns, want 0: the imported rows match", n)
	}
	if n := len(srv.Campaigns()); n != 3 {
		t.Errorf("the emulator holds %d campaigns, want 3", n)
	}
}

// examplePhonesUploaded: the example's audiences uploaded exactly these phones, each once, in any order.
// exampleStateLacks: the state after the apply holds none of texts, and the trigger fired.
func exampleStateLacks(texts ...string) func(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	return func(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
		if err := stateLacks(texts).check(w.state()); err != nil {
			t.Error(err)
		}
		if n := srv.Count(emulator.OpTriggerFire); n != 1 {
			t.Errorf("%d fires, want 1", n)
		}
	}
}

func examplePhonesUploaded(phones ...string) func(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	return func(t *testing.T, srv *emulator.Server, _ *cliWorkdir) {
		got := srv.Uploaded()
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(phones, ",") {
			t.Errorf("the example uploaded %v, want %v, each once", got, phones)
		}
	}
}

// exampleOutputsAre: each output's value, as `output -json` prints it compacted, is the one given.
func exampleOutputsAre(want map[string]string) func(t *testing.T, srv *emulator.Server, w *cliWorkdir) {
	return func(t *testing.T, _ *emulator.Server, w *cliWorkdir) {
		t.Helper()
		for name, value := range want {
			var got bytes.Buffer
			if err := json.Compact(&got, []byte(w.must("output", "-json", name).stdout)); err != nil || got.String() != value {
				t.Errorf("output %s = %s, want %s", name, got.String(), value)
			}
		}
	}
}
