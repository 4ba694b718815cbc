package evolux

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// linkedReport serves records in pages defined by the test: pages[i] is the
// half-open record range of page i, asked for as ?<param>=<value(i)>; each
// page links to the next by linkTo, and envelope adds the paging members.
// A page it does not know answers 404.
type linkedReport struct {
	t        *testing.T
	param    string
	value    func(i int) string                      // the parameter's value for page i; page 0 may also be asked without it
	pages    [][2]int                                // record ranges
	linkTo   func(i int) string                      // page i's next link; "" for none
	envelope func(i int, next string) map[string]any // paging members beside data

	requests, inFlight, maxInFlight atomic.Int64
}

func (l *linkedReport) start() *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(l.serve))
	l.t.Cleanup(server.Close)
	return server
}

func (l *linkedReport) serve(w http.ResponseWriter, r *http.Request) {
	l.requests.Add(1)
	now := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for highest := l.maxInFlight.Load(); now > highest && !l.maxInFlight.CompareAndSwap(highest, now); highest = l.maxInFlight.Load() {
	}
	time.Sleep(2 * time.Millisecond) // lets requests overlap
	index := -1
	got := r.URL.Query().Get(l.param)
	for i := range l.pages {
		if got == l.value(i) || got == "" && i == 0 {
			index = i
			break
		}
	}
	if index < 0 {
		http.NotFound(w, r)
		return
	}
	next := ""
	if l.linkTo != nil {
		next = l.linkTo(index)
	} else if index+1 < len(l.pages) {
		next = "?" + l.param + "=" + l.value(index+1)
	}
	body := map[string]any{FieldData: records(l.pages[index][0], l.pages[index][1])}
	for key, value := range l.envelope(index, next) {
		body[key] = value
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// evenPages splits n records into pages of size.
func evenPages(n, size int) [][2]int {
	var pages [][2]int
	for lo := 0; lo < n; lo += size {
		pages = append(pages, [2]int{lo, min(lo+size, n)})
	}
	return pages
}

func pageNumbers(from int) func(int) string {
	return func(i int) string { return strconv.Itoa(from + i) }
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// withNext is the envelope of a pagination holding only the next link
// and the given members.
func withNext(members map[string]any) func(int, string) map[string]any {
	return func(_ int, next string) map[string]any {
		pagination := map[string]any{FieldNextURL: nullable(next)}
		for key, value := range members {
			pagination[key] = value
		}
		return map[string]any{FieldPagination: pagination}
	}
}

func readAll(t *testing.T, baseURL string) ([]Subscriber, error) {
	t.Helper()
	return newTestClient(t, baseURL, testToken).Subscribers(context.Background(), Filter{})
}

// TestRead_predictionsAreVerifiedAgainstTheLinks: whatever the envelope
// claims, the records read are exactly those the next links lead to, in
// order, once each: a wrong prediction costs requests, never records.
func TestRead_predictionsAreVerifiedAgainstTheLinks(t *testing.T) {
	const n = 395
	tests := []struct {
		name      string
		report    *linkedReport
		predicted bool // pages are read concurrently
		exact     bool // no request beyond the pages
	}{
		{
			name:      "total and per_page",
			report:    &linkedReport{param: "page", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": n, "per_page": 10})},
			predicted: true, exact: true,
		},
		{
			name:      "total with the first page's count, zero-based page",
			report:    &linkedReport{param: "page", value: pageNumbers(0), pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": n})},
			predicted: true, exact: true,
		},
		{
			name: "start and count, total at the top level",
			report: &linkedReport{param: "start", value: func(i int) string { return strconv.Itoa(i * 10) }, pages: evenPages(n, 10),
				linkTo: func(i int) string {
					if i+1 >= 40 {
						return ""
					}
					return "?count=10&start=" + strconv.Itoa((i+1)*10)
				},
				envelope: func(_ int, next string) map[string]any { return map[string]any{"total": n, "next_url": nullable(next)} }},
			predicted: true, exact: true,
		},
		{
			name: "last page URL only, JSON:API links",
			report: &linkedReport{param: "p", value: pageNumbers(1), pages: evenPages(n, 10),
				envelope: func(_ int, next string) map[string]any {
					return map[string]any{"links": map[string]any{"next": map[string]any{"href": nullable(next)}, "last": "?p=40"}}
				}},
			predicted: true, exact: true,
		},
		{
			name:      "page number only: the end is found by the links",
			report:    &linkedReport{param: "page_number", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(nil)},
			predicted: true,
		},
		{
			name:   "opaque cursor: links followed one by one",
			report: &linkedReport{param: "cursor", value: func(i int) string { return fmt.Sprintf("c%x", i*7919) }, pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": n})},
			exact:  true,
		},
		{
			name:      "per_page claims more records a page than the pages hold",
			report:    &linkedReport{param: "page", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": n, "per_page": 100})},
			predicted: true, exact: true,
		},
		{
			name:      "total claims more pages than there are",
			report:    &linkedReport{param: "page", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": 10 * n, "per_page": 10})},
			predicted: true,
		},
		{
			name:      "total claims fewer pages than there are (the report grew)",
			report:    &linkedReport{param: "page", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": 100, "per_page": 10})},
			predicted: true, exact: true,
		},
		{
			// Django REST framework's "count" is the total; another server's
			// may count this page's records, which must cost speed only.
			name:   "a count that is the page's record count, not the total",
			report: &linkedReport{param: "page", value: pageNumbers(1), pages: evenPages(n, 10), envelope: withNext(map[string]any{"count": 10})},
			exact:  true,
		},
		{
			name: "the links leave the predicted sequence mid-way",
			report: &linkedReport{param: "page", value: func(i int) string {
				if i < 5 {
					return strconv.Itoa(i + 1)
				}
				return "x" + strconv.Itoa(i) // page 6 on is asked for as ?page=x5, ...
			}, pages: evenPages(n, 10), envelope: withNext(map[string]any{"total": n, "per_page": 10})},
			predicted: true,
		},
		{
			name: "a short and an empty page before the predicted end",
			report: &linkedReport{param: "page", value: pageNumbers(1),
				pages:    append(append(evenPages(30, 10), [2]int{30, 33}, [2]int{33, 33}), shift(evenPages(n-33, 10), 33)...),
				envelope: withNext(map[string]any{"total": n, "per_page": 10})},
			predicted: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.report.t = t
			server := tt.report.start()

			got, err := readAll(t, server.URL)

			if err != nil {
				t.Fatal(err)
			}
			requireSequence(t, got, n)
			pages := int64(len(tt.report.pages))
			requests := tt.report.requests.Load()
			if requests < pages || tt.exact && requests != pages || requests > pages+2*pageConcurrency {
				t.Fatalf("%d requests for %d pages (exact: %v)", requests, pages, tt.exact)
			}
			if concurrent := tt.report.maxInFlight.Load() > 1; concurrent != tt.predicted {
				t.Fatalf("up to %d requests at once; want concurrency %v", tt.report.maxInFlight.Load(), tt.predicted)
			}
		})
	}
}

func shift(pages [][2]int, by int) [][2]int {
	for i := range pages {
		pages[i][0] += by
		pages[i][1] += by
	}
	return pages
}

// TestRead_pageNumbersNearTheLimitOfInt64 is issue 11's defect: a page
// number near MaxInt64 made the page arithmetic overflow and the loop never
// end. Every sequence a server can send is read, or refused, in bounded time.
func TestRead_pageNumbersNearTheLimitOfInt64(t *testing.T) {
	for _, first := range []int64{math.MaxInt64 - 1, math.MaxInt64 - 3, math.MaxInt64/2 + 1} {
		t.Run(strconv.FormatInt(first, 10), func(t *testing.T) {
			report := linkedReport{t: t, param: "page",
				value: func(i int) string {
					return strconv.FormatUint(uint64(first)+uint64(i), 10) // past MaxInt64 for the last pages
				},
				pages: evenPages(40, 10),
				envelope: func(i int, next string) map[string]any {
					return map[string]any{FieldPagination: map[string]any{FieldNextURL: nullable(next),
						FieldPage: first + int64(min(i, 1)), FieldPerPage: 10, FieldTotal: 40}}
				}}
			server := report.start()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			got, err := newTestClient(t, server.URL, testToken).Subscribers(ctx, Filter{})

			if err != nil {
				t.Fatal(err)
			}
			requireSequence(t, got, 40)
			if report.requests.Load() > 4+2*pageConcurrency {
				t.Fatalf("%d requests for 4 pages", report.requests.Load())
			}
		})
	}
}

// TestRead_aStreamedPageHasAByteCap: an answer that does not end is an
// error once it passes the cap, never a growing heap.
func TestRead_aStreamedPageHasAByteCap(t *testing.T) {
	saved := maxPageBytes
	maxPageBytes = 64 << 10
	t.Cleanup(func() { maxPageBytes = saved })
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[`))
		record := []byte(`{"name":"` + strings.Repeat("x", 1000) + `"},`)
		for sent := 0; sent < 1<<30 && r.Context().Err() == nil; sent += len(record) {
			if _, err := w.Write(record); err != nil {
				return
			}
		}
	}))
	t.Cleanup(server.Close)

	_, err := readAll(t, server.URL)

	if err == nil || !strings.Contains(err.Error(), "larger than 65536 bytes") {
		t.Fatalf("err = %v, want the page cap", err)
	}
}

// A next link that names this host over plain http, while the report is read
// over https (a server behind a proxy that ends TLS), is the same report's
// next page: it predicts like one. Another host stays another resource.
func TestResolveNext_plainHTTPOnThisHostIsThisReport(t *testing.T) {
	current, _ := url.Parse("https://acme.evolux.test" + PathSubscribers + "?state=sent")
	for link, want := range map[string]string{
		"http://acme.evolux.test" + PathSubscribers + "?state=sent&page=2":  "https://acme.evolux.test" + PathSubscribers + "?state=sent&page=2",
		"http://other.evolux.test" + PathSubscribers + "?state=sent&page=2": "http://other.evolux.test" + PathSubscribers + "?state=sent&page=2",
	} {
		next, err := resolveNext(current, link)
		if err != nil || next.String() != want {
			t.Errorf("resolveNext(%s) = %v, %v; want %s", link, next, err, want)
		}
		if same := sameResource(current, next); same != strings.HasPrefix(want, "https://acme") {
			t.Errorf("sameResource(%s) = %v", next, same)
		}
	}
}

// TestRead_theFetchAheadIsBoundedInBytes: the pages fetched ahead hold at
// most maxAheadBytes of answers together. Pages of one size are fetched as
// many ahead as fit, each once; pages larger than the first ones are fetched
// again at their turn when they did not fit. Either way every record comes,
// once, in order.
func TestRead_theFetchAheadIsBoundedInBytes(t *testing.T) {
	saved := maxAheadBytes
	t.Cleanup(func() { maxAheadBytes = saved })
	const n, size = 400, 10
	pageBytes, err := json.Marshal(map[string]any{FieldData: records(0, size)})
	if err != nil {
		t.Fatal(err)
	}
	padding := strings.Repeat("x", 8*len(pageBytes))
	for _, tt := range []struct {
		name     string
		padded   bool // pages after the first are about 9 times its size
		inFlight int64
	}{
		{"pages of one size", false, 4},
		{"later pages larger than the first", true, 2*pageConcurrency + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			maxAheadBytes = int64(3.5 * float64(len(pageBytes)+100))
			if tt.padded {
				maxAheadBytes = int64(3 * len(padding))
			}
			report := &linkedReport{t: t, param: "page", value: pageNumbers(1), pages: evenPages(n, size),
				envelope: func(i int, next string) map[string]any {
					members := withNext(map[string]any{"total": n, "per_page": size})(i, next)
					if tt.padded && i > 0 {
						members["padding"] = padding
					}
					return members
				}}
			server := report.start()

			got, err := readAll(t, server.URL)

			if err != nil {
				t.Fatal(err)
			}
			requireSequence(t, got, n)
			t.Logf("%d requests, %d at once", report.requests.Load(), report.maxInFlight.Load())
			if highest := report.maxInFlight.Load(); highest > tt.inFlight {
				t.Errorf("%d requests at once, want at most %d", highest, tt.inFlight)
			}
			if requests := report.requests.Load(); !tt.padded && requests != n/size || requests > n/size+2*pageConcurrency {
				t.Errorf("%d requests for %d pages", requests, n/size)
			}
		})
	}
}
