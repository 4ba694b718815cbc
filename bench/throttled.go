package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// The targets of scenario e, for every throttled run.
const (
	throttledMaxRatio   = 1.3
	throttledMaxRefused = 0.10
)

// ParseRates reads a list of rates in requests a second, separated by
// spaces or commas ("2 5 10 20 50").
func ParseRates(text string) ([]float64, error) {
	var rates []float64
	for _, field := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		rate, err := strconv.ParseFloat(field, 64)
		if err != nil || rate <= 0 {
			return nil, fmt.Errorf("rate %q: want a number of requests a second above 0", field)
		}
		rates = append(rates, rate)
	}
	if len(rates) == 0 {
		return nil, errors.New("no rate given")
	}
	return rates, nil
}

// throttledCase is one workload of scenario e: what runs, against which
// API's bucket, how many requests it needs at least, and how to tell that
// it did exactly its work.
type throttledCase struct {
	name string // "apply 100 campaigns"
	api  string // "Builder" or "Evolux"
	// start serves a new emulator limited to limit, with the CLI's
	// working directory pointing at it.
	start func(ctx context.Context, limit emulator.RateLimit) (*emulator.Server, error)
	// run is the timed CLI command; exact checks the outcome after it.
	run   func(ctx context.Context) (Run, error)
	exact func(srv *emulator.Server) (bool, string)
	// minimum is the fewest requests the work can take, which bounds how
	// long a run may go on before it is stopped as a failure.
	minimum int
}

// throttledResult is one run of a throttledCase.
type throttledResult struct {
	run               Run
	err               error
	sent, refused     int
	counts            map[emulator.Op]int
	exact             bool
	exactText         string
	limit             emulator.RateLimit
	stoppedAfter      time.Duration // > 0 when the run outlasted its limit
	wall, floor       time.Duration
	acceptedOverRate  time.Duration
	ratio, refusedPct float64
}

// Throttled is scenario e: the work of scenarios a and c against an API
// that limits its rate with a token bucket (emulator.RateLimit), at each of
// ThrottledRates, with and without Retry-After on its 429s. Each run's
// floor is the longer of what the server accepted at its rate and the same
// work unthrottled (measured once here); the run must stay within 1.3× of
// it, be refused at most 10% of what it sends, and do its work exactly.
func Throttled(ctx context.Context, o Options) ([]Figure, error) {
	cases := []throttledCase{throttledApply(o), throttledRead(o)}
	var figures []Figure
	for _, c := range cases {
		got, err := c.measure(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		figures = append(figures, got...)
	}
	return figures, nil
}

// throttledApply is case (a): scenario a's apply of ThrottledApplyCount
// campaigns at Parallelism, against the Builder bucket. Exact: the emulator
// holds exactly those campaigns, each name once, each id once.
func throttledApply(o Options) throttledCase {
	const org = "bench-throttled"
	dir := filepath.Join(o.Work, "throttled-apply")
	count := o.ThrottledApplyCount
	c := throttledCase{
		name:    fmt.Sprintf("apply %d campaigns", count),
		api:     "Builder",
		minimum: count + 1,
	}
	initialized := false
	c.start = func(ctx context.Context, limit emulator.RateLimit) (*emulator.Server, error) {
		srv, err := emulator.Start(emulator.Config{Latency: o.ApplyLatency, BuilderRate: limit})
		if err != nil {
			return nil, err
		}
		if err := pointAt(ctx, o, dir, campaignsHCL(srv.URL(), org, count, o.ApplyBots), &initialized); err != nil {
			_ = srv.Close()
			return nil, err
		}
		removeState(dir)
		return srv, nil
	}
	c.run = func(ctx context.Context) (Run, error) {
		return o.CLI.Run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism="+strconv.Itoa(o.Parallelism))
	}
	c.exact = func(srv *emulator.Server) (bool, string) {
		names, ids := map[string]int{}, map[string]bool{}
		for _, campaign := range srv.Campaigns() {
			if campaign.CampaignName != nil {
				names[*campaign.CampaignName]++
			}
			ids[campaign.ID] = true
		}
		stored := len(srv.Campaigns())
		missing, twice := 0, 0
		for i := range count {
			switch n := names[fmt.Sprintf("campaign-%d", i)]; {
			case n == 0:
				missing++
			case n > 1:
				twice += n - 1
			}
		}
		ok := stored == count && len(ids) == count && missing == 0 && twice == 0
		if ok {
			return true, fmt.Sprintf("exactly %d campaigns on the emulator, none twice", count)
		}
		return false, fmt.Sprintf("NOT EXACT: %d campaigns on the emulator (want %d), %d missing, %d duplicates", stored, count, missing, twice)
	}
	return c
}

// throttledRead is case (b): scenario c's counts-only plan of
// campaigns_evolux_subscribers, ThrottledRecords records at EvoluxPageSize
// a page with EvoluxLatency, against the Evolux bucket. Exact: the total
// read equals the emulator's records.
func throttledRead(o Options) throttledCase {
	dir := filepath.Join(o.Work, "throttled-evolux")
	records := o.ThrottledRecords
	pages := (records + o.EvoluxPageSize - 1) / o.EvoluxPageSize
	c := throttledCase{
		name:    fmt.Sprintf("report read of %d records (%d pages, counts only)", records, pages),
		api:     "Evolux",
		minimum: pages,
	}
	initialized := false
	c.start = func(ctx context.Context, limit emulator.RateLimit) (*emulator.Server, error) {
		srv, err := emulator.Start(emulator.Config{Subscribers: records, Seed: 1, PageSize: o.EvoluxPageSize,
			Latency: o.EvoluxLatency, EvoluxRate: limit})
		if err != nil {
			return nil, err
		}
		if err := pointAt(ctx, o, dir, subscriberCountsHCL(srv.URL()), &initialized); err != nil {
			_ = srv.Close()
			return nil, err
		}
		return srv, nil
	}
	c.run = func(ctx context.Context) (Run, error) {
		return o.CLI.Run(ctx, dir, "plan", "-input=false", "-no-color")
	}
	c.exact = func(*emulator.Server) (bool, string) {
		total, err := planOutput(dir, "total")
		if err == nil && total == strconv.Itoa(records) {
			return true, fmt.Sprintf("total read %s = the emulator's %d records", total, records)
		}
		return false, fmt.Sprintf("NOT EXACT: total read %q, the emulator holds %d records (%v)", total, records, err)
	}
	return c
}

// pointAt writes hcl as dir's configuration; the first time it also
// initializes dir. A new emulator's port changes only main.tf.
func pointAt(ctx context.Context, o Options, dir, hcl string, initialized *bool) error {
	if !*initialized {
		if _, err := workdir(dir, hcl); err != nil {
			return err
		}
		if err := o.init(ctx, dir); err != nil {
			return err
		}
		*initialized = true
		return nil
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o644)
}

// measure runs c unthrottled once, then at every rate with and without
// Retry-After, each run on a new emulator (a full bucket, no campaign).
func (c throttledCase) measure(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "e. throttled"
	base := c.once(ctx, o, emulator.RateLimit{}, 0)
	if base.err != nil {
		return nil, fmt.Errorf("unthrottled run: %w", base.err)
	}
	if !base.exact {
		return nil, fmt.Errorf("unthrottled run: %s", base.exactText)
	}
	o.logf("  throttled %s, unthrottled: %s (%s)", c.name, seconds(base.wall), formatCounts(base.counts))
	figures := []Figure{{
		Scenario: scenario, Name: c.name + ", unthrottled",
		Measured: seconds(base.wall),
		Detail: fmt.Sprintf("the floor of every throttled run below that is faster at its rate; requests %s; %s; provider CPU %s",
			formatCounts(base.counts), base.exactText, seconds(base.run.ProviderCPU)),
	}}
	for _, rate := range o.ThrottledRates {
		for _, bare := range []bool{false, true} {
			r := c.once(ctx, o, emulator.RateLimit{PerSecond: rate, Bare: bare}, base.wall)
			figures = append(figures, r.figure(scenario, c, base.wall))
			o.logf("  throttled %s, %s: %s", c.name, r.limitText(c.api), r.summary())
		}
	}
	return figures, nil
}

// once runs c against a new emulator limited to limit.
func (c throttledCase) once(ctx context.Context, o Options, limit emulator.RateLimit, unthrottled time.Duration) throttledResult {
	res := throttledResult{limit: limit}
	srv, err := c.start(ctx, limit)
	if err != nil {
		res.err = err
		return res
	}
	defer func() { _ = srv.Close() }()

	// A client that keeps to the rate needs minimum/rate; three times that
	// and a minute and a half more is a failure, stopped (SIGINT first).
	budget := 10 * time.Minute
	if limit.PerSecond > 0 {
		budget = 3*time.Duration(float64(c.minimum)/limit.PerSecond*float64(time.Second)) + 90*time.Second
	}
	runCtx, cancel := context.WithTimeout(ctx, budget)
	res.run, res.err = c.run(runCtx)
	stopped := errors.Is(runCtx.Err(), context.DeadlineExceeded)
	cancel()
	if ctx.Err() != nil {
		res.err = ctx.Err()
	}
	if stopped {
		res.stoppedAfter = budget
	}

	res.counts = srv.Counts()
	res.sent = srv.TotalRequests()
	builderRefused, evoluxRefused := srv.RateLimited()
	res.refused = builderRefused + evoluxRefused
	res.exact, res.exactText = c.exact(srv)
	res.wall = res.run.Wall
	if res.sent > 0 {
		res.refusedPct = float64(res.refused) / float64(res.sent)
	}
	res.floor = unthrottled
	if limit.PerSecond > 0 {
		res.acceptedOverRate = time.Duration(float64(res.sent-res.refused) / limit.PerSecond * float64(time.Second))
		res.floor = max(res.acceptedOverRate, unthrottled)
	}
	if res.floor > 0 {
		res.ratio = float64(res.wall) / float64(res.floor)
	}
	return res
}

func (r throttledResult) ok() bool {
	return r.err == nil && r.exact && r.ratio <= throttledMaxRatio && r.refusedPct <= throttledMaxRefused
}

func (r throttledResult) limitText(api string) string {
	retryAfter := "with Retry-After"
	if r.limit.Bare {
		retryAfter = "no Retry-After"
	}
	return fmt.Sprintf("%s at %g r/s, %s", api, r.limit.PerSecond, retryAfter)
}

func (r throttledResult) summary() string {
	text := fmt.Sprintf("%s, %.2f× the floor %s, %d sent, %d refused (%.1f %%), %s",
		seconds(r.wall), r.ratio, seconds(r.floor), r.sent, r.refused, 100*r.refusedPct, r.exactText)
	if r.err != nil {
		text += "; FAILED: " + r.failure()
	}
	return text
}

// failure is the run's error in one line: the CLI's first "Error:" line if
// its output has one.
func (r throttledResult) failure() string {
	text := r.err.Error()
	if r.stoppedAfter > 0 {
		return fmt.Sprintf("stopped after %s", seconds(r.stoppedAfter))
	}
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "Error: "); i >= 0 {
			line = strings.TrimSpace(line[i:])
			if len(line) > 200 {
				line = line[:200] + "…"
			}
			return line
		}
	}
	first, _, _ := strings.Cut(text, "\n")
	return first
}

func (r throttledResult) figure(scenario string, c throttledCase, unthrottled time.Duration) Figure {
	measured := fmt.Sprintf("%.2f×, %.1f %% refused", r.ratio, 100*r.refusedPct)
	switch {
	case r.err != nil:
		measured = "FAILED (" + measured + ")"
	case !r.exact:
		measured = "NOT EXACT (" + measured + ")"
	}
	detail := fmt.Sprintf("wall %s; floor %s = max(%d accepted ÷ %g r/s = %s, unthrottled %s); sent %d (%s), refused %d; %s; provider CPU %s",
		seconds(r.wall), seconds(r.floor), r.sent-r.refused, r.limit.PerSecond, seconds(r.acceptedOverRate), seconds(unthrottled),
		r.sent, formatCounts(r.counts), r.refused, r.exactText, seconds(r.run.ProviderCPU))
	if r.err != nil {
		detail += "; FAILED: " + r.failure()
	}
	return Figure{
		Scenario: scenario, Name: c.name + ", " + r.limitText(c.api),
		Target:   fmt.Sprintf("≤ %.1f× floor, ≤ %.0f %% refused, exact", throttledMaxRatio, 100*throttledMaxRefused),
		Measured: measured, Met: met(r.ok()), Detail: detail,
	}
}
