package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// These benchmarks run the provider in this process (Server) or start its
// binary; the CLI scenarios are cmd/campaigns-bench. Run them with
//
//	cd bench && go test -run '^$' -bench . -benchtime 1x .

var (
	providerOnce sync.Once
	providerDir  string // removed by TestMain
	providerBin  string
	providerErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if providerDir != "" {
		_ = os.RemoveAll(providerDir)
	}
	os.Exit(code)
}

// providerBinary is CAMPAIGNS_BENCH_PROVIDER_BIN, else a fresh build of the
// provider in a temporary directory.
func providerBinary(b *testing.B) string {
	b.Helper()
	providerOnce.Do(func() {
		if bin := os.Getenv("CAMPAIGNS_BENCH_PROVIDER_BIN"); bin != "" {
			providerBin = bin
			return
		}
		// Shared by every benchmark of the run, so not b.TempDir.
		dir, err := os.MkdirTemp("", "campaigns-bench-provider-") //nolint:usetesting
		if err != nil {
			providerErr = err
			return
		}
		providerDir = dir
		providerBin = filepath.Join(dir, "terraform-provider-campaigns")
		_, self, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-o", providerBin, ".")
		cmd.Dir = filepath.Join(filepath.Dir(self), "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			providerErr = err
			b.Logf("%s", out)
		}
	})
	if providerErr != nil {
		b.Fatalf("building the provider: %s", providerErr)
	}
	return providerBin
}

// BenchmarkProviderStartToSchema: exec of the provider binary to its
// GetProviderSchema answer, over go-plugin with mutual TLS as a CLI does.
func BenchmarkProviderStartToSchema(b *testing.B) {
	bin := providerBinary(b)
	ctx := context.Background()
	if _, err := StartToSchema(ctx, bin); err != nil { // warm the page cache
		b.Fatal(err)
	}
	var handshake time.Duration
	b.ResetTimer()
	for range b.N {
		s, err := StartToSchema(ctx, bin)
		if err != nil {
			b.Fatal(err)
		}
		handshake += s.Handshake
	}
	b.ReportMetric(float64(handshake.Microseconds())/1000/float64(b.N), "handshake-ms/op")
}

// BenchmarkGetProviderSchema: the schema answer of a new provider server,
// in process.
func BenchmarkGetProviderSchema(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		if _, err := NewServer(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateCampaign: PlanResourceChange and ApplyResourceChange of
// one campaign, in process, against the emulator without latency.
func BenchmarkCreateCampaign(b *testing.B) {
	ctx := context.Background()
	server := configuredServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := server.CreateCampaign(ctx, "bench", botName(i, 4), i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshAndPlanCampaign: ReadResource and PlanResourceChange of
// one unchanged campaign, in process, as each campaign of a plan costs the
// provider (scenario b); its bot's list is fetched once and shared.
func BenchmarkRefreshAndPlanCampaign(b *testing.B) {
	ctx := context.Background()
	server := configuredServer(b)
	state, config, err := server.createCampaign(ctx, "bench", botName(0, 4), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := server.RefreshAndPlanCampaign(ctx, state, config); err != nil {
			b.Fatal(err)
		}
	}
}

// configuredServer is a provider server configured against its own
// emulator (no latency), which stops with the benchmark.
func configuredServer(b *testing.B) *Server {
	b.Helper()
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	server, err := NewServer(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if err := server.Configure(context.Background(), srv.URL()); err != nil {
		b.Fatal(err)
	}
	return server
}

// BenchmarkReadSubscribers100k: campaigns_evolux_subscribers reading
// 100,000 records at 50 a page with 20 ms of latency per request, in
// process: the client's paging and decoding plus the framework's state
// conversion, without gRPC.
func BenchmarkReadSubscribers100k(b *testing.B) {
	srv, err := emulator.Start(emulator.Config{Subscribers: 100_000, Seed: 1, PageSize: 50, Latency: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		server, err := NewServer(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := server.Configure(ctx, srv.URL()); err != nil {
			b.Fatal(err)
		}
		size, err := server.ReadSubscribers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(size)/(1<<20), "state-MiB")
	}
}
