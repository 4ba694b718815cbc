package builder

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// The vendor publishes this API under a path prefix
// (https://host/apicampanha): every request goes under it, whether the base
// URL ends in a slash or not.
func TestClient_baseURLWithAPathPrefix(t *testing.T) {
	for _, suffix := range []string{"/apicampanha", "/apicampanha/"} {
		t.Run(suffix, func(t *testing.T) {
			fake := newFakeBuilder(t)
			var (
				mu     sync.Mutex
				seen   []string
				strays []string
			)
			prefixed := http.StripPrefix("/apicampanha", fake.server.Config.Handler)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if strings.HasPrefix(r.URL.Path, "/apicampanha/") {
					seen = append(seen, r.Method+" "+r.URL.Path)
				} else {
					strays = append(strays, r.Method+" "+r.URL.RequestURI())
				}
				mu.Unlock()
				prefixed.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			hc, err := client.New(client.Config{BaseURL: front.URL + suffix, Timeout: 2 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			c := New(hc, allCredentials())
			ctx := context.Background()

			created, err := c.CreateCampaign(ctx, "acme", "bot", Campaign{Name: ptr("n")})
			if err != nil {
				t.Fatal(err)
			}
			fake.expireTokens() // the next request renews by refresh
			steps := []func() error{
				func() error { _, err := c.GetCampaign(ctx, "acme", "bot", created.ID); return err },
				func() error { _, err := c.ListCampaigns(ctx, "acme", "bot"); return err },
				func() error {
					_, err := c.UpdateCampaign(ctx, "acme", "bot", created.ID, Campaign{Name: ptr("m")})
					return err
				},
				func() error { return c.DeleteCampaign(ctx, "acme", "bot", created.ID) },
				func() error {
					id, err := c.FireTrigger(ctx, []byte(`{"n":1}`))
					if err == nil {
						_, err = c.GetTrigger(ctx, id)
					}
					return err
				},
			}
			for i, step := range steps {
				if err := step(); err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(strays) > 0 {
				t.Fatalf("requests outside the prefix: %q", strays)
			}
			want := []string{
				"POST /apicampanha/login", "POST /apicampanha/campaign/acme/bot",
				"GET /apicampanha/campaign/acme/bot/" + created.ID, "POST /apicampanha/refresh", "GET /apicampanha/campaign/acme/bot/" + created.ID,
				"GET /apicampanha/campaign/acme/bot", "PUT /apicampanha/campaign/acme/bot/" + created.ID,
				"DELETE /apicampanha/campaign/acme/bot/" + created.ID, "POST /apicampanha/trigger", "GET /apicampanha/trigger/0",
			}
			if strings.Join(seen, "\n") != strings.Join(want, "\n") {
				t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
			}
			if !strings.Contains(fake.lastFireQuery, QueryAPIKey+"="+testAPIKey) {
				t.Fatalf("the trigger's query was %q", fake.lastFireQuery)
			}
		})
	}
}
