package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

func createBody(id string) string { return `{"_id":"` + id + `","campaign_name":"x"}` }

func TestFault_rateLimitAnswers429WithRetryAfterAndProcessesNothing(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	s.InjectFault(OpCampaignCreate, FaultRateLimit, 1)
	r := send(t, http.MethodPost, campaignsURL(s), bearer(token), createBody(testID))
	wantDetail(t, r, http.StatusTooManyRequests, "Too Many Requests")
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", r.header.Get("Retry-After"))
	}
	if _, ok := s.Campaign(testID); ok {
		t.Fatal("a rate-limited create stored the campaign")
	}
	wantStatus(t, send(t, http.MethodPost, campaignsURL(s), bearer(token), createBody(testID)), http.StatusCreated)
	if s.Count(OpCampaignCreate) != 2 || s.FaultsInjected()[FaultRateLimit] != 1 {
		t.Errorf("Count %d, FaultsInjected %v", s.Count(OpCampaignCreate), s.FaultsInjected())
	}
}

func TestFault_serverErrorAnswers500InServiceShapeAndProcessesNothing(t *testing.T) {
	s := startServer(t, Config{Subscribers: 5})
	s.InjectFault(OpTriggerFire, FaultServerError, 1)
	r := send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `{"json":{}}`)
	wantDetail(t, r, http.StatusInternalServerError, "Internal Server Error")
	if n := len(s.Triggers()); n != 0 {
		t.Fatalf("a 500 fault fired %d triggers", n)
	}
	s.InjectFault(OpEvoluxSubscribers, FaultServerError, 1)
	r = send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), "")
	equalJSON(t, r.body, []byte(`{"meta":{"status":500,"message":"Internal Server Error"}}`))
}

func TestFault_dropAfterStoresTheCampaignButTheClientGetsNoAnswer(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	s.InjectFault(OpCampaignCreate, FaultDropAfter, 1)
	_, err := trySend(http.MethodPost, campaignsURL(s), bearer(token), createBody(testID))
	if err == nil {
		t.Fatal("a dropped connection answered")
	}
	if _, ok := s.Campaign(testID); !ok {
		t.Fatal("drop_after did not store the campaign")
	}
	// The client's adopt-by-read works.
	wantStatus(t, send(t, http.MethodGet, campaignURL(s, testID), bearer(token), ""), http.StatusOK)
}

func TestFault_dropBeforeStoresNothingAndTheClientGetsNoAnswer(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	s.InjectFault(OpCampaignCreate, FaultDropBefore, 1)
	if _, err := trySend(http.MethodPost, campaignsURL(s), bearer(token), createBody(testID)); err == nil {
		t.Fatal("a dropped connection answered")
	}
	if _, ok := s.Campaign(testID); ok {
		t.Fatal("drop_before stored the campaign")
	}
}

func TestFault_dropAfterFiresTheTrigger(t *testing.T) {
	s := startServer(t, Config{})
	s.InjectFault(OpTriggerFire, FaultDropAfter, 1)
	if _, err := trySend(http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `{"json":{"a":1}}`); err == nil {
		t.Fatal("a dropped connection answered")
	}
	if triggers := s.Triggers(); len(triggers) != 1 || string(triggers[0].Payload) != `{"a":1}` {
		t.Fatalf("triggers after drop_after: %+v", triggers)
	}
}

func TestFault_slowAnswersAfterTheDelay(t *testing.T) {
	s := startServer(t, Config{SlowDelay: 300 * time.Millisecond})
	token := login(t, s).Token
	s.InjectFault(OpCampaignCreate, FaultSlow, 1)
	started := time.Now()
	r := send(t, http.MethodPost, campaignsURL(s), bearer(token), createBody(testID))
	if elapsed := time.Since(started); elapsed < 300*time.Millisecond {
		t.Errorf("slow answer after %s, want at least 300ms", elapsed)
	}
	wantStatus(t, r, http.StatusCreated)

	// Processed before the wait: a client that gives up still created it.
	s = startServer(t, Config{SlowDelay: time.Minute})
	token = login(t, s).Token
	s.InjectFault(OpCampaignCreate, FaultSlow, 1)
	other := "5eb7cf5a86d9755df3a6c594"
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, campaignsURL(s), strings.NewReader(createBody(other)))
	req.Header = bearer(token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client timeout: %v", err)
	}
	if _, ok := s.Campaign(other); !ok {
		t.Error("a slow create did not store the campaign")
	}
	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a slow answer nobody wants")
	}
}

func TestInjectFault_queuesInOrderAcrossCalls(t *testing.T) {
	s := startServer(t, Config{})
	s.InjectFault(OpLogin, FaultRateLimit, 2)
	s.InjectFault(OpLogin, FaultServerError, 1)
	s.InjectFault(OpRefresh, FaultServerError, 1) // another op's queue is separate
	body := `{"user":"` + DefaultUser + `","password":"` + DefaultPassword + `"}`
	var statuses []int
	for range 4 {
		statuses = append(statuses, send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, body).status)
	}
	if fmt.Sprint(statuses) != "[429 429 500 200]" {
		t.Errorf("statuses %v, want [429 429 500 200]", statuses)
	}
	if got := s.FaultsInjected(); got[FaultRateLimit] != 2 || got[FaultServerError] != 1 {
		t.Errorf("FaultsInjected %v", got)
	}
}

func TestRandomFaults_deterministicForASeed(t *testing.T) {
	run := func(seed int64) []int {
		s := startServer(t, Config{})
		s.SetRandomFaults(RandomFaults{Rate: 0.5, Kinds: []FaultKind{FaultRateLimit, FaultServerError}, Seed: seed})
		var statuses []int
		for range 40 {
			statuses = append(statuses, send(t, http.MethodGet, s.URL()+builder.TriggerPath("0")+"?apikey="+DefaultAPIKey, nil, "").status)
		}
		return statuses
	}
	a, b := run(42), run(42)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(run(43)) {
		t.Error("different seeds gave the same faults")
	}
	counts := map[int]int{}
	for _, status := range a {
		counts[status]++
	}
	if counts[http.StatusTooManyRequests] == 0 || counts[http.StatusInternalServerError] == 0 || counts[http.StatusNotFound] == 0 {
		t.Errorf("status mix %v: want 429s, 500s and unfaulted 404s", counts)
	}
}

func TestRandomFaults_onlyListedOpsAndRateZeroTurnsOff(t *testing.T) {
	s := startServer(t, Config{})
	s.SetRandomFaults(RandomFaults{Rate: 1, Kinds: []FaultKind{FaultServerError}, Ops: []Op{OpTriggerFire}})
	wantStatus(t, send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `{"json":{}}`), http.StatusInternalServerError)
	login(t, s) // not listed: unaffected
	s.SetRandomFaults(RandomFaults{})
	wantStatus(t, send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `{"json":{}}`), http.StatusOK)
}

func TestRandomFaults_queuedFaultsComeFirst(t *testing.T) {
	s := startServer(t, Config{})
	s.SetRandomFaults(RandomFaults{Rate: 1, Kinds: []FaultKind{FaultServerError}})
	s.InjectFault(OpLogin, FaultRateLimit, 1)
	body := `{"user":"` + DefaultUser + `","password":"` + DefaultPassword + `"}`
	wantStatus(t, send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, body), http.StatusTooManyRequests)
	wantStatus(t, send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, body), http.StatusInternalServerError)
}

func TestLatency_delaysEveryRequest(t *testing.T) {
	s := startServer(t, Config{Latency: 150 * time.Millisecond})
	started := time.Now()
	send(t, http.MethodGet, s.URL()+"/nope", nil, "")
	if elapsed := time.Since(started); elapsed < 150*time.Millisecond {
		t.Errorf("answered after %s with 150ms latency", elapsed)
	}
	// Back to no latency after an hour's: an answer at all (the test client
	// gives up long before an hour) shows the knob took effect, with no
	// upper bound on time that a busy machine could break.
	s.SetLatency(time.Hour)
	s.SetLatency(0)
	send(t, http.MethodGet, s.URL()+"/nope", nil, "")
}

// TestTransport_faultsServedInProcess: through Transport each fault does
// what it says, at once, with no socket: whether the work was done, and what
// the client sees.
func TestTransport_faultsServedInProcess(t *testing.T) {
	e := New(Config{})
	client := &http.Client{Transport: e.Transport()}
	token := func() string {
		resp, err := client.Post("http://emulator"+builder.PathLogin, "application/json",
			strings.NewReader(`{"user":"`+DefaultUser+`","password":"`+DefaultPassword+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var tokens builder.Tokens
		if err := json.NewDecoder(resp.Body).Decode(&tokens); err != nil {
			t.Fatal(err)
		}
		return tokens.Token
	}()
	for i, tt := range []struct {
		kind       FaultKind
		stored     bool
		status     int    // 0: the round trip fails
		retryAfter string // of a status answer
		timeout    bool   // the failure is a timeout
		dial       bool   // the failure is a refused connection
	}{
		{kind: "", stored: true, status: http.StatusCreated},
		{kind: FaultRefused, dial: true},
		{kind: FaultRateLimit, status: http.StatusTooManyRequests, retryAfter: "1"},
		{kind: FaultRateLimitBare, status: http.StatusTooManyRequests},
		{kind: FaultUnavailable, status: http.StatusServiceUnavailable, retryAfter: "1"},
		{kind: FaultServerError, status: http.StatusInternalServerError},
		{kind: FaultServerErrorAfter, stored: true, status: http.StatusInternalServerError},
		{kind: FaultDropAfter, stored: true},
		{kind: FaultSlow, stored: true, timeout: true},
	} {
		id := fmt.Sprintf("65f0000000000000000000%02x", i)
		ctx := WithFault(context.Background(), tt.kind)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://emulator"+builder.CampaignsPath("acme", "bot"), strings.NewReader(createBody(id)))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if _, stored := e.Campaign(id); stored != tt.stored {
			t.Errorf("%s: stored %v, want %v", tt.kind, stored, tt.stored)
		}
		if tt.status == 0 {
			var netErr net.Error
			var opErr *net.OpError
			if err == nil || (errors.As(err, &netErr) && netErr.Timeout()) != tt.timeout || (errors.As(err, &opErr) && opErr.Op == "dial") != tt.dial {
				t.Errorf("%s: round trip error %v, want timeout %v, refused %v", tt.kind, err, tt.timeout, tt.dial)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.kind, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Retry-After") != tt.retryAfter {
			t.Errorf("%s: %d, Retry-After %q; want %d, %q", tt.kind, resp.StatusCode, resp.Header.Get("Retry-After"), tt.status, tt.retryAfter)
		}
	}
}
