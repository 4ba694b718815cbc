package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

func TestStartOn_refusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if s, err := StartOn(Config{}, addr); err == nil {
			_ = s.Close()
			t.Errorf("StartOn(%q) listened", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		s, err := StartOn(Config{}, addr)
		if err != nil {
			t.Errorf("StartOn(%q): %v", addr, err)
			continue
		}
		if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") && !strings.HasPrefix(s.URL(), "http://[::1]:") {
			t.Errorf("URL %q", s.URL())
		}
		_ = s.Close()
	}
}

func TestStart_refusesAnInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{{EvoluxShape: "xml"}, {Subscribers: -1}, {Latency: -time.Second}, {PageSize: -1}} {
		if s, err := Start(cfg); err == nil {
			_ = s.Close()
			t.Errorf("Start(%+v) accepted", cfg)
		}
	}
}

func TestServer_bothAPIsOnOneOrigin(t *testing.T) {
	s := startServer(t, Config{Subscribers: 1})
	login(t, s)
	wantStatus(t, send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), ""), http.StatusOK)
}

func TestScheduler_advancesCampaignsAndStopsOnClose(t *testing.T) {
	s, err := Start(Config{SchedulerInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	s.PutCampaign(testOrg, testBot, builder.Campaign{ID: testID, CampaignName: ptr("x"), ScheduledDate: &past})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, _ := s.Campaign(testID); deref(c.Status) == builder.StatusConcluded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not conclude a due campaign")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	other := "5eb7cf5a86d9755df3a6c594"
	s.PutCampaign(testOrg, testBot, builder.Campaign{ID: other, CampaignName: ptr("x"), ScheduledDate: &past})
	time.Sleep(100 * time.Millisecond)
	if c, _ := s.Campaign(other); deref(c.Status) != builder.StatusNotStarted {
		t.Errorf("the scheduler still runs after Close: status %q", deref(c.Status))
	}
	if _, err := trySend(http.MethodGet, s.URL()+"/", nil, ""); err == nil {
		t.Error("the server still answers after Close")
	}
}

func TestNew_panicsOnAnInvalidShape(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an unknown Evolux shape")
		}
	}()
	New(Config{EvoluxShape: "xml"})
}
