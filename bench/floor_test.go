package bench

import (
	"context"
	"testing"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// TestFloors_sendExactlyTheRequestsTheyStandFor: the floors the scenarios
// divide by are worth what they send, so each must send its requests, all
// of them, and fail when the server refuses one.
func TestFloors_sendExactlyTheRequestsTheyStandFor(t *testing.T) {
	srv, err := emulator.Start(emulator.Config{Subscribers: 500})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()

	if _, err := BarePosts(ctx, srv.URL(), "acme", 30, 3, 4); err != nil {
		t.Fatalf("BarePosts: %v", err)
	}
	if _, err := BarePages(ctx, srv.URL(), 10, 50, 4); err != nil {
		t.Fatalf("BarePages: %v", err)
	}
	counts := srv.Counts()
	if counts[emulator.OpLogin] != 1 || counts[emulator.OpCampaignCreate] != 30 || counts[emulator.OpEvoluxSubscribers] != 10 || len(srv.Campaigns()) != 30 {
		t.Errorf("the floors sent %v and left %d campaigns; want 1 login, 30 creates, 10 report pages, 30 campaigns", counts, len(srv.Campaigns()))
	}

	srv.InjectFault(emulator.OpCampaignCreate, emulator.FaultServerError, 1)
	if _, err := BarePosts(ctx, srv.URL(), "acme", 5, 1, 2); err == nil {
		t.Error("BarePosts succeeded through a refused create")
	}
}
