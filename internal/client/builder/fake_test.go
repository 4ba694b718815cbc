package builder

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// fakeBuilder is a small in-memory Builder for these tests: tokens, campaigns,
// triggers, request counts and one-shot faults.
type fakeBuilder struct {
	t      *testing.T
	server *httptest.Server

	logins, refreshes, creates, reads, lists, fires atomic.Int64

	mu            sync.Mutex
	validTokens   map[string]bool
	validRefresh  map[string]bool
	issued        int
	campaigns     map[string]Campaign
	triggers      map[string]json.RawMessage
	loginDelay    time.Duration
	refreshFails  bool
	missingStatus int  // the answer to a missing or stale token: 401, or 403 "Not authenticated"
	refuseTokens  bool // refuse every token, even fresh ones
	override      http.Handler
	createFaults  []string
	// writeAnswer, when set, replaces the 2xx answer to a create or update
	// that was stored: status and raw body.
	writeAnswer    *rawAnswer
	readStatus     int  // when set, every read answers this status
	assignIDs      bool // the server ignores the _id it is sent and makes its own
	summaries      bool // the list answers only _id, campaign_name and status
	lastFireBody   []byte
	lastFireQuery  string
	lastUpdateBody []byte
}

type rawAnswer struct {
	status int
	body   string
}

const (
	testUser     = "ops@example.com"
	testPassword = "password-secret"
	testAPIKey   = "apikey-secret"

	// Create faults, consumed one per POST.
	faultDropAfterCreate  = "drop-after-create" // stores, then drops the connection
	fault500BeforeCreate  = "500-before-create" // answers 500 without storing
	fault500AfterCreate   = "500-after-create"  // stores, then answers 500 plain text
	faultUnreadableAnswer = "unreadable-answer" // stores, then answers 201 with a broken body
	faultValidationError  = "422-before-create" // refuses the body
	faultDuplicate409     = "409-duplicate"     // answers 409 "duplicate id" without storing
	faultStoreThen422     = "store-then-422"    // stores, then answers 422 "duplicate id" (a slow first POST landed)
	faultRateLimited      = "429"               // answers 429 without storing
	faultRateLimitedLong  = "429-long"          // answers 429 without storing, asking to wait a minute
)

func newFakeBuilder(t *testing.T) *fakeBuilder {
	f := &fakeBuilder{
		t:             t,
		validTokens:   map[string]bool{},
		validRefresh:  map[string]bool{},
		campaigns:     map[string]Campaign{},
		triggers:      map[string]json.RawMessage{},
		missingStatus: http.StatusUnauthorized,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathLogin, f.login)
	mux.HandleFunc("POST "+PathRefresh, f.refresh)
	mux.HandleFunc("POST /campaign/{org}/{bot}", f.authorized(f.create))
	mux.HandleFunc("GET /campaign/{org}/{bot}", f.authorized(f.list))
	mux.HandleFunc("GET /campaign/{org}/{bot}/{id}", f.authorized(f.read))
	mux.HandleFunc("PUT /campaign/{org}/{bot}/{id}", f.authorized(f.update))
	mux.HandleFunc("DELETE /campaign/{org}/{bot}/{id}", f.authorized(f.delete))
	mux.HandleFunc("POST "+PathTrigger, f.fire)
	mux.HandleFunc("GET "+PathTrigger+"/{id}", f.readTrigger)
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		handler := f.override
		f.mu.Unlock()
		if handler == nil {
			handler = mux
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeBuilder) client(creds Credentials) *Client {
	f.t.Helper()
	http, err := client.New(client.Config{
		BaseURL:      f.server.URL,
		Timeout:      2 * time.Second,
		MaxRetries:   2,
		UserAgent:    "terraform-provider-campaigns/test",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return New(http, creds)
}

func allCredentials() Credentials {
	return Credentials{User: testUser, Password: testPassword, APIKey: testAPIKey}
}

func detail(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"detail": message})
}

func answer(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(value)
}

// issue makes a new token pair; the caller holds f.mu.
func (f *fakeBuilder) issue() Tokens {
	f.issued++
	tokens := Tokens{Token: fmt.Sprintf("token-%d", f.issued), RefreshToken: fmt.Sprintf("refresh-%d", f.issued)}
	f.validTokens[tokens.Token] = true
	f.validRefresh[tokens.RefreshToken] = true
	return tokens
}

// answerEverythingWith replaces the whole API by handler.
func (f *fakeBuilder) answerEverythingWith(handler http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = handler
}

// expireTokens makes every bearer token stale; refresh tokens stay valid.
func (f *fakeBuilder) expireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.validTokens = map[string]bool{}
}

func (f *fakeBuilder) login(w http.ResponseWriter, r *http.Request) {
	f.logins.Add(1)
	var body LoginRequest
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	delay := f.loginDelay
	f.mu.Unlock()
	time.Sleep(delay)
	if body.User != testUser || body.Password != testPassword {
		detail(w, http.StatusUnauthorized, "Incorrect user or password")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	answer(w, http.StatusOK, f.issue())
}

func (f *fakeBuilder) refresh(w http.ResponseWriter, r *http.Request) {
	f.refreshes.Add(1)
	var body RefreshRequest
	_ = json.NewDecoder(r.Body).Decode(&body)
	time.Sleep(20 * time.Millisecond) // long enough for concurrent requests to pile up
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refreshFails || !f.validRefresh[body.RefreshToken] {
		detail(w, http.StatusUnauthorized, "Invalid refresh token")
		return
	}
	answer(w, http.StatusOK, f.issue())
}

func (f *fakeBuilder) authorized(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get(HeaderAuthorization)
		f.mu.Lock()
		valid := !f.refuseTokens && len(header) > len("Bearer ") && f.validTokens[header[len("Bearer "):]]
		status := f.missingStatus
		f.mu.Unlock()
		if !valid {
			if status == http.StatusForbidden {
				detail(w, status, DetailNotAuthenticated)
			} else {
				detail(w, status, "Token expired")
			}
			return
		}
		next(w, r)
	}
}

func (f *fakeBuilder) nextCreateFault() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.createFaults) == 0 {
		return ""
	}
	fault := f.createFaults[0]
	f.createFaults = f.createFaults[1:]
	return fault
}

func (f *fakeBuilder) create(w http.ResponseWriter, r *http.Request) {
	f.creates.Add(1)
	var campaign Campaign
	if err := json.NewDecoder(r.Body).Decode(&campaign); err != nil {
		detail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	fault := f.nextCreateFault()
	switch fault {
	case fault500BeforeCreate:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	case faultValidationError:
		answer(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{
			{"loc": []string{"body", "scheduled_date"}, "msg": "invalid datetime format", "type": "value_error"}}})
		return
	case faultDuplicate409:
		detail(w, http.StatusConflict, "duplicate id")
		return
	case faultRateLimited:
		w.Header().Set("Retry-After", "0")
		detail(w, http.StatusTooManyRequests, "slow down")
		return
	case faultRateLimitedLong:
		w.Header().Set("Retry-After", "60")
		detail(w, http.StatusTooManyRequests, "slow down")
		return
	case faultStoreThen422:
		f.mu.Lock()
		f.campaigns[campaign.ID] = campaign
		f.mu.Unlock()
		detail(w, http.StatusUnprocessableEntity, "duplicate id")
		return
	}
	f.mu.Lock()
	if f.assignIDs {
		campaign.ID = NewObjectID()
	}
	written := f.writeAnswer
	_, duplicate := f.campaigns[campaign.ID]
	if !duplicate {
		status := StatusNotStarted
		campaign.Status = &status
		f.campaigns[campaign.ID] = campaign
	}
	f.mu.Unlock()
	switch {
	case duplicate || fault == fault500AfterCreate:
		// The real server's answer to a duplicate _id.
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case fault == faultDropAfterCreate:
		conn, _, _ := http.NewResponseController(w).Hijack()
		_ = conn.Close()
	case fault == faultUnreadableAnswer:
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"_id": `)
	case written != nil:
		writeRaw(w, *written, campaign.ID)
	default:
		answer(w, http.StatusCreated, campaign)
	}
}

func (f *fakeBuilder) read(w http.ResponseWriter, r *http.Request) {
	f.reads.Add(1)
	f.mu.Lock()
	campaign, ok := f.campaigns[r.PathValue("id")]
	status := f.readStatus
	f.mu.Unlock()
	if status != 0 {
		detail(w, status, http.StatusText(status))
		return
	}
	if !ok {
		detail(w, http.StatusNotFound, "Campaign not found")
		return
	}
	answer(w, http.StatusOK, campaign)
}

func (f *fakeBuilder) list(w http.ResponseWriter, r *http.Request) {
	f.lists.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	all := []Campaign{}
	for _, campaign := range f.campaigns {
		if f.summaries {
			campaign = Campaign{ID: campaign.ID, CampaignName: campaign.CampaignName, Status: campaign.Status}
		}
		all = append(all, campaign)
	}
	// Newest first, as a list of recent campaigns would be, and unlike the
	// order of ids, so that a test sees whose order a result keeps.
	slices.SortFunc(all, func(a, b Campaign) int { return strings.Compare(b.ID, a.ID) })
	answer(w, http.StatusOK, all)
}

func (f *fakeBuilder) update(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var campaign Campaign
	_ = json.Unmarshal(body, &campaign)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastUpdateBody = body
	current, ok := f.campaigns[r.PathValue("id")]
	switch {
	case !ok:
		detail(w, http.StatusNotFound, "Campaign not found")
	case current.Status != nil && *current.Status != StatusNotStarted:
		detail(w, http.StatusConflict, "campaign already started")
	default:
		campaign.Status = current.Status
		f.campaigns[campaign.ID] = campaign
		if f.writeAnswer != nil {
			writeRaw(w, *f.writeAnswer, campaign.ID)
			return
		}
		answer(w, http.StatusOK, campaign)
	}
}

// writeRaw answers a canned body; "{id}" in it is the stored campaign's id.
func writeRaw(w http.ResponseWriter, a rawAnswer, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, strings.ReplaceAll(a.body, "{id}", id))
}

func (f *fakeBuilder) delete(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.campaigns[r.PathValue("id")]; !ok {
		detail(w, http.StatusNotFound, "Campaign not found")
		return
	}
	delete(f.campaigns, r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeBuilder) fire(w http.ResponseWriter, r *http.Request) {
	f.fires.Add(1)
	if r.URL.Query().Get(QueryAPIKey) != testAPIKey {
		detail(w, http.StatusUnauthorized, "Invalid API key")
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastFireBody, f.lastFireQuery = body, r.URL.RawQuery
	id := fmt.Sprint(len(f.triggers))
	f.triggers[id] = body
	_, _ = io.WriteString(w, id)
}

func (f *fakeBuilder) readTrigger(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get(QueryAPIKey) != testAPIKey {
		detail(w, http.StatusUnauthorized, "Invalid API key")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	body, ok := f.triggers[r.PathValue("id")]
	if !ok {
		detail(w, http.StatusNotFound, "Trigger not found")
		return
	}
	_, _ = w.Write(body)
}

func (f *fakeBuilder) campaignCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.campaigns)
}
