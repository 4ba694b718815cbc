package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Against a token bucket, with and without Retry-After, the clients finish
// in one run, exactly, refused at most a tenth of what they send (issue 19's
// target, at its sizes: 400 pages, 100 creates at Terraform's parallelism):
// the pacing gate holds and paces every request of an API together. Speed
// is for make bench; this checks the outcome.
func TestRateLimit_clientsFinishExactlyAndPolitely(t *testing.T) {
	for _, bare := range []bool{false, true} {
		limit := emulator.RateLimit{PerSecond: 50, Bare: bare}
		t.Run(fmt.Sprintf("bare=%v", bare), func(t *testing.T) {
			t.Parallel()
			server, err := emulator.Start(emulator.Config{Subscribers: 400 * 50, BuilderRate: limit, EvoluxRate: limit})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = server.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()

			records := 0
			err = evolux.New(newHTTP(t, server.URL()), emulator.DefaultEvoluxToken).
				Read(ctx, evolux.Filter{}, func(page []evolux.Subscriber) error { records += len(page); return nil })
			if err != nil || records != 400*50 {
				t.Fatalf("read %d records, %v; want all 20000", records, err)
			}

			bc := builder.New(newHTTP(t, server.BuilderURL()), builder.Credentials{
				User: emulator.DefaultUser, Password: emulator.DefaultPassword, APIKey: emulator.DefaultAPIKey})
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			parallel := make(chan struct{}, 10) // as terraform -parallelism=10
			for i := range 100 {
				parallel <- struct{}{}
				wg.Go(func() {
					defer func() { <-parallel }()
					name, when := fmt.Sprintf("c%d", i), "2030-01-01T00:00:00Z"
					if _, err := bc.CreateCampaign(ctx, "acme", "bot", builder.Campaign{CampaignName: &name, ScheduledDate: &when}); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if n := len(server.Campaigns()); n != 100 {
				t.Fatalf("%d campaigns; want exactly 100", n)
			}
			builderRefused, evoluxRefused := server.RateLimited()
			total := server.TotalRequests()
			t.Logf("refused %d Builder and %d Evolux requests of %d", builderRefused, evoluxRefused, total)
			if refused := builderRefused + evoluxRefused; refused*100 > total*10 {
				t.Fatalf("%d of %d requests refused; want at most 10%%", refused, total)
			}
		})
	}
}

func newHTTP(t *testing.T, url string) *client.Client {
	t.Helper()
	hc, err := client.New(client.Config{BaseURL: url, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

func TestRateLimit_bucketRefusesBeyondItsRate(t *testing.T) {
	server, err := emulator.Start(emulator.Config{EvoluxRate: emulator.RateLimit{PerSecond: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	get := func() (int, string) {
		req, _ := http.NewRequest(http.MethodGet, server.URL()+evolux.PathSubscribers, nil)
		req.Header.Set("Authorization", "Bearer "+emulator.DefaultEvoluxToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	if status, _ := get(); status != http.StatusOK {
		t.Fatalf("first request: %d; want the burst of one to take it", status)
	}
	if status, wait := get(); status != http.StatusTooManyRequests || wait != "2" {
		t.Fatalf("second request: %d, Retry-After %q; want 429 and 2 (seconds until a token)", status, wait)
	}
	if b, e := server.RateLimited(); b != 0 || e != 1 {
		t.Fatalf("refused %d Builder, %d Evolux; want 0 and 1", b, e)
	}
}
