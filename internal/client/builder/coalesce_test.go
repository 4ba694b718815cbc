package builder_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

func emulatorClient(t *testing.T) (*emulator.Server, *builder.Client) {
	t.Helper()
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	hc, err := client.New(client.Config{BaseURL: srv.URL(), RetryWaitMin: 1, RetryWaitMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, builder.New(hc, builder.Credentials{User: emulator.DefaultUser, Password: emulator.DefaultPassword})
}

func seedCampaigns(t *testing.T, srv *emulator.Server, bots, perBot int) map[string]string {
	t.Helper()
	botOf := map[string]string{}
	for b := range bots {
		bot := fmt.Sprintf("bot-%d", b)
		for i := range perBot {
			id := builder.NewObjectID()
			name := fmt.Sprintf("c-%d", i)
			srv.PutCampaign("acme", bot, builder.Campaign{ID: id, CampaignName: &name})
			botOf[id] = bot
		}
	}
	return botOf
}

func refreshAll(t *testing.T, c *builder.Client, botOf map[string]string) {
	t.Helper()
	var wg sync.WaitGroup
	for id, bot := range botOf {
		wg.Go(func() {
			got, err := c.RefreshCampaign(context.Background(), "acme", bot, builder.Campaign{ID: id})
			if err != nil || got.ID != id {
				t.Errorf("RefreshCampaign(%s) = %s, %v", id, got.ID, err)
			}
		})
	}
	wg.Wait()
}

func TestRefreshCampaign_oneListPerBotAndNoReads(t *testing.T) {
	srv, c := emulatorClient(t)
	botOf := seedCampaigns(t, srv, 3, 20)
	srv.ResetCounts()
	refreshAll(t, c, botOf)
	refreshAll(t, c, botOf) // later refreshes reuse the lists too
	if got := srv.Count(emulator.OpCampaignList); got != 3 {
		t.Errorf("%d list requests for 3 bots, want 3", got)
	}
	if got := srv.Count(emulator.OpCampaignRead); got != 0 {
		t.Errorf("%d per-campaign reads, want 0", got)
	}
	if got := srv.Count(emulator.OpLogin); got != 1 {
		t.Errorf("%d logins, want 1", got)
	}
}

func TestRefreshCampaign_campaignMissingFromListIsReadAlone(t *testing.T) {
	srv, c := emulatorClient(t)
	botOf := seedCampaigns(t, srv, 1, 2)
	refreshAll(t, c, botOf)
	// Created behind the cached list's back: the list lacks it, a read finds it.
	late := builder.NewObjectID()
	name := "late"
	srv.PutCampaign("acme", "bot-0", builder.Campaign{ID: late, CampaignName: &name})
	got, err := c.RefreshCampaign(context.Background(), "acme", "bot-0", builder.Campaign{ID: late})
	if err != nil || got.ID != late {
		t.Fatalf("RefreshCampaign(late) = %s, %v", got.ID, err)
	}
	if _, err := c.RefreshCampaign(context.Background(), "acme", "bot-0", builder.Campaign{ID: builder.NewObjectID()}); !client.IsNotFound(err) {
		t.Errorf("a campaign absent from the list and the server: err = %v, want a 404", err)
	}
}

func TestRefreshCampaign_writeForgetsTheList(t *testing.T) {
	srv, c := emulatorClient(t)
	botOf := seedCampaigns(t, srv, 1, 1)
	var id string
	for id = range botOf {
	}
	refreshAll(t, c, botOf)
	content := "changed"
	name := "c-0"
	if _, err := c.UpdateCampaign(context.Background(), "acme", "bot-0", id, builder.Campaign{CampaignName: &name, Content: &content}); err != nil {
		t.Fatal(err)
	}
	got, err := c.RefreshCampaign(context.Background(), "acme", "bot-0", builder.Campaign{ID: id})
	if err != nil || got.Content == nil || *got.Content != content {
		t.Fatalf("after an update the refresh saw %+v, %v: the list from before the write", got.Content, err)
	}
}

func TestRefreshCampaign_missingListEndpointFallsBackToReads(t *testing.T) {
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	botOf := seedCampaigns(t, srv, 2, 5)
	// A server without the list endpoint: GET on a bot's collection is 405.
	var lists atomic.Int64
	collections := map[string]bool{builder.CampaignsPath("acme", "bot-0"): true, builder.CampaignsPath("acme", "bot-1"): true}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && collections[r.URL.Path] {
			lists.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte(`{"detail":"Method Not Allowed"}`))
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	hc, err := client.New(client.Config{BaseURL: front.URL, RetryWaitMin: 1, RetryWaitMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := builder.New(hc, builder.Credentials{User: emulator.DefaultUser, Password: emulator.DefaultPassword})
	srv.ResetCounts()
	refreshAll(t, c, botOf)
	if got := srv.Count(emulator.OpCampaignRead); got != 10 {
		t.Errorf("%d reads after the list was refused, want 10", got)
	}
	if got := lists.Load(); got > 2 {
		t.Errorf("the refused list was asked %d times, want at most once per bot", got)
	}
}
