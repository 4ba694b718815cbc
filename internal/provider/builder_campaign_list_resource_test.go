package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// terraform query and actions need Terraform 1.14+; `make test` runs them
// under scripts/cli.sh latest.
var version1_14 = goversion.Must(goversion.NewVersion("1.14.0"))

func skipBelowTerraform1_14(t *testing.T, w *cliWorkdir) {
	t.Helper()
	out := w.must("version")
	if w.version.LessThan(version1_14) || strings.HasPrefix(out.stdout, "OpenTofu") {
		t.Skipf("needs Terraform 1.14+ (terraform query, actions); this CLI is %s %s: make testacc-latest runs it",
			strings.Fields(out.stdout)[0], w.version)
	}
}

const campaignQuery = `
list "campaigns_builder_campaign" "sales" {
  provider         = campaigns
  include_resource = true

  config {
    organization = "acme"
    bot_name     = "sales-bot"
  }
}
`

// seedVariedCampaigns stores three campaigns in acme/sales-bot as another
// tool would, with every kind of attribute set in some of them, and one in
// another bot that a query of sales-bot must not return.
func seedVariedCampaigns(srv *emulator.Server) []string {
	str := func(s string) *string { return &s }
	campaigns := []builder.Campaign{
		{CampaignName: str("welcome"), Name: str("Welcome"), Description: str("First message"), Content: str("Olá!"),
			ScheduledDate: str("2030-01-01T12:00:00Z"), SheetValues: []string{"name", "phone"}},
		{CampaignName: str("reminder"), Content: str("Lembrete"), File: str("audiences/reminder.csv")},
		{CampaignName: str("concluded"), Status: str(builder.StatusConcluded), LogFile: str("logs/concluded.log")},
	}
	ids := make([]string, len(campaigns))
	for i, c := range campaigns {
		c.ID = builder.NewObjectID()
		ids[i] = c.ID
		srv.PutCampaign("acme", "sales-bot", c)
	}
	srv.PutCampaign("acme", "support-bot", builder.Campaign{CampaignName: str("elsewhere")})
	return ids
}

// Adoption with terraform query: three campaigns created out of band become
// configuration that imports them and plans no change, from one list request.
func TestAccBuilderCampaignList_queryGeneratesConfigThatImportsWithNoChanges(t *testing.T) {
	t.Parallel()
	// A list that answers summaries, or pydantic v1's spelling, must still
	// generate configuration that matches what Builder holds.
	for _, dialect := range []emulator.Dialect{emulator.DialectReference, emulator.DialectListSummaries, emulator.DialectPydanticV1} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			testQueryGeneratesAdoption(t, emulator.Config{Dialects: []emulator.Dialect{dialect}})
		})
	}
}

func testQueryGeneratesAdoption(t *testing.T, cfg emulator.Config) {
	srv := startEmulator(t, cfg)
	w := newCLIWorkdir(t, providerConfig(srv))
	skipBelowTerraform1_14(t, w)
	ids := seedVariedCampaigns(srv)
	writeFile(t, filepath.Join(w.dir, "campaigns.tfquery.hcl"), campaignQuery)
	w.initWorkdir()
	srv.ResetCounts()

	res := w.must("query", "-no-color", "-generate-config-out=generated.tf")
	for _, id := range ids {
		if !strings.Contains(res.stdout, id) {
			t.Errorf("query output does not list campaign %s:\n%s", id, res.stdout)
		}
	}
	// One list; a campaign is read by id only when its list entry may be a
	// summary, and at most once.
	if got := srv.Count(emulator.OpCampaignList); got != 1 {
		t.Errorf("the query sent %d list requests, want 1 (counts: %v)", got, srv.Counts())
	}
	if got := srv.Count(emulator.OpCampaignRead); got > len(ids) {
		t.Errorf("the query read campaigns %d times, want at most %d (one each)", got, len(ids))
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`(?m)^import \{`).FindAll(generated, -1)); n != 3 {
		t.Errorf("generated.tf has %d import blocks, want 3:\n%s", n, generated)
	}
	if strings.Contains(string(generated), "elsewhere") {
		t.Errorf("generated.tf holds a campaign of another bot:\n%s", generated)
	}

	w.must("plan", "-input=false", "-no-color", "-out=import.tfplan")
	plan, raw := w.savedPlan("import.tfplan")
	imports := 0
	for _, rc := range plan.ResourceChanges {
		if rc.Change != nil && rc.Change.Importing != nil {
			imports++
		}
	}
	if imports != 3 {
		t.Errorf("the plan imports %d campaigns, want 3", imports)
	}
	if changes := changesOtherThanNoOp(plan, false); len(changes) > 0 {
		t.Errorf("the plan of the generated configuration changes something: %s\n%s", strings.Join(changes, "; "), raw)
	}
	w.must("apply", "-input=false", "-no-color", "-auto-approve", "import.tfplan")
	if got := stateResources(w.state(), "campaigns_builder_campaign"); len(got) != 3 {
		t.Errorf("state holds %d campaigns after the import, want 3", len(got))
	}
	for _, op := range []emulator.Op{emulator.OpCampaignCreate, emulator.OpCampaignUpdate, emulator.OpCampaignDelete} {
		if n := srv.Count(op); n != 0 {
			t.Errorf("adopting sent %d %s requests, want 0", n, op)
		}
	}
	w.must("plan", "-input=false", "-no-color", "-out=after.tfplan")
	after, raw := w.savedPlan("after.tfplan")
	if changes := changesOtherThanNoOp(after, false); len(changes) > 0 {
		t.Errorf("the plan after the import is not empty: %s\n%s", strings.Join(changes, "; "), raw)
	}
}

// The filters select as the data source's do, limit = 1 gives the first
// campaign in id order (Terraform also cuts results at the limit), and
// without include_resource only identities come back.
func TestAccBuilderCampaignList_filtersByStatusAndName(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	w := newCLIWorkdir(t, providerConfig(srv))
	skipBelowTerraform1_14(t, w)
	ids := seedVariedCampaigns(srv)
	writeFile(t, filepath.Join(w.dir, "campaigns.tfquery.hcl"), `
list "campaigns_builder_campaign" "pending" {
  provider = campaigns
  config {
    organization = "acme"
    bot_name     = "sales-bot"
    status       = "not_started"
  }
}

list "campaigns_builder_campaign" "first" {
  provider = campaigns
  limit    = 1
  config {
    organization = "acme"
    bot_name     = "sales-bot"
  }
}

list "campaigns_builder_campaign" "concluded" {
  provider = campaigns
  config {
    organization  = "acme"
    bot_name      = "sales-bot"
    campaign_name = "concluded"
  }
}
`)
	w.initWorkdir()
	res := w.must("query", "-no-color", "-json")
	found := map[string][]string{}
	for _, line := range strings.Split(res.stdout, "\n") {
		var msg struct {
			Type       string `json:"type"`
			ListResult struct {
				Address  string         `json:"address"`
				Identity map[string]any `json:"identity"`
				Resource map[string]any `json:"resource_object"`
			} `json:"list_resource_found"`
		}
		if !strings.HasPrefix(line, "{") || jsonUnmarshal(line, &msg) != nil || msg.Type != "list_resource_found" {
			continue
		}
		id, _ := msg.ListResult.Identity["id"].(string)
		found[msg.ListResult.Address] = append(found[msg.ListResult.Address], id)
		if msg.ListResult.Identity["organization"] != "acme" || msg.ListResult.Identity["bot_name"] != "sales-bot" {
			t.Errorf("identity %v, want organization acme and bot_name sales-bot", msg.ListResult.Identity)
		}
		if msg.ListResult.Resource != nil {
			t.Errorf("a query without include_resource returned the resource: %v", msg.ListResult.Resource)
		}
	}
	wantPending := sortedCopy(ids[:2])
	if got := found["list.campaigns_builder_campaign.pending"]; fmt.Sprint(got) != fmt.Sprint(wantPending) {
		t.Errorf("status = not_started found %v, want %v in id order\n%s", got, wantPending, res.stdout)
	}
	if got := found["list.campaigns_builder_campaign.first"]; fmt.Sprint(got) != fmt.Sprint(sortedCopy(ids)[:1]) {
		t.Errorf("limit = 1 found %v, want the first in id order, %v\n%s", got, sortedCopy(ids)[:1], res.stdout)
	}
	if got := found["list.campaigns_builder_campaign.concluded"]; fmt.Sprint(got) != fmt.Sprint(ids[2:]) {
		t.Errorf("campaign_name = concluded found %v, want %v\n%s", got, ids[2:], res.stdout)
	}
}

func jsonUnmarshal(text string, v any) error { return json.Unmarshal([]byte(text), v) }

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
