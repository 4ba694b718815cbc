package emulator

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

var blackFriday = subscriberCampaigns[0]

// upload posts csvText to the campaign, as form-data under "file" or as a raw text/csv body.
func upload(t *testing.T, s *Server, campaign, csvText string, multipartForm bool) response {
	t.Helper()
	header := evoluxAuth()
	body := csvText
	if multipartForm {
		var buf bytes.Buffer
		form := multipart.NewWriter(&buf)
		part, _ := form.CreateFormFile(evolux.FormFile, "audience.csv")
		_, _ = part.Write([]byte(csvText))
		_ = form.Close()
		body, header["Content-Type"] = buf.String(), []string{form.FormDataContentType()}
	} else {
		header["Content-Type"] = []string{evolux.CSVMediaType}
	}
	return send(t, http.MethodPost, s.URL()+evolux.CampaignSubscribersPath(campaign), header, body)
}

// reportOf is the campaign's records, as the report shows them.
func reportOf(t *testing.T, s *Server, campaign string) []testRecord {
	t.Helper()
	r := send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+url.Values{evolux.QueryCampaigns: {campaign}}.Encode(), evoluxAuth(), "")
	var env struct {
		Data []testRecord `json:"data"`
	}
	r.decode(t, &env)
	return env.Data
}

func TestAudience_uploadsShowInTheReportAndTwiceIsTwice(t *testing.T) {
	for _, multipartForm := range []bool{true, false} {
		s := startServer(t, Config{})
		csvText := "name,phone,parameter1,CPF\r\n\"Silva, Maria \"\"Mary\"\"\",5511999990001,Maria,111\r\n"
		for range 2 {
			wantStatus(t, upload(t, s, blackFriday.UUID, csvText, multipartForm), http.StatusOK)
		}
		records := reportOf(t, s, blackFriday.UUID)
		if len(records) != 2 || records[0].Name != `Silva, Maria "Mary"` || records[0].PhoneNumber != "5511999990001" ||
			records[0].State != "pending" || records[0].ConversationFields["CPF"] != "111" || records[1].PhoneNumber != "5511999990001" {
			t.Errorf("multipart %v: the report shows %+v", multipartForm, records)
		}
		if got := s.Uploaded(); !slices.Equal(got, []string{"5511999990001", "5511999990001"}) {
			t.Errorf("Uploaded = %v", got)
		}
	}
}

func TestAudience_refusesWhatEvoluxDocumentsAsInvalid(t *testing.T) {
	s := startServer(t, Config{})
	for name, tc := range map[string]struct {
		csv, campaign string
		status        int
	}{
		"no phone column":      {"name,parameter1\nA,x\n", blackFriday.UUID, 400},
		"parameters unordered": {"name,phone,parameter2\nA,5511999990001,x\n", blackFriday.UUID, 400},
		"empty name":           {"name,phone\n,5511999990001\n", blackFriday.UUID, 400},
		"phone not digits":     {"name,phone\nA,+55 11 9999\n", blackFriday.UUID, 400},
		"ragged row":           {"name,phone\nA,5511999990001,extra\n", blackFriday.UUID, 400},
		"unknown campaign":     {"name,phone\nA,5511999990001\n", "00000000-0000-4000-8000-000000000000", 404},
	} {
		r := upload(t, s, tc.campaign, tc.csv, true)
		if r.status != tc.status || !bytes.Contains(r.body, []byte(`"meta"`)) {
			t.Errorf("%s: %d %s, want %d in the meta shape", name, r.status, r.body, tc.status)
		}
	}
	if n := len(s.Uploaded()); n != 0 {
		t.Errorf("%d phones inserted by refused uploads", n)
	}
	r := send(t, http.MethodPost, s.URL()+evolux.CampaignSubscribersPath(blackFriday.UUID),
		http.Header{"Content-Type": {evolux.CSVMediaType}}, "name,phone\nA,5511999990001\n")
	wantStatus(t, r, http.StatusUnauthorized)
}

func TestAudience_dialects(t *testing.T) {
	clock := newFakeClock()
	csvText := "name,phone\nA,5511999990001\n"
	for _, tc := range []struct {
		cfg          Config
		status       int
		reportsPhone string
	}{
		{Config{EvoluxUpload: UploadEmpty}, http.StatusNoContent, "5511999990001"},
		{Config{EvoluxUpload: UploadTask, InsertDelay: time.Minute}, http.StatusAccepted, "5511999990001"},
		{Config{EvoluxPhones: PhonesNational}, http.StatusOK, "11999990001"},
		{Config{EvoluxPhones: PhonesPlus}, http.StatusOK, "+5511999990001"},
		{Config{EvoluxPhones: PhonesFormatted}, http.StatusOK, "+55 (11) 99999-0001"},
	} {
		s := startServerWithClock(t, tc.cfg, clock.Now)
		r := upload(t, s, blackFriday.UUID, csvText, true)
		wantStatus(t, r, tc.status)
		if tc.cfg.InsertDelay > 0 {
			var task struct {
				Task struct{ URL, State string }
			}
			r.decode(t, &task)
			if got := reportOf(t, s, blackFriday.UUID); len(got) != 0 || task.Task.State != "pending" {
				t.Errorf("before the delay: %+v, task %+v", got, task)
			}
			clock.Advance(tc.cfg.InsertDelay)
			done := send(t, http.MethodGet, s.URL()+task.Task.URL, evoluxAuth(), "")
			if !strings.Contains(string(done.body), `"done"`) {
				t.Errorf("the task after the delay: %s", done.body)
			}
		}
		if got := reportOf(t, s, blackFriday.UUID); len(got) != 1 || got[0].PhoneNumber != tc.reportsPhone {
			t.Errorf("%+v: the report shows %+v, want the phone as %q", tc.cfg, got, tc.reportsPhone)
		}
	}
}
