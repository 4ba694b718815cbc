package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Options are the scenarios' sizes and knobs; DefaultOptions are the ones
// the targets of BENCHMARKS.md are stated for.
type Options struct {
	CLI  *CLI
	Work string // scratch directory for the CLI's working directories
	Runs int    // repetitions of each timed command; the median is reported
	// EvoluxRuns repeats the (slow) Evolux commands; 0 means Runs.
	EvoluxRuns int
	Log        io.Writer // progress

	ApplyCount, ApplyBots, Parallelism int
	ApplyLatency                       time.Duration

	PlanCount, PlanBots int
	PlanLatency         time.Duration

	EvoluxRecords, EvoluxPageSize int
	EvoluxLatency                 time.Duration

	StartRuns int

	// ThrottledRates are the rate limits of scenario e, in requests a
	// second; ThrottledApplyCount the campaigns it applies and
	// ThrottledRecords the Evolux records it reads (EvoluxPageSize a page).
	ThrottledRates                        []float64
	ThrottledApplyCount, ThrottledRecords int

	// AudienceSize is how many subscribers scenario f inserts into one Evolux campaign.
	AudienceSize int
}

// DefaultOptions are the sizes of issue 8.
func DefaultOptions() Options {
	return Options{
		Runs:           5,
		EvoluxRuns:     3,
		ApplyCount:     200,
		ApplyBots:      4,
		Parallelism:    10,
		PlanCount:      500,
		PlanBots:       5,
		PlanLatency:    50 * time.Millisecond,
		EvoluxRecords:  100_000,
		EvoluxPageSize: 50,
		EvoluxLatency:  20 * time.Millisecond,
		StartRuns:      20,

		ThrottledRates:      []float64{2, 5, 10, 20, 50},
		ThrottledApplyCount: 100,
		ThrottledRecords:    20_000,
		AudienceSize:        100_000,
	}
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

func (o Options) init(ctx context.Context, dir string) error {
	_, err := o.CLI.Run(ctx, dir, "init", "-input=false", "-no-color")
	return err
}

func removeState(dir string) {
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		_ = os.Remove(filepath.Join(dir, name))
	}
}

func mb(kib int64) string { return fmt.Sprintf("%.0f MB", float64(kib)*1024/1e6) }

// Apply is scenario a: apply ApplyCount campaigns over ApplyBots bots at
// Parallelism, beside the floor measured in the same run against the same
// emulator: the same CLI applying as many terraform_data resources (the
// CLI's own cost), plus BarePosts (the network's).
func Apply(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "a. apply"
	srv, err := emulator.Start(emulator.Config{Latency: o.ApplyLatency})
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()
	const org = "bench-apply"
	providerDir, err := workdir(filepath.Join(o.Work, "apply-provider"), campaignsHCL(srv.URL(), org, o.ApplyCount, o.ApplyBots))
	if err != nil {
		return nil, err
	}
	floorDir, err := workdir(filepath.Join(o.Work, "apply-terraform-data"), terraformDataHCL(org, o.ApplyCount, o.ApplyBots))
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{providerDir, floorDir} {
		if err := o.init(ctx, dir); err != nil {
			return nil, err
		}
	}
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=" + strconv.Itoa(o.Parallelism)}
	want := map[emulator.Op]int{emulator.OpLogin: 1, emulator.OpCampaignCreate: o.ApplyCount}

	var provider, core, posts []time.Duration
	var providerCPU, coreCPU, postsCPU, pluginCPU []time.Duration
	var peak int64
	conns := 0
	requestsOK, floorOK := true, true
	var counts map[emulator.Op]int
	for run := range o.Runs {
		removeState(providerDir)
		removeState(floorDir)

		srv.ResetCounts()
		before := clientPorts(srv.URL())
		r, err := o.CLI.Run(ctx, providerDir, apply...)
		if err != nil {
			return nil, err
		}
		opened := newPorts(before, clientPorts(srv.URL()))
		conns = max(conns, opened)
		counts = srv.Counts()
		requestsOK = requestsOK && exactCounts(counts, want)
		provider = append(provider, r.Wall)
		providerCPU = append(providerCPU, r.CPU+r.HarnessCPU)
		pluginCPU = append(pluginCPU, r.ProviderCPU)
		peak = max(peak, r.PeakRSSKiB)

		srv.ResetCounts()
		f, err := o.CLI.Run(ctx, floorDir, apply...)
		if err != nil {
			return nil, err
		}
		floorOK = floorOK && srv.TotalRequests() == 0
		core = append(core, f.Wall)
		coreCPU = append(coreCPU, f.CPU+f.HarnessCPU)

		srv.ResetCounts()
		harness := selfCPU()
		p, err := BarePosts(ctx, srv.URL(), org, o.ApplyCount, o.ApplyBots, o.Parallelism)
		if err != nil {
			return nil, fmt.Errorf("bare POSTs: %w", err)
		}
		postsCPU = append(postsCPU, selfCPU()-harness)
		floorOK = floorOK && exactCounts(srv.Counts(), want)
		posts = append(posts, p)
		o.logf("  apply run %d: provider %s (%s, %d connections, peak RSS %s), terraform_data %s, bare POSTs %s",
			run+1, seconds(r.Wall), formatCounts(counts), opened, mb(r.PeakRSSKiB), seconds(f.Wall), seconds(p))
	}
	if !floorOK {
		return nil, fmt.Errorf("the floor did not send exactly the requests it should")
	}
	floor := median(core) + median(posts)
	ratio := float64(median(provider)) / float64(floor)
	floorCPU := median(coreCPU) + median(postsCPU)
	ratioCPU := float64(median(providerCPU)) / float64(floorCPU)
	return []Figure{
		{
			Scenario: scenario, Name: fmt.Sprintf("apply %d campaigns / floor", o.ApplyCount),
			Target: "≤ 2.5×", Measured: fmt.Sprintf("%.2f×", ratio), Met: met(ratio <= 2.5),
			Detail: fmt.Sprintf("provider apply median %s (runs: %s); floor %s = terraform_data apply %s (runs: %s) + bare POSTs %s (runs: %s); %d bots, -parallelism=%d, latency %s",
				seconds(median(provider)), list(provider, seconds), seconds(floor), seconds(median(core)), list(core, seconds),
				seconds(median(posts)), list(posts, seconds), o.ApplyBots, o.Parallelism, o.ApplyLatency),
		},
		{
			Scenario: scenario, Name: "apply CPU / floor CPU (every process)",
			Measured: fmt.Sprintf("%.2f×", ratioCPU),
			Detail: fmt.Sprintf("user+system time of the CLI, its providers and the emulator: provider apply %s (runs: %s; the provider processes alone %s); floor %s = terraform_data apply %s + bare POSTs with the emulator %s; less disturbed than wall time by other work on the machine",
				seconds(median(providerCPU)), list(providerCPU, seconds), seconds(median(pluginCPU)), seconds(floorCPU),
				seconds(median(coreCPU)), seconds(median(postsCPU))),
		},
		{
			Scenario: scenario, Name: "requests of the apply",
			Target:   fmt.Sprintf("1 login + %d POSTs, nothing else", o.ApplyCount),
			Measured: formatCounts(counts), Met: met(requestsOK),
			Detail: "every run checked",
		},
		{
			Scenario: scenario, Name: "connections opened by the apply",
			Target:   fmt.Sprintf("≤ %d (keep-alive)", o.Parallelism+1),
			Measured: strconv.Itoa(conns), Met: met(conns > 0 && conns <= o.Parallelism+1),
			Detail: fmt.Sprintf("most new TCP connections to the emulator in one run (/proc/net/tcp before and after), for the %d requests at -parallelism=%d",
				o.ApplyCount+1, o.Parallelism),
		},
		{
			Scenario: scenario, Name: "provider peak RSS (apply)",
			Measured: mb(peak),
			Detail:   "largest ru_maxrss of the provider processes of any run",
		},
	}, nil
}

// Plan is scenario b: a plan of PlanCount campaigns over PlanBots bots,
// state prepared by an apply, at no latency and at PlanLatency. The plan
// must be empty and cost one login and one list per bot.
func Plan(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "b. plan"
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()
	dir, err := workdir(filepath.Join(o.Work, "plan"), campaignsHCL(srv.URL(), "bench-plan", o.PlanCount, o.PlanBots))
	if err != nil {
		return nil, err
	}
	if err := o.init(ctx, dir); err != nil {
		return nil, err
	}
	parallelism := "-parallelism=" + strconv.Itoa(o.Parallelism)
	setup, err := o.CLI.Run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", parallelism)
	if err != nil {
		return nil, err
	}
	o.logf("  plan setup: apply of %d campaigns %s (%s)", o.PlanCount, seconds(setup.Wall), formatCounts(srv.Counts()))

	// Each bot's list is read ListLimit at a time until a page is shorter
	// than asked: a full last page costs one request more, the proof that
	// the server does not cap its list (issue 17).
	lists := 0
	for bot := range o.PlanBots {
		lists += (o.PlanCount/o.PlanBots+boolInt(bot < o.PlanCount%o.PlanBots))/builder.ListLimit + 1
	}
	want := map[emulator.Op]int{emulator.OpLogin: 1, emulator.OpCampaignList: lists}
	latencies := []time.Duration{0, o.PlanLatency}
	walls := make([][]time.Duration, len(latencies))
	cpus := make([][]time.Duration, len(latencies))
	var peak int64
	requestsOK := true
	var counts map[emulator.Op]int
	for run := range o.Runs {
		for i, latency := range latencies {
			srv.SetLatency(latency)
			srv.ResetCounts()
			// -detailed-exitcode: a plan with changes exits 2, which fails the run.
			r, err := o.CLI.Run(ctx, dir, "plan", "-input=false", "-no-color", "-detailed-exitcode", parallelism)
			if err != nil {
				return nil, err
			}
			counts = srv.Counts()
			requestsOK = requestsOK && exactCounts(counts, want)
			walls[i] = append(walls[i], r.Wall)
			cpus[i] = append(cpus[i], r.ProviderCPU)
			peak = max(peak, r.PeakRSSKiB)
			o.logf("  plan run %d at %s: %s (%s, peak RSS %s)", run+1, latency, seconds(r.Wall), formatCounts(counts), mb(r.PeakRSSKiB))
		}
	}
	srv.SetLatency(0)
	ratio := float64(median(walls[1])) / float64(median(walls[0]))
	return []Figure{
		{
			Scenario: scenario, Name: fmt.Sprintf("requests of a plan of %d campaigns", o.PlanCount),
			Target:   fmt.Sprintf("1 login + %d lists (%d bots, %d at a time) + 0 GETs", lists, o.PlanBots, builder.ListLimit),
			Measured: formatCounts(counts), Met: met(requestsOK),
			Detail: "every run checked; every plan empty (-detailed-exitcode)",
		},
		{
			Scenario: scenario, Name: fmt.Sprintf("plan wall time %s / 0 ms", o.PlanLatency),
			Target: "≤ 1.3×", Measured: fmt.Sprintf("%.2f×", ratio), Met: met(ratio <= 1.3),
			Detail: fmt.Sprintf("median at 0 ms %s (runs: %s); at %s %s (runs: %s); provider CPU per plan %s and %s; setup apply of %d campaigns %s",
				seconds(median(walls[0])), list(walls[0], seconds), o.PlanLatency, seconds(median(walls[1])), list(walls[1], seconds),
				seconds(median(cpus[0])), seconds(median(cpus[1])), o.PlanCount, seconds(setup.Wall)),
		},
		{
			Scenario: scenario, Name: "provider peak RSS (plan)",
			Measured: mb(max(peak, setup.PeakRSSKiB)),
			Detail:   fmt.Sprintf("plans %s, setup apply %s", mb(peak), mb(setup.PeakRSSKiB)),
		},
	}, nil
}

// Startup is scenario d: from the start of the provider binary to its
// schema answer, as a CLI starts it, StartRuns times after two warm-up
// starts.
func Startup(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "d. start-up"
	var handshakes, schemas []time.Duration
	var size int
	for i := range o.StartRuns + 2 {
		s, err := StartToSchema(ctx, o.CLI.Provider)
		if err != nil {
			return nil, err
		}
		if i < 2 {
			continue
		}
		handshakes = append(handshakes, s.Handshake)
		schemas = append(schemas, s.Schema)
		size = s.SchemaBytes
	}
	o.logf("  start-up: schema served after %s (median of %d), handshake %s", milliseconds(median(schemas)), len(schemas), milliseconds(median(handshakes)))
	return []Figure{
		{
			Scenario: scenario, Name: "provider start to schema served",
			Target: "< 50 ms", Measured: milliseconds(median(schemas)), Met: met(median(schemas) < 50*time.Millisecond),
			Detail: fmt.Sprintf("median of %d starts (p90 %s, max %s); handshake line after %s (median); GetProviderSchema answer %d bytes; go-plugin's client with automatic mutual TLS over a Unix socket, as a CLI starts it",
				len(schemas), milliseconds(percentile(schemas, 90)), milliseconds(percentile(schemas, 100)), milliseconds(median(handshakes)), size),
		},
	}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
