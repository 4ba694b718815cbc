package builder

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

type memoryLogger struct {
	mu   sync.Mutex
	text strings.Builder
}

func (l *memoryLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(&l.text, msg, fields)
}

// The tokens a login hands out are secrets from then on: a server that
// quotes them (or the password, or the API key) in an answer shows none of
// them to the user or the log.
func TestSecrets_credentialsAndReceivedTokensAreScrubbed(t *testing.T) {
	const token, refresh = "issued-access-token", "issued-refresh-token"
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == PathLogin:
			_, _ = fmt.Fprintf(w, `{"token":%q,"refresh_token":%q}`, token, refresh)
		case r.URL.Path == PathTrigger:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"detail":"no trigger for key %s"}`, r.URL.Query().Get(QueryAPIKey))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/bad"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"detail":"session %s (refresh %s) of %s/%s is not allowed here"}`, token, refresh, testUser, testPassword)
		default: // a read whose fields quote the secrets
			_, _ = fmt.Fprintf(w, `{"_id":"65f000000000000000000001","creation_date":"when %s expires","content":%q}`, token, testPassword)
		}
	}))
	t.Cleanup(server.Close)
	logger := &memoryLogger{}
	hc, err := client.New(client.Config{BaseURL: server.URL, Logger: logger, MaxRetries: -1, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := New(hc, allCredentials())

	var texts []string
	if _, err := c.GetCampaign(context.Background(), "acme", "bot", "bad"); err != nil {
		texts = append(texts, err.Error())
	}
	if _, err := c.FireTrigger(context.Background(), []byte(`{}`)); err != nil {
		texts = append(texts, err.Error())
	}
	got, err := c.GetCampaign(context.Background(), "acme", "bot", "65f000000000000000000001")
	if err != nil || len(got.Problems) != 1 {
		t.Fatalf("GetCampaign() = %+v, %v; want one problem", got, err)
	}
	texts = append(texts, got.Problems...)
	if len(texts) != 3 {
		t.Fatalf("texts = %q, want two errors and a problem", texts)
	}
	logged := logger.text.String()
	for _, text := range append(texts, logged) {
		for _, secret := range []string{token, refresh, testPassword, testAPIKey} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows %q", text, secret)
			}
		}
	}
	if !strings.Contains(texts[0], "is not allowed here") || !strings.Contains(texts[0], testUser) {
		t.Errorf("the error lost its message: %q", texts[0])
	}
}
