package builder

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Every 2xx to a create or update gives a campaign with its id, whatever the
// answer carries: the write happened, and losing its id would create the
// campaign again on the next apply.
func TestWriteAnswer_anyTwoHundredKeepsTheID(t *testing.T) {
	tests := []struct {
		name         string
		answer       rawAnswer
		readStatus   int    // the read-back fails with this status
		wantReads    int64  // per write
		wantName     string // "" when the fields are unknown
		wantStatus   bool   // the server's status is known
		wantProblems []string
	}{
		{name: "the whole document", answer: rawAnswer{201, `{"_id":"{id}","name":"n","status":"not_started"}`}, wantName: "n", wantStatus: true},
		{name: "200 instead of 201, id under \"id\"", answer: rawAnswer{200, `{"id":"{id}","name":"n","status":"not_started"}`}, wantName: "n", wantStatus: true},
		{name: "a document without any id", answer: rawAnswer{201, `{"name":"n","status":"not_started"}`}, wantName: "n", wantStatus: true},
		{name: "the id in another case", answer: rawAnswer{201, `{"_id":"{ID}","name":"n","status":"not_started"}`}, wantName: "n", wantStatus: true},
		{
			name: "an unreadable creation_date", answer: rawAnswer{201, `{"_id":"{id}","name":"n","status":"not_started","creation_date":"yesterday"}`},
			wantName: "n", wantStatus: true, wantProblems: []string{`creation_date: "yesterday" is not a timestamp`},
		},
		{name: "an empty body", answer: rawAnswer{201, ``}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "204", answer: rawAnswer{204, ``}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "null", answer: rawAnswer{200, `null`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "an empty object", answer: rawAnswer{201, `{}`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "only the id", answer: rawAnswer{201, `{"_id":"{id}"}`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "only the id as $oid", answer: rawAnswer{201, `{"_id":{"$oid":"{id}"}}`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "a bare string", answer: rawAnswer{201, `"created"`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "not JSON", answer: rawAnswer{201, `<html>Created</html>`}, wantReads: 1, wantName: "n", wantStatus: true},
		{name: "a truncated object", answer: rawAnswer{201, `{"_id": "{id}", "na`}, wantReads: 1, wantName: "n", wantStatus: true},
		{
			name: "no document, and the read-back fails", answer: rawAnswer{201, ``}, readStatus: http.StatusInternalServerError,
			wantReads:    3, // the read is idempotent: the client's retries
			wantProblems: []string{"answer carried no campaign, and reading campaign {id} back failed", "unknown until the next refresh"},
		},
		{
			name: "no document, and the read-back finds nothing", answer: rawAnswer{201, `{}`}, readStatus: http.StatusNotFound,
			wantReads: 1, wantProblems: []string{"HTTP 404", "unknown until the next refresh"},
		},
	}
	for _, tt := range tests {
		for _, operation := range []string{"create", "update"} {
			t.Run(operation+": "+tt.name, func(t *testing.T) {
				fake := newFakeBuilder(t)
				c := fake.client(allCredentials())
				id := NewObjectID()
				if operation == "update" {
					fake.seed(id)
				}
				upper := strings.ToUpper(id)
				body := strings.ReplaceAll(tt.answer.body, "{ID}", upper)
				fake.writeAnswer = &rawAnswer{tt.answer.status, body}
				fake.readStatus = tt.readStatus

				var (
					got Campaign
					err error
				)
				if operation == "create" {
					got, err = c.CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: id, Name: ptr("n")})
				} else {
					got, err = c.UpdateCampaign(context.Background(), "acme", "bot", id, Campaign{Name: ptr("n")})
				}

				var unconfirmed *UnconfirmedCreateError
				if operation == "create" && tt.wantName == "" {
					// Acknowledged, but nothing shows the campaign under the id
					// sent: a server that ignores ids may hold it under another.
					if !errors.As(err, &unconfirmed) || unconfirmed.CampaignID != id || got.ID != id {
						t.Fatalf("create = %+v, %v; want campaign %s, unconfirmed", got, err, id)
					}
					return
				}
				if err != nil || got.ID != id {
					t.Fatalf("%s = %+v, %v; want campaign %s and no error", operation, got, err, id)
				}
				if fake.reads.Load() != tt.wantReads {
					t.Errorf("%d reads after the write, want %d", fake.reads.Load(), tt.wantReads)
				}
				if name := deref(got.Name); name != tt.wantName {
					t.Errorf("name = %q, want %q", name, tt.wantName)
				}
				if (got.Status != nil) != tt.wantStatus {
					t.Errorf("status = %v, want it known: %v", got.Status, tt.wantStatus)
				}
				problems := strings.Join(got.Problems, "\n")
				for _, want := range tt.wantProblems {
					if want = strings.ReplaceAll(want, "{id}", id); !strings.Contains(problems, want) {
						t.Errorf("problems %q lack %q", got.Problems, want)
					}
				}
				if len(tt.wantProblems) == 0 && len(got.Problems) > 0 {
					t.Errorf("problems %q, want none", got.Problems)
				}
			})
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestCreateCampaign_serverThatIgnoresOurIDGivesItsOwn(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.assignIDs = true
	c := fake.client(allCredentials())
	ours := NewObjectID()

	got, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: ours, Name: ptr("n")})

	if err != nil || got.ID == ours || !ValidObjectID(got.ID) {
		t.Fatalf("CreateCampaign() = %+v, %v; want the server's own id", got, err)
	}
	if len(got.Problems) != 1 || !strings.Contains(got.Problems[0], "ignored the id this provider sent ("+ours+")") ||
		!strings.Contains(got.Problems[0], got.ID) {
		t.Errorf("problems = %q, want one naming both ids", got.Problems)
	}
	if _, err := c.GetCampaign(context.Background(), "acme", "bot", got.ID); err != nil {
		t.Errorf("the server holds no campaign %s: %v", got.ID, err)
	}
}

func TestCreateCampaign_answerNamingANonObjectIDKeepsOurs(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.writeAnswer = &rawAnswer{201, `{"_id":"123","campaign_name":"c"}`}
	c := fake.client(allCredentials())
	ours := NewObjectID()

	got, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{ID: ours, CampaignName: ptr("c")})

	if err != nil || got.ID != ours {
		t.Fatalf("CreateCampaign() = %+v, %v; want our id %s kept", got, err, ours)
	}
	if len(got.Problems) != 1 || !strings.Contains(got.Problems[0], `"123"`) || !strings.Contains(got.Problems[0], ours+", is kept") {
		t.Errorf("problems = %q, want one naming the answer's id and ours as kept", got.Problems)
	}
}

func TestCreateCampaign_serverThatIgnoresOurIDAndAnswersOnlyItsOwnIsReadBack(t *testing.T) {
	fake := newFakeBuilder(t)
	fake.assignIDs = true
	fake.writeAnswer = &rawAnswer{201, `{"_id":"{id}"}`}
	c := fake.client(allCredentials())

	got, err := c.CreateCampaign(context.Background(), "acme", "bot", Campaign{Name: ptr("n")})

	if err != nil || got.Status == nil || deref(got.Name) != "n" || fake.reads.Load() != 1 {
		t.Fatalf("CreateCampaign() = %+v, %v after %d reads; want the server's campaign read back once", got, err, fake.reads.Load())
	}
}

func TestUpdateCampaign_answerNamingAnotherCampaignIsNotUsed(t *testing.T) {
	fake := newFakeBuilder(t)
	id := NewObjectID()
	fake.seed(id)
	fake.writeAnswer = &rawAnswer{200, `{"_id":"65f000000000000000000009","name":"someone else's"}`}
	c := fake.client(allCredentials())

	got, err := c.UpdateCampaign(context.Background(), "acme", "bot", id, Campaign{Name: ptr("n")})

	if err != nil || got.ID != id || deref(got.Name) != "n" || fake.reads.Load() != 1 {
		t.Fatalf("UpdateCampaign() = %+v, %v after %d reads; want %s read back", got, err, fake.reads.Load(), id)
	}
	if len(got.Problems) != 1 || !strings.Contains(got.Problems[0], "named campaign 65f000000000000000000009") {
		t.Errorf("problems = %q", got.Problems)
	}
}

// A create whose request certainly never ran on the server is a plain error:
// the provider keeps nothing in state for it.
func TestCreateCampaign_certainlyNotRunIsAPlainError(t *testing.T) {
	closed := newFakeBuilder(t)
	closedURL := closed.server.URL
	closed.server.Close()

	tests := []struct {
		name      string
		setup     func(*fakeBuilder) *Client
		wantPosts int64
		wantText  string
	}{
		{
			name:     "login refused",
			setup:    func(f *fakeBuilder) *Client { return f.client(Credentials{User: testUser, Password: "wrong"}) },
			wantText: "refused the login",
		},
		{
			name: "connection refused",
			setup: func(f *fakeBuilder) *Client {
				hc, err := client.New(client.Config{BaseURL: closedURL, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				c := New(hc, allCredentials())
				c.tokens = Tokens{Token: "token-x"} // skip the login, which would fail the same way
				return c
			},
			wantText: "connect",
		},
		{
			name: "429 asking to wait longer than the operation has left",
			setup: func(f *fakeBuilder) *Client {
				f.createFaults = []string{faultRateLimited, faultRateLimited, faultRateLimited, faultRateLimitedLong}
				return f.client(allCredentials())
			},
			wantPosts: 4, wantText: "HTTP 429", // past MaxRetries (2): a 429 did not run
		},
		{
			name: "a 409 with nothing ambiguous before it",
			setup: func(f *fakeBuilder) *Client {
				f.createFaults = []string{faultDuplicate409}
				return f.client(allCredentials())
			},
			wantPosts: 1, wantText: "HTTP 409",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			c := tt.setup(fake)

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := c.CreateCampaign(ctx, "acme", "bot", Campaign{Name: ptr("n")})

			var uncertain *UncertainCreateError
			if err == nil || errors.As(err, &uncertain) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v; want a plain error mentioning %q", err, tt.wantText)
			}
			if fake.creates.Load() != tt.wantPosts || fake.reads.Load() != 0 || fake.campaignCount() != 0 {
				t.Fatalf("%d POSTs, %d reads, %d campaigns; want %d, 0, 0", fake.creates.Load(), fake.reads.Load(), fake.campaignCount(), tt.wantPosts)
			}
		})
	}
}

// Once an attempt was ambiguous, a refusal of the repeated POST means "read
// by id and adopt": the refusal may be the server saying it has the id.
func TestCreateCampaign_refusalAfterAnAmbiguousAttemptIsReadAndAdopted(t *testing.T) {
	tests := []struct {
		name          string
		faults        []string
		wantUncertain bool
		wantPosts     int64
		wantReads     int64
	}{
		{"422 duplicate id: the first POST landed late, adopted", []string{fault500BeforeCreate, faultStoreThen422}, false, 2, 2},
		{"409 duplicate id, but nothing found: uncertain", []string{fault500BeforeCreate, faultDuplicate409}, true, 2, 2},
		// The wait holds the read after it too: it is not sent, and the
		// create stays uncertain.
		{"429 asking to wait longer than the operation has left, nothing found: uncertain",
			[]string{fault500BeforeCreate, faultRateLimited, faultRateLimitedLong}, true, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			fake.createFaults = tt.faults
			c := fake.client(allCredentials())
			id := NewObjectID()

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := c.CreateCampaign(ctx, "acme", "bot", Campaign{ID: id, Name: ptr("n")})

			var uncertain *UncertainCreateError
			if tt.wantUncertain {
				if !errors.As(err, &uncertain) || uncertain.CampaignID != id {
					t.Fatalf("err = %v; want an UncertainCreateError for %s", err, id)
				}
			} else if err != nil || got.ID != id || fake.campaignCount() != 1 {
				t.Fatalf("CreateCampaign() = %+v, %v with %d campaigns; want %s adopted", got, err, fake.campaignCount(), id)
			}
			if fake.creates.Load() != tt.wantPosts || fake.reads.Load() != tt.wantReads {
				t.Fatalf("%d POSTs and %d reads, want %d and %d", fake.creates.Load(), fake.reads.Load(), tt.wantPosts, tt.wantReads)
			}
		})
	}
}

// An update names every field the user writes, null when unset and [] when
// empty, so that a server which sets only the fields it is sent clears what
// the user removed; the server-managed fields are the server's.
func TestUpdateCampaign_namesEveryUserField(t *testing.T) {
	fake := newFakeBuilder(t)
	c := fake.client(allCredentials())
	id := NewObjectID()
	fake.seed(id)
	if _, err := c.UpdateCampaign(context.Background(), "acme", "bot", id, Campaign{
		CampaignName: ptr("c"), Content: ptr("new"), SheetValues: []string{},
	}); err != nil {
		t.Fatalf("UpdateCampaign: %v", err)
	}
	fake.mu.Lock()
	body := fake.lastUpdateBody
	fake.mu.Unlock()
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatalf("the update body %s is not a JSON object: %v", body, err)
	}
	want := map[string]string{
		FieldCampaignID: `"` + id + `"`, FieldCampaignCampaignName: `"c"`, FieldCampaignContent: `"new"`, FieldCampaignSheetValues: `[]`,
		FieldCampaignDescription: `null`, FieldCampaignName: `null`, FieldCampaignFile: `null`, FieldCampaignScheduledDate: `null`,
	}
	for field, value := range want {
		if got, ok := sent[field]; !ok || string(got) != value {
			t.Errorf("the update body %s has %s = %s, want %s", body, field, got, value)
		}
	}
	for _, serverManaged := range []string{FieldCampaignStatus, FieldCampaignCreationDate, FieldCampaignLogFile} {
		if got, ok := sent[serverManaged]; ok {
			t.Errorf("the update body %s sends the server-managed %s = %s", body, serverManaged, got)
		}
	}
}

// A server that makes its own ids cannot tell a repeated POST from a new
// campaign: after a create whose outcome is unknown, the campaign is looked
// for under the server's ids before anything is posted again, and a
// campaign of the same name with other fields is not taken for it.
func TestCreateCampaign_serverAssignedIDsAreNeverPostedTwice(t *testing.T) {
	sent := Campaign{
		CampaignName: ptr("launch"), Content: ptr("hello"), SheetValues: []string{"name"},
		ScheduledDate: ptr("2030-01-01T09:00:00.123456789-03:00"),
	}
	other := Campaign{CampaignName: ptr("launch"), Content: ptr("an older text"), Status: ptr(StatusConcluded)}
	tests := []struct {
		name       string
		fault      string
		held       []Campaign // before the create
		summaries  bool
		wantAdopt  bool // else: an uncertain error, not posted again
		wantPosts  int64
		wantStored int
	}{
		{name: "connection dropped after the work", fault: faultDropAfterCreate, wantAdopt: true, wantPosts: 1, wantStored: 1},
		{name: "500 after the work, the list answers summaries", fault: fault500AfterCreate, summaries: true, wantAdopt: true, wantPosts: 1, wantStored: 1},
		{name: "a campaign of the same name with other fields is not it", fault: faultDropAfterCreate, held: []Campaign{other}, wantAdopt: true, wantPosts: 1, wantStored: 2},
		{name: "500 before the work: posted again", fault: fault500BeforeCreate, wantAdopt: true, wantPosts: 2, wantStored: 1},
		{name: "two campaigns hold what was sent: not posted again", fault: faultDropAfterCreate, held: []Campaign{sent}, wantPosts: 1, wantStored: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBuilder(t)
			fake.assignIDs, fake.summaries = true, tt.summaries
			fake.createFaults = []string{tt.fault}
			for _, held := range tt.held {
				held.ID = NewObjectID()
				fake.campaigns[held.ID] = held
			}
			c := fake.client(allCredentials())
			ours := NewObjectID()
			campaign := sent
			campaign.ID = ours

			got, err := c.CreateCampaign(context.Background(), "acme", "bot", campaign)

			var uncertain *UncertainCreateError
			switch {
			case tt.wantAdopt && (err != nil || got.ID == ours || !ValidObjectID(got.ID)):
				t.Fatalf("CreateCampaign() = %+v, %v; want the campaign under the server's id", got, err)
			case !tt.wantAdopt && !errors.As(err, &uncertain):
				t.Fatalf("CreateCampaign() = %+v, %v; want an uncertain create", got, err)
			}
			fake.mu.Lock()
			stored := len(fake.campaigns)
			_, holdsGot := fake.campaigns[got.ID]
			fake.mu.Unlock()
			if posts := fake.creates.Load(); posts != tt.wantPosts || stored != tt.wantStored {
				t.Fatalf("%d POSTs, %d campaigns held; want %d and %d", posts, stored, tt.wantPosts, tt.wantStored)
			}
			if tt.wantAdopt && !holdsGot {
				t.Fatalf("the server holds no campaign %s", got.ID)
			}
			if tt.wantAdopt && tt.wantPosts == 1 && !slices.ContainsFunc(got.Problems, func(p string) bool { return strings.Contains(p, "adopted") }) {
				t.Errorf("problems %q: want one saying the campaign was adopted", got.Problems)
			}
		})
	}
}
