package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

func evoluxPath() string { return evolux.PathSubscribers }

func evoluxAuth() http.Header {
	return http.Header{evolux.HeaderAuthorization: {"Bearer " + DefaultEvoluxToken}}
}

type testRecord struct {
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
	State       string `json:"state"`
	Campaign    struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	} `json:"campaign"`
	Template struct {
		UUID string `json:"uuid"`
	} `json:"template"`
	CreatedAt          string            `json:"created_at"`
	ConversationFields map[string]string `json:"conversation_fields"`
}

type testEnvelope struct {
	Data       []json.RawMessage `json:"data"`
	Pagination struct {
		Page    int     `json:"page"`
		PerPage int     `json:"per_page"`
		Total   int     `json:"total"`
		NextURL *string `json:"next_url"`
		LastURL string  `json:"last_url"`
	} `json:"pagination"`
}

// subscribersArray fetches the array shape for a query.
func subscribersArray(t *testing.T, s *Server, query string) []testRecord {
	t.Helper()
	r := send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+query, evoluxAuth(), "")
	wantStatus(t, r, http.StatusOK)
	var records []testRecord
	r.decode(t, &records)
	return records
}

func wantEvoluxError(t *testing.T, r response, status int, messageContains string) {
	t.Helper()
	wantStatus(t, r, status)
	var got struct {
		Meta struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"meta"`
	}
	r.decode(t, &got)
	if got.Meta.Status != status || !strings.Contains(got.Meta.Message, messageContains) {
		t.Errorf("meta %+v, want status %d and a message with %q", got.Meta, status, messageContains)
	}
}

func TestEvolux_missingOrWrongTokenIs401Meta(t *testing.T) {
	s := startServer(t, Config{Subscribers: 3})
	for _, header := range []http.Header{nil, {"Authorization": {"Bearer wrong"}}, {"Authorization": {DefaultEvoluxToken}}} {
		r := send(t, http.MethodGet, s.URL()+evoluxPath(), header, "")
		wantEvoluxError(t, r, http.StatusUnauthorized, "Invalid or missing token")
	}
	// The Builder's token is not Evolux's.
	r := send(t, http.MethodGet, s.URL()+evoluxPath(), bearer(login(t, s).Token), "")
	wantStatus(t, r, http.StatusUnauthorized)
}

func TestEvolux_invalidFiltersAre400Meta(t *testing.T) {
	s := startServer(t, Config{Subscribers: 3})
	tests := []struct{ query, message string }{
		{"state=sending", "state"},
		{"template_uuid=not-a-uuid", "template_uuid"},
		{"campaigns[]=f45d98dc-ac5e-48f2-9c01-ebe18f86d28b&campaigns[]=123", "campaigns[]"},
		{"start=yesterday", "start"},
		{"end=2024-13-01T00:00:00Z", "end"},
		{"start=2024-09-06T00:00:00Z&end=2024-09-05T00:00:00Z", "start must not be after end"},
		{"timezone=Mars/Olympus", "timezone"},
		{"conversation_field_key=perfil", "conversation_field_key and conversation_field_value"},
		{"conversation_field_value=x", "conversation_field_key and conversation_field_value"},
		{"page=0", "page"},
		{"per_page=x", "per_page"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+tt.query, evoluxAuth(), "")
			wantEvoluxError(t, r, http.StatusBadRequest, tt.message)
		})
	}
}

func TestEvolux_generatedRecordsHaveTheDocumentedShape(t *testing.T) {
	s := startServer(t, Config{Subscribers: 200, Seed: 7, EvoluxShape: ShapeArray})
	records := subscribersArray(t, s, "timezone=UTC")
	if len(records) != 200 {
		t.Fatalf("%d records, want 200", len(records))
	}
	campaigns := map[string]SubscriberCampaign{}
	for _, c := range SubscriberCampaigns() {
		campaigns[c.UUID] = c
	}
	phones := map[string]bool{}
	from, to := SubscriberTimeRange()
	for _, rec := range records {
		c, ok := campaigns[rec.Campaign.UUID]
		created, err := time.Parse(time.RFC3339, rec.CreatedAt)
		switch {
		case rec.Name == "", !strings.HasPrefix(rec.PhoneNumber, "+5511") || len(rec.PhoneNumber) != 14:
			t.Fatalf("record %+v", rec)
		case !ok || c.Name != rec.Campaign.Name || c.TemplateUUID != rec.Template.UUID:
			t.Fatalf("campaign or template of %+v", rec)
		case err != nil || created.Before(from) || !created.Before(to):
			t.Fatalf("created_at %q out of range", rec.CreatedAt)
		case rec.ConversationFields[ConversationFieldCustomerType] == "" || rec.ConversationFields[ConversationFieldCPF] == "":
			t.Fatalf("conversation fields %v", rec.ConversationFields)
		}
		if phones[rec.PhoneNumber] {
			t.Fatalf("duplicate phone %s", rec.PhoneNumber)
		}
		phones[rec.PhoneNumber] = true
	}
	states := map[string]bool{}
	for _, rec := range records {
		states[rec.State] = true
	}
	if len(states) != len(evolux.States) {
		t.Errorf("states used %v, want all of %v", states, evolux.States)
	}
}

func TestEvolux_generationIsDeterministicForASeed(t *testing.T) {
	body := func(seed int64) string {
		s := startServer(t, Config{Subscribers: 50, Seed: seed, EvoluxShape: ShapeArray})
		return string(send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), "").body)
	}
	if a, b := body(1), body(1); a != b {
		t.Error("the same seed generated different records")
	}
	if body(1) == body(2) {
		t.Error("different seeds generated the same records")
	}
}

func TestEvolux_filtersMatchLikeTheService(t *testing.T) {
	s := startServer(t, Config{Subscribers: 600, Seed: 3, EvoluxShape: ShapeArray})
	all := subscribersArray(t, s, "timezone=UTC")
	pick := all[123]
	c0, c1 := SubscriberCampaigns()[0], SubscriberCampaigns()[1]
	start, end := all[100].CreatedAt, all[199].CreatedAt

	tests := []struct {
		name  string
		query url.Values
		keep  func(testRecord) bool
	}{
		{"phone exact", url.Values{"phone_number": {pick.PhoneNumber}}, func(r testRecord) bool { return r.PhoneNumber == pick.PhoneNumber }},
		{"phone prefix is not a match", url.Values{"phone_number": {pick.PhoneNumber[:8]}}, func(testRecord) bool { return false }},
		{"name substring any case", url.Values{"name": {"SILVA"}}, func(r testRecord) bool { return strings.Contains(r.Name, "Silva") }},
		{"state", url.Values{"state": {"dnd"}}, func(r testRecord) bool { return r.State == "dnd" }},
		{"template", url.Values{"template_uuid": {strings.ToUpper(c1.TemplateUUID)}}, func(r testRecord) bool { return r.Template.UUID == c1.TemplateUUID }},
		{"any of campaigns", url.Values{"campaigns[]": {c0.UUID, c1.UUID}}, func(r testRecord) bool { return r.Campaign.UUID == c0.UUID || r.Campaign.UUID == c1.UUID }},
		{"start and end inclusive", url.Values{"start": {start}, "end": {end}}, func(r testRecord) bool { return r.CreatedAt >= start && r.CreatedAt <= end }},
		{"conversation field", url.Values{"conversation_field_key": {ConversationFieldCustomerType}, "conversation_field_value": {CustomerTypeCompany}},
			func(r testRecord) bool {
				return r.ConversationFields[ConversationFieldCustomerType] == CustomerTypeCompany
			}},
		{"filters combine", url.Values{"state": {"sent"}, "campaigns[]": {c0.UUID}}, func(r testRecord) bool { return r.State == "sent" && r.Campaign.UUID == c0.UUID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.query.Set("timezone", "UTC")
			got := subscribersArray(t, s, tt.query.Encode())
			var want []testRecord
			for _, r := range all {
				if tt.keep(r) {
					want = append(want, r)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %d records, want %d", len(got), len(want))
			}
			if len(want) == len(all) || (len(want) == 0 && !strings.Contains(tt.name, "not")) {
				t.Errorf("filter %q selects %d of %d: the test proves nothing", tt.name, len(want), len(all))
			}
		})
	}
}

func TestEvolux_timezoneShapesDatesAndLocalBounds(t *testing.T) {
	s := startServer(t, Config{Subscribers: 100, Seed: 3, EvoluxShape: ShapeArray})
	utc := subscribersArray(t, s, "timezone=UTC")
	sp := subscribersArray(t, s, "") // America/Sao_Paulo by default
	a, _ := time.Parse(time.RFC3339, utc[0].CreatedAt)
	b, _ := time.Parse(time.RFC3339, sp[0].CreatedAt)
	if !a.Equal(b) || !strings.HasSuffix(sp[0].CreatedAt, "-03:00") || !strings.HasSuffix(utc[0].CreatedAt, "Z") {
		t.Errorf("created_at %q (UTC) and %q (São Paulo) should be the same instant in each zone", utc[0].CreatedAt, sp[0].CreatedAt)
	}
	// A bound without an offset is local to the query's time zone.
	lastUTC, _ := time.Parse(time.RFC3339, utc[len(utc)-1].CreatedAt)
	local := lastUTC.In(time.FixedZone("", -3*3600)).Format("2006-01-02T15:04:05.000")
	if got := subscribersArray(t, s, "end="+local); len(got) != len(utc) {
		t.Errorf("end at the last record's São Paulo time kept %d of %d", len(got), len(utc))
	}
	if got := subscribersArray(t, s, "timezone=UTC&end="+local); len(got) == len(utc) || len(got) == 0 {
		t.Errorf("the same end read as UTC (3h earlier) kept %d of %d", len(got), len(utc))
	}
}

func TestEvolux_envelopePagesThroughAllRecords(t *testing.T) {
	s := startServer(t, Config{Subscribers: 1000, Seed: 5})
	next := s.URL() + evoluxPath() + "?state=&timezone=UTC"
	seen := map[string]bool{}
	pages := 0
	for next != "" {
		if !strings.HasPrefix(next, s.URL()+evoluxPath()+"?") {
			t.Fatalf("next_url %q is not absolute on the server", next)
		}
		r := send(t, http.MethodGet, next, evoluxAuth(), "")
		wantStatus(t, r, http.StatusOK)
		var env testEnvelope
		r.decode(t, &env)
		pages++
		p := env.Pagination
		if p.Page != pages || p.PerPage != 50 || p.Total != 1000 || len(env.Data) != 50 {
			t.Fatalf("page %d: pagination %+v with %d records", pages, p, len(env.Data))
		}
		if !strings.HasSuffix(p.LastURL, "page=20") {
			t.Errorf("last_url %q", p.LastURL)
		}
		for _, raw := range env.Data {
			seen[string(raw)] = true
		}
		next = ""
		if p.NextURL != nil {
			next = *p.NextURL
			if !strings.Contains(next, "timezone=UTC") || !strings.Contains(next, fmt.Sprintf("page=%d", pages+1)) {
				t.Errorf("next_url %q lost the query or the page", next)
			}
		}
		if pages > 25 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 20 || len(seen) != 1000 {
		t.Errorf("%d pages, %d distinct records; want 20 and 1000", pages, len(seen))
	}
}

func TestEvolux_pageSizeIsCappedAt50(t *testing.T) {
	s := startServer(t, Config{Subscribers: 120, PageSize: 10})
	get := func(query string) testEnvelope {
		t.Helper()
		r := send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+query, evoluxAuth(), "")
		wantStatus(t, r, http.StatusOK)
		var env testEnvelope
		r.decode(t, &env)
		return env
	}
	if env := get(""); len(env.Data) != 10 || env.Pagination.PerPage != 10 {
		t.Errorf("configured page size 10: %d records, per_page %d", len(env.Data), env.Pagination.PerPage)
	}
	if env := get("per_page=500"); len(env.Data) != 50 || env.Pagination.PerPage != 50 {
		t.Errorf("per_page=500: %d records, per_page %d", len(env.Data), env.Pagination.PerPage)
	}
	last := get("per_page=50&page=3")
	if len(last.Data) != 20 || last.Pagination.NextURL != nil {
		t.Errorf("last page: %d records, next_url %v", len(last.Data), last.Pagination.NextURL)
	}
	if beyond := get("page=99"); len(beyond.Data) != 0 || beyond.Pagination.NextURL != nil || beyond.Pagination.Total != 120 {
		t.Errorf("beyond the last page: %+v", beyond.Pagination)
	}

	big := startServer(t, Config{Subscribers: 120, PageSize: 100})
	r := send(t, http.MethodGet, big.URL()+evoluxPath(), evoluxAuth(), "")
	var env testEnvelope
	r.decode(t, &env)
	if len(env.Data) != 50 {
		t.Errorf("Config.PageSize 100: %d records per page, want 50", len(env.Data))
	}
}

func TestEvolux_emptyResultIsOnePageWithoutNext(t *testing.T) {
	s := startServer(t, Config{})
	r := send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), "")
	wantStatus(t, r, http.StatusOK)
	equalJSON(t, r.body, []byte(`{"data":[],"pagination":{"page":1,"per_page":50,"total":0,"next_url":null,
		"last_url":"`+s.URL()+evoluxPath()+`?page=1"}}`))
	s.SetEvoluxShape(ShapeArray)
	r = send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), "")
	if string(r.body) != "[]" {
		t.Errorf("empty array shape %q", r.body)
	}
}

func TestEvolux_setSubscriberRecordsServesThemVerbatimAndFilters(t *testing.T) {
	s := startServer(t, Config{Subscribers: 10, EvoluxShape: ShapeArray})
	c := SubscriberCampaigns()[2].UUID
	records := []json.RawMessage{
		json.RawMessage(`{"name":"Flat","campaign_uuid":"` + c + `","extra":{"k":[1,2]}}`),
		json.RawMessage(`{"name":"String","campaign":"` + c + `","phone_number":11999990000}`),
		json.RawMessage(`{"name":"Nested","campaign":{"uuid":"` + c + `"},"created_at":"2024-08-03T03:00:00.000Z"}`),
		json.RawMessage(`{"name":"Other"}`),
	}
	s.SetSubscriberRecords(records)
	r := send(t, http.MethodGet, s.URL()+evoluxPath(), evoluxAuth(), "")
	want := "[" + string(records[0]) + "," + string(records[1]) + "," + string(records[2]) + "," + string(records[3]) + "]"
	if string(r.body) != want {
		t.Errorf("body\n got %s\nwant %s", r.body, want)
	}
	names := func(query string) string {
		var got []testRecordName
		send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+query, evoluxAuth(), "").decode(t, &got)
		return fmt.Sprint(got)
	}
	if got := names("campaigns[]=" + c); got != "[{Flat} {String} {Nested}]" {
		t.Errorf("campaign filter on given records: %s", got)
	}
	if got := names("phone_number=11999990000"); got != "[{String}]" {
		t.Errorf("phone filter on a numeric phone: %s", got)
	}
	if got := names("start=2024-08-01T00:00:00Z"); got != "[{Nested}]" {
		t.Errorf("start filter: %s", got)
	}
}

type testRecordName struct {
	Name string `json:"name"`
}

func TestEvolux_recordsEveryRawQuery(t *testing.T) {
	s := startServer(t, Config{})
	queries := []string{"", "state=sent&campaigns%5B%5D=f45d98dc-ac5e-48f2-9c01-ebe18f86d28b", "state=bogus"}
	for _, q := range queries {
		send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+q, evoluxAuth(), "")
	}
	send(t, http.MethodGet, s.URL()+evoluxPath()+"?name=x", nil, "") // refused, still received
	if got, want := s.EvoluxQueries(), slices.Concat(queries, []string{"name=x"}); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("EvoluxQueries() = %q, want %q", got, want)
	}
}

// How fast a page of a large report is served is BenchmarkEvoluxPage100k's
// to measure, not a timed test's.
func TestEvolux_hundredThousandRecordsPage(t *testing.T) {
	s := startServer(t, Config{Subscribers: 100_000})
	for _, page := range []int{1, 1000, 2000, 2001} {
		r := send(t, http.MethodGet, fmt.Sprintf("%s%s?page=%d", s.URL(), evoluxPath(), page), evoluxAuth(), "")
		wantStatus(t, r, http.StatusOK)
		var env testEnvelope
		r.decode(t, &env)
		wantLen := 50
		if page == 2001 {
			wantLen = 0
		}
		if env.Pagination.Total != 100_000 || len(env.Data) != wantLen || (page >= 2000) != (env.Pagination.NextURL == nil) {
			t.Fatalf("page %d: %+v with %d records", page, env.Pagination, len(env.Data))
		}
	}
}

func BenchmarkEvoluxPage100k(b *testing.B) {
	e := New(Config{Subscribers: 100_000})
	req, _ := http.NewRequest(http.MethodGet, evoluxPath()+"?page=1000&state=sent", nil)
	req.Header.Set(evolux.HeaderAuthorization, "Bearer "+DefaultEvoluxToken)
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkEvoluxArray100k(b *testing.B) {
	e := New(Config{Subscribers: 100_000, EvoluxShape: ShapeArray})
	req, _ := http.NewRequest(http.MethodGet, evoluxPath(), nil)
	req.Header.Set(evolux.HeaderAuthorization, "Bearer "+DefaultEvoluxToken)
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
