package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDo_retryAfterLongerThanTheCapStopsAndSaysHowLong(t *testing.T) {
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		policy     RetryPolicy
		wantWait   string
	}{
		{"429, seconds", http.StatusTooManyRequests, "120", RetryOnlyIfNotProcessed, "120s"},
		{"503, seconds, idempotent", http.StatusServiceUnavailable, "120", RetryIdempotent, "120s"},
		{"429, an HTTP date", http.StatusTooManyRequests, time.Now().Add(10 * time.Minute).UTC().Format(http.TimeFormat), RetryIdempotent, "60"}, // 599s or 600s
	} {
		t.Run(tt.name, func(t *testing.T) {
			server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				w.Header().Set("Retry-After", tt.retryAfter)
				w.WriteHeader(tt.status)
			})
			c, _ := newTestClient(t, server.URL, func(cfg *Config) { cfg.Name = "Builder" })

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.Do(ctx, post(tt.policy))

			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.RetryAfter <= 30*time.Second {
				t.Fatalf("err = %#v, want the %d with its Retry-After", err, tt.status)
			}
			want := "Builder limits the rate of requests and asks to wait " + tt.wantWait
			if !strings.Contains(err.Error(), want) ||
				!strings.Contains(err.Error(), "before the next, longer than the 30s this operation has left; try again later") {
				t.Fatalf("err = %q, want it to say %q and the provider's own limit", err, want)
			}
			if count.Load() != 1 || time.Since(start) > 5*time.Second {
				t.Fatalf("%d requests in %v; want exactly one, at once", count.Load(), time.Since(start))
			}
		})
	}
}

// A 429 certainly did not run: it is repeated past MaxRetries (2 here),
// a POST included, until the server takes it.
func TestDo_tooManyRequestsIsRepeatedUntilTaken(t *testing.T) {
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n <= 5 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	c, _ := newTestClient(t, server.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Do(ctx, post(RetryOnlyIfNotProcessed)); err != nil || count.Load() != 6 {
		t.Fatalf("%d requests, err = %v; want 6 and success", count.Load(), err)
	}
}

func TestParseRetryAfter_hugeValuesDoNotOverflow(t *testing.T) {
	for _, value := range []string{"9223372036854775807", "99999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		wait, ok := parseRetryAfter(value, time.Now())
		if !ok || wait <= DefaultPatience || wait > maxParsedRetryAfter {
			t.Errorf("parseRetryAfter(%q) = %v, %v", value, wait, ok)
		}
	}
}

// errTransport fails every request with err, as a proxy in front might.
type errTransport struct{ err error }

func (e errTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, e.err
}

func TestSecrets_scrubbedByValueFromErrorsAndLogs(t *testing.T) {
	const (
		password = "p@ss w/rd+\"1\"<x>" // needs escaping in URLs and in JSON
		apiKey   = "apikey-value-123"
		token    = "eyJhbGciOi.token.value"
	)
	secrets := NewSecrets(password, apiKey)
	secrets.Add(token) // learned later, as a login answer's token is

	server, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		switch r.URL.Path {
		case "/trigger":
			// A proxy's error page quoting the whole request URL.
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprintf(w, "<html><body><h1>502 Bad Gateway</h1><p>upstream failed for https://%s%s</p></body></html>", r.Host, r.URL.RequestURI())
		case "/campaign":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"detail":"token `+token+` has expired"}`)
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"received":%q,"note":"the password was %s"}`, password, url.QueryEscape(password))
		}
	})
	c, logger := newTestClient(t, server.URL, func(cfg *Config) { cfg.Secrets = secrets })
	var texts []string
	for _, req := range []*Request{
		{Operation: "fire trigger", Method: http.MethodPost, Path: "/trigger", Query: url.Values{"key": {apiKey}, "pw": {password}}, Body: map[string]any{"json": map[string]any{}}},
		{Operation: "read campaign", Method: http.MethodGet, Path: "/campaign"},
		{Operation: "echo", Method: http.MethodPost, Path: "/echo", Body: map[string]any{"words": password}},
	} {
		_, err := c.Do(context.Background(), req)
		if err != nil {
			texts = append(texts, err.Error())
		}
	}
	// A transport error that quotes a secret (a proxy's refusal).
	proxied, proxiedLogger := newTestClient(t, "https://builder.test", func(cfg *Config) {
		cfg.Secrets = secrets
		cfg.MaxRetries = 0
		cfg.Transport = errTransport{&net.OpError{Op: "proxyconnect", Net: "tcp", Err: errors.New("proxy refused credentials " + password)}}
	})
	_, err := proxied.Do(context.Background(), &Request{Operation: "read", Method: http.MethodGet, Path: "/x"})
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the scrubbed transport error lost its cause: %v", err)
	}
	texts = append(texts, err.Error())

	if len(texts) != 3 {
		t.Fatalf("%d error texts, want 3: %q", len(texts), texts)
	}
	logged := logger.text() + proxiedLogger.text()
	for _, text := range append(texts, logged) {
		for _, secret := range []string{password, apiKey, token, url.QueryEscape(password), url.PathEscape(password), jsonEscape(password, true), jsonEscape(password, false)} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows the secret %q", text, secret)
			}
		}
	}
	// What happened is still readable.
	for _, want := range []string{"502 Bad Gateway", "has expired", "proxy refused credentials REDACTED"} {
		if !strings.Contains(strings.Join(texts, "\n"), want) {
			t.Errorf("no error says %q: %q", want, texts)
		}
	}
	if !strings.Contains(logged, `the password was REDACTED`) {
		t.Errorf("the logged echo was not scrubbed in place: %s", logged)
	}
}

func TestSecrets(t *testing.T) {
	s := NewSecrets("short", "", "long-secret")
	s.Add("long-secret", "long-secret-2")
	if got := s.Values(); strings.Join(got, ",") != "long-secret,long-secret-2" {
		t.Fatalf("Values() = %q; want short values ignored, duplicates once", got)
	}
	if got := s.Scrub("short long-secret-2 long-secret"); got != "short REDACTED REDACTED" {
		t.Fatalf("Scrub() = %q; want the longer secret replaced whole", got)
	}
	var none *Secrets
	none.Add("ignored-value")
	if none.Scrub("ignored-value") != "ignored-value" || none.ScrubError(nil) != nil || none.Values() != nil {
		t.Fatal("a nil *Secrets must scrub nothing")
	}
	err := s.ScrubError(fmt.Errorf("wrapped: %w", context.Canceled))
	if !errors.Is(err, context.Canceled) || s.ScrubError(errors.New("has long-secret")).Error() != "has REDACTED" {
		t.Fatalf("ScrubError() = %v", err)
	}
}

func TestSecrets_concurrentAddAndScrub(t *testing.T) {
	s := NewSecrets()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			s.Add(fmt.Sprintf("secret-%04d", i))
		}
	}()
	for range 200 {
		_ = s.Scrub("secret-0001 and secret-0199")
	}
	<-done
	if got := s.Scrub("secret-0001 and secret-0199"); got != "REDACTED and REDACTED" {
		t.Fatalf("Scrub() = %q", got)
	}
}

// A secret across the log's 4 KiB cut is replaced whole, not half kept.
func TestRedactBodyForLog_secretAcrossTheCut(t *testing.T) {
	const secret = "secret-across-the-cut"
	secrets := NewSecrets(secret)
	for shift := range len(secret) + 2 {
		body := strings.Repeat("x", maxLoggedBody-shift) + secret + strings.Repeat("y", 100)
		got := redactBodyForLog([]byte(body), secrets)
		if strings.Contains(got, secret[:6]) || !strings.Contains(got, "bytes in all") {
			t.Fatalf("shift %d: the log keeps part of the secret: …%s", shift, got[max(len(got)-80, 0):])
		}
	}
	if got := redactBodyForLog([]byte(`{"a":"`+secret+`"}`), secrets); got != `{"a":"REDACTED"}` {
		t.Fatalf("a short body: %q", got)
	}
}
