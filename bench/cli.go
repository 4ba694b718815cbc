// Package bench measures the provider the way users run it: a real CLI
// (OpenTofu or Terraform) on the local build, against the emulator, with
// the emulator's request counters and the provider's peak memory. It backs
// `make bench` (cmd/campaigns-bench, scripts/bench.sh) and the Go
// benchmarks of this directory. BENCHMARKS.md describes the method and the
// results.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CLI runs one Terraform-compatible CLI whose configuration (ConfigFile)
// points dev_overrides at the rsswrap wrapper, which runs Provider.
type CLI struct {
	Path       string // tofu or terraform
	ConfigFile string // TF_CLI_CONFIG_FILE: dev_overrides and a filesystem mirror
	Provider   string // the real provider binary, run by the wrapper
	// Reattach, when set, is TF_REATTACH_PROVIDERS: the CLI uses a provider
	// already running (Profile) instead of starting one.
	Reattach string
}

// Run is one CLI command's outcome.
type Run struct {
	Wall time.Duration
	// PeakRSSKiB is the largest peak resident set of the provider processes
	// the command started (each reported by the wrapper); 0 when none ran.
	PeakRSSKiB int64
	// Providers is the number of provider processes the command started.
	Providers int
	// CPU is the user and system time of the CLI and every process it
	// waited for (the providers); ProviderCPU that of the providers alone;
	// HarnessCPU that of this process meanwhile, which is the in-process
	// emulator's work. CPU times are much less disturbed than wall times by
	// other work on a shared machine.
	CPU, ProviderCPU, HarnessCPU time.Duration
}

// PeakRSSMiB is PeakRSSKiB in MiB.
func (r Run) PeakRSSMiB() float64 { return float64(r.PeakRSSKiB) / 1024 }

// env is the CLI's environment: the caller's, without the provider's own
// settings (every benchmark configuration is explicit), plus the dev
// configuration and the wrapper's settings.
func (c *CLI) env(rssFile string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "BUILDER_"), strings.HasPrefix(name, "EVOLUX_"),
			strings.HasPrefix(name, "TF_LOG"), name == "TF_CLI_CONFIG_FILE", name == "TF_PLUGIN_CACHE_DIR", name == "TF_REATTACH_PROVIDERS":
			continue
		}
		env = append(env, kv)
	}
	if c.Reattach != "" {
		env = append(env, "TF_REATTACH_PROVIDERS="+c.Reattach)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+c.ConfigFile,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"CAMPAIGNS_BENCH_PROVIDER="+c.Provider,
		"CAMPAIGNS_BENCH_RSS_FILE="+rssFile,
	)
}

// Run runs the CLI in dir and times it. Its output goes to a log file in dir
// named after the command; a non-zero exit is an error quoting its end.
func (c *CLI) Run(ctx context.Context, dir string, args ...string) (Run, error) {
	rssFile := filepath.Join(dir, ".rss")
	_ = os.Remove(rssFile)
	logName := filepath.Join(dir, strings.TrimLeft(args[0], "-")+".log")
	log, err := os.Create(logName)
	if err != nil {
		return Run{}, err
	}
	defer func() { _ = log.Close() }()

	cmd := exec.CommandContext(ctx, c.Path, args...)
	cmd.Dir = dir
	cmd.Env = c.env(rssFile)
	cmd.Stdout, cmd.Stderr = log, log
	// Stopped by ctx (a run over its time, or ^C), the CLI is interrupted
	// first, so that it stops its providers, and killed a while later.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	harness := selfCPU()
	started := time.Now()
	err = cmd.Run()
	run := Run{Wall: time.Since(started), HarnessCPU: selfCPU() - harness}
	if err != nil {
		return run, fmt.Errorf("%s %s in %s: %w\n%s", filepath.Base(c.Path), strings.Join(args, " "), dir, err, tail(logName, 30))
	}
	run.CPU = processCPU(cmd.ProcessState)
	run.PeakRSSKiB, run.Providers, run.ProviderCPU, err = readRSS(rssFile)
	return run, err
}

// Version is the first line of `version`, such as "OpenTofu v1.12.6".
func (c *CLI) Version(ctx context.Context) string {
	cmd := exec.CommandContext(ctx, c.Path, "version")
	cmd.Env = c.env(os.DevNull)
	out, err := cmd.Output()
	if err != nil {
		return filepath.Base(c.Path) + " (version unknown)"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// readRSS reads the wrapper's lines, "<maxrss KiB> <wall ms> <cpu ms>",
// one per provider process.
func readRSS(name string) (peak int64, processes int, cpu time.Duration, err error) {
	data, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return 0, 0, 0, nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return 0, 0, 0, fmt.Errorf("%s: unexpected line %q", name, line)
		}
		kib, err1 := strconv.ParseInt(fields[0], 10, 64)
		ms, err2 := strconv.ParseInt(fields[2], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, 0, 0, fmt.Errorf("%s: unexpected line %q", name, line)
		}
		peak = max(peak, kib)
		cpu += time.Duration(ms) * time.Millisecond
		processes++
	}
	return peak, processes, cpu, nil
}

func tail(name string, lines int) string {
	data, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	all := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return string(bytes.Join(all, []byte("\n")))
}
