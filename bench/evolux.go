package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// predictingDialects are the paging dialects whose first answer predicts
// the pages (emulator.PagingCursor predicts nothing by design: it pays one
// latency per page, 2,000 × 20 ms = 40 s, and is left out of the timings).
func predictingDialects() []string {
	return slices.DeleteFunc(emulator.PagingDialects(), func(d string) bool { return d == emulator.PagingCursor })
}

// Evolux is scenario c: campaigns_evolux_subscribers reading EvoluxRecords
// records at EvoluxPageSize a page with EvoluxLatency per request, beside the
// floor measured in the same run against the same emulator: a counts-only
// plan (include_subscribers = false) through every predicting paging
// dialect, a full read through the CLI with its order and counts checked,
// and the full read in process (the provider server, the client alone).
func Evolux(ctx context.Context, o Options) ([]Figure, error) {
	const scenario = "c. evolux"
	srv, err := emulator.Start(emulator.Config{Subscribers: o.EvoluxRecords, Seed: 1, PageSize: o.EvoluxPageSize})
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()
	// The reference, from one answer of the array shape: the order of the
	// phone numbers (unique per record) and the count.
	srv.SetEvoluxShape(emulator.ShapeArray)
	wantDigest, err := referenceDigest(ctx, srv.URL(), o.EvoluxRecords)
	if err != nil {
		return nil, fmt.Errorf("reference read: %w", err)
	}
	srv.SetEvoluxShape(emulator.ShapeEnvelope)
	srv.SetLatency(o.EvoluxLatency)

	fullDir, err := workdir(filepath.Join(o.Work, "evolux"), subscribersHCL(srv.URL()))
	if err != nil {
		return nil, err
	}
	countsDir, err := workdir(filepath.Join(o.Work, "evolux-counts"), subscriberCountsHCL(srv.URL()))
	if err != nil {
		return nil, err
	}
	orderDir, err := workdir(filepath.Join(o.Work, "evolux-order"), subscribersOrderHCL(srv.URL()))
	if err != nil {
		return nil, err
	}
	floorDir, err := workdir(filepath.Join(o.Work, "evolux-floor"), providerHCL(srv.URL())+"\noutput \"total\" {\n  value = 0\n}\n")
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{fullDir, orderDir, countsDir, floorDir} {
		if err := o.init(ctx, dir); err != nil {
			return nil, err
		}
	}
	pages := (o.EvoluxRecords + o.EvoluxPageSize - 1) / o.EvoluxPageSize
	want := map[emulator.Op]int{emulator.OpEvoluxSubscribers: pages}
	runs := o.EvoluxRuns
	if runs < 1 {
		runs = o.Runs
	}
	plan := []string{"plan", "-input=false", "-no-color"}

	// The floor: the CLI planning the same provider with nothing to read,
	// and the pages fetched bare, 32 at a time as the provider does.
	var cliFloor, bare []time.Duration
	for run := range runs {
		r, err := o.CLI.Run(ctx, floorDir, plan...)
		if err != nil {
			return nil, err
		}
		cliFloor = append(cliFloor, r.Wall)
		srv.ResetCounts()
		d, err := BarePages(ctx, srv.URL(), pages, o.EvoluxPageSize, 32)
		if err != nil {
			return nil, fmt.Errorf("bare pages: %w", err)
		}
		if !exactCounts(srv.Counts(), want) {
			return nil, fmt.Errorf("bare pages sent %s, want %d pages", formatCounts(srv.Counts()), pages)
		}
		bare = append(bare, d)
		o.logf("  evolux floor run %d: CLI plan with nothing to read %s, %d bare pages %s", run+1, seconds(r.Wall), pages, seconds(d))
	}
	floor := median(cliFloor) + median(bare)
	floorText := fmt.Sprintf("floor %s = CLI plan with nothing to read %s (runs: %s) + %d bare GETs at 32 in flight %s (runs: %s)",
		seconds(floor), seconds(median(cliFloor)), list(cliFloor, seconds), pages, seconds(median(bare)), list(bare, seconds))

	records := fmt.Sprintf("%dk records", o.EvoluxRecords/1000)
	var figures []Figure
	var countsPeak int64
	for _, dialect := range predictingDialects() {
		srv.SetEvoluxPaging(dialect)
		var walls, cpus, allCPU []time.Duration
		var peak int64
		requestsOK := true
		var counts map[emulator.Op]int
		for run := range runs {
			srv.ResetCounts()
			r, err := o.CLI.Run(ctx, countsDir, plan...)
			if err != nil {
				return nil, err
			}
			counts = srv.Counts()
			n := counts[emulator.OpEvoluxSubscribers]
			if dialect == emulator.PagingNextOnly {
				// Nothing tells where the report ends: a few pages past it are asked for.
				requestsOK = requestsOK && n >= pages && n <= pages+64 && len(counts) == 1
			} else {
				requestsOK = requestsOK && exactCounts(counts, want)
			}
			total, err := planOutput(countsDir, "total")
			if err != nil || total != strconv.Itoa(o.EvoluxRecords) {
				return nil, fmt.Errorf("counts-only plan (%s paging): output total %q, want %d: %w", dialect, total, o.EvoluxRecords, err)
			}
			walls = append(walls, r.Wall)
			cpus = append(cpus, r.ProviderCPU)
			allCPU = append(allCPU, r.CPU)
			peak = max(peak, r.PeakRSSKiB)
			o.logf("  evolux counts-only plan, %s paging, run %d: %s (%s, peak RSS %s, provider CPU %s)",
				dialect, run+1, seconds(r.Wall), formatCounts(counts), mb(r.PeakRSSKiB), seconds(r.ProviderCPU))
		}
		countsPeak = max(countsPeak, peak)
		figures = append(figures, Figure{
			Scenario: scenario, Name: fmt.Sprintf("%s, counts only: CLI plan, %s paging", records, dialect),
			Target: "≤ 2.0 s", Measured: seconds(median(walls)), Met: met(median(walls) <= 2*time.Second && requestsOK),
			Detail: fmt.Sprintf("runs: %s; %.2f× the floor; %s; requests %s (every run checked); CPU per plan: provider %s, CLI and provider %s; peak RSS %s",
				list(walls, seconds), float64(median(walls))/float64(floor), floorText, formatCounts(counts), seconds(median(cpus)), seconds(median(allCPU)), mb(peak)),
		})
	}
	figures = append(figures, Figure{
		Scenario: scenario, Name: records + ", counts only: provider peak RSS",
		Target: "≤ 80 MB", Measured: mb(countsPeak), Met: met(float64(countsPeak)*1024 <= 80e6),
		Detail: "largest ru_maxrss of the provider processes of any counts-only plan, every dialect",
	})

	// The full read, records kept, through the default dialect.
	srv.SetEvoluxPaging(emulator.PagingPage)
	var plans, planCPU, planAllCPU []time.Duration
	var peak int64
	requestsOK := true
	var counts map[emulator.Op]int
	for run := range runs {
		srv.ResetCounts()
		r, err := o.CLI.Run(ctx, fullDir, plan...)
		if err != nil {
			return nil, err
		}
		counts = srv.Counts()
		requestsOK = requestsOK && exactCounts(counts, want)
		if total, err := planOutput(fullDir, "total"); err != nil || total != strconv.Itoa(o.EvoluxRecords) {
			return nil, fmt.Errorf("full plan: output total %q, want %d: %w", total, o.EvoluxRecords, err)
		}
		plans = append(plans, r.Wall)
		planCPU = append(planCPU, r.ProviderCPU)
		planAllCPU = append(planAllCPU, r.CPU)
		peak = max(peak, r.PeakRSSKiB)
		o.logf("  evolux full plan run %d: %s (%s, peak RSS %s, provider CPU %s, CLI and provider CPU %s)",
			run+1, seconds(r.Wall), formatCounts(counts), mb(r.PeakRSSKiB), seconds(r.ProviderCPU), seconds(r.CPU))
	}
	// One more plan, untimed, proves the count and the order.
	srv.ResetCounts()
	r, err := o.CLI.Run(ctx, orderDir, plan...)
	if err != nil {
		return nil, err
	}
	requestsOK = requestsOK && exactCounts(srv.Counts(), want)
	peak = max(peak, r.PeakRSSKiB)
	total, err1 := planOutput(orderDir, "total")
	listed, err2 := planOutput(orderDir, "listed")
	digest, err3 := planOutput(orderDir, "phone_numbers_sha256")
	if total != strconv.Itoa(o.EvoluxRecords) || listed != total || digest != wantDigest {
		return nil, fmt.Errorf("full plan: total %q, %q subscribers, order digest %q; want %d and %q: %w",
			total, listed, digest, o.EvoluxRecords, wantDigest, errors.Join(err1, err2, err3))
	}
	o.logf("  evolux full plan with order outputs: %s (peak RSS %s); total, length and order digest exact", seconds(r.Wall), mb(r.PeakRSSKiB))
	var reads, clientReads []time.Duration
	for run := range runs {
		d, err := readInProcess(ctx, srv.URL())
		if err != nil {
			return nil, err
		}
		reads = append(reads, d)
		c, err := clientRead(ctx, srv.URL(), o.EvoluxRecords)
		if err != nil {
			return nil, err
		}
		clientReads = append(clientReads, c)
		o.logf("  evolux in-process run %d: data source Read %s, client read %s", run+1, seconds(d), seconds(c))
	}
	return append(figures,
		Figure{
			Scenario: scenario, Name: records + ", full read: CLI plan wall time",
			Target: "≤ 8 s", Measured: seconds(median(plans)), Met: met(median(plans) <= 8*time.Second),
			Detail: fmt.Sprintf("runs: %s; %.2f× the floor (%s); %d per page, %s latency; output total checked every run; one more plan (untimed) checked total, the length of subscribers and a SHA-256 of the phone numbers in order against the array answer's; CPU per plan: provider %s, CLI and provider %s (less disturbed than wall time by other work on the machine)",
				list(plans, seconds), float64(median(plans))/float64(floor), seconds(floor), o.EvoluxPageSize, o.EvoluxLatency, seconds(median(planCPU)), seconds(median(planAllCPU))),
		},
		Figure{
			Scenario: scenario, Name: records + ", full read: provider peak RSS",
			Target: "≤ 300 MB", Measured: mb(peak), Met: met(float64(peak)*1024 <= 300e6),
			Detail: "largest ru_maxrss of the provider processes of any full plan",
		},
		Figure{
			Scenario: scenario, Name: records + ", full read: requests of a plan",
			Target: fmt.Sprintf("%d pages", pages), Measured: formatCounts(counts), Met: met(requestsOK),
		},
		Figure{
			Scenario: scenario, Name: records + ", full read: provider's ReadDataSource in process",
			Target: "< 5 s", Measured: seconds(median(reads)), Met: met(median(reads) < 5*time.Second),
			Detail: fmt.Sprintf("runs: %s; the provider server of the binary minus gRPC: paging, decoding, state conversion", list(reads, seconds)),
		},
		Figure{
			Scenario: scenario, Name: records + ", full read: client read in process",
			Measured: seconds(median(clientReads)),
			Detail:   fmt.Sprintf("runs: %s; internal/client/evolux alone", list(clientReads, seconds)),
		},
	), nil
}

// planOutput is the value an output is planned to take, from the plan's
// log: `+ name = "value"` or `+ name = 123`.
func planOutput(dir, name string) (string, error) {
	log, err := os.ReadFile(filepath.Join(dir, "plan.log"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^\s*\+\s*` + regexp.QuoteMeta(name) + `\s*=\s*"?([^"\n]*)"?\s*$`).FindSubmatch(log)
	if m == nil {
		return "", fmt.Errorf("output %s not in the plan", name)
	}
	return string(m[1]), nil
}

// referenceDigest is the SHA-256 of the phone numbers of one array answer,
// in order, joined by commas, as the full read's configuration computes it.
func referenceDigest(ctx context.Context, baseURL string, want int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+evolux.PathSubscribers, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set(evolux.HeaderAuthorization, "Bearer "+benchToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var records []struct {
		PhoneNumber string `json:"phone_number"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&records); err != nil {
		return "", err
	}
	if len(records) != want {
		return "", fmt.Errorf("%d records, want %d", len(records), want)
	}
	phones := make([]string, len(records))
	for i, r := range records {
		phones[i] = r.PhoneNumber
	}
	sum := sha256.Sum256([]byte(strings.Join(phones, ",")))
	return hex.EncodeToString(sum[:]), nil
}

// BarePages is the network half of the Evolux floor: pages GETs of the
// default paging dialect, parallelism at a time, with plain net/http and
// keep-alive, each answer read to its end and not decoded.
func BarePages(ctx context.Context, baseURL string, pages, perPage, parallelism int) (time.Duration, error) {
	transport := &http.Transport{MaxIdleConns: parallelism, MaxIdleConnsPerHost: parallelism}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	started := time.Now()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelism)
	for page := 1; page <= pages; page++ {
		g.Go(func() error {
			url := fmt.Sprintf("%s%s?%s=%d&%s=%d", baseURL, evolux.PathSubscribers, evolux.QueryPage, page, evolux.QueryPerPage, perPage)
			if err := getDiscard(ctx, hc, url); err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(started), err
}

func getDiscard(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set(evolux.HeaderAuthorization, "Bearer "+benchToken)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func readInProcess(ctx context.Context, url string) (time.Duration, error) {
	server, err := NewServer(ctx)
	if err != nil {
		return 0, err
	}
	if err := server.Configure(ctx, url); err != nil {
		return 0, err
	}
	started := time.Now()
	_, err = server.ReadSubscribers(ctx)
	return time.Since(started), err
}

func clientRead(ctx context.Context, url string, want int) (time.Duration, error) {
	hc, err := client.New(client.Config{BaseURL: url})
	if err != nil {
		return 0, err
	}
	c := evolux.New(hc, benchToken)
	started := time.Now()
	subscribers, err := c.Subscribers(ctx, evolux.Filter{})
	elapsed := time.Since(started)
	if err == nil && len(subscribers) != want {
		err = fmt.Errorf("client read %d records, want %d", len(subscribers), want)
	}
	return elapsed, err
}
