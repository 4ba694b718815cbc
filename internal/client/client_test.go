package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// captureLogger keeps every log entry for assertions.
type captureLogger struct {
	mu      sync.Mutex
	entries []map[string]any
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	entry := map[string]any{"msg": msg}
	for k, v := range fields {
		entry[k] = v
	}
	l.entries = append(l.entries, entry)
}

func (l *captureLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.entries)
}

func (l *captureLogger) attempts() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.entries...)
}

func newTestClient(t *testing.T, baseURL string, configure ...func(*Config)) (*Client, *captureLogger) {
	t.Helper()
	logger := &captureLogger{}
	cfg := Config{
		BaseURL:      baseURL,
		Timeout:      2 * time.Second,
		MaxRetries:   2,
		UserAgent:    "terraform-provider-campaigns/test",
		Logger:       logger,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	for _, change := range configure {
		change(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, logger
}

// countingServer answers with handler and counts the requests that reached it.
func countingServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int64)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var count atomic.Int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(w, r, count.Add(1))
	}))
	t.Cleanup(server.Close)
	return server, &count
}

// dropConnection closes the connection without an answer, after the
// handler has done its work.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func post(policy RetryPolicy) *Request {
	return &Request{Operation: "fire trigger", Method: http.MethodPost, Path: "/trigger", Body: map[string]any{"json": map[string]int{"n": 1}}, Policy: policy}
}

func TestDo_retryAfterIsHonouredAndTheRequestRunsOnce(t *testing.T) {
	var processed atomic.Int64
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		processed.Add(1)
		_, _ = io.WriteString(w, `7`)
	})
	c, _ := newTestClient(t, server.URL)

	start := time.Now()
	resp, err := c.Do(context.Background(), post(RetryOnlyIfNotProcessed))
	elapsed := time.Since(start)

	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if string(resp.Body) != "7" || count.Load() != 2 || processed.Load() != 1 {
		t.Fatalf("body %q after %d requests, %d processed; want 7 after 2, 1 processed", resp.Body, count.Load(), processed.Load())
	}
	if elapsed < time.Second {
		t.Fatalf("retried after %v, want at least the Retry-After of 1s", elapsed)
	}
}

func TestDo_5xxIsRetriedOnlyWhenIdempotent(t *testing.T) {
	t.Run("RetryIdempotent", func(t *testing.T) {
		server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if n < 3 {
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
				return
			}
			_, _ = io.WriteString(w, `{"ok":true}`)
		})
		c, _ := newTestClient(t, server.URL)
		if _, err := c.Do(context.Background(), &Request{Operation: "read campaign", Method: http.MethodGet, Path: "/x"}); err != nil {
			t.Fatalf("Do: %v", err)
		}
		if count.Load() != 3 {
			t.Fatalf("server saw %d requests, want 3", count.Load())
		}
	})
	t.Run("RetryOnlyIfNotProcessed", func(t *testing.T) {
		server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		})
		c, _ := newTestClient(t, server.URL)
		_, err := c.Do(context.Background(), post(RetryOnlyIfNotProcessed))
		if count.Load() != 1 {
			t.Fatalf("server saw %d POSTs, want exactly 1", count.Load())
		}
		if StatusOf(err) != http.StatusInternalServerError || !MayHaveBeenProcessed(err) {
			t.Fatalf("err = %v; want an HTTP 500 that may have been processed", err)
		}
	})
}

func TestDo_retriesExhaustedReturnTheLastAnswer(t *testing.T) {
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, `{"detail":"maintenance %d"}`, n)
	})
	c, _ := newTestClient(t, server.URL)
	_, err := c.Do(context.Background(), &Request{Operation: "list campaigns", Method: http.MethodGet, Path: "/campaign/acme/bot"})

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want *APIError", err, err)
	}
	want := "list campaigns (GET /campaign/acme/bot): HTTP 503 Service Unavailable: maintenance 3 (after 3 attempts)"
	if err.Error() != want || count.Load() != 3 {
		t.Fatalf("err = %q after %d requests\nwant %q after 3", err, count.Load(), want)
	}
}

func TestDo_dialFailureIsRetriedForBothPolicies(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + listener.Addr().String()
	_ = listener.Close()

	for _, policy := range []RetryPolicy{RetryIdempotent, RetryOnlyIfNotProcessed} {
		c, logger := newTestClient(t, closedURL)
		_, err := c.Do(context.Background(), post(policy))

		var transportErr *TransportError
		if !errors.As(err, &transportErr) {
			t.Fatalf("policy %d: err = %v (%T), want *TransportError", policy, err, err)
		}
		if transportErr.Attempts != 3 || len(logger.attempts()) != 3 {
			t.Fatalf("policy %d: %d attempts, %d logged; want 3", policy, transportErr.Attempts, len(logger.attempts()))
		}
		if MayHaveBeenProcessed(err) {
			t.Fatalf("policy %d: a refused connection may not have been processed: %v", policy, err)
		}
	}
}

func TestDo_droppedConnectionAfterTheWorkIsAmbiguous(t *testing.T) {
	t.Run("RetryOnlyIfNotProcessed", func(t *testing.T) {
		server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			dropConnection(t, w)
		})
		c, _ := newTestClient(t, server.URL)
		_, err := c.Do(context.Background(), post(RetryOnlyIfNotProcessed))
		if count.Load() != 1 {
			t.Fatalf("server saw %d POSTs, want exactly 1", count.Load())
		}
		var transportErr *TransportError
		if !errors.As(err, &transportErr) || !MayHaveBeenProcessed(err) {
			t.Fatalf("err = %v; want a TransportError that may have been processed", err)
		}
	})
	t.Run("RetryIdempotent", func(t *testing.T) {
		server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if n == 1 {
				dropConnection(t, w)
				return
			}
			_, _ = io.WriteString(w, `{}`)
		})
		c, _ := newTestClient(t, server.URL)
		if _, err := c.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x"}); err != nil {
			t.Fatalf("Do: %v", err)
		}
		if count.Load() < 2 {
			t.Fatalf("server saw %d requests, want a retry", count.Load())
		}
	})
}

func TestDo_timeoutAfterSendingIsAmbiguousAndNotRepeated(t *testing.T) {
	release := make(chan struct{})
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		<-release
	})
	defer close(release)
	c, _ := newTestClient(t, server.URL, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })

	_, err := c.Do(context.Background(), post(RetryOnlyIfNotProcessed))

	var transportErr *TransportError
	if !errors.As(err, &transportErr) || !transportErr.Timeout || !MayHaveBeenProcessed(err) {
		t.Fatalf("err = %#v; want a timeout that may have been processed", err)
	}
	if count.Load() != 1 {
		t.Fatalf("server saw %d POSTs, want exactly 1", count.Load())
	}
}

func TestDo_cancelledBeforeSendingWasNotProcessed(t *testing.T) {
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {})
	c, _ := newTestClient(t, server.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := c.Do(ctx, post(RetryOnlyIfNotProcessed))

	if !errors.Is(err, context.Canceled) || MayHaveBeenProcessed(err) || count.Load() != 0 {
		t.Fatalf("err = %v, processed %v, %d requests; want context.Canceled, not processed, none sent",
			err, MayHaveBeenProcessed(err), count.Load())
	}
}

// A wait longer than the operation has left is not waited: the 429 is the
// answer, with the wait the server asked for.
func TestDo_retryAfterBeyondTheDeadlineStopsAtOnce(t *testing.T) {
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := newTestClient(t, server.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := c.Do(ctx, post(RetryOnlyIfNotProcessed))

	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 20*time.Second || time.Since(start) > time.Second || count.Load() != 1 ||
		!strings.Contains(err.Error(), "asks to wait 20s before the next, longer than the 200ms this operation has left") {
		t.Fatalf("err = %v after %v and %d requests; want the 429 and its wait, promptly, after 1", err, time.Since(start), count.Load())
	}
}

func TestDo_bodyIsSentAgainOnRetry(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(body))
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	c, _ := newTestClient(t, server.URL)
	raw := json.RawMessage(`{"json": {"b": 2,  "a": 1}}`)
	if _, err := c.Do(context.Background(), &Request{Operation: "fire", Method: http.MethodPost, Path: "/t", Body: raw, Policy: RetryOnlyIfNotProcessed}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != string(raw) || bodies[1] != string(raw) {
		t.Fatalf("bodies = %q, want the raw JSON twice, as is", bodies)
	}
}

func TestDo_sendsStandardHeaders(t *testing.T) {
	headers := make(chan http.Header, 2)
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		headers <- r.Header.Clone()
	})
	c, _ := newTestClient(t, server.URL)

	if _, err := c.Do(context.Background(), post(RetryIdempotent)); err != nil {
		t.Fatal(err)
	}
	got := <-headers
	if got.Get("User-Agent") != "terraform-provider-campaigns/test" || got.Get("Accept") != "application/json" || got.Get("Content-Type") != "application/json" {
		t.Fatalf("headers with a body = %v", got)
	}
	if _, err := c.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x"}); err != nil {
		t.Fatal(err)
	}
	if got := <-headers; got.Get("Content-Type") != "" {
		t.Fatalf("Content-Type %q sent without a body", got.Get("Content-Type"))
	}
}

func TestDo_joinsTheBaseURLPathPrefix(t *testing.T) {
	paths := make(chan string, 1)
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		paths <- r.URL.RawPath + "|" + r.URL.Path
	})
	c, _ := newTestClient(t, server.URL+"/api/")
	if _, err := c.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/campaign/a%2Fb/bot"}); err != nil {
		t.Fatal(err)
	}
	if got := <-paths; got != "/api/campaign/a%2Fb/bot|/api/campaign/a/b/bot" {
		t.Fatalf("server saw %q", got)
	}
}

func TestDo_neverSendsToAnotherOrigin(t *testing.T) {
	other, otherCount := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {})
	t.Run("absolute URL", func(t *testing.T) {
		c, _ := newTestClient(t, "http://127.0.0.1:1")
		_, err := c.Do(context.Background(), &Request{Operation: "read page", Method: http.MethodGet, Path: other.URL + "/steal"})
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Fatalf("err = %v, want a refusal", err)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		})
		c, _ := newTestClient(t, server.URL)
		_, err := c.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x",
			Header: http.Header{"Authorization": {"Bearer tok"}}})
		if err == nil || !strings.Contains(err.Error(), "another origin") {
			t.Fatalf("err = %v, want a refused redirect", err)
		}
	})
	if otherCount.Load() != 0 {
		t.Fatalf("the other origin got %d requests", otherCount.Load())
	}
}

func TestDo_reusesConnections(t *testing.T) {
	var connections atomic.Int64
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[1,2,3]`)
	}))
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			connections.Add(1)
		}
	}
	server.Start()
	t.Cleanup(server.Close)
	c, _ := newTestClient(t, server.URL)

	for range 10 {
		if _, err := c.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x"}); err != nil {
			t.Fatal(err)
		}
		// A stream left unread is drained, so its connection is reused too.
		if err := c.DoStream(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x"},
			func(*http.Response) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// net/http hands a connection back to its pool a moment after the answer
	// was read, so on a busy machine a request may dial before that: a few
	// connections are reuse working. Without reuse there would be 20, and
	// with streams left undrained 11.
	if n := connections.Load(); n > 3 {
		t.Fatalf("20 requests opened %d connections, want at most 3", n)
	}
}

func TestDoStream(t *testing.T) {
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if r.URL.Path == "/missing" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"meta":{"status":401,"message":"Token expired"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"data":[]}`)
	})
	c, _ := newTestClient(t, server.URL)

	var got string
	err := c.DoStream(context.Background(), &Request{Operation: "read report", Method: http.MethodGet, Path: "/report"}, func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		got = string(body)
		return err
	})
	if err != nil || got != `{"data":[]}` {
		t.Fatalf("DoStream handed %q, %v", got, err)
	}
	err = c.DoStream(context.Background(), &Request{Operation: "read report", Method: http.MethodGet, Path: "/missing"}, func(*http.Response) error {
		t.Fatal("fn called for a 401")
		return nil
	})
	if StatusOf(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "Token expired") {
		t.Fatalf("err = %v, want the 401 with its message", err)
	}
}

func TestDo_errorsShowTheServersMessage(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"FastAPI detail", "application/json", `{"detail":"campaign already started"}`, 409,
			"create campaign (POST /campaign/acme/bot): HTTP 409 Conflict: campaign already started"},
		{"FastAPI 422", "application/json", `{"detail":[{"loc":["body","scheduled_date"],"msg":"invalid datetime","type":"value_error"}]}`, 422,
			"HTTP 422 Unprocessable Entity: body.scheduled_date: invalid datetime"},
		{"Evolux meta", "application/json", `{"meta":{"status":403,"message":"Forbidden report"}}`, 403,
			"HTTP 403 Forbidden: Forbidden report"},
		{"plain text", "text/plain", "Internal Server Error", 500, "HTTP 500 Internal Server Error (after 3 attempts)"},
		{"empty body", "", "", 404, "HTTP 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			c, _ := newTestClient(t, server.URL)
			_, err := c.Do(context.Background(), &Request{Operation: "create campaign", Method: http.MethodPost, Path: "/campaign/acme/bot", Body: map[string]string{}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
			if StatusOf(err) != tt.status {
				t.Fatalf("StatusOf = %d, want %d", StatusOf(err), tt.status)
			}
		})
	}
}

func TestDo_secretsNeverReachLogsOrErrors(t *testing.T) {
	secrets := []string{"bearer-secret", "apikey-secret", "password-secret", "token-secret", "refresh-secret", "answer-token-secret", "answer-refresh-secret"}
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		switch r.URL.Path {
		case "/login":
			_, _ = io.WriteString(w, `{"token":"answer-token-secret","refresh_token":"answer-refresh-secret"}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"detail":"bad"}`)
		}
	})
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + listener.Addr().String()
	_ = listener.Close()

	c, logger := newTestClient(t, server.URL)
	refused, refusedLogger := newTestClient(t, closedURL)
	requests := []*Request{
		{Operation: "log in", Method: http.MethodPost, Path: "/login",
			Body: map[string]any{"user": "u", "password": "password-secret", "nested": []any{map[string]any{"token": "token-secret"}}}},
		{Operation: "refresh", Method: http.MethodPost, Path: "/refresh", Body: json.RawMessage(`{"refresh_token":"refresh-secret"}`)},
		{Operation: "read", Method: http.MethodGet, Path: "/campaign", Header: http.Header{"Authorization": {"Bearer bearer-secret"}}},
		{Operation: "fire trigger", Method: http.MethodPost, Path: "/trigger", Query: url.Values{"apikey": {"apikey-secret"}}, Body: map[string]any{"json": map[string]any{}}},
	}
	var errorTexts []string
	for _, req := range requests {
		for _, client := range []*Client{c, refused} {
			if _, err := client.Do(context.Background(), req); err != nil {
				errorTexts = append(errorTexts, err.Error(), fmt.Sprintf("%+v", err))
			}
		}
	}
	logged := logger.text() + refusedLogger.text()
	for _, secret := range secrets {
		if strings.Contains(logged, secret) {
			t.Errorf("the log shows %q", secret)
		}
		for _, text := range errorTexts {
			if strings.Contains(text, secret) {
				t.Errorf("error %q shows %q", text, secret)
			}
		}
	}
	// The redacted log still says what happened.
	for _, want := range []string{"apikey=REDACTED", "Bearer REDACTED", `"password":"REDACTED"`, `"token":"REDACTED"`, "duration_ms", "fire trigger"} {
		if !strings.Contains(logged, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if len(errorTexts) < 8 {
		t.Fatalf("only %d error texts checked", len(errorTexts))
	}
}

func TestDo_logsEveryAttempt(t *testing.T) {
	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	c, logger := newTestClient(t, server.URL)
	if _, err := c.Do(context.Background(), &Request{Operation: "read campaign", Method: http.MethodGet, Path: "/campaign/a/b/c"}); err != nil {
		t.Fatal(err)
	}
	entries := logger.attempts()
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2: %v", len(entries), entries)
	}
	for i, want := range []struct {
		status int
		retry  bool
	}{{502, true}, {200, false}} {
		entry := entries[i]
		if entry["attempt"] != i+1 || entry["status"] != want.status || entry["retry"] != want.retry ||
			entry["method"] != "GET" || entry["path"] != "/campaign/a/b/c" || entry["operation"] != "read campaign" {
			t.Fatalf("entry %d = %v", i, entry)
		}
		if _, ok := entry["duration_ms"].(int64); !ok {
			t.Fatalf("entry %d has no duration_ms: %v", i, entry)
		}
	}
}

func TestBackoff(t *testing.T) {
	minWait, maxWait := 100*time.Millisecond, time.Second
	for attempt := range 10 {
		wait := backoff(minWait, maxWait, attempt)
		if wait < minWait || wait > maxWait {
			t.Fatalf("attempt %d waits %v, want within [%v, %v]", attempt, wait, minWait, maxWait)
		}
	}
	if wait := backoff(minWait, maxWait, 5); wait < maxWait/2 {
		t.Fatalf("a late attempt waits %v, want the exponential to reach about the maximum", wait)
	}
	for _, tt := range []struct {
		status     int
		retryAfter string
		want       time.Duration
		ok         bool
	}{
		{429, "3", 3 * time.Second, true},
		{503, "3", 3 * time.Second, true},
		{500, "3", 0, false},
		{429, "", 0, false},
		{429, time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true},
	} {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.retryAfter}}}
		if wait, ok := retryAfter(resp); wait != tt.want || ok != tt.ok {
			t.Fatalf("Retry-After %q on %d waits %v, %v; want %v, %v", tt.retryAfter, tt.status, wait, ok, tt.want, tt.ok)
		}
	}
	future := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	if wait, ok := parseRetryAfter(future, time.Now()); !ok || wait < 8*time.Second || wait > 10*time.Second {
		t.Fatalf("Retry-After as a date waits %v, %v", wait, ok)
	}
}

// wrappedTransport hides the *http.Transport, as a test or proxy transport
// would: without httptrace, only a dial error proves nothing was sent.
type wrappedTransport struct{ inner http.RoundTripper }

func (w wrappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return w.inner.RoundTrip(r)
}

func TestDo_opaqueTransportStillTellsRefusedFromDropped(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + listener.Addr().String()
	_ = listener.Close()
	opaque := func(cfg *Config) { cfg.Transport = wrappedTransport{inner: &http.Transport{}} }

	c, _ := newTestClient(t, closedURL, opaque)
	_, err = c.Do(context.Background(), post(RetryOnlyIfNotProcessed))
	var transportErr *TransportError
	if !errors.As(err, &transportErr) || transportErr.Attempts != 3 || MayHaveBeenProcessed(err) {
		t.Fatalf("refused connection: err = %v; want 3 attempts, not processed", err)
	}

	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) { dropConnection(t, w) })
	c, _ = newTestClient(t, server.URL, opaque)
	_, err = c.Do(context.Background(), post(RetryOnlyIfNotProcessed))
	if count.Load() != 1 || !MayHaveBeenProcessed(err) {
		t.Fatalf("dropped connection: %d POSTs, err = %v; want 1, may have been processed", count.Load(), err)
	}
}
