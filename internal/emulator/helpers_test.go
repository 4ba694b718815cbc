package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	return startServerWithClock(t, cfg, time.Now)
}

func startServerWithClock(t *testing.T, cfg Config, now func() time.Time) *Server {
	t.Helper()
	cfg.Now = now
	s, err := StartOn(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// httpClient opens a connection per request, so a dropped connection is
// never retried by the transport on a fresh one.
var httpClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// send makes one plain HTTP request; body is sent as JSON text verbatim.
func send(t *testing.T, method, url string, header http.Header, body string) response {
	t.Helper()
	resp, err := trySend(method, url, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

func trySend(method, url string, header http.Header, body string) (response, error) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		return response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func bearer(token string) http.Header {
	return http.Header{builder.HeaderAuthorization: {"Bearer " + token}}
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

// wantDetail checks a FastAPI error whose detail is a string.
func wantDetail(t *testing.T, r response, status int, detail string) {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var got struct {
		Detail string `json:"detail"`
	}
	r.decode(t, &got)
	if got.Detail != detail {
		t.Errorf("detail %q, want %q", got.Detail, detail)
	}
}

// wantValidation checks a FastAPI 422 whose detail lists an error at each
// loc (and no other), and returns the items.
func wantValidation(t *testing.T, r response, locs ...[]any) []validationError {
	t.Helper()
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var got struct {
		Detail []validationError `json:"detail"`
	}
	r.decode(t, &got)
	var gotLocs [][]any
	for _, item := range got.Detail {
		if item.Msg == "" || item.Type == "" {
			t.Errorf("item without msg or type: %+v", item)
		}
		gotLocs = append(gotLocs, item.Loc)
	}
	// JSON numbers decode as float64: compare through JSON.
	want, _ := json.Marshal(locs)
	have, _ := json.Marshal(gotLocs)
	if string(want) != string(have) {
		t.Errorf("422 locs %s, want %s; body %s", have, want, r.body)
	}
	return got.Detail
}

func login(t *testing.T, s *Server) builder.Tokens {
	t.Helper()
	r := send(t, http.MethodPost, s.URL()+builder.PathLogin, nil,
		`{"user":"`+DefaultUser+`","password":"`+DefaultPassword+`"}`)
	wantStatus(t, r, http.StatusOK)
	var tokens builder.Tokens
	r.decode(t, &tokens)
	if tokens.Token == "" || tokens.RefreshToken == "" {
		t.Fatalf("login answered %s", r.body)
	}
	return tokens
}

func equalJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
