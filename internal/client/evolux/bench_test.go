package evolux_test

import (
	"context"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// BenchmarkSubscribers100k reads 100,000 records at 50 a page with 20 ms of
// latency per request from the emulator (in this process, so its encoding
// shares the CPU): sequential paging alone would take 2,000 × 20 ms = 40 s.
//
//	go test -run '^$' -bench Subscribers100k -benchtime 3x ./internal/client/evolux
func BenchmarkSubscribers100k(b *testing.B) {
	const records = 100_000
	srv, err := emulator.Start(emulator.Config{Subscribers: records, Seed: 1, PageSize: 50, Latency: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	hc, err := client.New(client.Config{BaseURL: srv.URL()})
	if err != nil {
		b.Fatal(err)
	}
	c := evolux.New(hc, emulator.DefaultEvoluxToken)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		subscribers, err := c.Subscribers(ctx, evolux.Filter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(subscribers) != records {
			b.Fatalf("read %d records, want %d", len(subscribers), records)
		}
	}
}

// BenchmarkDecodeRecord is the tolerant decoding of one generated record.
func BenchmarkDecodeRecord(b *testing.B) {
	raw := []byte(`{"name":"Maria Silva","phone_number":"5511990000001","state":"sent",` +
		`"campaign":{"uuid":"f45d98dc-ac5e-48f2-9c01-ebe18f86d28b","name":"Black Friday"},` +
		`"template":{"uuid":"70f4ddb6-ece1-4e13-ab90-3698d9d72bf0"},"created_at":"2024-08-01T00:00:00.000-03:00",` +
		`"conversation_fields":{"tipo_cliente":"Pessoa Física","CPF":"123.456.789-00"}}`)
	b.ReportAllocs()
	for range b.N {
		if s := evolux.DecodeRecord(raw); s.CampaignUUID == nil {
			b.Fatal("no campaign")
		}
	}
}
