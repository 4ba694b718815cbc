package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// FastAPI answers a path without its route's trailing slash with a 307 to
// the same path with one. 307 (and 308) keep the method and the body, so
// the request arrives once, whole, at the right path.
func TestDo_trailingSlashRedirectKeepsMethodAndBody(t *testing.T) {
	type arrival struct{ method, uri, body string }
	var (
		mu       sync.Mutex
		arrivals []arrival
	)
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if !strings.HasSuffix(r.URL.Path, "/") {
			target := *r.URL
			target.Path += "/"
			w.Header().Set("Location", target.String()) // relative, query kept, as Starlette does
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		arrivals = append(arrivals, arrival{r.Method, r.URL.RequestURI(), string(body)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c, logger := newTestClient(t, server.URL+"/prefix")
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			mu.Lock()
			arrivals = nil
			mu.Unlock()
			count.Store(0)
			req := &Request{Operation: "write", Method: method, Path: "/campaign/acme/bot", Query: url.Values{"apikey": {"apikey-secret"}}, Policy: RetryOnlyIfNotProcessed}
			wantBody := ""
			if method != http.MethodGet {
				req.Body = map[string]any{"name": "n"}
				wantBody = `{"name":"n"}`
			}

			resp, err := c.Do(context.Background(), req)

			if err != nil || string(resp.Body) != `{"ok":true}` {
				t.Fatalf("Do() = %v, %v; want the answer behind the redirect", resp, err)
			}
			mu.Lock()
			defer mu.Unlock()
			want := arrival{method, "/prefix/campaign/acme/bot/?apikey=apikey-secret", wantBody}
			if len(arrivals) != 1 || arrivals[0] != want || count.Load() != 2 {
				t.Fatalf("after %d requests the handler saw %+v; want the redirect, then exactly %+v", count.Load(), arrivals, want)
			}
		})
	}
	if strings.Contains(logger.text(), "apikey-secret") {
		t.Error("the log shows the API key")
	}
}

// 301, 302 and 303 turn a POST or PUT into a GET without its body: the write
// would not happen, yet a GET of the collection answers 200. The redirect is
// returned as the answer instead, an error that names it.
func TestDo_redirectThatWouldChangeTheMethodIsNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther} {
		server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if r.URL.Path == "/campaign" {
				http.Redirect(w, r, "/campaign/?apikey=apikey-secret", status)
			}
		})
		c, _ := newTestClient(t, server.URL)
		_, err := c.Do(context.Background(), &Request{Operation: "create campaign", Method: http.MethodPost, Path: "/campaign", Body: map[string]any{}, Policy: RetryOnlyIfNotProcessed})
		if StatusOf(err) != status || MayHaveBeenProcessed(err) || count.Load() != 1 ||
			!strings.Contains(err.Error(), "/campaign/?apikey=REDACTED, which would change the method") {
			t.Errorf("%d: err = %v after %d requests; want the redirect itself as the error, redacted, not processed", status, err, count.Load())
		}
	}
}

// An app behind a proxy that ends TLS prints its redirects with the scheme
// it sees (uvicorn without --proxy-headers): http:// on the configured host.
// The request goes on to the configured https origin; a redirect or link to
// any other origin is still refused, and a refused 307 ran nothing.
func TestDo_plainHTTPRedirectToTheSameHostGoesOnOverHTTPS(t *testing.T) {
	var arrivals atomic.Int64
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/prefix/campaign/acme/bot":
			w.Header().Set("Location", "http://"+r.Host+"/prefix/campaign/acme/bot/?"+r.URL.RawQuery)
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/prefix/elsewhere":
			w.Header().Set("Location", "http://other.example.com/prefix/campaign/acme/bot/")
			w.WriteHeader(http.StatusTemporaryRedirect)
		default:
			arrivals.Add(1)
			if r.Header.Get("Authorization") != "Bearer token-secret" {
				t.Errorf("the redirected request carries Authorization %q", r.Header.Get("Authorization"))
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(server.Close)
	c, _ := newTestClient(t, server.URL+"/prefix", func(cfg *Config) { cfg.Transport = server.Client().Transport })
	auth := http.Header{"Authorization": {"Bearer token-secret"}}

	resp, err := c.Do(context.Background(), &Request{Operation: "create campaign", Method: http.MethodPost, Path: "/campaign/acme/bot",
		Header: auth, Body: map[string]any{"name": "n"}, Policy: RetryOnlyIfNotProcessed})
	if err != nil || string(resp.Body) != `{"ok":true}` || arrivals.Load() != 1 {
		t.Fatalf("Do() = %v, %v after %d arrivals; want the answer behind the redirect, over https", resp, err, arrivals.Load())
	}

	// A link the server printed the same way (a next page) is read over https too.
	link := strings.Replace(server.URL, "https://", "http://", 1) + "/prefix/report?page=2"
	resp, err = c.Do(context.Background(), &Request{Operation: "read report", Method: http.MethodGet, Path: link, Header: auth, Policy: RetryIdempotent})
	if err != nil || string(resp.Body) != `{"ok":true}` || arrivals.Load() != 2 {
		t.Fatalf("Do(%s) = %v, %v; want it read over https", link, resp, err)
	}

	_, err = c.Do(context.Background(), &Request{Operation: "create campaign", Method: http.MethodPost, Path: "/elsewhere",
		Header: auth, Body: map[string]any{"name": "n"}, Policy: RetryOnlyIfNotProcessed})
	if err == nil || !strings.Contains(err.Error(), "other.example.com") || MayHaveBeenProcessed(err) {
		t.Fatalf("Do() to a redirect elsewhere: %v (may have been processed: %v); want a refusal that ran nothing", err, MayHaveBeenProcessed(err))
	}
}
