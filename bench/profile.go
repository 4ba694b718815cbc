package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
	"github.com/campaignops/terraform-provider-campaigns/internal/provider"
)

// serveDebug serves the provider from this process in debug mode (what the
// binary's -debug flag does), so it can be profiled while a real CLI drives
// it over gRPC. It returns the TF_REATTACH_PROVIDERS value and a function
// that stops the server. One provider instance then serves every phase of a
// command, where a CLI would start several processes.
func serveDebug(ctx context.Context) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- provider.Serve("bench", tf6server.WithDebug(ctx, configs, closed), tf6server.WithoutLogStderrOverride())
	}()
	var config *plugin.ReattachConfig
	select {
	case config = <-configs:
	case err := <-served:
		cancel()
		return "", nil, fmt.Errorf("serving the provider in debug mode: %w", err)
	}
	type addr struct{ Network, String string }
	type reattach struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	entry := reattach{
		Protocol: string(config.Protocol), ProtocolVersion: config.ProtocolVersion, Pid: os.Getpid(), Test: true,
		Addr: addr{Network: config.Addr.Network(), String: config.Addr.String()},
	}
	value, err := json.Marshal(map[string]reattach{
		"registry.opentofu.org/campaignops/campaigns": entry,
		"registry.terraform.io/campaignops/campaigns": entry,
	})
	if err != nil {
		cancel()
		return "", nil, err
	}
	return string(value), func() { cancel(); <-closed }, nil
}

// Profile runs one CLI command of a scenario ("apply" or "evolux") with the
// provider served from this process, and writes its CPU profile and an
// allocation profile to dir (cpu.pprof, allocs.pprof).
func Profile(ctx context.Context, o Options, scenario, dir string) error {
	var (
		cfg  emulator.Config
		hcl  func(url string) string
		args []string
	)
	switch scenario {
	case "apply":
		hcl = func(url string) string { return campaignsHCL(url, "bench-profile", o.ApplyCount, o.ApplyBots) }
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=" + strconv.Itoa(o.Parallelism)}
	case "evolux":
		cfg = emulator.Config{Subscribers: o.EvoluxRecords, Seed: 1, PageSize: o.EvoluxPageSize, Latency: o.EvoluxLatency}
		hcl = subscribersHCL
		args = []string{"plan", "-input=false", "-no-color"}
	case "audience":
		cfg = emulator.Config{Seed: 1, PageSize: o.EvoluxPageSize, Latency: o.EvoluxLatency}
		hcl = audienceHCL
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	default:
		return fmt.Errorf("no profile for scenario %q (apply, evolux, audience)", scenario)
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	work, err := workdir(filepath.Join(o.Work, "profile-"+scenario), hcl(srv.URL()))
	if err != nil {
		return err
	}
	if scenario == "audience" {
		if err := writeAudienceCSV(filepath.Join(work, "audience.csv"), o.AudienceSize); err != nil {
			return err
		}
	}
	if err := o.init(ctx, work); err != nil {
		return err
	}
	removeState(work) // every campaign is created: a new emulator knows none
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// As the binary does (main.go) when the CLI collects no provider logs.
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CAMPAIGNS"} {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "OFF")
		}
	}
	reattach, stop, err := serveDebug(ctx)
	if err != nil {
		return err
	}
	defer stop()

	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		return err
	}
	defer func() { _ = cpu.Close() }()
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return err
	}
	cli := *o.CLI
	cli.Reattach = reattach
	run, err := cli.Run(ctx, work, args...)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	allocs, err := os.Create(filepath.Join(dir, "allocs.pprof"))
	if err != nil {
		return err
	}
	defer func() { _ = allocs.Close() }()
	if err := pprof.Lookup("allocs").WriteTo(allocs, 0); err != nil {
		return err
	}
	o.logf("  profile %s: %s %s in %s (%s); profiles in %s", scenario, filepath.Base(cli.Path), args[0], seconds(run.Wall), formatCounts(srv.Counts()), dir)
	return nil
}
