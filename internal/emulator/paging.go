package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// Evolux paging dialects: the same report paged the ways other servers page
// theirs. Only PagingPage uses the client's own wire.go names; the others
// spell paging their own way on purpose, so that the client's tolerant
// reading of an undocumented envelope is tested against readings it does
// not share (PRODUCT.md, "The real services will differ").
const (
	// PagingPage (the default): ?page=N&per_page=M; "pagination" holds
	// page, per_page, total, next_url and last_url.
	PagingPage = "page"
	// PagingV1 is Evolux's older v1 API: ?page=N&limit=M; "pagination"
	// holds total, limit, items, current_url, first_url, last_url, next_url
	// and prev_url, the page number only inside the URLs.
	PagingV1 = "v1"
	// PagingOffset: ?offset=N&limit=M; "meta" holds total, "links" next
	// and last (JSON:API style).
	PagingOffset = "offset"
	// PagingTotal: ?page_number=N; a top-level total and next_url, no page
	// size: the first page's record count tells it.
	PagingTotal = "total"
	// PagingLastURL: ?p=N; "pagination" holds next_url and last_url only.
	PagingLastURL = "last-url"
	// PagingNextOnly: ?pg=N; "pagination" holds next_url only: nothing
	// tells how many pages there are.
	PagingNextOnly = "next-only"
	// PagingCursor: ?cursor=<opaque>; "pagination" holds next_url only:
	// nothing predicts the next page.
	PagingCursor = "cursor"
	// PagingResults is Django REST framework's LimitOffsetPagination:
	// ?limit=M&offset=N; the records under "results" instead of "data",
	// beside count, next and previous.
	PagingResults = "results"
)

// PagingDialects lists every paging dialect, the default first.
func PagingDialects() []string {
	return []string{PagingPage, PagingV1, PagingOffset, PagingTotal, PagingLastURL, PagingNextOnly, PagingCursor, PagingResults}
}

// pagingDialect is how one dialect reads a page request and links pages.
type pagingDialect struct {
	param string // the query parameter that numbers pages, offsets or cursors
	size  string // the query parameter of the page size; "" when the client cannot choose it
	// offset: param counts records from 0; else pages from 1 (or a cursor)
	offset, cursor bool
	records        string // the envelope member of the records; "" is evolux.FieldData
}

// recordsField is the envelope member that holds the records.
func (d pagingDialect) recordsField() string { return cmp.Or(d.records, evolux.FieldData) }

var pagingDialects = map[string]pagingDialect{
	PagingPage:     {param: evolux.QueryPage, size: evolux.QueryPerPage},
	PagingV1:       {param: "page", size: "limit"},
	PagingOffset:   {param: "offset", size: "limit", offset: true},
	PagingTotal:    {param: "page_number"},
	PagingLastURL:  {param: "p"},
	PagingNextOnly: {param: "pg"},
	PagingCursor:   {param: "cursor", cursor: true},
	PagingResults:  {param: "offset", size: "limit", offset: true, records: "results"},
}

// cursorPrefix makes a cursor that is no number, so that it predicts nothing.
const cursorPrefix = "c_"

// window reads which records a page request asks for: from lo, at most
// limit of them.
func (d pagingDialect) window(q url.Values, defaultSize int) (lo, limit int, err error) {
	limit = defaultSize
	if d.size != "" {
		if v := q.Get(d.size); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
				return 0, 0, fmt.Errorf("invalid %s %q: must be a positive integer", d.size, v)
			}
		}
	}
	limit = min(limit, evolux.MaxPageSize)
	v := q.Get(d.param)
	if v == "" {
		return 0, limit, nil
	}
	switch {
	case d.cursor:
		n, err := strconv.ParseInt(strings.TrimPrefix(v, cursorPrefix), 36, 64)
		if !strings.HasPrefix(v, cursorPrefix) || err != nil || n < 0 || n > 1<<31 {
			return 0, 0, fmt.Errorf("invalid %s %q", d.param, v)
		}
		return int(n), limit, nil
	case d.offset:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("invalid %s %q: must be a non-negative integer", d.param, v)
		}
		return n, limit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1<<31/limit {
		return 0, 0, fmt.Errorf("invalid %s %q: must be a positive integer", d.param, v)
	}
	return (n - 1) * limit, limit, nil
}

// link is the URL of the page starting at record lo.
func (d pagingDialect) link(r *http.Request, lo, limit int) string {
	value := strconv.Itoa(lo/limit + 1)
	switch {
	case d.cursor:
		value = cursorPrefix + strconv.FormatInt(int64(lo), 36)
	case d.offset:
		value = strconv.Itoa(lo)
	}
	return pageURL(r, d.param, value)
}

// pagingFields are the envelope's members after the records, in order, for the
// page of records lo to hi of total.
func (d pagingDialect) fields(name string, r *http.Request, lo, hi, limit, total int) object {
	var next, prev any // null unless there is such a page
	if hi < total {
		next = d.link(r, hi, limit)
	}
	if lo > 0 {
		prev = d.link(r, max(lo-limit, 0), limit)
	}
	lastLo := 0
	if total > 0 {
		lastLo = (total - 1) / limit * limit
	}
	last := d.link(r, lastLo, limit)
	switch name {
	case PagingV1:
		return object{{evolux.FieldPagination, object{
			{"total", total}, {"limit", limit}, {"items", hi - lo},
			{"current_url", d.link(r, lo, limit)}, {"first_url", d.link(r, 0, limit)}, {"last_url", last},
			{"next_url", next}, {"prev_url", prev},
		}}}
	case PagingOffset:
		return object{
			{"meta", object{{"total", total}, {"offset", lo}, {"limit", limit}}},
			{"links", object{{"next", next}, {"last", last}}},
		}
	case PagingTotal:
		return object{{"total", total}, {"next_url", next}}
	case PagingLastURL:
		return object{{evolux.FieldPagination, object{{"next_url", next}, {"last_url", last}}}}
	case PagingNextOnly, PagingCursor:
		return object{{evolux.FieldPagination, object{{"next_url", next}}}}
	case PagingResults:
		return object{{"count", total}, {"next", next}, {"previous", prev}}
	}
	return object{{evolux.FieldPagination, object{
		{evolux.FieldPage, lo/limit + 1}, {evolux.FieldPerPage, limit}, {evolux.FieldTotal, total},
		{evolux.FieldNextURL, next}, {evolux.FieldLastURL, last},
	}}}
}

// pageURL is the absolute URL of another page of the same query: the query
// is kept as the client wrote it, with only param replaced.
func pageURL(r *http.Request, param, value string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	parts := slices.DeleteFunc(strings.Split(r.URL.RawQuery, "&"), func(part string) bool {
		key, _, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(key)
		return part == "" || err == nil && k == param
	})
	parts = append(parts, url.QueryEscape(param)+"="+url.QueryEscape(value))
	return scheme + "://" + host + r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}
