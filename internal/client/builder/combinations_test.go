package builder_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Issue 17: rules proven one dialect at a time that failed under two.

func dialectClient(t *testing.T, cfg emulator.Config) (*emulator.Server, *builder.Client) {
	t.Helper()
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	hc, err := client.New(client.Config{BaseURL: srv.BuilderURL(), Timeout: 5 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return srv, builder.New(hc, builder.Credentials{User: emulator.DefaultUser, Password: emulator.DefaultPassword, APIKey: emulator.DefaultAPIKey})
}

func text(s string) *string { return &s }

// Item 1: a server that makes its own ids and answers the create with
// nothing. The read-back by our id finds nothing; before, our id was
// returned as if it were the campaign's, the next refresh dropped it, and
// the next apply created a second one. Now the campaign is found in the
// bot's list by its fields and adopted under the server's id.
func TestCreateCampaign_serverIDsAndNoAnswerAdoptsByFields(t *testing.T) {
	srv, c := dialectClient(t, emulator.Config{Dialects: []emulator.Dialect{emulator.DialectServerIDs, emulator.DialectWriteAnswersNull}})
	sent := builder.Campaign{CampaignName: text("promo"), Content: text("hi")}
	created, err := c.CreateCampaign(context.Background(), "acme", "bot", sent)
	held := srv.Campaigns()
	if err != nil || len(held) != 1 || created.ID != held[0].ID {
		t.Fatalf("create = %s, %v; the server holds %d campaigns (%+v): want the one it made", created.ID, err, len(held), held)
	}
	if refreshed, err := c.RefreshCampaign(context.Background(), "acme", "bot", created); err != nil || refreshed.ID != created.ID {
		t.Fatalf("refresh of the adopted campaign = %s, %v", refreshed.ID, err)
	}
}

// Item 1, the part no contract can settle: no list to look in either. The
// create is acknowledged but unconfirmed, never reported as a known id.
func TestCreateCampaign_serverIDsNoAnswerNoListIsUnconfirmed(t *testing.T) {
	srv, c := dialectClient(t, emulator.Config{Dialects: []emulator.Dialect{emulator.DialectServerIDs, emulator.DialectWriteAnswersNull, emulator.DialectListCapped}})
	for i := range 100 {
		srv.PutCampaign("acme", "bot", builder.Campaign{CampaignName: text(fmt.Sprintf("other-%d", i))})
	}
	_, err := c.CreateCampaign(context.Background(), "acme", "bot", builder.Campaign{CampaignName: text("promo")})
	var unconfirmed *builder.UnconfirmedCreateError
	if !errors.As(err, &unconfirmed) || !strings.Contains(err.Error(), "cannot be read whole") {
		t.Fatalf("create error = %v; want unconfirmed, saying the list cannot be read whole", err)
	}
}

// Item 2: a read that answers 200 null for a missing campaign, on a server
// whose list answers summaries. Once the client had learned the summaries,
// it read by id without the list, and the campaign deleted out of band was
// "not read" on every plan. Now the list is consulted for the null alone.
func TestRefreshCampaign_nullReadOnASummaryListIsGone(t *testing.T) {
	srv, c := dialectClient(t, emulator.Config{Dialects: []emulator.Dialect{emulator.DialectReadNull, emulator.DialectListSummaries}})
	ctx := context.Background()
	var prior []builder.Campaign
	for _, name := range []string{"a", "b"} {
		created, err := c.CreateCampaign(ctx, "acme", "bot", builder.Campaign{CampaignName: text(name), Content: text("x")})
		if err != nil {
			t.Fatal(err)
		}
		prior = append(prior, created)
	}
	srv.RemoveCampaign(prior[1].ID)                                            // out of band, before the refresh
	if _, err := c.RefreshCampaign(ctx, "acme", "bot", prior[0]); err != nil { // learns: the list answers summaries
		t.Fatal(err)
	}
	if _, err := c.RefreshCampaign(ctx, "acme", "bot", prior[1]); !client.IsNotFound(err) {
		t.Fatalf("refresh of a campaign deleted out of band = %v; want gone", err)
	}
}

// Item 3: a list that stops at 100 (FastAPI's default limit). Before, 150
// campaigns listed as 100, silently; now the list is paged with skip and
// limit, and one that cannot be read whole (capped, skip ignored) is an
// error, never a subset.
func TestListCampaigns_readsPastTheDefaultLimitOrFails(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cfg      emulator.Config
		wantErr  bool
		wantList int
	}{
		{name: "skip and limit", cfg: emulator.Config{}, wantList: 150},
		{name: "a lower largest limit", cfg: emulator.Config{ListMax: 30}, wantList: 150},
		{name: "no paging at all", cfg: emulator.Config{Dialects: []emulator.Dialect{emulator.DialectListUnpaged}}, wantList: 150},
		{name: "an envelope counting them", cfg: emulator.Config{Dialects: []emulator.Dialect{emulator.DialectListEnvelope}}, wantList: 150},
		{name: "capped at 100, skip ignored", cfg: emulator.Config{Dialects: []emulator.Dialect{emulator.DialectListCapped}}, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := dialectClient(t, tt.cfg)
			for i := range 150 {
				srv.PutCampaign("acme", "bot", builder.Campaign{CampaignName: text(fmt.Sprintf("c-%03d", i))})
			}
			list, err := c.ListCampaigns(context.Background(), "acme", "bot")
			complete, completeErr := c.ListCampaignsComplete(context.Background(), "acme", "bot")
			if tt.wantErr {
				var incomplete *builder.IncompleteListError
				if !errors.As(err, &incomplete) || !errors.As(completeErr, &incomplete) {
					t.Fatalf("list = %d, %v; complete = %d, %v; want both to fail as incomplete", len(list), err, len(complete), completeErr)
				}
				return
			}
			if err != nil || len(list) != tt.wantList || completeErr != nil || len(complete) != tt.wantList {
				t.Fatalf("list = %d, %v; complete = %d, %v; want %d", len(list), err, len(complete), completeErr, tt.wantList)
			}
		})
	}
}

// Item 4: a server that echoes the API key and the token in its answers.
// The trigger's read answer is kept in state (result): it must hold neither.
func TestGetTrigger_echoedCredentialsAreScrubbed(t *testing.T) {
	_, c := dialectClient(t, emulator.Config{Dialects: []emulator.Dialect{emulator.DialectEchoCredentials, emulator.DialectTriggerIDObject}})
	ctx := context.Background()
	id, err := c.FireTrigger(ctx, []byte(`{"to":"5511999990001"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.GetTrigger(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), emulator.DefaultAPIKey) || !strings.Contains(string(raw), client.Redacted) {
		t.Fatalf("trigger read answer kept as %s: want the echoed API key replaced by %s", raw, client.Redacted)
	}
}
