package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

const (
	dialectOrg   = "acme"
	dialectBot   = "support"
	dialectIDB   = "5eb7cf5a86d9755df3a6c593"
	missingID    = "000000000000000000000000"
	scheduledA   = "2026-12-01T10:00:00-03:00"
	loginBody    = `{"user":"` + DefaultUser + `","password":"` + DefaultPassword + `"}`
	triggerQuery = "?" + builder.QueryAPIKey + "=" + DefaultAPIKey
)

// dialectNow has microseconds, as a real clock does.
var dialectNow = time.Date(2026, 11, 23, 15, 46, 15, 852309000, time.UTC)

// session is every answer of one scripted use of the Builder API.
type session struct {
	login, createA, createB, list, readA, update, readMissing, badToken,
	conflict, deleteB, fire, readTrigger response
	idA, idB    string // as stored: dialectIDB unless the server makes its own ids
	triggerPath string // the id the fire answered, as a path segment
}

// runSession plays the same requests under any dialect, through
// BuilderURL, following redirects as a client does. Ids are taken from the
// emulator's state, never from answers, except the trigger's.
func runSession(t *testing.T, s *Server) session {
	t.Helper()
	base := s.BuilderURL()
	var ses session
	ses.login = send(t, http.MethodPost, base+builder.PathLogin, nil, loginBody)
	wantStatus(t, ses.login, http.StatusOK)
	token, _ := jsonDoc(t, ses.login)[jsonName(builder.Tokens{}, "Token")].(string)
	auth := bearer(token)
	campaigns := base + builder.CampaignsPath(dialectOrg, dialectBot)
	campaign := func(id string) string { return base + builder.CampaignPath(dialectOrg, dialectBot, id) }

	ses.createA = send(t, http.MethodPost, campaigns, auth,
		`{"campaign_name":"A","scheduled_date":"`+scheduledA+`","sheet_values":[],"content":"hello"}`)
	stored := s.Campaigns()
	if len(stored) != 1 {
		t.Fatalf("after one create the emulator holds %d campaigns; answer %d %s", len(stored), ses.createA.status, ses.createA.body)
	}
	ses.idA = stored[0].ID
	idKey := fieldCampaignID
	if s.dialects[DialectIDAlias] {
		idKey = aliasID
	}
	ses.createB = send(t, http.MethodPost, campaigns, auth, `{"`+idKey+`":"`+dialectIDB+`","campaign_name":"B"}`)
	for _, c := range s.Campaigns() {
		if deref(c.CampaignName) == "B" {
			ses.idB = c.ID
		}
	}
	ses.list = send(t, http.MethodGet, campaigns, auth, "")
	ses.readA = send(t, http.MethodGet, campaign(ses.idA), auth, "")
	ses.update = send(t, http.MethodPut, campaign(ses.idA), auth,
		`{"campaign_name":"A2","scheduled_date":"`+scheduledA+`","sheet_values":["x"],"content":"hello"}`)
	ses.readMissing = send(t, http.MethodGet, campaign(missingID), auth, "")
	ses.badToken = send(t, http.MethodGet, campaign(ses.idA), bearer("not-a-token"), "")
	s.SetCampaignStatus(ses.idB, builder.StatusInProgress)
	ses.conflict = send(t, http.MethodPut, campaign(ses.idB), auth, `{"campaign_name":"B2"}`)
	ses.deleteB = send(t, http.MethodDelete, campaign(ses.idB), auth, "")
	ses.fire = send(t, http.MethodPost, base+builder.PathTrigger+triggerQuery, nil, `{"json":{"n":1}}`)
	wantStatus(t, ses.fire, http.StatusOK)
	ses.triggerPath = answeredTriggerID(t, ses.fire.body)
	ses.readTrigger = send(t, http.MethodGet, base+builder.TriggerPath(ses.triggerPath)+triggerQuery, nil, "")
	return ses
}

// answeredTriggerID reads a fire answer in any of the dialects' spellings.
func answeredTriggerID(t *testing.T, body []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("fire answer %s: %v", body, err)
	}
	if m, ok := v.(map[string]any); ok {
		v = m[builder.FieldTriggerObjectID]
		if v == nil {
			v = m[builder.FieldTriggerID]
		}
		if oid, ok := v.(map[string]any); ok {
			v = oid[extendedOID]
		}
	}
	switch id := v.(type) {
	case float64:
		return strconv.FormatFloat(id, 'f', -1, 64)
	case string:
		return id
	}
	t.Fatalf("no trigger id in %s", body)
	return ""
}

func compactText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonDoc(t *testing.T, r response) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	if m == nil {
		t.Fatalf("answer is not an object: %s", r.body)
	}
	return m
}

func jsonDocs(t *testing.T, r response) []map[string]any {
	t.Helper()
	var list []map[string]any
	r.decode(t, &list)
	return list
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	keys = slices.Clone(keys)
	slices.Sort(keys)
	if got := keysOf(m); !slices.Equal(got, keys) {
		t.Errorf("%s keys %v, want %v", what, got, keys)
	}
}

// checkSessionState asserts what no dialect may change: what is stored and
// how requests are counted.
func checkSessionState(t *testing.T, s *Server, ses session) {
	t.Helper()
	stored := s.Campaigns()
	if len(stored) != 1 || stored[0].ID != ses.idA {
		t.Fatalf("stored campaigns %+v, want only %s", stored, ses.idA)
	}
	a := stored[0]
	if deref(a.CampaignName) != "A2" || deref(a.Content) != "hello" || !slices.Equal(a.SheetValues, []string{"x"}) ||
		deref(a.ScheduledDate) != scheduledA || deref(a.Status) != builder.StatusNotStarted ||
		deref(a.Organization) != dialectOrg || deref(a.BotName) != dialectBot {
		t.Errorf("stored campaign %s", compactText(a))
	}
	created, err := time.Parse(time.RFC3339Nano, deref(a.CreationDate))
	if err != nil || !created.Equal(dialectNow.Truncate(time.Second)) && !created.Equal(dialectNow) {
		t.Errorf("stored creation date %q", deref(a.CreationDate))
	}
	triggers := s.Triggers()
	if len(triggers) != 1 || triggers[0].ID != 0 || string(triggers[0].Payload) != `{"n":1}` {
		t.Errorf("stored triggers %+v", triggers)
	}
	want := map[Op]int{
		OpLogin: 1, OpCampaignCreate: 2, OpCampaignList: 1, OpCampaignRead: 3,
		OpCampaignUpdate: 2, OpCampaignDelete: 1, OpTriggerFire: 1, OpTriggerRead: 1,
	}
	if s.dialects[DialectTrailingSlash] {
		want[OpRedirect] = 4 // two creates, the list and the fire
	}
	total := 0
	for _, n := range want {
		total += n
	}
	if got := s.Counts(); !equalCounts(got, want) || s.TotalRequests() != total {
		t.Errorf("counts %v (total %d), want %v (total %d)", got, s.TotalRequests(), want, total)
	}
	missing := []int{404}
	if s.dialects[DialectReadNull] {
		missing = []int{200} // its own check reads the body
	}
	for name, r := range map[string]struct {
		got  response
		want []int
	}{
		"login": {ses.login, []int{200}}, "list": {ses.list, []int{200}}, "read": {ses.readA, []int{200}},
		"update": {ses.update, []int{200}}, "read missing": {ses.readMissing, missing},
		"bad token": {ses.badToken, []int{401}}, "conflict": {ses.conflict, []int{409}},
		"fire": {ses.fire, []int{200}}, "read trigger": {ses.readTrigger, []int{200}},
		"create A": {ses.createA, []int{200, 201}}, "create B": {ses.createB, []int{200, 201}},
		"delete": {ses.deleteB, []int{200, 204}},
	} {
		if !slices.Contains(r.want, r.got.status) {
			t.Errorf("%s: status %d, want one of %v; body %s", name, r.got.status, r.want, r.got.body)
		}
	}
}

func equalCounts(got, want map[Op]int) bool {
	for op, n := range got {
		if want[op] != n {
			return false
		}
	}
	for op, n := range want {
		if got[op] != n {
			return false
		}
	}
	return true
}

var referenceCampaignKeys = []string{"_id", "organization", "scheduled_date", "campaign_name", "status", "bot_name", "creation_date", "content"}

// dialectChecks assert what each dialect's answers look like, given a
// session run under that dialect alone.
// listPage asks the session's bot for one page of its list.
func listPage(t *testing.T, s *Server, query string) response {
	t.Helper()
	return send(t, http.MethodGet, s.BuilderURL()+builder.CampaignsPath(dialectOrg, dialectBot)+"?"+query, bearer(login(t, s).Token), "")
}

// seedBot puts n campaigns into the session's bot, out of band.
func seedBot(s *Server, n int) {
	for i := range n {
		s.PutCampaign(dialectOrg, dialectBot, builder.Campaign{CampaignName: ptr("seeded-" + strconv.Itoa(i))})
	}
}

var dialectChecks = map[Dialect]func(t *testing.T, s *Server, ses session){
	DialectReference: func(t *testing.T, s *Server, ses session) {
		// FastAPI's Query(0, ge=0) skip and Query(100, ge=1, le=1000) limit.
		if page := jsonDocs(t, listPage(t, s, "skip=0&limit=1")); len(page) != 1 {
			t.Errorf("limit=1: %d campaigns", len(page))
		}
		if page := jsonDocs(t, listPage(t, s, "skip=1&limit=100")); len(page) != 0 {
			t.Errorf("skip=1 of one campaign: %d campaigns", len(page))
		}
		wantStatus(t, listPage(t, s, "limit=1001"), http.StatusUnprocessableEntity)
		wantStatus(t, listPage(t, s, "skip=-1"), http.StatusUnprocessableEntity)
		seedBot(s, 150)
		if page := jsonDocs(t, listPage(t, s, "")); len(page) != 100 {
			t.Errorf("no limit: %d of 151 campaigns, want the default 100", len(page))
		}
		if page := jsonDocs(t, listPage(t, s, "skip=100&limit=100")); len(page) != 51 {
			t.Errorf("skip=100: %d campaigns, want 51", len(page))
		}

		wantStatus(t, ses.createA, http.StatusCreated)
		a := jsonDoc(t, ses.createA)
		wantKeys(t, "create", a, referenceCampaignKeys...)
		if a["_id"] != ses.idA || a["creation_date"] != "2026-11-23T15:46:15Z" || a["scheduled_date"] != scheduledA {
			t.Errorf("create answer %s", ses.createA.body)
		}
		list := jsonDocs(t, ses.list)
		if len(list) != 2 || list[1]["_id"] != ses.idA || list[1]["content"] != "hello" { // by creation date, then id
			t.Errorf("list %s", ses.list.body)
		}
		wantKeys(t, "read", jsonDoc(t, ses.readA), referenceCampaignKeys...)
		wantKeys(t, "update", jsonDoc(t, ses.update), append(referenceCampaignKeys, "sheet_values")...)
		wantStatus(t, ses.deleteB, http.StatusOK)
		equalJSON(t, ses.deleteB.body, []byte("null"))
		equalJSON(t, ses.fire.body, []byte("0"))
		equalJSON(t, ses.readTrigger.body, []byte(`{"id":0,"json":{"n":1},"status":"sent","created_at":"2026-11-23T15:46:15Z"}`))
		wantDetail(t, ses.readMissing, http.StatusNotFound, detailCampaignNotFound)
		wantDetail(t, ses.badToken, http.StatusUnauthorized, detailInvalidToken)
		wantDetail(t, ses.conflict, http.StatusConflict, detailCampaignStarted)
	},
	DialectListUnpaged: func(t *testing.T, s *Server, _ session) {
		seedBot(s, 150)
		if page := jsonDocs(t, listPage(t, s, "skip=100&limit=10")); len(page) != 151 {
			t.Errorf("skip and limit ignored: %d campaigns, want all 151", len(page))
		}
	},
	DialectListCapped: func(t *testing.T, s *Server, _ session) {
		seedBot(s, 150)
		first := jsonDocs(t, listPage(t, s, ""))
		again := jsonDocs(t, listPage(t, s, "skip=100&limit=100"))
		if len(first) != 100 || len(again) != 100 || first[0]["_id"] != again[0]["_id"] {
			t.Errorf("capped at the first 100 whatever skip says: %d, then %d", len(first), len(again))
		}
	},
	DialectEchoCredentials: func(t *testing.T, _ *Server, ses session) {
		trigger := jsonDoc(t, ses.readTrigger)
		echo, _ := trigger["request"].(map[string]any)
		if url, _ := echo["url"].(string); !strings.Contains(url, DefaultAPIKey) {
			t.Errorf("trigger read echoes no apikey: %s", ses.readTrigger.body)
		}
		echo, _ = jsonDoc(t, ses.readA)["request"].(map[string]any)
		if authorization, _ := echo["authorization"].(string); !strings.HasPrefix(authorization, "Bearer ") {
			t.Errorf("campaign read echoes no token: %s", ses.readA.body)
		}
	},
	DialectNaiveTimestamps: func(t *testing.T, _ *Server, ses session) {
		for _, r := range []response{ses.createA, ses.readA, ses.update} {
			a := jsonDoc(t, r)
			if a["creation_date"] != "2026-11-23T15:46:15.852309" || a["scheduled_date"] != "2026-12-01T13:00:00" {
				t.Errorf("naive timestamps: %s", r.body)
			}
		}
		if jsonDocs(t, ses.list)[0]["creation_date"] != "2026-11-23T15:46:15.852309" {
			t.Errorf("list %s", ses.list.body)
		}
		if jsonDoc(t, ses.readTrigger)["created_at"] != "2026-11-23T15:46:15.852309" {
			t.Errorf("trigger %s", ses.readTrigger.body)
		}
	},
	DialectSpaceTimestamps: func(t *testing.T, _ *Server, ses session) {
		a := jsonDoc(t, ses.readA)
		if a["creation_date"] != "2026-11-23 15:46:15.852309+00:00" {
			t.Errorf("creation_date %v", a["creation_date"])
		}
		scheduled, _ := a["scheduled_date"].(string)
		at, err := time.Parse("2006-01-02 15:04:05-07:00", scheduled)
		want, _ := time.Parse(time.RFC3339, scheduledA)
		if err != nil || !at.Equal(want) || strings.HasSuffix(scheduled, "-03:00") {
			t.Errorf("scheduled_date %q: want the instant of %s in another offset (%v)", scheduled, scheduledA, err)
		}
		if jsonDoc(t, ses.readTrigger)["created_at"] != "2026-11-23 15:46:15.852309+00:00" {
			t.Errorf("trigger %s", ses.readTrigger.body)
		}
	},
	DialectMongoExtendedJSON: func(t *testing.T, _ *Server, ses session) {
		a := jsonDoc(t, ses.createA)
		if compactText(a["_id"]) != `{"$oid":"`+ses.idA+`"}` ||
			compactText(a["creation_date"]) != `{"$date":"2026-11-23T15:46:15.852Z"}` ||
			compactText(a["scheduled_date"]) != `{"$date":"2026-12-01T13:00:00.000Z"}` {
			t.Errorf("create %s", ses.createA.body)
		}
		if compactText(jsonDocs(t, ses.list)[0]["_id"]) != `{"$oid":"`+dialectIDB+`"}` {
			t.Errorf("list %s", ses.list.body)
		}
		equalJSON(t, ses.fire.body, []byte("0"))
	},
	DialectOmitNulls: func(t *testing.T, _ *Server, ses session) {
		wantKeys(t, "create", jsonDoc(t, ses.createA), append(referenceCampaignKeys, "sheet_values")...)
		if compactText(jsonDoc(t, ses.createA)["sheet_values"]) != "[]" {
			t.Errorf("an empty list is kept: %s", ses.createA.body)
		}
		for _, doc := range jsonDocs(t, ses.list) {
			for k, v := range doc {
				if v == nil {
					t.Errorf("null %s in %s", k, ses.list.body)
				}
			}
		}
	},
	DialectExplicitNulls: func(t *testing.T, _ *Server, ses session) {
		all := keysOf(toMap(campaignObject(builder.Campaign{})))
		for _, doc := range append(jsonDocs(t, ses.list), jsonDoc(t, ses.createB), jsonDoc(t, ses.readA)) {
			wantKeys(t, "document", doc, all...)
		}
		b := jsonDoc(t, ses.createB)
		if b["description"] != nil || b["log_file"] != nil || b["campaign_name"] != "B" {
			t.Errorf("create B %s", ses.createB.body)
		}
		if compactText(jsonDoc(t, ses.createA)["sheet_values"]) != "[]" || compactText(b["sheet_values"]) != "null" {
			t.Errorf("empty list [] and unset null: %s / %s", ses.createA.body, ses.createB.body)
		}
	},
	DialectExtraFields: func(t *testing.T, _ *Server, ses session) {
		for _, doc := range []map[string]any{jsonDoc(t, ses.createA), jsonDoc(t, ses.readA), jsonDocs(t, ses.list)[0], jsonDoc(t, ses.readTrigger)} {
			_, nested := doc["metadata"].(map[string]any)
			_, array := doc["channels"].([]any)
			if doc["__v"] == nil || !nested || !array {
				t.Errorf("extra fields missing: %v", doc)
			}
		}
		if jsonDoc(t, ses.readA)["updated_at"] != "2026-11-23T15:46:15Z" {
			t.Errorf("updated_at: %s", ses.readA.body)
		}
		login := jsonDoc(t, ses.login)
		if login["token_type"] != "bearer" || login["expires_in"] != float64(3600) {
			t.Errorf("login %s", ses.login.body)
		}
		equalJSON(t, ses.fire.body, []byte("0"))
	},
	DialectListSummaries: func(t *testing.T, _ *Server, ses session) {
		list := jsonDocs(t, ses.list)
		if len(list) != 2 {
			t.Fatalf("list %s", ses.list.body)
		}
		for _, doc := range list {
			wantKeys(t, "summary", doc, summaryFields...)
		}
		if jsonDoc(t, ses.readA)["content"] != "hello" {
			t.Errorf("a read still answers the whole document: %s", ses.readA.body)
		}
	},
	DialectCreated200: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.createA, http.StatusOK)
		wantKeys(t, "create", jsonDoc(t, ses.createA), referenceCampaignKeys...)
	},
	DialectWriteAnswersIDOnly: func(t *testing.T, _ *Server, ses session) {
		for _, r := range []response{ses.createA, ses.update} {
			wantStatus(t, r, http.StatusOK)
			equalJSON(t, r.body, []byte(`{"_id":"`+ses.idA+`"}`))
		}
		equalJSON(t, ses.createB.body, []byte(`{"_id":"`+dialectIDB+`"}`))
		wantKeys(t, "read", jsonDoc(t, ses.readA), referenceCampaignKeys...)
	},
	DialectWriteAnswersNull: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.createA, http.StatusCreated)
		for _, r := range []response{ses.createA, ses.createB, ses.update} {
			equalJSON(t, r.body, []byte("null"))
		}
		wantKeys(t, "read", jsonDoc(t, ses.readA), referenceCampaignKeys...)
	},
	DialectListEnvelope: func(t *testing.T, _ *Server, ses session) {
		var envelope struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		ses.list.decode(t, &envelope)
		if envelope.Total != 2 || len(envelope.Items) != 2 || envelope.Items[1]["_id"] != ses.idA || envelope.Items[1]["content"] != "hello" {
			t.Errorf("list %s", ses.list.body)
		}
	},
	DialectIDAlias: func(t *testing.T, _ *Server, ses session) {
		for _, doc := range append(jsonDocs(t, ses.list), jsonDoc(t, ses.createA), jsonDoc(t, ses.update)) {
			if _, underscore := doc["_id"]; underscore || doc["id"] == nil {
				t.Errorf("id spelled %v", doc)
			}
		}
		// B was created with "id" in the request, so its id is the one sent.
		if jsonDoc(t, ses.createB)["id"] != dialectIDB {
			t.Errorf("create B %s", ses.createB.body)
		}
	},
	DialectPathPrefix: func(t *testing.T, s *Server, ses session) {
		if s.BuilderURL() != s.URL()+VendorPathPrefix {
			t.Errorf("BuilderURL %q, URL %q", s.BuilderURL(), s.URL())
		}
		wantDetail(t, send(t, http.MethodPost, s.URL()+builder.PathLogin, nil, loginBody), http.StatusNotFound, "Not Found")
		wantDetail(t, send(t, http.MethodGet, s.BuilderURL()+evolux.PathSubscribers, nil, ""), http.StatusNotFound, "Not Found")
		wantStatus(t, send(t, http.MethodGet, s.URL()+evolux.PathSubscribers, evoluxBearer(), ""), http.StatusOK)
		if n := s.Count(OpUnknown); n != 2 {
			t.Errorf("unprefixed requests counted %d times as unknown, want 2", n)
		}
	},
	DialectTrailingSlash: checkTrailingSlash,
	DialectDelete204: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.deleteB, http.StatusNoContent)
		if len(ses.deleteB.body) != 0 {
			t.Errorf("204 with body %q", ses.deleteB.body)
		}
	},
	DialectDeleteDocument: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.deleteB, http.StatusOK)
		b := jsonDoc(t, ses.deleteB)
		if b["_id"] != dialectIDB || b["campaign_name"] != "B" || b["status"] != builder.StatusInProgress {
			t.Errorf("deleted document %s", ses.deleteB.body)
		}
	},
	DialectDeleteEmpty: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.deleteB, http.StatusOK)
		if len(ses.deleteB.body) != 0 {
			t.Errorf("empty 200 with body %q", ses.deleteB.body)
		}
	},
	DialectTriggerIDString: func(t *testing.T, _ *Server, ses session) {
		equalJSON(t, ses.fire.body, []byte(`"0"`))
		if jsonDoc(t, ses.readTrigger)["id"] != "0" {
			t.Errorf("trigger read %s", ses.readTrigger.body)
		}
	},
	DialectTriggerIDObject: func(t *testing.T, s *Server, ses session) {
		if !isObjectID(ses.triggerPath) || !regexp.MustCompile(`^\{"_id":"[0-9a-f]{24}"\}$`).Match(ses.fire.body) {
			t.Errorf("fire answer %s", ses.fire.body)
		}
		if jsonDoc(t, ses.readTrigger)["_id"] != ses.triggerPath {
			t.Errorf("trigger read %s", ses.readTrigger.body)
		}
		wantValidation(t, send(t, http.MethodGet, s.BuilderURL()+builder.TriggerPath("0")+triggerQuery, nil, ""), loc("path", paramID))
		// The same number under another time is another ObjectId: unknown.
		other := "00000001" + ses.triggerPath[8:]
		wantDetail(t, send(t, http.MethodGet, s.BuilderURL()+builder.TriggerPath(other)+triggerQuery, nil, ""), http.StatusNotFound, detailTriggerNotFound)
	},
	DialectDetailList: func(t *testing.T, s *Server, ses session) {
		for _, c := range []struct {
			r      response
			status int
			msg    string
			loc    []any
		}{
			{ses.readMissing, 404, detailCampaignNotFound, loc("path")},
			{ses.badToken, 401, detailInvalidToken, loc("header", builder.HeaderAuthorization)},
			{ses.conflict, 409, detailCampaignStarted, loc("body", "status")},
			{send(t, http.MethodPost, s.BuilderURL()+builder.PathTrigger+"?apikey=wrong", nil, `{"json":{}}`), 403, detailInvalidAPIKey, loc("query", builder.QueryAPIKey)},
		} {
			items := wantValidationStatus(t, c.r, c.status)
			if len(items) != 1 || items[0].Msg != c.msg || compactText(items[0].Loc) != compactText(c.loc) {
				t.Errorf("detail %s, want msg %q at %v", c.r.body, c.msg, c.loc)
			}
		}
		wantValidation(t, send(t, http.MethodPost, s.BuilderURL()+builder.PathLogin, nil, `{}`), loc("body", "user"), loc("body", "password"))
	},
	DialectDetailObject: func(t *testing.T, _ *Server, ses session) {
		equalJSON(t, ses.readMissing.body, []byte(`{"detail":{"code":404,"message":"Campaign not found"}}`))
		equalJSON(t, ses.conflict.body, []byte(`{"detail":{"code":409,"message":"Campaign already started"}}`))
	},
	DialectServerIDs: func(t *testing.T, s *Server, ses session) {
		if ses.idB == dialectIDB || !isObjectID(ses.idB) {
			t.Errorf("campaign B is stored as %q: want an id of the server's, not the %s it was sent", ses.idB, dialectIDB)
		}
		if jsonDoc(t, ses.createB)[fieldCampaignID] != ses.idB {
			t.Errorf("create B answered %s, want the stored id %s", ses.createB.body, ses.idB)
		}
	},
	DialectReadNull: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.readMissing, http.StatusOK)
		if string(bytes.TrimSpace(ses.readMissing.body)) != "null" {
			t.Errorf("a read of a missing campaign answered %s, want null", ses.readMissing.body)
		}
	},
	DialectNullsRefused: func(t *testing.T, s *Server, ses session) {
		auth := bearer(login(t, s).Token)
		campaign := s.BuilderURL() + builder.CampaignPath(dialectOrg, dialectBot, ses.idA)
		r := send(t, http.MethodPut, campaign, auth, `{"campaign_name":"A3","description":null,"sheet_values":null}`)
		wantValidation(t, r, loc("body", "description"), loc("body", "sheet_values"))
	},
	DialectPutMerges: func(t *testing.T, s *Server, ses session) {
		// The session's update named every field it changed, so nothing
		// differs there; a field left out keeps its value, null clears it.
		auth := bearer(login(t, s).Token)
		campaign := s.BuilderURL() + builder.CampaignPath(dialectOrg, dialectBot, ses.idA)
		wantStatus(t, send(t, http.MethodPut, campaign, auth, `{"campaign_name":"A3","description":"d"}`), http.StatusOK)
		wantStatus(t, send(t, http.MethodPut, campaign, auth, `{"campaign_name":"A4","scheduled_date":null}`), http.StatusOK)
		held := s.Campaigns()
		i := slices.IndexFunc(held, func(c builder.Campaign) bool { return c.ID == ses.idA })
		if i < 0 {
			t.Fatalf("campaign %s is gone", ses.idA)
		}
		c := held[i]
		if deref(c.CampaignName) != "A4" || deref(c.Description) != "d" || deref(c.Content) != "hello" ||
			!slices.Equal(c.SheetValues, []string{"x"}) || c.ScheduledDate != nil {
			t.Errorf("after merging updates the emulator holds %+v", c)
		}
	},
	DialectGatewayTextErrors: func(t *testing.T, s *Server, ses session) {
		if ct := ses.readMissing.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") ||
			!strings.Contains(string(ses.readMissing.body), builder.CampaignPath(dialectOrg, dialectBot, missingID)) {
			t.Errorf("404 %q %s", ct, ses.readMissing.body)
		}
		missingTrigger := send(t, http.MethodGet, s.BuilderURL()+builder.TriggerPath("99")+triggerQuery, nil, "")
		if missingTrigger.status != http.StatusNotFound || !strings.Contains(string(missingTrigger.body), "apikey="+DefaultAPIKey) {
			t.Errorf("the gateway quotes the URL, secret included: %d %s", missingTrigger.status, missingTrigger.body)
		}
		s.InjectFault(OpCampaignList, FaultServerError, 1)
		r := send(t, http.MethodGet, s.BuilderURL()+builder.CampaignsPath(dialectOrg, dialectBot), nil, "")
		if r.status != http.StatusInternalServerError || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || json.Valid(r.body) {
			t.Errorf("500 %q %s", r.header.Get("Content-Type"), r.body)
		}
		wantDetail(t, ses.badToken, http.StatusUnauthorized, detailInvalidToken)
	},
	DialectPydanticV1: func(t *testing.T, _ *Server, ses session) {
		wantStatus(t, ses.createA, http.StatusOK)
		a := jsonDoc(t, ses.createA)
		wantKeys(t, "create", a, keysOf(toMap(campaignObject(builder.Campaign{})))...)
		if a["creation_date"] != "2026-11-23T15:46:15.852309" || a["description"] != nil {
			t.Errorf("create %s", ses.createA.body)
		}
	},
	DialectGateway: func(t *testing.T, s *Server, ses session) {
		checkTrailingSlash(t, s, ses)
		if !strings.HasSuffix(s.BuilderURL(), VendorPathPrefix) || !strings.HasPrefix(ses.readMissing.header.Get("Content-Type"), "text/html") {
			t.Errorf("BuilderURL %q, 404 %s", s.BuilderURL(), ses.readMissing.body)
		}
	},
}

func toMap(o object) map[string]any {
	m := map[string]any{}
	for _, member := range o {
		m[member.key] = member.value
	}
	return m
}

func evoluxBearer() http.Header {
	return http.Header{evolux.HeaderAuthorization: {"Bearer " + DefaultEvoluxToken}}
}

// wantValidationStatus decodes a list-shaped detail of any status.
func wantValidationStatus(t *testing.T, r response, status int) []validationError {
	t.Helper()
	wantStatus(t, r, status)
	var got struct {
		Detail []validationError `json:"detail"`
	}
	r.decode(t, &got)
	return got.Detail
}

// noRedirects sees a 307 instead of following it.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func checkTrailingSlash(t *testing.T, s *Server, _ session) {
	t.Helper()
	before := s.Counts()
	base := s.BuilderURL()
	for _, c := range []struct{ method, path, location string }{
		{http.MethodPost, builder.CampaignsPath(dialectOrg, dialectBot), builder.CampaignsPath(dialectOrg, dialectBot) + "/"},
		{http.MethodGet, builder.PathTrigger + triggerQuery, builder.PathTrigger + "/" + triggerQuery},
		{http.MethodGet, builder.TriggerPath("0") + "/" + triggerQuery, builder.TriggerPath("0") + triggerQuery},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(`{}`))
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != base+c.location {
			t.Errorf("%s %s: %d to %q, want 307 to %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Location"), base+c.location)
		}
	}
	after := s.Counts()
	if after[OpRedirect] != before[OpRedirect]+3 || after[OpCampaignCreate] != before[OpCampaignCreate] || after[OpTriggerRead] != before[OpTriggerRead] {
		t.Errorf("a 307 counts under %s only: before %v, after %v", OpRedirect, before, after)
	}
	// Unknown paths stay 404, with or without the slash.
	wantStatus(t, send(t, http.MethodGet, base+"/nowhere/", nil, ""), http.StatusNotFound)
}

func TestDialects_everyDialectHasAChecklist(t *testing.T) {
	all := Dialects()
	if all[0] != DialectReference {
		t.Errorf("first dialect %q, want reference", all[0])
	}
	seen := map[Dialect]bool{}
	for _, d := range all {
		if seen[d] {
			t.Errorf("%q listed twice", d)
		}
		seen[d] = true
		if dialectChecks[d] == nil {
			t.Errorf("dialect %q has no checks in dialectChecks", d)
		}
		if desc := d.Description(); desc == "" || desc == Dialect("nope").Description() {
			t.Errorf("dialect %q: description %q", d, desc)
		}
	}
	if len(all) < 8 {
		t.Errorf("%d dialects", len(all))
	}
}

// TestDialects_answersStateAndCounts plays the same session under each
// dialect: the answers look as the dialect says, and what is stored and
// counted is the same as under the reference.
func TestDialects_answersStateAndCounts(t *testing.T) {
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := startServerWithClock(t, Config{Dialects: []Dialect{d}}, func() time.Time { return dialectNow })
			ses := runSession(t, s)
			checkSessionState(t, s, ses)
			dialectChecks[d](t, s, ses)
		})
	}
}

// TestDialects_combined stacks compatible dialects: each keeps its effect.
func TestDialects_combined(t *testing.T) {
	list, err := ParseDialects("pydantic-v1, id-alias,mongo-extended-json , list-summaries,trigger-id-object,detail-list,gateway")
	if err == nil {
		t.Fatalf("naive-timestamps (from pydantic-v1) and mongo-extended-json combined: no error, %v", list)
	}
	list, err = ParseDialects("pydantic-v1, id-alias, list-summaries,trigger-id-object,detail-list,gateway,extra-fields,write-answers-id-only,delete-204")
	if err != nil {
		t.Fatal(err)
	}
	s := startServerWithClock(t, Config{Dialects: list}, func() time.Time { return dialectNow })
	ses := runSession(t, s)
	checkSessionState(t, s, ses)
	equalJSON(t, ses.createA.body, []byte(`{"id":"`+ses.idA+`","__v":0,"metadata":{"source":"campaign-module","revision":1},"channels":["whatsapp"]}`))
	wantStatus(t, ses.createA, http.StatusOK)
	for _, doc := range jsonDocs(t, ses.list) {
		wantKeys(t, "summary", doc, "id", "campaign_name", "status", "organization", "bot_name", "__v", "metadata", "channels")
	}
	read := jsonDoc(t, ses.readA)
	if read["id"] != ses.idA || read["creation_date"] != "2026-11-23T15:46:15.852309" || read["file"] != nil {
		t.Errorf("read %s", ses.readA.body)
	}
	if _, ok := read["file"]; !ok {
		t.Errorf("explicit nulls lost: %s", ses.readA.body)
	}
	wantStatus(t, ses.deleteB, http.StatusNoContent)
	if !strings.HasPrefix(ses.readMissing.header.Get("Content-Type"), "text/html") { // the gateway's page wins over detail-list
		t.Errorf("404 %s", ses.readMissing.body)
	}
	items := wantValidationStatus(t, ses.conflict, http.StatusConflict)
	if len(items) != 1 || items[0].Msg != detailCampaignStarted {
		t.Errorf("409 %s", ses.conflict.body)
	}
	if doc := jsonDoc(t, ses.readTrigger); doc["id"] != ses.triggerPath || doc["created_at"] != "2026-11-23T15:46:15.852309" {
		t.Errorf("trigger read %s", ses.readTrigger.body)
	}
}

func TestParseDialects(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []Dialect
		wantErr []string
	}{
		{in: "", want: nil},
		{in: " , ", want: nil},
		{in: "reference", want: []Dialect{DialectReference}},
		{in: "naive-timestamps, extra-fields", want: []Dialect{DialectNaiveTimestamps, DialectExtraFields}},
		{in: "pydantic-v1", want: []Dialect{DialectPydanticV1}},
		{in: "naive", wantErr: []string{`unknown dialect "naive"`, "valid dialects are reference, naive-timestamps,", "gateway"}},
		{in: "delete-204,delete-document,delete-empty", wantErr: []string{"delete-204 and delete-document and delete-empty cannot be combined"}},
		{in: "write-answers-null,write-answers-id-only", wantErr: []string{"write-answers-id-only and write-answers-null cannot be combined"}},
		{in: "pydantic-v1,omit-nulls", wantErr: []string{"omit-nulls and explicit-nulls cannot be combined"}},
		{in: "trigger-id-string,trigger-id-object,detail-list,detail-object", wantErr: []string{"trigger-id-string and trigger-id-object", "detail-list and detail-object"}},
	} {
		got, err := ParseDialects(c.in)
		if c.wantErr == nil {
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("ParseDialects(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseDialects(%q) = %v, want an error", c.in, got)
			continue
		}
		for _, part := range c.wantErr {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("ParseDialects(%q): error %q lacks %q", c.in, err, part)
			}
		}
	}
}

func TestDialects_configValidation(t *testing.T) {
	cfg := Config{Dialects: []Dialect{"no-such-dialect"}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `"no-such-dialect"`) {
		t.Errorf("Validate: %v", err)
	}
	if _, err := Start(cfg); err == nil {
		t.Error("Start accepted an unknown dialect")
	}
	s := startServer(t, Config{})
	if s.BuilderURL() != s.URL() {
		t.Errorf("reference BuilderURL %q, URL %q", s.BuilderURL(), s.URL())
	}
}

// The reference renderer answers exactly what encoding/json makes of
// wire.go's Campaign, so the client's reading stays the reference.
func TestDialects_referenceDocumentIsTheWireStruct(t *testing.T) {
	for _, c := range []builder.Campaign{
		{ID: dialectIDB},
		{ID: dialectIDB, CampaignName: ptr("n"), Description: ptr(""), SheetValues: []string{}},
		{ID: dialectIDB, Organization: ptr("o"), ScheduledDate: ptr(scheduledA), CampaignName: ptr("c"), Status: ptr("error"),
			BotName: ptr("b"), CreationDate: ptr("2026-01-02T03:04:05Z"), Description: ptr("d"), Name: ptr("n"), File: ptr("f"),
			Content: ptr("x"), SheetValues: []string{"a", "b"}, LogFile: ptr("l")},
	} {
		want, _ := json.Marshal(c)
		got, err := json.Marshal(dialectSet{}.campaignDocument(c, false))
		if err != nil || string(got) != string(want) {
			t.Errorf("reference document\n got %s\nwant %s (%v)", got, want, err)
		}
	}
}

func TestDialects_idAliasRequestsPreferUnderscoreID(t *testing.T) {
	s := startServer(t, Config{Dialects: []Dialect{DialectIDAlias}})
	auth := bearer(login(t, s).Token)
	r := send(t, http.MethodPost, s.BuilderURL()+builder.CampaignsPath(dialectOrg, dialectBot), auth,
		`{"_id":"`+dialectIDB+`","id":"`+missingID+`","campaign_name":"both"}`)
	wantStatus(t, r, http.StatusCreated)
	if _, ok := s.Campaign(dialectIDB); !ok || len(s.Campaigns()) != 1 {
		t.Errorf("stored %v", s.Campaigns())
	}
	wantValidation(t, send(t, http.MethodPost, s.BuilderURL()+builder.CampaignsPath(dialectOrg, dialectBot), auth,
		`{"id":"not-an-object-id","campaign_name":"bad"}`), loc("body", "_id"))
}

// Faults still work through the error dialects' buffering: a dropped
// connection drops it, a slow answer comes late but re-spelled.
func TestDialects_faultsThroughErrorSpelling(t *testing.T) {
	s := startServer(t, Config{Dialects: []Dialect{DialectDetailList, DialectGatewayTextErrors}, SlowDelay: 50 * time.Millisecond})
	auth := bearer(login(t, s).Token)
	campaigns := s.BuilderURL() + builder.CampaignsPath(dialectOrg, dialectBot)
	s.InjectFault(OpCampaignCreate, FaultDropAfter, 1)
	if _, err := trySend(http.MethodPost, campaigns, auth, `{"campaign_name":"dropped"}`); err == nil {
		t.Error("a dropped connection answered")
	}
	if len(s.Campaigns()) != 1 {
		t.Errorf("the dropped create did its work: %v", s.Campaigns())
	}
	s.InjectFault(OpCampaignRead, FaultSlow, 1)
	r := send(t, http.MethodGet, s.BuilderURL()+builder.CampaignPath(dialectOrg, dialectBot, missingID), auth, "")
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("slow 404 %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	s.InjectFault(OpCampaignList, FaultRateLimit, 1)
	r = send(t, http.MethodGet, campaigns, auth, "")
	if items := wantValidationStatus(t, r, http.StatusTooManyRequests); len(items) != 1 || r.header.Get("Retry-After") != "1" {
		t.Errorf("429 %v %s", r.header, r.body)
	}
}

// The README's dialect table lists every dialect.
func TestDialects_listedInTheREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Dialects() {
		if !regexp.MustCompile("(?m)^\\| (`[a-z0-9-]+` / )*`" + regexp.QuoteMeta(string(d)) + "`( / `[a-z0-9-]+`)* \\|").Match(readme) {
			t.Errorf("README.md's dialect table has no row for %q", d)
		}
	}
}

// Campaign.Problems is the client's own (json:"-"): no answer names it, and
// a body that sends the key "-" stores nothing under it.
func TestCampaignAnswers_neverNameTheClientsOwnField(t *testing.T) {
	s := startServer(t, Config{Dialects: []Dialect{DialectExplicitNulls}})
	token := login(t, s).Token
	created := send(t, http.MethodPost, campaignsURL(s), bearer(token), `{"_id":"`+testID+`","campaign_name":"c","-":["echoed"]}`)
	read := send(t, http.MethodGet, campaignURL(s, testID), bearer(token), "")
	for _, r := range []response{created, read} {
		var fields map[string]json.RawMessage
		r.decode(t, &fields)
		if _, named := fields["-"]; named || len(fields) == 0 {
			t.Fatalf("the answer %s names the field %q", r.body, "-")
		}
	}
}
