// Package evolux is the client of the Evolux Chat campaign subscribers report.
package evolux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

const (
	operation = "read Evolux campaign subscribers"
	// maxPages bounds one report: pages that never end are an error, not a loop.
	maxPages = 10_000
	// pageConcurrency bounds one Client's requests in flight: 2,000 pages at 20 ms take about 1.3 s.
	pageConcurrency = 32
)

// maxPageBytes caps one answer, maxAheadBytes the answers fetched ahead together (variables for tests).
var (
	maxPageBytes  int64 = 64 << 20
	maxAheadBytes int64 = 64 << 20
)

var errOverBudget = errors.New("the pages fetched ahead hold too many bytes")

// cappedReader fails past maxPageBytes, or, for a page fetched ahead, once those hold more than maxAheadBytes.
type cappedReader struct {
	r     io.Reader
	read  int64
	ahead *atomic.Int64 // nil for the page to keep next
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	switch {
	case c.ahead != nil && c.ahead.Add(int64(n)) > maxAheadBytes:
		return n, errOverBudget
	case c.read > maxPageBytes:
		return n, fmt.Errorf("the answer is larger than %d bytes, the most one page may be", maxPageBytes)
	}
	return n, err
}

// Filter selects subscribers; an empty field is not sent.
type Filter struct {
	PhoneNumber            string
	Name                   string
	State                  string
	TemplateUUID           string
	Campaigns              []string
	Start                  string
	End                    string
	Timezone               string
	ConversationFieldKey   string
	ConversationFieldValue string
}

func (f Filter) query() url.Values {
	query := url.Values{}
	for name, value := range map[string]string{
		QueryPhoneNumber:            f.PhoneNumber,
		QueryName:                   f.Name,
		QueryState:                  f.State,
		QueryTemplateUUID:           f.TemplateUUID,
		QueryStart:                  f.Start,
		QueryEnd:                    f.End,
		QueryTimezone:               f.Timezone,
		QueryConversationFieldKey:   f.ConversationFieldKey,
		QueryConversationFieldValue: f.ConversationFieldValue,
	} {
		if value != "" {
			query.Set(name, value)
		}
	}
	for _, campaign := range f.Campaigns {
		if campaign != "" {
			query.Add(QueryCampaigns, campaign)
		}
	}
	return query
}

// Client reads the Evolux report. It is safe for concurrent use.
type Client struct {
	http     *client.Client
	token    string
	inFlight chan struct{} // a slot per request in flight
}

// New returns an Evolux client over http, authenticated by token (the caller checks that it is set).
func New(http *client.Client, token string) *Client {
	http.Secrets().Add(token) // scrubbed from every error and log
	return &Client{http: http, token: token, inFlight: make(chan struct{}, pageConcurrency)}
}

// Subscribers reads every subscriber the filter selects, in the API's order.
func (c *Client) Subscribers(ctx context.Context, f Filter) (all []Subscriber, err error) {
	if err = c.Read(ctx, f, func(records []Subscriber) error { all = append(all, records...); return nil }); err != nil {
		all = nil
	}
	return all, err
}

// Read hands each page's records to fn in order, keeping a page fetched ahead only if the links lead to it.
func (c *Client) Read(ctx context.Context, f Filter, fn func([]Subscriber) error) (err error) {
	defer func() { err = c.http.Secrets().ScrubError(err) }() // an answer quoted may echo the token
	first, err := c.http.ResolveURL(PathSubscribers, f.query())
	if err != nil {
		return fmt.Errorf("%s: %w", operation, err)
	}
	aheadCtx, cancel := context.WithCancel(ctx)
	defer cancel() // abandons the pages fetched ahead and not kept
	r := &reading{client: c, ctx: aheadCtx, cancel: cancel, pending: map[int]chan fetched{}, launched: 1}
	seen := map[string]bool{} // the pages kept
	for i, u := 0, first; u != nil; i++ {
		switch key := pageKey(u); {
		case seen[key]:
			return fmt.Errorf("%s: the next page link leads back to a page already read (%s): the server's paging loops",
				operation, client.RedactURL(u))
		case len(seen) >= maxPages:
			return fmt.Errorf("%s: more than %d pages; narrow the filter", operation, maxPages)
		default:
			seen[key] = true
		}
		got := r.take(ctx, i, u)
		if got.err != nil {
			return got.err
		}
		r.largest = max(r.largest, got.bytes)
		if err := fn(got.records); err != nil {
			return err
		}
		next, err := resolveNext(u, got.pagination.nextURL)
		if err != nil {
			return err
		}
		if i == 0 {
			if r.guess, err = predict(first, got.page, next); err != nil {
				return fmt.Errorf("%s: %w", operation, err)
			}
		} else if r.guess != nil && next != nil && r.guess.size > 0 && int64(len(got.records)) < r.guess.size {
			r.drop() // a short page before the end: the rest by the links
		}
		u = next
	}
	return nil
}

// reading is one read of the report across its pages.
type reading struct {
	client   *Client
	guess    *prediction     // nil once the links are followed alone
	ctx      context.Context // of the pages fetched ahead
	cancel   context.CancelFunc
	pending  map[int]chan fetched // the pages fetched ahead, by number
	launched int                  // the next page to fetch ahead
	ahead    atomic.Int64         // bytes of the answers fetched ahead and not kept yet
	largest  int64                // bytes of the largest answer kept
}

type fetched struct {
	page
	bytes int64
	err   error
}

// drop abandons the prediction and the pages fetched ahead.
func (r *reading) drop() {
	r.cancel()
	r.guess, r.pending = nil, nil
}

// take is page i at u: the one fetched ahead when the prediction agrees with the links, else fetched now.
func (r *reading) take(ctx context.Context, i int, u *url.URL) (got fetched) {
	if p := r.guess; p != nil && (p.pages != unknownPages && i >= p.pages || pageKey(p.url(i)) != pageKey(u)) {
		r.drop() // the report grew, or the links left the prediction
	}
	if p := r.guess; p != nil {
		ahead, end := 2*pageConcurrency, p.pages
		if p.pages == unknownPages {
			ahead, end = min(ahead, i), maxPages // the end unknown: the window grows with the pages kept
		}
		end = min(end, i+min(ahead, int(max(1, maxAheadBytes/max(1, r.largest)))), maxPages)
		for ; r.launched < end && r.ahead.Load() < maxAheadBytes; r.launched++ {
			next, result := p.url(r.launched), make(chan fetched, 1)
			r.pending[r.launched] = result
			go func() { result <- r.client.fetch(r.ctx, next, &r.ahead) }()
		}
		result, ok := r.pending[i]
		delete(r.pending, i)
		r.launched = max(r.launched, i+1)
		if ok {
			if got = <-result; !errors.Is(got.err, errOverBudget) {
				r.ahead.Add(-got.bytes)
				return got
			}
		}
	}
	return r.client.fetch(ctx, u, nil) // not fetched ahead, for the bytes held
}

// pageKey identifies a page whatever the order of its query parameters.
func pageKey(u *url.URL) string {
	return strings.ToLower(u.Scheme+"://"+u.Host) + u.EscapedPath() + "?" + u.Query().Encode()
}

// resolveNext is the next page's URL (nil after the last), relative to the page that gave it.
func resolveNext(current *url.URL, next string) (*url.URL, error) {
	if next == "" {
		return nil, nil
	}
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("%s: the answer's %s is not a valid URL", operation, FieldNextURL)
	}
	// This host over plain http (behind a proxy that ends TLS) is this report's next page over https.
	return client.UpgradedToOrigin(current.ResolveReference(ref), current), nil
}

// fetch reads and decodes one page; ahead counts its bytes while it is fetched ahead.
func (c *Client) fetch(ctx context.Context, u *url.URL, ahead *atomic.Int64) (result fetched) {
	select {
	case c.inFlight <- struct{}{}:
		defer func() { <-c.inFlight }()
	case <-ctx.Done():
		return fetched{err: ctx.Err()}
	}
	body := &cappedReader{ahead: ahead}
	request := &client.Request{Operation: operation, Method: http.MethodGet, Path: u.String(),
		Header: c.authorization(), Policy: client.RetryIdempotent}
	result.err = c.http.DoStream(ctx, request, func(resp *http.Response) error {
		var err error
		body.r = resp.Body
		if result.page, err = decodePage(body); errors.Is(err, errOverBudget) {
			return errOverBudget
		} else if err != nil {
			return fmt.Errorf("%s (GET %s): %w", operation, client.RedactURL(u), err)
		}
		for i := range result.records { // Raw goes to state: never a credential a server echoes
			result.records[i].Raw = c.http.Secrets().Scrub(result.records[i].Raw)
		}
		return nil
	})
	if result.bytes = body.read; result.err != nil && ahead != nil {
		ahead.Add(-body.read) // nothing of it is held
	}
	return result
}
