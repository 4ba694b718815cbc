package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

const (
	testOrg = "acme"
	testBot = "vendas"
	testID  = "5eb7cf5a86d9755df3a6c593"
)

func campaignsURL(s *Server) string { return s.URL() + builder.CampaignsPath(testOrg, testBot) }
func campaignURL(s *Server, id string) string {
	return s.URL() + builder.CampaignPath(testOrg, testBot, id)
}

func TestLogin_wrongCredentialsAre401(t *testing.T) {
	s := startServer(t, Config{})
	for _, body := range []string{
		`{"user":"` + DefaultUser + `","password":"nope"}`,
		`{"user":"someone@example.com","password":"` + DefaultPassword + `"}`,
	} {
		r := send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, body)
		wantDetail(t, r, http.StatusUnauthorized, "Incorrect user or password")
	}
}

func TestLogin_configuredCredentialsReplaceDefaults(t *testing.T) {
	s := startServer(t, Config{User: "u", Password: "p"})
	r := send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, `{"user":"u","password":"p"}`)
	wantStatus(t, r, http.StatusOK)
	r = send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, `{"user":"`+DefaultUser+`","password":"`+DefaultPassword+`"}`)
	wantStatus(t, r, http.StatusUnauthorized)
}

func TestLogin_malformedBodiesAre422InFastAPIListShape(t *testing.T) {
	s := startServer(t, Config{})
	tests := []struct {
		name, body string
		locs       [][]any
	}{
		{"missing password", `{"user":"x"}`, [][]any{{"body", "password"}}},
		{"missing both", `{}`, [][]any{{"body", "user"}, {"body", "password"}}},
		{"wrong type", `{"user":1,"password":"x"}`, [][]any{{"body", "user"}}},
		{"not an object", `["x"]`, [][]any{{"body"}}},
		{"empty body", ``, [][]any{{"body"}}},
		{"invalid JSON", `{"user":`, [][]any{{"body", 8}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, tt.body)
			items := wantValidation(t, r, tt.locs...)
			if tt.name == "missing password" && (items[0].Msg != "field required" || items[0].Type != "value_error.missing") {
				t.Errorf("item %+v, want pydantic's field required", items[0])
			}
		})
	}
}

func TestCampaigns_withoutAuthorizationAre403NotAuthenticated(t *testing.T) {
	s := startServer(t, Config{})
	for _, header := range []http.Header{nil, {"Authorization": {"Bearer"}}, {"Authorization": {"Bearer "}}} {
		r := send(t, http.MethodGet, campaignsURL(s), header, "")
		wantDetail(t, r, http.StatusForbidden, builder.DetailNotAuthenticated)
	}
	r := send(t, http.MethodGet, campaignsURL(s), http.Header{"Authorization": {"Basic dTpw"}}, "")
	wantDetail(t, r, http.StatusForbidden, "Invalid authentication credentials")
}

func TestCampaigns_unknownTokenIs401InvalidToken(t *testing.T) {
	s := startServer(t, Config{})
	r := send(t, http.MethodGet, campaignsURL(s), bearer("forged"), "")
	wantDetail(t, r, http.StatusUnauthorized, "Invalid token")
	if s.ExpiredTokenUses() != 0 {
		t.Errorf("ExpiredTokenUses %d after an unknown token, want 0", s.ExpiredTokenUses())
	}
}

func TestToken_expiresThenRefreshIssuesAWorkingPair(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{TokenLifetime: time.Minute}, clock.Now)
	tokens := login(t, s)
	wantStatus(t, send(t, http.MethodGet, campaignsURL(s), bearer(tokens.Token), ""), http.StatusOK)

	clock.Advance(time.Minute)
	r := send(t, http.MethodGet, campaignsURL(s), bearer(tokens.Token), "")
	wantDetail(t, r, http.StatusUnauthorized, "Token expired")
	if got := s.ExpiredTokenUses(); got != 1 {
		t.Errorf("ExpiredTokenUses %d, want 1", got)
	}

	r = send(t, http.MethodPost, s.URL()+builder.PathRefresh, nil, `{"refresh_token":"`+tokens.RefreshToken+`"}`)
	wantStatus(t, r, http.StatusOK)
	var fresh builder.Tokens
	r.decode(t, &fresh)
	if fresh.Token == "" || fresh.Token == tokens.Token || fresh.RefreshToken == tokens.RefreshToken {
		t.Fatalf("refresh answered %s", r.body)
	}
	wantStatus(t, send(t, http.MethodGet, campaignsURL(s), bearer(fresh.Token), ""), http.StatusOK)

	// The old refresh token was used up.
	r = send(t, http.MethodPost, s.URL()+builder.PathRefresh, nil, `{"refresh_token":"`+tokens.RefreshToken+`"}`)
	wantDetail(t, r, http.StatusUnauthorized, "Invalid refresh token")
}

func TestRefresh_unknownExpiredOrMissingToken(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{}, clock.Now)
	r := send(t, http.MethodPost, s.URL()+builder.PathRefresh, nil, `{"refresh_token":"nope"}`)
	wantDetail(t, r, http.StatusUnauthorized, "Invalid refresh token")

	tokens := login(t, s)
	clock.Advance(24 * time.Hour)
	r = send(t, http.MethodPost, s.URL()+builder.PathRefresh, nil, `{"refresh_token":"`+tokens.RefreshToken+`"}`)
	wantDetail(t, r, http.StatusUnauthorized, "Invalid refresh token")

	r = send(t, http.MethodPost, s.URL()+builder.PathRefresh, nil, `{}`)
	wantValidation(t, r, []any{"body", "refresh_token"})
}

func TestConfigTokenLifetime_expiresTokens(t *testing.T) {
	clock := newFakeClock()
	long := startServerWithClock(t, Config{}, clock.Now)
	short := startServerWithClock(t, Config{TokenLifetime: time.Second}, clock.Now)
	longToken, shortToken := login(t, long).Token, login(t, short).Token
	clock.Advance(2 * time.Second)
	wantStatus(t, send(t, http.MethodGet, campaignsURL(long), bearer(longToken), ""), http.StatusOK)
	wantDetail(t, send(t, http.MethodGet, campaignsURL(short), bearer(shortToken), ""), http.StatusUnauthorized, "Token expired")
}

func TestCampaign_createFillsServerFieldsAndIgnoresClientOnes(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{}, clock.Now)
	token := login(t, s).Token
	body := `{"_id":"` + testID + `","campaign_name":"Black Friday","scheduled_date":"2026-11-27T12:00:00Z",
		"status":"concluded","creation_date":"2019-08-24T14:15:22Z","log_file":"x.log",
		"organization":"other","bot_name":"other","sheet_values":["a","b"],"content":"Olá {{nome}}"}`
	r := send(t, http.MethodPost, campaignsURL(s), bearer(token), body)
	wantStatus(t, r, http.StatusCreated)
	equalJSON(t, r.body, []byte(`{"_id":"`+testID+`","organization":"acme","bot_name":"vendas",
		"campaign_name":"Black Friday","scheduled_date":"2026-11-27T12:00:00Z","status":"not_started",
		"creation_date":"2026-11-22T10:00:00Z","sheet_values":["a","b"],"content":"Olá {{nome}}"}`))

	stored, ok := s.Campaign(testID)
	if !ok || deref(stored.Status) != builder.StatusNotStarted || stored.LogFile != nil || deref(stored.Organization) != testOrg {
		t.Errorf("stored %+v", stored)
	}
}

func TestCampaign_createWithoutIDGeneratesAnObjectID(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	r := send(t, http.MethodPost, campaignsURL(s), bearer(token), `{"campaign_name":"x"}`)
	wantStatus(t, r, http.StatusCreated)
	var c builder.Campaign
	r.decode(t, &c)
	if !isObjectID(c.ID) {
		t.Fatalf("generated _id %q is not 24 hex", c.ID)
	}
	if _, ok := s.Campaign(c.ID); !ok {
		t.Errorf("campaign %s not stored", c.ID)
	}
}

func TestCampaign_duplicateIDIsPlainText500(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	body := `{"_id":"` + testID + `","campaign_name":"x"}`
	wantStatus(t, send(t, http.MethodPost, campaignsURL(s), bearer(token), body), http.StatusCreated)
	// Same id under another bot: _id is unique across the collection.
	r := send(t, http.MethodPost, s.URL()+builder.CampaignsPath(testOrg, "other"), bearer(token), body)
	wantStatus(t, r, http.StatusInternalServerError)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if string(r.body) != "Internal Server Error" {
		t.Errorf("body %q", r.body)
	}
	if got := len(s.Campaigns()); got != 1 {
		t.Errorf("%d campaigns stored, want 1", got)
	}
}

func TestCampaign_invalidBodiesAre422(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	tests := []struct {
		name, body string
		locs       [][]any
	}{
		{"short _id", `{"_id":"abc","campaign_name":"x"}`, [][]any{{"body", "_id"}}},
		{"non-hex _id", `{"_id":"zzb7cf5a86d9755df3a6c593","campaign_name":"x"}`, [][]any{{"body", "_id"}}},
		{"empty _id", `{"_id":"","campaign_name":"x"}`, [][]any{{"body", "_id"}}},
		{"missing campaign_name", `{"name":"x"}`, [][]any{{"body", "campaign_name"}}},
		{"empty campaign_name", `{"campaign_name":""}`, [][]any{{"body", "campaign_name"}}},
		{"bad scheduled_date", `{"campaign_name":"x","scheduled_date":"tomorrow"}`, [][]any{{"body", "scheduled_date"}}},
		{"number for a string", `{"campaign_name":5}`, [][]any{{"body", "campaign_name"}}},
		{"string for a list", `{"campaign_name":"x","sheet_values":"a"}`, [][]any{{"body", "sheet_values"}}},
		{"number in a list", `{"campaign_name":"x","sheet_values":["a",2]}`, [][]any{{"body", "sheet_values", 1}}},
		{"unknown status", `{"campaign_name":"x","status":"paused"}`, [][]any{{"body", "status"}}},
		{"several at once", `{"_id":"1","description":[]}`, [][]any{{"body", "description"}, {"body", "_id"}, {"body", "campaign_name"}}},
		{"array body", `[]`, [][]any{{"body"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantValidation(t, send(t, http.MethodPost, campaignsURL(s), bearer(token), tt.body), tt.locs...)
		})
	}
	if got := len(s.Campaigns()); got != 0 {
		t.Errorf("%d campaigns stored after invalid requests", got)
	}
}

func TestCampaign_authIsCheckedBeforeValidationButAfterJSONSyntax(t *testing.T) {
	s := startServer(t, Config{})
	wantDetail(t, send(t, http.MethodPost, campaignsURL(s), nil, `{"_id":"bad"}`), http.StatusForbidden, builder.DetailNotAuthenticated)
	wantValidation(t, send(t, http.MethodPost, campaignsURL(s), nil, `{"_id":`), []any{"body", 7})
}

func TestCampaign_nonJSONContentTypeIs422(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	header := bearer(token)
	header.Set("Content-Type", "text/plain")
	r := send(t, http.MethodPost, campaignsURL(s), header, `{"campaign_name":"x"}`)
	wantValidation(t, r, []any{"body"})
}

func TestCampaign_CRUD(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{}, clock.Now)
	token := login(t, s).Token
	create := func(id, name string) {
		t.Helper()
		r := send(t, http.MethodPost, campaignsURL(s), bearer(token), `{"_id":"`+id+`","campaign_name":"`+name+`","description":"d","sheet_values":["a"]}`)
		wantStatus(t, r, http.StatusCreated)
	}
	second := "5eb7cf5a86d9755df3a6c594"
	create(second, "second") // same creation second as the next: ordered by id
	create(testID, "first")
	clock.Advance(time.Second)
	third := "000000000000000000000001"
	create(third, "third")
	s.PutCampaign(testOrg, "other-bot", builder.Campaign{ID: "111111111111111111111111", CampaignName: ptr("elsewhere")})

	r := send(t, http.MethodGet, campaignsURL(s), bearer(token), "")
	wantStatus(t, r, http.StatusOK)
	var list []builder.Campaign
	r.decode(t, &list)
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint([]string{testID, second, third}) {
		t.Errorf("list ids %v", ids)
	}

	r = send(t, http.MethodGet, campaignURL(s, testID), bearer(token), "")
	wantStatus(t, r, http.StatusOK)
	var read builder.Campaign
	r.decode(t, &read)
	if deref(read.CampaignName) != "first" || deref(read.Description) != "d" {
		t.Errorf("read %s", r.body)
	}

	// Found only under its own organization and bot.
	r = send(t, http.MethodGet, s.URL()+builder.CampaignPath(testOrg, "other-bot", testID), bearer(token), "")
	wantDetail(t, r, http.StatusNotFound, "Campaign not found")
	wantDetail(t, send(t, http.MethodGet, campaignURL(s, "111111111111111111111111"), bearer(token), ""), http.StatusNotFound, "Campaign not found")

	// PUT replaces user fields: absent ones are cleared, server ones kept.
	r = send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"renamed","status":"concluded","_id":"`+third+`"}`)
	wantStatus(t, r, http.StatusOK)
	equalJSON(t, r.body, []byte(`{"_id":"`+testID+`","organization":"acme","bot_name":"vendas","campaign_name":"renamed",
		"status":"not_started","creation_date":"2026-11-22T10:00:00Z"}`))
	stored, _ := s.Campaign(testID)
	if stored.Description != nil || stored.SheetValues != nil || deref(stored.CampaignName) != "renamed" {
		t.Errorf("after PUT stored %+v", stored)
	}
	if _, ok := s.Campaign(third); !ok {
		t.Error("PUT with another _id in the body touched that campaign")
	}

	r = send(t, http.MethodDelete, campaignURL(s, testID), bearer(token), "")
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "null" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("DELETE answered %q (%s), want null as JSON", r.body, r.header.Get("Content-Type"))
	}
	wantDetail(t, send(t, http.MethodGet, campaignURL(s, testID), bearer(token), ""), http.StatusNotFound, "Campaign not found")
	wantDetail(t, send(t, http.MethodDelete, campaignURL(s, testID), bearer(token), ""), http.StatusNotFound, "Campaign not found")
	wantDetail(t, send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"x"}`), http.StatusNotFound, "Campaign not found")
}

func TestCampaign_malformedPathIDIs422(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		wantValidation(t, send(t, method, campaignURL(s, "not-an-id"), bearer(token), ""), []any{"path", "id"})
	}
	wantValidation(t, send(t, http.MethodPut, campaignURL(s, "not-an-id"), bearer(token), `{}`),
		[]any{"path", "id"}, []any{"body", "campaign_name"})
}

func TestCampaign_updateAfterStartIs409(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{}, clock.Now)
	token := login(t, s).Token
	due := clock.Now().Add(time.Hour).Format(time.RFC3339)
	later := "5eb7cf5a86d9755df3a6c599"
	for _, id := range []string{testID, later} {
		date := due
		if id == later {
			date = clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
		}
		wantStatus(t, send(t, http.MethodPost, campaignsURL(s), bearer(token),
			`{"_id":"`+id+`","campaign_name":"x","scheduled_date":"`+date+`"}`), http.StatusCreated)
	}

	s.AdvanceSchedule(clock.Now()) // nothing due yet
	if c, _ := s.Campaign(testID); deref(c.Status) != builder.StatusNotStarted {
		t.Fatalf("status %q before the scheduled date", deref(c.Status))
	}
	s.AdvanceSchedule(clock.Now().Add(2 * time.Hour))
	if c, _ := s.Campaign(testID); deref(c.Status) != builder.StatusInProgress || c.LogFile != nil {
		t.Fatalf("after the scheduled date: %+v", c)
	}
	if c, _ := s.Campaign(later); deref(c.Status) != builder.StatusNotStarted {
		t.Errorf("a campaign due later started: %q", deref(c.Status))
	}
	wantDetail(t, send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"y"}`), http.StatusConflict, "Campaign already started")

	s.AdvanceSchedule(clock.Now().Add(2 * time.Hour))
	c, _ := s.Campaign(testID)
	if deref(c.Status) != builder.StatusConcluded || deref(c.LogFile) != "logs/"+testID+".log" {
		t.Fatalf("after a second advance: %+v", c)
	}
	wantDetail(t, send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"y"}`), http.StatusConflict, "Campaign already started")
	if c, _ := s.Campaign(testID); deref(c.CampaignName) != "x" {
		t.Errorf("a refused PUT changed the campaign: %+v", c)
	}
}

func TestOutOfBand_putSetStatusRemove(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	s.PutCampaign(testOrg, testBot, builder.Campaign{ID: testID, CampaignName: ptr("seeded")})
	wantStatus(t, send(t, http.MethodGet, campaignURL(s, testID), bearer(token), ""), http.StatusOK)

	if !s.SetCampaignStatus(testID, builder.StatusError) {
		t.Fatal("SetCampaignStatus: not found")
	}
	wantStatus(t, send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"x"}`), http.StatusConflict)
	if s.SetCampaignStatus("000000000000000000000000", builder.StatusError) {
		t.Error("SetCampaignStatus of an unknown campaign reported true")
	}

	if !s.RemoveCampaign(testID) || s.RemoveCampaign(testID) {
		t.Error("RemoveCampaign: want true, then false")
	}
	wantStatus(t, send(t, http.MethodGet, campaignURL(s, testID), bearer(token), ""), http.StatusNotFound)
}

func TestCampaigns_returnCopies(t *testing.T) {
	s := startServer(t, Config{})
	s.PutCampaign(testOrg, testBot, builder.Campaign{ID: testID, CampaignName: ptr("kept"), SheetValues: []string{"a"}})
	c, _ := s.Campaign(testID)
	*c.CampaignName = "changed"
	c.SheetValues[0] = "changed"
	all := s.Campaigns()
	if deref(all[0].CampaignName) != "kept" || all[0].SheetValues[0] != "a" {
		t.Errorf("mutating a returned campaign changed the store: %+v", all[0])
	}
}

func triggerURL(s *Server, key string) string {
	return s.URL() + builder.PathTrigger + "?" + builder.QueryAPIKey + "=" + url.QueryEscape(key)
}

func TestTrigger_firesWithIDsFromZeroAndReadsBack(t *testing.T) {
	clock := newFakeClock()
	s := startServerWithClock(t, Config{}, clock.Now)
	for want := range 3 {
		r := send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, fmt.Sprintf(`{"json": {"n": %d, "nome": "Maria"}}`, want))
		wantStatus(t, r, http.StatusOK)
		if string(r.body) != fmt.Sprint(want) {
			t.Fatalf("trigger id %q, want %d", r.body, want)
		}
	}
	r := send(t, http.MethodGet, s.URL()+builder.TriggerPath("1")+"?"+builder.QueryAPIKey+"="+DefaultAPIKey, nil, "")
	wantStatus(t, r, http.StatusOK)
	equalJSON(t, r.body, []byte(`{"id":1,"json":{"n":1,"nome":"Maria"},"status":"sent","created_at":"2026-11-22T10:00:00Z"}`))

	triggers := s.Triggers()
	if len(triggers) != 3 || triggers[2].ID != 2 || string(triggers[2].Payload) != `{"n":2,"nome":"Maria"}` || triggers[2].Status != "sent" {
		t.Errorf("Triggers() = %+v", triggers)
	}

	if !s.RemoveTrigger(1) {
		t.Fatal("RemoveTrigger(1) = false")
	}
	r = send(t, http.MethodGet, s.URL()+builder.TriggerPath("1")+"?"+builder.QueryAPIKey+"="+DefaultAPIKey, nil, "")
	wantDetail(t, r, http.StatusNotFound, "Trigger not found")
}

func TestTrigger_apiKeyAndBodyErrors(t *testing.T) {
	s := startServer(t, Config{})
	noKey := s.URL() + builder.PathTrigger
	wantValidation(t, send(t, http.MethodPost, noKey, nil, `{"json":{}}`), []any{"query", "apikey"})
	wantValidation(t, send(t, http.MethodPost, noKey, nil, `{}`), []any{"query", "apikey"}, []any{"body", "json"})
	wantDetail(t, send(t, http.MethodPost, triggerURL(s, "wrong"), nil, `{"json":{}}`), http.StatusForbidden, "Invalid API key")
	for _, body := range []string{`{}`, `{"json":[1]}`, `{"json":"x"}`, `{"json":null}`} {
		wantValidation(t, send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, body), []any{"body", "json"})
	}
	wantValidation(t, send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `"x"`), []any{"body"})
	if n := len(s.Triggers()); n != 0 {
		t.Errorf("%d triggers fired by invalid requests", n)
	}

	read := s.URL() + builder.TriggerPath("0")
	wantValidation(t, send(t, http.MethodGet, read, nil, ""), []any{"query", "apikey"})
	wantDetail(t, send(t, http.MethodGet, read+"?apikey=wrong", nil, ""), http.StatusForbidden, "Invalid API key")
	wantDetail(t, send(t, http.MethodGet, read+"?apikey="+DefaultAPIKey, nil, ""), http.StatusNotFound, "Trigger not found")
	wantValidation(t, send(t, http.MethodGet, s.URL()+builder.TriggerPath("abc")+"?apikey="+DefaultAPIKey, nil, ""), []any{"path", "id"})
}

func TestRouting_unknownRouteAndWrongMethodInServiceShapes(t *testing.T) {
	s := startServer(t, Config{})
	wantDetail(t, send(t, http.MethodGet, s.URL()+"/nope", nil, ""), http.StatusNotFound, "Not Found")
	wantDetail(t, send(t, http.MethodGet, campaignsURL(s)+"/", nil, ""), http.StatusNotFound, "Not Found")
	r := send(t, http.MethodGet, s.URL()+builder.PathLogin, nil, "")
	wantDetail(t, r, http.StatusMethodNotAllowed, "Method Not Allowed")
	if r.header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	wantDetail(t, send(t, http.MethodPatch, campaignURL(s, testID), nil, ""), http.StatusMethodNotAllowed, "Method Not Allowed")

	r = send(t, http.MethodGet, s.URL()+"/api/v1/reports/nope", nil, "")
	wantStatus(t, r, http.StatusNotFound)
	equalJSON(t, r.body, []byte(`{"meta":{"status":404,"message":"Not Found"}}`))
	if got := s.Count(OpUnknown); got != 5 {
		t.Errorf("Count(OpUnknown) = %d, want 5", got)
	}
}

func TestRouting_escapedNamesRoundTrip(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	org, bot := "Acme Brasil", "bot de vendas"
	r := send(t, http.MethodPost, s.URL()+builder.CampaignsPath(org, bot), bearer(token), `{"_id":"`+testID+`","campaign_name":"x"}`)
	wantStatus(t, r, http.StatusCreated)
	var c builder.Campaign
	r.decode(t, &c)
	if deref(c.Organization) != org || deref(c.BotName) != bot {
		t.Errorf("organization %q bot %q", deref(c.Organization), deref(c.BotName))
	}
	wantStatus(t, send(t, http.MethodGet, s.URL()+builder.CampaignPath(org, bot, testID), bearer(token), ""), http.StatusOK)
}

func TestCounts_perOperation(t *testing.T) {
	s := startServer(t, Config{})
	token := login(t, s).Token
	send(t, http.MethodPost, campaignsURL(s), bearer(token), `{"_id":"`+testID+`","campaign_name":"x"}`)
	send(t, http.MethodGet, campaignsURL(s), bearer(token), "")
	send(t, http.MethodGet, campaignURL(s, testID), bearer(token), "")
	send(t, http.MethodGet, campaignURL(s, testID), nil, "") // refused requests count too
	send(t, http.MethodPut, campaignURL(s, testID), bearer(token), `{"campaign_name":"y"}`)
	send(t, http.MethodDelete, campaignURL(s, testID), bearer(token), "")
	send(t, http.MethodPost, triggerURL(s, DefaultAPIKey), nil, `{"json":{}}`)
	send(t, http.MethodGet, s.URL()+builder.TriggerPath("0")+"?apikey="+DefaultAPIKey, nil, "")
	send(t, http.MethodGet, s.URL()+evoluxPath(), nil, "")

	want := map[Op]int{
		OpLogin: 1, OpCampaignCreate: 1, OpCampaignList: 1, OpCampaignRead: 2, OpCampaignUpdate: 1,
		OpCampaignDelete: 1, OpTriggerFire: 1, OpTriggerRead: 1, OpEvoluxSubscribers: 1,
	}
	if got := s.Counts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Counts() = %v\nwant %v", got, want)
	}
	if s.Count(OpCampaignRead) != 2 || s.Count(OpRefresh) != 0 || s.TotalRequests() != 10 {
		t.Errorf("Count(read) %d, Count(refresh) %d, total %d", s.Count(OpCampaignRead), s.Count(OpRefresh), s.TotalRequests())
	}
	s.ResetCounts()
	if s.TotalRequests() != 0 || len(s.Counts()) != 0 {
		t.Errorf("after ResetCounts: total %d, counts %v", s.TotalRequests(), s.Counts())
	}
}

func TestServeHTTP_worksWithoutAServer(t *testing.T) {
	e := New(Config{})
	body, _ := json.Marshal(builder.LoginRequest{User: DefaultUser, Password: DefaultPassword})
	rec := httptest.NewRecorder()
	req, _ := http.NewRequest(http.MethodPost, builder.PathLogin, strings.NewReader(string(body)))
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"refresh_token"`) {
		t.Errorf("login through ServeHTTP: %d %s", rec.Code, rec.Body.String())
	}
}
