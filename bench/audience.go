package bench

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Audience is scenario f: campaigns_evolux_campaign_subscribers inserting AudienceSize subscribers from a CSV
// (csvdecode) into one campaign, then a plan that refreshes them: the requests, the time beside the floor (the
// CLI applying the same map held by terraform_data, with no provider, plus the report read bare) and the
// provider's peak memory. Every phone must be uploaded exactly once.
func Audience(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "f. audience"
	srv, err := emulator.Start(emulator.Config{Seed: 1, PageSize: o.EvoluxPageSize})
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()
	srv.SetLatency(o.EvoluxLatency)
	dir, err := workdir(filepath.Join(o.Work, "audience"), audienceHCL(srv.URL()))
	if err != nil {
		return nil, err
	}
	floorDir, err := workdir(filepath.Join(o.Work, "audience-floor"), `
resource "terraform_data" "a" {
  input = {
    for row in csvdecode(file("${path.module}/audience.csv")) :
    row.phone => { name = row.name, parameters = [row.parameter1, row.parameter2], fields = { CPF = row.CPF } }
  }
}
`)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{dir, floorDir} {
		if err := writeAudienceCSV(filepath.Join(d, "audience.csv"), o.AudienceSize); err != nil {
			return nil, err
		}
		if err := o.init(ctx, d); err != nil {
			return nil, err
		}
	}
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	plan := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
	pages := (o.AudienceSize + o.EvoluxPageSize - 1) / o.EvoluxPageSize
	size := fmt.Sprintf("%dk subscribers", o.AudienceSize/1000)

	var applies, plans, floors, bare []time.Duration
	var applyPeak, planPeak int64
	var applyCounts, planCounts map[emulator.Op]int
	for run := range o.audienceRuns() {
		removeState(dir)
		removeState(floorDir)
		srv.SetSubscribers(0) // an empty campaign again
		srv.ResetCounts()
		r, err := o.CLI.Run(ctx, dir, apply...)
		if err != nil {
			return nil, err
		}
		applyCounts = srv.Counts()
		if got := len(srv.Uploaded()); got != o.AudienceSize {
			return nil, fmt.Errorf("audience apply uploaded %d phones, want %d, each once", got, o.AudienceSize)
		}
		if inserted, err := applyOutput(dir, "inserted"); err != nil || inserted != strconv.Itoa(o.AudienceSize) {
			return nil, fmt.Errorf("audience apply: output inserted %q, want %d: %w", inserted, o.AudienceSize, err)
		}
		applies, applyPeak = append(applies, r.Wall), max(applyPeak, r.PeakRSSKiB)
		srv.ResetCounts()
		p, err := o.CLI.Run(ctx, dir, plan...)
		if err != nil {
			return nil, fmt.Errorf("the plan after the apply is not empty: %w", err)
		}
		planCounts = srv.Counts()
		plans, planPeak = append(plans, p.Wall), max(planPeak, p.PeakRSSKiB)
		f, err := o.CLI.Run(ctx, floorDir, apply...)
		if err != nil {
			return nil, err
		}
		floors = append(floors, f.Wall)
		srv.ResetCounts()
		b, err := BarePages(ctx, srv.URL(), pages, o.EvoluxPageSize, 32)
		if err != nil {
			return nil, err
		}
		bare = append(bare, b)
		o.logf("  audience run %d: apply %s (%s, peak RSS %s), plan %s (%s, peak RSS %s); floor: terraform_data apply %s, %d bare pages %s",
			run+1, seconds(r.Wall), formatCounts(applyCounts), mb(r.PeakRSSKiB), seconds(p.Wall), formatCounts(planCounts),
			mb(p.PeakRSSKiB), seconds(f.Wall), pages, seconds(b))
	}
	floor := median(floors) + median(bare)
	floorText := fmt.Sprintf("floor %s = terraform_data applying the same map %s (runs: %s) + %d bare report pages at 32 in flight %s",
		seconds(floor), seconds(median(floors)), list(floors, seconds), pages, seconds(median(bare)))
	return []Figure{
		{
			Scenario: scenario, Name: size + ": apply / floor", Measured: seconds(median(applies)),
			Detail: fmt.Sprintf("runs: %s; %.2f× the floor; %s; requests %s; every phone uploaded exactly once (checked every run)",
				list(applies, seconds), float64(median(applies))/float64(floor), floorText, formatCounts(applyCounts)),
		},
		{
			Scenario: scenario, Name: size + ": plan (one refresh) wall time", Measured: seconds(median(plans)),
			Detail: fmt.Sprintf("runs: %s; requests %s; empty (-detailed-exitcode)", list(plans, seconds), formatCounts(planCounts)),
		},
		{
			Scenario: scenario, Name: size + ": provider peak RSS", Target: "≤ 1 GB",
			Measured: mb(max(applyPeak, planPeak)), Met: met(float64(max(applyPeak, planPeak))*1024 <= 1e9),
			Detail: fmt.Sprintf("apply %s, plan %s: largest ru_maxrss of the provider processes", mb(applyPeak), mb(planPeak)),
		},
	}, nil
}

func (o Options) audienceRuns() int { return max(1, o.EvoluxRuns) }

// writeAudienceCSV writes n subscribers with two parameters and a custom field, names quoted where needed.
func writeAudienceCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"name", "phone", "parameter1", "parameter2", "CPF"})
	for i := range n {
		_ = w.Write([]string{fmt.Sprintf("Silva, Maria %d", i), fmt.Sprintf("55119%08d", i), "Maria", "30%",
			fmt.Sprintf("%03d.%03d.%03d-%02d", i%1000, i/1000%1000, i/1000000, i%100)})
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}

// applyOutput is an output's value as the apply's log prints it: `name = value`.
func applyOutput(dir, name string) (string, error) {
	log, err := os.ReadFile(filepath.Join(dir, "apply.log"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` = "?([^"\n]*)"?$`).FindSubmatch(log)
	if m == nil {
		return "", fmt.Errorf("output %s not in the apply's log", name)
	}
	return string(m[1]), nil
}

// audienceHCL is one audience of the emulator's first campaign, read from audience.csv.
func audienceHCL(url string) string {
	return providerHCL(url) + fmt.Sprintf(`
resource "campaigns_evolux_campaign_subscribers" "a" {
  campaign_uuid = %q
  subscribers = {
    for row in csvdecode(file("${path.module}/audience.csv")) :
    row.phone => { name = row.name, parameters = [row.parameter1, row.parameter2], fields = { CPF = row.CPF } }
  }
}

output "inserted" {
  value = nonsensitive(length([for o in campaigns_evolux_campaign_subscribers.a.insert_outcomes : o if o == "inserted"]))
}
`, emulator.SubscriberCampaigns()[0].UUID)
}
