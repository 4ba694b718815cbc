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

	// maxPages bounds one report: a server whose pages never end is an
	// error, never an endless loop.
	maxPages = 10_000

	// pageConcurrency bounds the requests in flight per Client, shared by all
	// the reads of a provider instance: 100,000 records at 50 a page and 20 ms
	// a request take 2,000 / 32 * 20 ms, about 1.3 s plus decoding.
	pageConcurrency = 32
)

// maxPageBytes bounds one page's answer, as client.Client bounds a buffered
// one: a server that never ends its answer is an error, never a growing heap.
// maxAheadBytes bounds the answers of the pages fetched ahead of the one to
// keep next, together: a page that would take them past it is fetched again
// when its turn comes, so a read holds at most maxAheadBytes plus one page.
// Variables, so tests can lower them.
var (
	maxPageBytes  int64 = 64 << 20
	maxAheadBytes int64 = 64 << 20
)

// errOverBudget is a page fetched ahead that did not fit in maxAheadBytes.
var errOverBudget = errors.New("the pages fetched ahead hold too many bytes")

// cappedReader fails once more than limit bytes were read, or, for a page
// fetched ahead, once the pages fetched ahead hold more than maxAheadBytes.
type cappedReader struct {
	r           io.Reader
	limit, read int64
	ahead       *atomic.Int64 // bytes held by the pages fetched ahead; nil for the page to keep next
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	switch {
	case c.ahead != nil && c.ahead.Add(int64(n)) > maxAheadBytes:
		return n, errOverBudget
	case c.read > c.limit:
		return n, fmt.Errorf("the answer is larger than %d bytes, the most one page may be", c.limit)
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

// New returns an Evolux client over http, authenticated by token (the caller
// checks that it is set).
func New(http *client.Client, token string) *Client {
	http.Secrets().Add(token) // scrubbed from every error and log, as the Builder client does with its own
	return &Client{http: http, token: token, inFlight: make(chan struct{}, pageConcurrency)}
}

// Subscribers reads every subscriber the filter selects, in the API's order.
func (c *Client) Subscribers(ctx context.Context, f Filter) ([]Subscriber, error) {
	var all []Subscriber
	err := c.Read(ctx, f, func(records []Subscriber) error {
		all = append(all, records...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// Read reads every page of the report the filter selects and hands each
// page's records to fn, in the API's order. Pages are read concurrently when
// the first answer lets the next ones be predicted, else one after the other
// by the next URL; either way the pages handed over are exactly those the
// links lead to. Only the pages fetched ahead are held, so fn decides how
// much of the report stays in memory.
func (c *Client) Read(ctx context.Context, f Filter, fn func([]Subscriber) error) (err error) {
	// Decoding errors may quote the answer, which may echo the token.
	defer func() { err = c.http.Secrets().ScrubError(err) }()
	first, err := c.http.ResolveURL(PathSubscribers, f.query())
	if err != nil {
		return fmt.Errorf("%s: %w", operation, err)
	}
	read := &reading{client: c, seen: map[string]bool{}, emit: fn}
	current, next, err := read.follow(ctx, first)
	if err != nil {
		return err
	}
	predicted, err := predict(first, current, next)
	if err != nil {
		return fmt.Errorf("%s: %w", operation, err)
	}
	if predicted != nil {
		if next, err = read.predicted(ctx, predicted); err != nil {
			return err
		}
	}
	for next != nil {
		if _, next, err = read.follow(ctx, next); err != nil {
			return err
		}
	}
	return nil
}

// reading is one read of the report across its pages.
type reading struct {
	client  *Client
	seen    map[string]bool // the pages kept
	emit    func([]Subscriber) error
	ahead   atomic.Int64 // bytes of the answers fetched ahead and not kept yet
	largest int64        // bytes of the largest answer kept
}

// follow fetches and keeps one page; it returns the page and the next
// one's URL.
func (r *reading) follow(ctx context.Context, u *url.URL) (page, *url.URL, error) {
	if err := r.visit(u); err != nil {
		return page{}, nil, err
	}
	result, bytes, err := r.client.fetch(ctx, u, nil)
	if err != nil {
		return page{}, nil, err
	}
	next, err := r.keep(u, result, bytes)
	return result, next, err
}

// keep hands over page u, visited and fetched, and returns the next page's
// URL.
func (r *reading) keep(u *url.URL, p page, bytes int64) (*url.URL, error) {
	r.largest = max(r.largest, bytes)
	if err := r.emit(p.records); err != nil {
		return nil, err
	}
	return resolveNext(u, p.pagination.nextURL)
}

// predicted reads the predicted pages concurrently, fetching ahead of the
// last page kept, and keeps each, in order, only if the page before it
// linked to exactly its URL. It returns the URL to go on from by the links:
// nil after the last page; else where the prediction ran out (the report
// grew while it was read) or stopped agreeing with the server (a link
// elsewhere, a short or empty page before the predicted end). Pages fetched
// ahead and not kept are dropped, so nothing is lost or read twice.
func (r *reading) predicted(ctx context.Context, p *prediction) (*url.URL, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // abandons the pages fetched ahead and not kept
	type fetched struct {
		page  page
		bytes int64 // counted in r.ahead until kept
		err   error
	}
	pending := map[int]chan fetched{}
	launched := 1
	next := p.next
	for i := 1; next != nil; i++ {
		if p.pages != unknownPages && i >= p.pages {
			return next, nil
		}
		if pageKey(p.url(i)) != pageKey(next) {
			return next, nil
		}
		ahead := 2 * pageConcurrency
		if p.pages == unknownPages {
			// With the end unknown, the window grows with the pages kept, so
			// a short report costs few requests past its end.
			ahead = min(ahead, i)
		}
		// As many pages as maxAheadBytes holds of the largest answer yet.
		ahead = min(ahead, int(max(1, maxAheadBytes/max(1, r.largest))))
		for ; launched < i+ahead && launched < maxPages && (p.pages == unknownPages || launched < p.pages) &&
			r.ahead.Load() < maxAheadBytes; launched++ {
			u := p.url(launched)
			result := make(chan fetched, 1)
			pending[launched] = result
			go func() {
				got, bytes, err := r.client.fetch(ctx, u, &r.ahead)
				result <- fetched{got, bytes, err}
			}()
		}
		result, ok := pending[i]
		if !ok && launched >= maxPages {
			return next, nil // visit reports it
		}
		delete(pending, i)
		var got fetched
		if ok {
			got = <-result
		} else {
			launched = i + 1 // the bytes held kept it from being fetched ahead
		}
		if !ok || errors.Is(got.err, errOverBudget) { // not fetched ahead, for the bytes: now its turn has come
			got.page, got.bytes, got.err = r.client.fetch(ctx, next, nil)
		} else {
			r.ahead.Add(-got.bytes)
		}
		if got.err != nil {
			return nil, got.err
		}
		if err := r.visit(next); err != nil {
			return nil, err
		}
		following, err := r.keep(next, got.page, got.bytes)
		if err != nil {
			return nil, err
		}
		if following != nil && p.size > 0 && int64(len(got.page.records)) < p.size {
			return following, nil
		}
		next = following
	}
	return nil, nil
}

// visit refuses a page read before (a loop) and one page too many.
func (r *reading) visit(u *url.URL) error {
	key := pageKey(u)
	if r.seen[key] {
		return fmt.Errorf("%s: the next page link leads back to a page already read (%s): the server's paging loops",
			operation, client.RedactURL(u))
	}
	if len(r.seen) >= maxPages {
		return fmt.Errorf("%s: more than %d pages; narrow the filter", operation, maxPages)
	}
	r.seen[key] = true
	return nil
}

// pageKey identifies a page whatever the order of its query parameters.
func pageKey(u *url.URL) string {
	return strings.ToLower(u.Scheme+"://"+u.Host) + u.EscapedPath() + "?" + u.Query().Encode()
}

// resolveNext is the next page's URL (nil after the last page); a relative
// next_url is relative to the page that gave it.
func resolveNext(current *url.URL, next string) (*url.URL, error) {
	if next == "" {
		return nil, nil
	}
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("%s: the answer's %s is not a valid URL", operation, FieldNextURL)
	}
	// A link to this host over plain http (a server behind a proxy that
	// ends TLS) is this report's next page over https: predicted like one.
	return client.UpgradedToOrigin(current.ResolveReference(ref), current), nil
}

// fetch reads one page and decodes its records; ahead counts the answer's
// bytes for a page fetched ahead (until kept), and only a page kept.
func (c *Client) fetch(ctx context.Context, u *url.URL, ahead *atomic.Int64) (page, int64, error) {
	select {
	case c.inFlight <- struct{}{}:
		defer func() { <-c.inFlight }()
	case <-ctx.Done():
		return page{}, 0, ctx.Err()
	}
	var result page
	body := &cappedReader{limit: maxPageBytes, ahead: ahead}
	err := c.http.DoStream(ctx, &client.Request{
		Operation: operation,
		Method:    http.MethodGet,
		Path:      u.String(),
		Header:    http.Header{HeaderAuthorization: {"Bearer " + c.token}},
		Policy:    client.RetryIdempotent,
	}, func(resp *http.Response) error {
		var err error
		body.r = resp.Body
		if result, err = decodePage(body); errors.Is(err, errOverBudget) {
			return errOverBudget
		} else if err != nil {
			return fmt.Errorf("%s (GET %s): %w", operation, client.RedactURL(u), err)
		}
		// Raw is kept in state: a server that echoes the token (or another
		// credential of this provider) in a record must not put it there.
		for i := range result.records {
			result.records[i].Raw = c.http.Secrets().Scrub(result.records[i].Raw)
		}
		return nil
	})
	if err != nil && ahead != nil {
		ahead.Add(-body.read) // nothing of it is held
	}
	return result, body.read, err
}
