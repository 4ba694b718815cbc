package evolux_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const (
	dialectRecords  = 100_000
	dialectPageSize = 50
	dialectPages    = dialectRecords / dialectPageSize
)

// inFlight serves the emulator and counts the requests it serves at once.
type inFlight struct {
	handler    http.Handler
	now, most  atomic.Int64
	emulatorOf *emulator.Emulator
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := f.now.Add(1)
	defer f.now.Add(-1)
	for most := f.most.Load(); now > most && !f.most.CompareAndSwap(most, now); most = f.most.Load() {
	}
	f.handler.ServeHTTP(w, r)
}

// startDialect serves records generated from seed 1 in the paging dialect.
func startDialect(t testing.TB, dialect string, latency time.Duration) (*evolux.Client, *inFlight) {
	t.Helper()
	cfg := emulator.Config{Subscribers: dialectRecords, Seed: 1, PageSize: dialectPageSize, Latency: latency, EvoluxPaging: dialect}
	if dialect == emulator.ShapeArray {
		cfg.EvoluxPaging, cfg.EvoluxShape = "", emulator.ShapeArray
	}
	e := emulator.New(cfg)
	counting := &inFlight{handler: e, emulatorOf: e}
	server := httptest.NewServer(counting)
	t.Cleanup(server.Close)
	hc, err := client.New(client.Config{BaseURL: server.URL})
	if err != nil {
		t.Fatal(err)
	}
	return evolux.New(hc, emulator.DefaultEvoluxToken), counting
}

// digest reads the whole report, keeping only a hash of the records in
// the order they came and their count.
func digest(ctx context.Context, c *evolux.Client) (string, int, error) {
	h, n := sha256.New(), 0
	err := c.Read(ctx, evolux.Filter{}, func(records []evolux.Subscriber) error {
		for _, r := range records {
			writeRecord(h, r)
			n++
		}
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil)), n, err
}

func writeRecord(h hash.Hash, r evolux.Subscriber) {
	_, _ = h.Write([]byte(r.Raw))
	_, _ = h.Write([]byte{0})
}

// TestRead_everyPagingDialectReadsTheSameReport reads the same 100,000
// records through every paging dialect of the emulator: the records and
// their order are exactly those of the one-request array answer, with one
// request per page (the dialect that tells nothing of the end may ask a
// few pages past it), concurrently whenever the envelope predicts pages.
func TestRead_everyPagingDialectReadsTheSameReport(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 records per dialect")
	}
	ctx := context.Background()
	reference, _ := startDialect(t, emulator.ShapeArray, 0)
	want, wantCount, err := digest(ctx, reference)
	if err != nil || wantCount != dialectRecords {
		t.Fatalf("array answer: %d records, %v", wantCount, err)
	}
	for _, dialect := range emulator.PagingDialects() {
		t.Run(dialect, func(t *testing.T) {
			c, server := startDialect(t, dialect, time.Millisecond)

			got, count, err := digest(ctx, c)

			if err != nil {
				t.Fatal(err)
			}
			if count != dialectRecords || got != want {
				t.Fatalf("%d records (digest %s), want the array answer's %d (digest %s)", count, got, wantCount, want)
			}
			requests := server.emulatorOf.Count(emulator.OpEvoluxSubscribers)
			switch dialect {
			case emulator.PagingNextOnly:
				if requests < dialectPages || requests > dialectPages+64 {
					t.Fatalf("%d requests, want %d and a few past the end", requests, dialectPages)
				}
			default:
				if requests != dialectPages {
					t.Fatalf("%d requests, want exactly %d", requests, dialectPages)
				}
			}
			concurrent := server.most.Load() > 1
			if want := dialect != emulator.PagingCursor; concurrent != want {
				t.Fatalf("up to %d requests at once: want concurrency %v", server.most.Load(), want)
			}
		})
	}
}

// BenchmarkSubscribers100kDialects is the client's read of 100,000 records
// at 50 a page and 20 ms a request, through every paging dialect, counting
// only (as include_subscribers = false does). The cursor dialect predicts
// nothing, so it pays 2,000 × 20 ms: about 40 s; it runs only when asked
// for by name.
//
//	go test -run '^$' -bench 'Subscribers100kDialects' -benchtime 3x ./internal/client/evolux
func BenchmarkSubscribers100kDialects(b *testing.B) {
	for _, dialect := range emulator.PagingDialects() {
		b.Run(dialect, func(b *testing.B) {
			if dialect == emulator.PagingCursor && !testing.Verbose() {
				b.Skip("sequential by nature: about 40 s a read; run with -v to include it")
			}
			c, server := startDialect(b, dialect, 20*time.Millisecond)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				server.emulatorOf.ResetCounts()
				_, count, err := digest(context.Background(), c)
				if err != nil || count != dialectRecords {
					b.Fatalf("%d records, %v", count, err)
				}
			}
			b.ReportMetric(float64(server.emulatorOf.Count(emulator.OpEvoluxSubscribers)), "requests/op")
		})
	}
}
