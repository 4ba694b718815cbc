package builder

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

func ptr(s string) *string { return &s }

// seed stores a campaign directly in the fake.
func (f *fakeBuilder) seed(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.campaigns[id] = Campaign{ID: id, Name: ptr("seeded"), Status: ptr(StatusNotStarted)}
}

// concurrently runs fn n times at once and returns the errors.
func concurrently(n int, fn func() error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errs
}

func requireNoErrors(t *testing.T, errs []error) {
	t.Helper()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestTokens_concurrentFirstCallsLogInOnce(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.loginDelay = 50 * time.Millisecond
	id := NewObjectID()
	fake.seed(id)
	c := fake.client(allCredentials())

	requireNoErrors(t, concurrently(20, func() error {
		_, err := c.GetCampaign(context.Background(), "acme", "bot", id)
		return err
	}))

	if fake.logins.Load() != 1 {
		t.Fatalf("20 concurrent first calls cost %d logins, want 1", fake.logins.Load())
	}
}

func TestTokens_returnsThePairLoggingInOnlyOnce(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	first, err := c.Tokens(context.Background())
	if err != nil || first.Token == "" || first.RefreshToken == "" {
		t.Fatalf("Tokens() = %+v, %v", first, err)
	}
	second, _ := c.Tokens(context.Background())
	if second != first || fake.logins.Load() != 1 {
		t.Fatalf("second Tokens() = %+v after %d logins; want the same pair, 1 login", second, fake.logins.Load())
	}
}

func TestRenew_expiredTokenIsRefreshedOnceForConcurrentRequests(t *testing.T) {
	fake := newFakeBuilder(t)
	id := NewObjectID()
	fake.seed(id)
	c := fake.client(allCredentials())
	if _, err := c.GetCampaign(context.Background(), "acme", "bot", id); err != nil {
		t.Fatal(err)
	}
	fake.expireTokens()

	requireNoErrors(t, concurrently(20, func() error {
		_, err := c.GetCampaign(context.Background(), "acme", "bot", id)
		return err
	}))

	if fake.refreshes.Load() != 1 || fake.logins.Load() != 1 {
		t.Fatalf("%d refreshes and %d logins, want 1 refresh and only the first login", fake.refreshes.Load(), fake.logins.Load())
	}
}

func TestRenew_aTokenAlreadyReplacedIsNotRefreshedAgain(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	stale, err := c.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := c.renew(context.Background(), stale.Token)
	if err != nil || renewed.Token == stale.Token {
		t.Fatalf("renew() = %+v, %v; want a new token", renewed, err)
	}

	// A request that was refused the old token, late.
	late, err := c.renew(context.Background(), stale.Token)

	if err != nil || late != renewed || fake.refreshes.Load() != 1 {
		t.Fatalf("late renew() = %+v, %v after %d refreshes; want the current pair and no second refresh", late, err, fake.refreshes.Load())
	}
}

func TestRenew_failedRefreshFallsBackToOneLogin(t *testing.T) {
	fake := newFakeBuilder(t)
	id := NewObjectID()
	fake.seed(id)
	c := fake.client(allCredentials())
	if _, err := c.GetCampaign(context.Background(), "acme", "bot", id); err != nil {
		t.Fatal(err)
	}
	fake.expireTokens()
	fake.mu.Lock()
	fake.refreshFails = true
	fake.mu.Unlock()

	requireNoErrors(t, concurrently(10, func() error {
		_, err := c.GetCampaign(context.Background(), "acme", "bot", id)
		return err
	}))

	if fake.refreshes.Load() != 1 || fake.logins.Load() != 2 {
		t.Fatalf("%d refreshes and %d logins, want 1 failed refresh and one login after the first", fake.refreshes.Load(), fake.logins.Load())
	}
}

func TestRenew_403NotAuthenticatedMeansTheSameAs401(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.missingStatus = http.StatusForbidden
	id := NewObjectID()
	fake.seed(id)
	c := fake.client(allCredentials())
	if _, err := c.GetCampaign(context.Background(), "acme", "bot", id); err != nil {
		t.Fatal(err)
	}
	fake.expireTokens()

	if _, err := c.GetCampaign(context.Background(), "acme", "bot", id); err != nil {
		t.Fatalf("GetCampaign after a 403 %q: %v", DetailNotAuthenticated, err)
	}
	if fake.refreshes.Load() != 1 {
		t.Fatalf("%d refreshes, want 1", fake.refreshes.Load())
	}
}

func TestRenew_aRequestIsRepeatedOnlyOnce(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	if _, err := c.Tokens(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.refuseTokens = true
	fake.mu.Unlock()

	_, err := c.GetCampaign(context.Background(), "acme", "bot", NewObjectID())

	if client.StatusOf(err) != http.StatusUnauthorized || fake.refreshes.Load() != 1 || fake.logins.Load() != 1 {
		t.Fatalf("err = %v after %d refreshes and %d logins; want the 401 after one refresh", err, fake.refreshes.Load(), fake.logins.Load())
	}
}

func TestLogin_wrongPasswordIsAClearErrorWithoutRetries(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(Credentials{User: testUser, Password: "wrong"})

	_, err := c.ListCampaigns(context.Background(), "acme", "bot")

	if err == nil || !strings.Contains(err.Error(), "Incorrect user or password") {
		t.Fatalf("err = %v; want the server's message", err)
	}
	if !strings.Contains(err.Error(), `refused the login of "`+testUser+`"`) {
		t.Errorf("err = %q, does not say whose login was refused", err)
	}
	if client.StatusOf(err) != http.StatusUnauthorized || fake.logins.Load() != 1 {
		t.Fatalf("status %d after %d logins; want 401 after 1", client.StatusOf(err), fake.logins.Load())
	}
}

func TestCreateCampaign_postsOnceAndUsesTheAnswer(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())

	created, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{Name: ptr("black friday")})

	if err != nil || !ValidObjectID(created.ID) || created.Status == nil || *created.Status != StatusNotStarted {
		t.Fatalf("CreateCampaign() = %+v, %v; want a generated id and the server's status", created, err)
	}
	if fake.creates.Load() != 1 || fake.reads.Load() != 0 {
		t.Fatalf("%d POSTs and %d GETs, want 1 and no read-back", fake.creates.Load(), fake.reads.Load())
	}
}

func TestCreateCampaign_neverCreatesTwice(t *testing.T) {
	tests := []struct {
		name               string
		faults             []string
		wantPosts          int64
		wantReads          int64
		wantAdoptedExisted bool
	}{
		{"dropped connection after the create: adopted", []string{faultDropAfterCreate}, 1, 1, true},
		{"500 after the create (a duplicate _id answers the same): adopted", []string{fault500AfterCreate}, 1, 1, true},
		{"unreadable 201: adopted", []string{faultUnreadableAnswer}, 1, 1, true},
		{"500 before the create: posted again with the same id", []string{fault500BeforeCreate}, 2, 1, false},
		{"two failures before the create", []string{fault500BeforeCreate, fault500BeforeCreate}, 3, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			fake.createFaults = tt.faults
			c := fake.client(allCredentials())
			id := NewObjectID()

			created, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: id, Name: ptr("n")})

			if err != nil || created.ID != id {
				t.Fatalf("CreateCampaign() = %+v, %v; want campaign %s", created, err, id)
			}
			if fake.campaignCount() != 1 || fake.creates.Load() != tt.wantPosts || fake.reads.Load() != tt.wantReads {
				t.Fatalf("server holds %d campaigns after %d POSTs and %d GETs; want 1 after %d and %d",
					fake.campaignCount(), fake.creates.Load(), fake.reads.Load(), tt.wantPosts, tt.wantReads)
			}
		})
	}
}

func TestCreateCampaign_givesUpNamingTheID(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.createFaults = []string{fault500BeforeCreate, fault500BeforeCreate, fault500BeforeCreate, fault500BeforeCreate}
	c := fake.client(allCredentials())
	id := NewObjectID()

	_, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: id})

	var uncertain *UncertainCreateError
	if !errors.As(err, &uncertain) || uncertain.CampaignID != id || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "may exist") {
		t.Fatalf("err = %v; want an UncertainCreateError for %s", err, id)
	}
	if fake.creates.Load() != maxCreateRounds {
		t.Fatalf("%d POSTs, want %d", fake.creates.Load(), maxCreateRounds)
	}
}

func TestCreateCampaign_refusalIsNotRepeated(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.createFaults = []string{faultValidationError}
	c := fake.client(allCredentials())

	_, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{})

	var uncertain *UncertainCreateError
	if client.StatusOf(err) != http.StatusUnprocessableEntity || errors.As(err, &uncertain) ||
		!strings.Contains(err.Error(), "body.scheduled_date: invalid datetime format") {
		t.Fatalf("err = %v; want the 422 with its message", err)
	}
	if fake.creates.Load() != 1 || fake.reads.Load() != 0 {
		t.Fatalf("%d POSTs and %d GETs, want 1 and 0", fake.creates.Load(), fake.reads.Load())
	}
}

func TestCreateCampaign_afterAnExpiredTokenPostsOnce(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	if _, err := c.Tokens(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.expireTokens()

	if _, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{}); err != nil {
		t.Fatal(err)
	}
	if fake.campaignCount() != 1 || fake.refreshes.Load() != 1 {
		t.Fatalf("%d campaigns after %d refreshes, want 1 after 1", fake.campaignCount(), fake.refreshes.Load())
	}
}

func TestCreateCampaign_refusesAnIDThatIsNotAnObjectID(t *testing.T) {
	fake := newFakeBuilder(t)
	_, err := fake.client(allCredentials()).CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: "not-an-id"})
	if err == nil || fake.creates.Load() != 0 {
		t.Fatalf("err = %v after %d POSTs; want a refusal before sending", err, fake.creates.Load())
	}
}

func TestGetCampaign_notFound(t *testing.T) {
	fake := newFakeBuilder(t)
	_, err := fake.client(allCredentials()).GetCampaign(context.Background(), "acme", "bot", NewObjectID())
	if !client.IsNotFound(err) || !strings.Contains(err.Error(), "Campaign not found") {
		t.Fatalf("err = %v, want a 404 with its message", err)
	}
}

func TestUpdateCampaign(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	id := NewObjectID()
	fake.seed(id)

	updated, err := c.UpdateCampaign(context.Background(), "acme", "bot", id, Campaign{Name: ptr("renamed")})
	if err != nil || updated.ID != id || *updated.Name != "renamed" {
		t.Fatalf("UpdateCampaign() = %+v, %v", updated, err)
	}

	fake.mu.Lock()
	started := fake.campaigns[id]
	started.Status = ptr(StatusInProgress)
	fake.campaigns[id] = started
	fake.mu.Unlock()
	_, err = c.UpdateCampaign(context.Background(), "acme", "bot", id, Campaign{Name: ptr("again")})
	if client.StatusOf(err) != http.StatusConflict || !strings.Contains(err.Error(), "campaign already started") {
		t.Fatalf("err = %v, want a 409 with its message", err)
	}
}

func TestListCampaigns(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.seed(NewObjectID())
	fake.seed(NewObjectID())
	campaigns, err := fake.client(allCredentials()).ListCampaigns(context.Background(), "acme", "bot")
	if err != nil || len(campaigns) != 2 {
		t.Fatalf("ListCampaigns() = %d campaigns, %v; want 2", len(campaigns), err)
	}
}

func TestDeleteCampaign(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	id := NewObjectID()
	fake.seed(id)

	if err := c.DeleteCampaign(context.Background(), "acme", "bot", id); err != nil || fake.campaignCount() != 0 {
		t.Fatalf("DeleteCampaign() = %v, %d campaigns left", err, fake.campaignCount())
	}
	if err := c.DeleteCampaign(context.Background(), "acme", "bot", id); err != nil {
		t.Fatalf("DeleteCampaign() of a campaign already gone = %v, want nil", err)
	}
}

func TestDeleteCampaign_acceptsAnyAnswerBody(t *testing.T) {
	for _, body := range []string{"", "null", `{"deleted": true}`, `"ok"`} {
		fake := newFakeBuilder(t)
		c := fake.client(allCredentials())
		if _, err := c.Tokens(context.Background()); err != nil {
			t.Fatal(err)
		}
		fake.answerEverythingWith(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(body))
		})
		if err := c.DeleteCampaign(context.Background(), "acme", "bot", NewObjectID()); err != nil {
			t.Fatalf("DeleteCampaign() answered %q: %v", body, err)
		}
	}
}

func TestFireTrigger(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())

	id, err := c.FireTrigger(context.Background(), json.RawMessage(`{"phone":"5511999990000","vars":{"name":"Ana"}}`))

	if err != nil || id != "0" {
		t.Fatalf("FireTrigger() = %q, %v; want id 0", id, err)
	}
	if string(fake.lastFireBody) != `{"json":{"phone":"5511999990000","vars":{"name":"Ana"}}}` || fake.lastFireQuery != "apikey="+testAPIKey {
		t.Fatalf("server got body %s and query %q", fake.lastFireBody, fake.lastFireQuery)
	}
	got, err := c.GetTrigger(context.Background(), id)
	if err != nil || !json.Valid(got) {
		t.Fatalf("GetTrigger() = %s, %v", got, err)
	}
	if _, err := c.GetTrigger(context.Background(), "404"); !client.IsNotFound(err) {
		t.Fatalf("GetTrigger() of an unknown id = %v, want a 404", err)
	}
}

func TestFireTrigger_ambiguousOutcomeIsNeverRepeated(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	fake.answerEverythingWith(func(w http.ResponseWriter, r *http.Request) {
		fake.fires.Add(1)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	})

	_, err := c.FireTrigger(context.Background(), json.RawMessage(`{}`))

	if !client.MayHaveBeenProcessed(err) || fake.fires.Load() != 1 {
		t.Fatalf("err = %v after %d fires; want an ambiguous error after exactly 1", err, fake.fires.Load())
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Fatalf("error %q shows the API key", err)
	}
}

func TestDecodeTriggerID(t *testing.T) {
	tests := []struct {
		body    string
		want    string
		wantErr bool
	}{
		{body: `0`, want: "0"},
		{body: ` 12345678901234567890 `, want: "12345678901234567890"},
		{body: `"abc"`, want: "abc"},
		{body: `{"id": 5}`, want: "5"},
		{body: `{"_id":"x"}`, want: "x"},
		{body: `{"id":"", "_id":"y"}`, want: "y"},
		{body: `{"_id":{"$oid":"65f000000000000000000001"}}`, want: "65f000000000000000000001"},
		{body: `{"data":{"id":7,"status":"sent"}}`, want: "7"},
		{body: `{"data":{"name":"x"}}`, wantErr: true},
		{body: `{"data":7}`, wantErr: true},
		{body: `{"_id":{"$oid":""}}`, wantErr: true},
		{body: `{"_id":{"$oid":"x","more":1}}`, wantErr: true},
		{body: `null`, wantErr: true},
		{body: `""`, wantErr: true},
		{body: `{"name":"x"}`, wantErr: true},
		{body: `[1]`, wantErr: true},
		{body: `1 2`, wantErr: true},
		{body: ``, wantErr: true},
		{body: "\f0", wantErr: true}, // found by FuzzDecodeTriggerID: a form feed is not JSON whitespace
	}
	for _, tt := range tests {
		got, err := DecodeTriggerID([]byte(tt.body))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("DecodeTriggerID(%s) = %q, %v; want %q, error %v", tt.body, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewObjectID(t *testing.T) {
	format := regexp.MustCompile(`^[0-9a-f]{24}$`)
	seen := map[string]bool{}
	before := time.Now().Unix()
	var first string
	for i := range 10_000 {
		id := NewObjectID()
		if !format.MatchString(id) || !ValidObjectID(id) {
			t.Fatalf("NewObjectID() = %q, not 24 lowercase hex", id)
		}
		if seen[id] {
			t.Fatalf("NewObjectID() repeated %q", id)
		}
		seen[id] = true
		if i == 0 {
			first = id
		}
		if id[8:18] != first[8:18] {
			t.Fatalf("the process part changed: %s then %s", first, id)
		}
	}
	var seconds int64
	for _, digit := range first[:8] {
		seconds = seconds*16 + int64(strings.IndexRune("0123456789abcdef", digit))
	}
	if seconds < before-1 || seconds > time.Now().Unix()+1 {
		t.Fatalf("timestamp %d is not now (%d)", seconds, before)
	}
}

func TestValidObjectID(t *testing.T) {
	for id, want := range map[string]bool{
		"65f1a2b3c4d5e6f708192a3b":  true,
		"65F1A2B3C4D5E6F708192A3B":  false,
		"65f1a2b3c4d5e6f708192a3":   false,
		"65f1a2b3c4d5e6f708192a3bc": false,
		"65f1a2b3c4d5e6f708192a3g":  false,
		"":                          false,
	} {
		if ValidObjectID(id) != want {
			t.Errorf("ValidObjectID(%q) = %v, want %v", id, !want, want)
		}
	}
}

func FuzzDecoders(f *testing.F) {
	for _, seed := range []string{`0`, `"abc"`, `{"id":5}`, `{"_id":"x"}`, `{"_id":"65f1a2b3c4d5e6f708192a3b","status":"x"}`, `[{}]`, `null`, "\xff"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if id, err := DecodeTriggerID(body); err == nil && id == "" {
			t.Fatalf("DecodeTriggerID(%q) accepted an empty id", body)
		}
		_, _, _ = decodeCampaign(body)
		if campaigns, _, err := decodeCampaignList(body); err == nil && campaigns == nil {
			t.Fatalf("decodeCampaignList(%q) = nil without an error", body)
		}
	})
}

func TestLogin_acceptsOAuth2AccessToken(t *testing.T) {
	c := answeringClient(t, http.StatusOK, []byte(`{"access_token":"oauth-style-token","token_type":"bearer"}`))
	tokens, err := c.Tokens(context.Background())
	if err != nil || tokens.Token != "oauth-style-token" {
		t.Fatalf("Tokens() = %+v, %v; want the access_token", tokens, err)
	}
}
