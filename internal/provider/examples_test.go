package provider

import (
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
	"guides/testing-with-the-emulator":            {},
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
		if !d.IsDir() && filepath.Ext(path) == ".tf" {
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
