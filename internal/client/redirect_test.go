package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
