package evolux

import (
	"context"
	"encoding/csv"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

func TestPhoneDigits(t *testing.T) {
	for text, want := range map[string]string{
		"5511999990001": "5511999990001", "+55 (11) 99999-0001": "5511999990001", "11 9999 0001": "1199990001",
		"55-11-abc": "", "1234567": "", "1234567890123456": "", "+55 11 99999.0001": "",
	} {
		got, ok := PhoneDigits(text)
		if got != want && ok || ok != (want != "") {
			t.Errorf("PhoneDigits(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}

func TestPhones_matchWhateverTheReportSpelling(t *testing.T) {
	phones := NewPhones([]string{"5511999990001", "+55 (21) 98888-0002", "11977770003"})
	for reported, want := range map[string]string{
		"5511999990001":       "5511999990001",
		"11999990001":         "5511999990001", // the country code dropped
		"+55 11 99999-0001":   "5511999990001",
		"011999990001":        "5511999990001", // a trunk 0
		"(21) 98888-0002":     "+55 (21) 98888-0002",
		"5511977770003":       "11977770003", // configured without the country code, reported with it
		"+1 11999990001":      "",            // another country code: another phone
		"5511999990009":       "",
		"1199":                "",
		"":                    "",
		"not a phone at all!": "",
	} {
		got, err := phones.Match(reported)
		if err != nil || got != want {
			t.Errorf("Match(%q) = %q, %v; want %q", reported, got, err, want)
		}
	}
}

func TestPhones_twoCandidatesAreAnError(t *testing.T) {
	phones := NewPhones([]string{"5511999990001", "11999990001"})
	if got, err := phones.Match("11999990001"); err == nil || !strings.Contains(err.Error(), "cannot be matched safely") {
		t.Errorf("Match = %q, %v; want an error naming both", got, err)
	}
}

func TestSamePhones(t *testing.T) {
	// 1988880002 may be 5521988880002 without a country code of three digits: refused as well.
	got := SamePhones([]string{"5511999990001", "+55 11 99999-0001", "11999990001", "5521988880002", "1988880002",
		"5521977770003", "5531977770003"})
	want := [][]string{{"+55 11 99999-0001", "11999990001", "5511999990001"}, {"1988880002", "5521988880002"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("SamePhones = %q, want %q", got, want)
	}
}

// uploadRecorder is an Evolux that keeps every upload's CSV and answers each with the next status.
type uploadRecorder struct {
	mu       sync.Mutex
	uploads  [][][]string
	statuses []int
	types    []string
}

func (u *uploadRecorder) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		defer u.mu.Unlock()
		status := http.StatusOK
		if len(u.statuses) > 0 {
			status, u.statuses = u.statuses[0], u.statuses[1:]
		}
		if status == 0 {
			panic(http.ErrAbortHandler) // the connection dropped after the upload arrived
		}
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || r.URL.Path != CampaignSubscribersPath("c1") || r.Header.Get(HeaderAuthorization) != "Bearer "+testToken {
			t.Errorf("upload %s %s (%q): %v", r.Method, r.URL, r.Header.Get("Content-Type"), err)
		}
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil || part.FormName() != FormFile {
			t.Fatalf("no %q part: %v", FormFile, err)
		}
		u.types = append(u.types, part.Header.Get("Content-Type"))
		rows, err := csv.NewReader(part).ReadAll()
		if err != nil {
			t.Errorf("the CSV is not valid: %v", err)
		}
		u.uploads = append(u.uploads, rows)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInsert_writesTheCSVExactly(t *testing.T) {
	rec := &uploadRecorder{}
	c := newTestClient(t, rec.serve(t).URL, testToken)
	done := c.Insert(context.Background(), "c1", []NewSubscriber{
		{Phone: "5511999990001", Name: `Silva, Maria "Mary"`, Parameters: []string{"Maria", "30%"},
			Fields: map[string]string{"CPF": "111.111.111-11", "city": "São Paulo"}},
		{Phone: "5511999990002", Name: "João\nda Silva", Parameters: []string{"João", ""}},
	})
	if done.Err != nil || !slices.Equal(done.Sent, []string{"5511999990001", "5511999990002"}) || done.Unsure != nil {
		t.Fatalf("Insert = %+v", done)
	}
	want := [][]string{
		{"name", "phone", "parameter1", "parameter2", "CPF", "city"},
		{`Silva, Maria "Mary"`, "5511999990001", "Maria", "30%", "111.111.111-11", "São Paulo"},
		{"João\nda Silva", "5511999990002", "João", "", "", ""},
	}
	if len(rec.uploads) != 1 || !slices.EqualFunc(rec.uploads[0], want, slices.Equal) {
		t.Errorf("uploaded %q, want %q", rec.uploads, want)
	}
	if rec.types[0] != "text/csv; charset=utf-8" {
		t.Errorf("the part's Content-Type is %q", rec.types[0])
	}
}

func TestInsert_splitsUploadsAndStopsAtTheFirstFailure(t *testing.T) {
	defer func(n int) { uploadBytes = n }(uploadBytes)
	uploadBytes = 200
	subs := make([]NewSubscriber, 30)
	for i := range subs {
		subs[i] = NewSubscriber{Phone: "55119999900" + string(rune('0'+i/10)) + string(rune('0'+i%10)), Name: "Subscriber"}
	}
	for _, tc := range []struct {
		name     string
		statuses []int
		unsure   bool
	}{
		{"all accepted", nil, false},
		{"a 500 after sending is unsure", []int{200, 500}, true},
		{"a dropped connection is unsure", []int{200, 0}, true},
		{"a 400 is refused", []int{200, 400}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &uploadRecorder{statuses: tc.statuses}
			c := newTestClient(t, rec.serve(t).URL, testToken)
			done := c.Insert(context.Background(), "c1", subs)
			var uploaded []string
			for i, rows := range rec.uploads {
				if !slices.Equal(rows[0], []string{"name", "phone"}) {
					t.Errorf("upload %d starts %q, want the header", i, rows[0])
				}
				for _, row := range rows[1:] {
					uploaded = append(uploaded, row[1])
				}
			}
			if tc.statuses == nil {
				if done.Err != nil || len(rec.uploads) < 3 || len(uploaded) != 30 || !slices.Equal(done.Sent, uploaded) {
					t.Fatalf("%d uploads of %d phones: %+v", len(rec.uploads), len(uploaded), done)
				}
				return
			}
			// Exactly two uploads: the second failed, and nothing was sent again or after it.
			if done.Err == nil || len(rec.uploads)+boolInt(tc.statuses[1] == 0) != 2 || len(done.Sent) != len(rec.uploads[0])-1 {
				t.Fatalf("%d uploads: %+v", len(rec.uploads), done)
			}
			if got := len(done.Unsure) > 0; got != tc.unsure || client.MayHaveBeenProcessed(done.Err) != tc.unsure {
				t.Errorf("unsure %v (%v), want %v", done.Unsure, done.Err, tc.unsure)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestAwait_readsTheReportUntilEveryPhoneShows(t *testing.T) {
	defer func(first time.Duration) { awaitFirst = first }(awaitFirst)
	awaitFirst = time.Millisecond
	var reads int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reads++
		n := reads
		mu.Unlock()
		records := []string{`{"phone_number": "11999990001", "state": "pending", "campaign": {"uuid": "c1"}}`,
			`{"phone_number": "11999990002", "state": "sent", "campaign_uuid": "other"}`} // another campaign's
		if n >= 3 {
			records = append(records, `{"phone_number": "11999990002", "state": "sent"}`)
		}
		_, _ = io.WriteString(w, "["+strings.Join(records, ",")+"]")
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, testToken)
	states := map[string]string{}
	missing, err := c.Await(context.Background(), "c1", NewPhones([]string{"5511999990001", "5511999990002"}),
		[]string{"5511999990001", "5511999990002"}, func(phone, state string) { states[phone] = state })
	if err != nil || len(missing) != 0 || reads != 3 || states["5511999990002"] != "sent" || states["5511999990001"] != "pending" {
		t.Errorf("Await: missing %v, %v after %d reads, states %v", missing, err, reads, states)
	}
}
