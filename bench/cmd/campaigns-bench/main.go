// Command campaigns-bench runs the benchmark scenarios of BENCHMARKS.md: a
// real CLI on the local build of the provider, against the emulator started
// in this process on a free loopback port. scripts/bench.sh builds what it
// needs and runs it; `make bench` runs the script.
//
//	campaigns-bench -cli PATH -cliconfig FILE -provider BIN -work DIR [-runs 3] [-scenarios apply,plan,evolux,startup,throttled,audience]
//
// -cliconfig must point dev_overrides at a directory holding the rsswrap
// wrapper under the provider's name; -provider is the real binary the
// wrapper runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := bench.DefaultOptions()
	cli := &bench.CLI{}
	flags := flag.NewFlagSet("campaigns-bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&cli.Path, "cli", "", "Terraform-compatible CLI to run (required)")
	flags.StringVar(&cli.ConfigFile, "cliconfig", "", "CLI configuration whose dev_overrides run the wrapper (required)")
	flags.StringVar(&cli.Provider, "provider", "", "the real provider binary, which the wrapper runs (required)")
	flags.StringVar(&o.Work, "work", "", "scratch `directory` for the CLI's working directories (required)")
	flags.IntVar(&o.Runs, "runs", o.Runs, "repetitions of each timed command (the median is reported)")
	flags.IntVar(&o.EvoluxRuns, "evolux-runs", o.EvoluxRuns, "repetitions of the slower Evolux commands (0: -runs)")
	scenarios := flags.String("scenarios", "apply,plan,evolux,startup", "comma-separated scenarios to run")
	markdown := flags.String("markdown", "", "also write the machine and the results table as Markdown to this `file`")
	flags.IntVar(&o.ApplyCount, "apply-count", o.ApplyCount, "campaigns applied in scenario a")
	flags.IntVar(&o.ApplyBots, "apply-bots", o.ApplyBots, "bots the applied campaigns are spread over")
	flags.IntVar(&o.Parallelism, "parallelism", o.Parallelism, "the CLI's -parallelism, and the floor client's")
	flags.DurationVar(&o.ApplyLatency, "apply-latency", o.ApplyLatency, "emulator latency in scenario a")
	flags.IntVar(&o.PlanCount, "plan-count", o.PlanCount, "campaigns planned in scenario b")
	flags.IntVar(&o.PlanBots, "plan-bots", o.PlanBots, "bots the planned campaigns are spread over")
	flags.DurationVar(&o.PlanLatency, "plan-latency", o.PlanLatency, "the latency compared with none in scenario b")
	flags.IntVar(&o.EvoluxRecords, "evolux-records", o.EvoluxRecords, "Evolux records read in scenario c")
	flags.IntVar(&o.EvoluxPageSize, "evolux-page-size", o.EvoluxPageSize, "Evolux page size (at most 50)")
	flags.DurationVar(&o.EvoluxLatency, "evolux-latency", o.EvoluxLatency, "emulator latency in scenario c")
	profile := flags.String("profile", "", "instead of the scenarios, profile the provider during one command of this scenario (apply or evolux), served from this process over gRPC")
	profileDir := flags.String("profile-dir", "", "where -profile writes cpu.pprof and allocs.pprof (default: -work)")
	flags.IntVar(&o.StartRuns, "start-runs", o.StartRuns, "provider starts timed in scenario d")
	rates := flags.String("throttled-rates", "2 5 10 20 50", "rate limits of scenario e, in requests a second (space- or comma-separated)")
	flags.IntVar(&o.ThrottledApplyCount, "throttled-apply-count", o.ThrottledApplyCount, "campaigns applied in scenario e")
	flags.IntVar(&o.AudienceSize, "audience-size", o.AudienceSize, "Evolux subscribers inserted in scenario f")
	flags.IntVar(&o.ThrottledRecords, "throttled-records", o.ThrottledRecords, "Evolux records read in scenario e")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if cli.Path == "" || cli.ConfigFile == "" || cli.Provider == "" || o.Work == "" || o.Runs < 1 {
		fmt.Fprintln(stderr, "campaigns-bench: -cli, -cliconfig, -provider and -work are required, and -runs must be at least 1")
		flags.Usage()
		return 2
	}
	var err error
	if o.ThrottledRates, err = bench.ParseRates(*rates); err != nil {
		fmt.Fprintf(stderr, "campaigns-bench: -throttled-rates: %v\n", err)
		return 2
	}
	o.CLI = cli
	o.Log = stderr

	scenarioFuncs := map[string]func(context.Context, bench.Options) ([]bench.Figure, error){
		"apply": bench.Apply, "plan": bench.Plan, "evolux": bench.Evolux, "startup": bench.Startup,
		"throttled": bench.Throttled, "audience": bench.Audience,
	}
	if *profile != "" {
		dir := *profileDir
		if dir == "" {
			dir = o.Work
		}
		if err := bench.Profile(ctx, o, *profile, dir); err != nil {
			fmt.Fprintf(stderr, "campaigns-bench: profile %s: %v\n", *profile, err)
			return 1
		}
		return 0
	}

	machine := bench.DescribeMachine(ctx, cli)
	fmt.Fprintln(stderr, "campaigns-bench: "+strings.Join(machine, "; "))
	started := time.Now()
	var figures []bench.Figure
	for _, name := range strings.Split(*scenarios, ",") {
		fn, ok := scenarioFuncs[strings.TrimSpace(name)]
		if !ok {
			fmt.Fprintf(stderr, "campaigns-bench: unknown scenario %q (apply, plan, evolux, startup, throttled)\n", name)
			return 2
		}
		fmt.Fprintf(stderr, "campaigns-bench: scenario %s\n", name)
		got, err := fn(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "campaigns-bench: scenario %s: %v\n", name, err)
			return 1
		}
		figures = append(figures, got...)
	}
	load := bench.LoadAverage()
	fmt.Fprintf(stdout, "\n%s\n\n", strings.Join(machine, "\n"))
	bench.WriteText(stdout, figures)
	fmt.Fprintf(stdout, "\nload average at the end: %s; scenarios took %s\n", load, time.Since(started).Round(time.Second))

	if *markdown != "" {
		f, err := os.Create(*markdown)
		if err != nil {
			fmt.Fprintf(stderr, "campaigns-bench: %v\n", err)
			return 1
		}
		for _, line := range machine {
			fmt.Fprintf(f, "- %s\n", line)
		}
		fmt.Fprintf(f, "- load average at the end: %s\n\n", load)
		bench.WriteMarkdown(f, figures)
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "campaigns-bench: %v\n", err)
			return 1
		}
	}
	return 0
}
