package builder

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// putFull stores n campaigns with every user field set (file only when
// withFile) and returns them as state would hold them, oldest first.
func (f *fakeBuilder) putFull(n int, withFile bool) []Campaign {
	f.mu.Lock()
	defer f.mu.Unlock()
	var campaigns []Campaign
	for i := range n {
		c := Campaign{
			ID:            NewObjectID(),
			CampaignName:  ptr(fmt.Sprintf("c-%d", i)),
			Name:          ptr("n"),
			Description:   ptr("d"),
			ScheduledDate: ptr("2026-12-01T09:00:00Z"),
			Content:       ptr("hello"),
			SheetValues:   []string{"a", "b"},
		}
		if withFile {
			c.File = ptr("list.csv")
		}
		campaigns = append(campaigns, c)
		stored := c
		stored.Status = ptr(StatusNotStarted)
		f.campaigns[c.ID] = stored
	}
	return campaigns
}

func (f *fakeBuilder) counts() (logins, lists, reads int64) {
	return f.logins.Load(), f.lists.Load(), f.reads.Load()
}

func TestRefreshCampaign_fullListsCostOneListPerBot(t *testing.T) {
	fake := newFakeBuilder(t)
	prior := fake.putFull(10, false) // file left out: null fields omitted
	c := fake.client(allCredentials())

	for _, p := range prior {
		got, err := c.RefreshCampaign(context.Background(), "acme", "bot", p)
		if err != nil || deref(got.Content) != "hello" {
			t.Fatalf("RefreshCampaign(%s) = %+v, %v", p.ID, got, err)
		}
	}
	if logins, lists, reads := fake.counts(); logins != 1 || lists != 1 || reads != 0 {
		t.Fatalf("%d logins, %d lists, %d reads; want 1, 1, 0", logins, lists, reads)
	}
}

func TestRefreshCampaign_summaryListsAreConfirmedThenSkipped(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.summaries = true
	prior := fake.putFull(5, true)
	c := fake.client(allCredentials())

	for i, p := range prior {
		got, err := c.RefreshCampaign(context.Background(), "acme", "bot", p)
		if err != nil {
			t.Fatal(err)
		}
		got.Status = nil
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("refresh %d = %s\nwant %s: a field the list left out was taken for cleared", i, show(got), show(p))
		}
	}
	// One list, whose first entry was confirmed by a read; from then on the
	// bot's campaigns are read directly.
	if _, lists, reads := fake.counts(); lists != 1 || reads != 5 {
		t.Fatalf("%d lists and %d reads; want 1 and 5", lists, reads)
	}
	// A second client (another provider instance) learns for itself.
	other := fake.client(allCredentials())
	if _, err := other.RefreshCampaign(context.Background(), "acme", "bot", prior[0]); err != nil {
		t.Fatal(err)
	}
	if _, lists, _ := fake.counts(); lists != 2 {
		t.Fatalf("%d lists, want the second client to list once too", lists)
	}
}

func TestRefreshCampaign_aFieldClearedOnTheServerIsClearedOnce(t *testing.T) {
	fake := newFakeBuilder(t)
	prior := fake.putFull(3, true)
	fake.mu.Lock()
	for _, p := range prior {
		cleared := fake.campaigns[p.ID]
		cleared.Description = nil
		fake.campaigns[p.ID] = cleared
	}
	fake.mu.Unlock()
	c := fake.client(allCredentials())

	for _, p := range prior {
		got, err := c.RefreshCampaign(context.Background(), "acme", "bot", p)
		if err != nil || got.Description != nil || deref(got.Content) != "hello" {
			t.Fatalf("RefreshCampaign() = %s, %v; want description cleared, content kept", show(got), err)
		}
	}
	// The first cleared field was confirmed by a read, which showed the list
	// tells the truth: the others are trusted.
	if _, lists, reads := fake.counts(); lists != 1 || reads != 1 {
		t.Fatalf("%d lists and %d reads; want 1 and 1", lists, reads)
	}
}

func TestListCampaignsComplete(t *testing.T) {
	tests := []struct {
		name       string
		summaries  bool
		withFile   bool
		wantReads  [2]int64 // reads by the first and the second call
		wantShaped listShape
	}{
		{"summaries: every entry read, both times", true, true, [2]int64{4, 4}, shapeSummaries},
		{"full documents: no read", false, true, [2]int64{0, 0}, shapeUnknown},
		{"full documents without the optional file: read once, then trusted", false, false, [2]int64{4, 0}, shapeFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			fake.summaries = tt.summaries
			prior := fake.putFull(4, tt.withFile)
			c := fake.client(allCredentials())

			for call := range 2 {
				readsBefore := fake.reads.Load()
				got, err := c.ListCampaignsComplete(context.Background(), "acme", "bot")
				if err != nil || len(got) != len(prior) {
					t.Fatalf("call %d: %d campaigns, %v; want %d", call+1, len(got), err, len(prior))
				}
				for i, campaign := range got {
					want := prior[len(prior)-1-i] // the API's order: newest first
					campaign.Status = nil
					if !reflect.DeepEqual(campaign, want) {
						t.Fatalf("call %d, campaign %d = %s\nwant %s", call+1, i, show(campaign), show(want))
					}
				}
				if reads := fake.reads.Load() - readsBefore; reads != tt.wantReads[call] {
					t.Errorf("call %d: %d reads, want %d", call+1, reads, tt.wantReads[call])
				}
			}
			if lists := fake.lists.Load(); lists != 2 {
				t.Errorf("%d lists for 2 calls", lists)
			}
			if shape := c.lists.shape(botKey{"acme", "bot"}); shape != tt.wantShaped {
				t.Errorf("learned %v, want %v", shape, tt.wantShaped)
			}
		})
	}
}

// A bot with many campaigns: a list of whole documents costs one probe wave
// of reads, a list of summaries a read per campaign.
func TestListCampaignsComplete_probesOneWave(t *testing.T) {
	for _, tt := range []struct {
		name      string
		summaries bool
		wantReads int64
	}{
		{"whole documents", false, maxCompletionReads},
		{"summaries", true, 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			fake.summaries = tt.summaries
			prior := fake.putFull(20, false)
			got, err := fake.client(allCredentials()).ListCampaignsComplete(context.Background(), "acme", "bot")
			if err != nil || len(got) != 20 {
				t.Fatalf("ListCampaignsComplete() = %d campaigns, %v", len(got), err)
			}
			for i, campaign := range got {
				campaign.Status = nil
				if want := prior[len(prior)-1-i]; !reflect.DeepEqual(campaign, want) {
					t.Fatalf("campaign %d = %s\nwant %s", i, show(campaign), show(want))
				}
			}
			if reads := fake.reads.Load(); reads != tt.wantReads {
				t.Errorf("%d reads, want %d", reads, tt.wantReads)
			}
		})
	}
}

func TestListCampaignsComplete_campaignsGoneSinceTheListAreLeftOut(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.summaries = true
	fake.putFull(3, true)
	fake.readStatus = 404
	got, err := fake.client(allCredentials()).ListCampaignsComplete(context.Background(), "acme", "bot")
	if err != nil || len(got) != 0 {
		t.Fatalf("ListCampaignsComplete() = %d campaigns, %v; want none: every read found nothing", len(got), err)
	}
}

func TestListCampaignsComplete_aFailedReadFailsTheList(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.summaries = true
	fake.putFull(3, true)
	fake.readStatus = 403
	if got, err := fake.client(allCredentials()).ListCampaignsComplete(context.Background(), "acme", "bot"); err == nil {
		t.Fatalf("ListCampaignsComplete() = %+v; want the read's error, not summaries taken for documents", got)
	}
}
