//go:build linux

// Command rsswrap stands in for terraform-provider-campaigns while the
// benchmarks run, to measure the provider's peak memory: the CLI starts it
// through dev_overrides, it runs the real provider as its child with the same
// arguments, standard streams and environment (so the go-plugin handshake
// and the gRPC socket pass straight through), forwards signals, and when the
// child exits appends the child's peak resident set (getrusage ru_maxrss, in
// KiB on Linux), wall time and CPU time (user + system) to the file named
// by CAMPAIGNS_BENCH_RSS_FILE.
//
//	CAMPAIGNS_BENCH_PROVIDER  the real provider binary (required)
//	CAMPAIGNS_BENCH_RSS_FILE  where to append "<maxrss KiB> <wall ms> <cpu ms>" (optional)
//
// It is a separate, standard-library-only program so that it adds as little
// as possible to the provider's start-up: one fork and exec.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	binary := os.Getenv("CAMPAIGNS_BENCH_PROVIDER")
	if binary == "" {
		fmt.Fprintln(os.Stderr, "rsswrap: CAMPAIGNS_BENCH_PROVIDER is not set")
		return 1
	}
	// No context: the provider ends when the CLI tells it to, or with us.
	cmd := exec.CommandContext(context.Background(), binary, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The provider must not outlive the wrapper, whatever kills it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	started := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		return 1
	}
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()
	err := cmd.Wait()
	elapsed := time.Since(started)
	signal.Stop(signals)

	if out := os.Getenv("CAMPAIGNS_BENCH_RSS_FILE"); out != "" && cmd.ProcessState != nil {
		if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
			appendLine(out, fmt.Sprintf("%d %d %d\n", usage.Maxrss, elapsed.Milliseconds(), cpu.Milliseconds()))
		}
	}

	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return exitErr.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		return 1
	}
}

// appendLine writes one short line with O_APPEND, so the lines of provider
// instances that end at the same time do not interleave.
func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		return
	}
	_, _ = f.WriteString(line)
	_ = f.Close()
}
