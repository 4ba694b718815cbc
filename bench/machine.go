package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// DescribeMachine is what BENCHMARKS.md records about the machine: cores,
// memory, CPU model, Go and CLI versions, and the load when the run starts
// (the machines are shared; a high load makes every figure slower).
func DescribeMachine(ctx context.Context, cli *CLI) []string {
	return []string{
		fmt.Sprintf("cores: %d (nproc)", runtime.NumCPU()),
		"memory: " + memTotal(),
		"CPU: " + cpuModel(),
		"Go: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"CLI: " + cli.Version(ctx) + " (" + cli.Path + ")",
		"load average at the start: " + LoadAverage(),
	}
}

// LoadAverage is the first three fields of /proc/loadavg.
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

func memTotal() string {
	if value := procField("/proc/meminfo", "MemTotal"); value != "" {
		if kib, err := strconv.ParseInt(strings.TrimSuffix(value, " kB"), 10, 64); err == nil {
			return fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
		}
	}
	return "unknown"
}

func cpuModel() string {
	if model := procField("/proc/cpuinfo", "model name"); model != "" {
		return model
	}
	return "unknown"
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(file, name string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), ":")
		if ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return ""
}
