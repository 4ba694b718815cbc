// Package evolux is the client of the Evolux Chat campaign subscribers report.
package evolux

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Names of the credentials in the provider configuration and environment.
const (
	AttributeURL   = "evolux.url"
	EnvURL         = "EVOLUX_URL"
	AttributeToken = "evolux.token"
	EnvToken       = "EVOLUX_TOKEN"
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

// New returns an Evolux client over http, authenticated by token.
func New(http *client.Client, token string) *Client {
	return &Client{http: http, token: token, inFlight: make(chan struct{}, pageConcurrency)}
}

// Subscribers reads every subscriber the filter selects, in the API's order,
// following the pages to the end.
func (c *Client) Subscribers(ctx context.Context, f Filter) ([]Subscriber, error) {
	if c.token == "" {
		return nil, &client.MissingCredentialError{Attribute: AttributeToken, EnvVar: EnvToken, Purpose: "to read Evolux reports"}
	}
	first, err := c.http.ResolveURL(PathSubscribers, f.query())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", operation, err)
	}
	read := &reading{client: c, seen: map[string]bool{}}
	current, err := read.page(ctx, first)
	if err != nil {
		return nil, err
	}
	next, err := resolveNext(first, current.pagination.nextURL)
	if err != nil {
		return nil, err
	}

	numbered, err := numberedPages(current.pagination, next)
	if err != nil {
		return nil, err
	}
	if len(numbered) > 0 {
		last, err := read.concurrently(ctx, numbered)
		if err != nil {
			return nil, err
		}
		// A report that grew while it was read goes on past the counted pages.
		if next, err = resolveNext(numbered[len(numbered)-1], last.pagination.nextURL); err != nil {
			return nil, err
		}
	}

	for next != nil {
		if current, err = read.page(ctx, next); err != nil {
			return nil, err
		}
		if next, err = resolveNext(next, current.pagination.nextURL); err != nil {
			return nil, err
		}
	}
	return read.subscribers(), nil
}

// reading is one read of the report across its pages.
type reading struct {
	client *Client
	seen   map[string]bool
	pages  [][]Subscriber // records of each page, in page order
}

// page fetches and keeps one page.
func (r *reading) page(ctx context.Context, u *url.URL) (page, error) {
	if err := r.visit(u); err != nil {
		return page{}, err
	}
	result, err := r.client.fetch(ctx, u)
	if err != nil {
		return page{}, err
	}
	r.pages = append(r.pages, result.records)
	return result, nil
}

// concurrently fetches pages a few at a time, keeps them in order and
// returns the last one.
func (r *reading) concurrently(ctx context.Context, urls []*url.URL) (page, error) {
	for _, u := range urls {
		if err := r.visit(u); err != nil {
			return page{}, err
		}
	}
	pages := make([]page, len(urls))
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(pageConcurrency)
	for i, u := range urls {
		group.Go(func() error {
			var err error
			pages[i], err = r.client.fetch(groupCtx, u)
			return err
		})
	}
	if err := group.Wait(); err != nil {
		return page{}, err
	}
	for _, p := range pages {
		r.pages = append(r.pages, p.records)
	}
	return pages[len(pages)-1], nil
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

func (r *reading) subscribers() []Subscriber {
	count := 0
	for _, records := range r.pages {
		count += len(records)
	}
	all := make([]Subscriber, 0, count)
	for _, records := range r.pages {
		all = append(all, records...)
	}
	return all
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
	return current.ResolveReference(ref), nil
}

// numberedPages are the URLs of the pages after the first, when the first
// tells how many there are (page, per_page, total) and its next_url numbers
// pages with the page parameter; else none, and next_url is followed.
func numberedPages(first pagination, next *url.URL) ([]*url.URL, error) {
	if !first.counted || next == nil || next.Query().Get(QueryPage) != strconv.FormatInt(first.number+1, 10) {
		return nil, nil
	}
	remaining := (first.total+first.perPage-1)/first.perPage - 1
	if remaining >= maxPages {
		return nil, fmt.Errorf("%s: the report has %d records in pages of %d, more than %d pages; narrow the filter",
			operation, first.total, first.perPage, maxPages)
	}
	urls := make([]*url.URL, 0, max(remaining, 0))
	for number := first.number + 1; number <= first.number+remaining; number++ {
		u := *next
		query := u.Query()
		query.Set(QueryPage, strconv.FormatInt(number, 10))
		u.RawQuery = query.Encode()
		urls = append(urls, &u)
	}
	return urls, nil
}

// fetch reads one page, stream-decoding its records.
func (c *Client) fetch(ctx context.Context, u *url.URL) (page, error) {
	select {
	case c.inFlight <- struct{}{}:
		defer func() { <-c.inFlight }()
	case <-ctx.Done():
		return page{}, ctx.Err()
	}
	var result page
	err := c.http.DoStream(ctx, &client.Request{
		Operation: operation,
		Method:    http.MethodGet,
		Path:      u.String(),
		Header:    http.Header{HeaderAuthorization: {"Bearer " + c.token}},
		Policy:    client.RetryIdempotent,
	}, func(resp *http.Response) error {
		var err error
		if result, err = decodePage(resp.Body); err != nil {
			return fmt.Errorf("%s (GET %s): %w", operation, client.RedactURL(u), err)
		}
		return nil
	})
	return result, err
}
