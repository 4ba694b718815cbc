package builder

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// A read that answers 200 null (a handler returning find_one's None) means
// "gone" only when the bot's list, lacking the campaign too, confirms it;
// alone, it stays an error, so that state never drops a campaign that may
// exist (the next apply would create it a second time).
func TestRefreshCampaign_aNullReadIsGoneOnlyWhenTheListAgrees(t *testing.T) {
	for _, tt := range []struct {
		name       string
		listStatus int
		wantGone   bool
	}{
		{"the list lacks it", http.StatusOK, true},
		{"there is no list", http.StatusMethodNotAllowed, false},
		{"the list failed", http.StatusBadGateway, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			c := fake.client(allCredentials())
			if _, err := c.Tokens(context.Background()); err != nil { // the login
				t.Fatal(err)
			}
			fake.answerEverythingWith(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.Count(r.URL.Path, "/") == 3 { // the list
					w.WriteHeader(tt.listStatus)
					_, _ = io.WriteString(w, `[]`)
					return
				}
				_, _ = io.WriteString(w, `null`)
			})

			_, err := c.RefreshCampaign(context.Background(), "acme", "bot", Campaign{ID: NewObjectID(), Name: ptr("n")})

			if gone := client.IsNotFound(err); gone != tt.wantGone || err == nil {
				t.Fatalf("RefreshCampaign() error = %v; want gone: %v", err, tt.wantGone)
			}
		})
	}
}
