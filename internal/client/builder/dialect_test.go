package builder_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Every dialect of the emulator is a plausible other reading of the same
// contract. The client's own tests speak each variant answer to it; this
// one runs a whole campaign and trigger lifecycle against each dialect, as a
// second, independent check of the tolerant reader.
func TestClient_lifecycleUnderEveryDialect(t *testing.T) {
	for _, dialect := range emulator.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			srv, err := emulator.Start(emulator.Config{Dialects: []emulator.Dialect{dialect}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			hc, err := client.New(client.Config{BaseURL: srv.BuilderURL(), Timeout: 5 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			c := builder.New(hc, builder.Credentials{User: emulator.DefaultUser, Password: emulator.DefaultPassword, APIKey: emulator.DefaultAPIKey})
			ctx := context.Background()
			text := func(s string) *string { return &s }
			want := builder.Campaign{
				CampaignName:  text("black-friday"),
				Name:          text("Black Friday"),
				Description:   text("d"),
				ScheduledDate: text("2030-01-01T09:00:00-03:00"),
				Content:       text("Olá!"),
				SheetValues:   []string{"name", "phone"},
			}

			created, err := c.CreateCampaign(ctx, "acme", "bot", want)
			if dialect == emulator.DialectServerIDs && len(created.Problems) == 1 && strings.Contains(created.Problems[0], "ignored the id this provider sent") {
				created.Problems = nil // said once, as it should be
			}
			if err != nil || !builder.ValidObjectID(created.ID) || created.Status == nil || len(created.Problems) > 0 {
				t.Fatalf("create = %+v, %v", created, err)
			}
			if held := len(srv.Campaigns()); held != 1 {
				t.Fatalf("the emulator holds %d campaigns after one create", held)
			}
			checkSame := func(step string, got builder.Campaign) {
				t.Helper()
				if len(got.Problems) > 0 {
					t.Errorf("%s: problems %q", step, got.Problems)
				}
				if got.CreationDate == nil {
					t.Errorf("%s: no creation_date", step)
				} else if _, err := time.Parse(time.RFC3339Nano, *got.CreationDate); err != nil {
					t.Errorf("%s: creation_date %q is not RFC 3339", step, *got.CreationDate)
				}
				if got.ScheduledDate == nil || !sameInstant(*got.ScheduledDate, *want.ScheduledDate) {
					t.Errorf("%s: scheduled_date %v, want the instant of %s", step, got.ScheduledDate, *want.ScheduledDate)
				}
				if !reflect.DeepEqual(got.SheetValues, want.SheetValues) || deref(got.Content) != deref(want.Content) ||
					deref(got.CampaignName) != deref(want.CampaignName) || deref(got.Description) != deref(want.Description) {
					t.Errorf("%s: %+v, want the fields that were sent", step, got)
				}
			}
			checkSame("create", created)

			prior := want
			prior.ID = created.ID
			refreshed, err := c.RefreshCampaign(ctx, "acme", "bot", prior)
			if err != nil {
				t.Fatal(err)
			}
			checkSame("refresh", refreshed)
			listed, err := c.ListCampaignsComplete(ctx, "acme", "bot")
			if err != nil || len(listed) != 1 || listed[0].ID != created.ID {
				t.Fatalf("list = %+v, %v", listed, err)
			}
			checkSame("list", listed[0])

			want.Content = text("Olá de novo!")
			updated, err := c.UpdateCampaign(ctx, "acme", "bot", created.ID, want)
			if err != nil || updated.ID != created.ID {
				t.Fatalf("update = %+v, %v", updated, err)
			}
			checkSame("update", updated)

			id, err := c.FireTrigger(ctx, []byte(`{"phone":"5511999999999"}`))
			if err != nil || id == "" {
				t.Fatalf("fire = %q, %v", id, err)
			}
			if _, err := c.GetTrigger(ctx, id); err != nil {
				t.Fatalf("read trigger %s: %v", id, err)
			}

			if err := c.DeleteCampaign(ctx, "acme", "bot", created.ID); err != nil {
				t.Fatal(err)
			}
			_, err = c.GetCampaign(ctx, "acme", "bot", created.ID)
			if dialect == emulator.DialectReadNull {
				// A read alone answers null; the refresh confirms with the list.
				_, err = c.RefreshCampaign(ctx, "acme", "bot", prior)
			}
			var apiErr *client.APIError
			if !client.IsNotFound(err) || !errors.As(err, &apiErr) || strings.Contains(apiErr.Message, `{"`) {
				t.Fatalf("read after delete: %v; want a 404 with a readable message", err)
			}
			if held := len(srv.Campaigns()); held != 0 {
				t.Fatalf("the emulator holds %d campaigns after the delete", held)
			}
		})
	}
}

func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
