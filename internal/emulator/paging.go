package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// Evolux paging dialects: the same report paged as other servers page theirs. Only PagingPage uses wire.go's names,
// so that the client's tolerant reading is tested against readings it does not share.
const (
	PagingPage     = "page"      // ?page=N&per_page=M; "pagination": page, per_page, total, next_url, last_url (default)
	PagingV1       = "v1"        // Evolux v1: ?page=N&limit=M; "pagination": total, limit, items and URLs only
	PagingOffset   = "offset"    // ?offset=N&limit=M; "meta" holds total, "links" next and last (JSON:API)
	PagingTotal    = "total"     // ?page_number=N; a top-level total and next_url, no page size
	PagingLastURL  = "last-url"  // ?p=N; "pagination" holds next_url and last_url only
	PagingNextOnly = "next-only" // ?pg=N; "pagination" holds next_url only: no page count
	PagingCursor   = "cursor"    // ?cursor=<opaque>; next_url only: nothing predicts the next page
	PagingResults  = "results"   // Django REST framework's LimitOffsetPagination: "results", count, next, previous
)

// PagingDialects lists every paging dialect, the default first.
func PagingDialects() []string {
	return []string{PagingPage, PagingV1, PagingOffset, PagingTotal, PagingLastURL, PagingNextOnly, PagingCursor, PagingResults}
}

// pagingDialect is how one dialect reads a page request and links pages.
type pagingDialect struct {
	param          string // the query parameter that numbers pages, offsets or cursors
	size           string // the query parameter of the page size; "" when the client cannot choose it
	offset, cursor bool   // param counts records from 0, or is a cursor; else pages from 1
	records        string // the envelope member of the records
}

var pagingDialects = map[string]pagingDialect{
	PagingPage:     {evolux.QueryPage, evolux.QueryPerPage, false, false, evolux.FieldData},
	PagingV1:       {"page", "limit", false, false, evolux.FieldData},
	PagingOffset:   {"offset", "limit", true, false, evolux.FieldData},
	PagingTotal:    {"page_number", "", false, false, evolux.FieldData},
	PagingLastURL:  {"p", "", false, false, evolux.FieldData},
	PagingNextOnly: {"pg", "", false, false, evolux.FieldData},
	PagingCursor:   {"cursor", "", false, true, evolux.FieldData},
	PagingResults:  {"offset", "limit", true, false, "results"},
}

// cursorPrefix makes a cursor that is no number, so that it predicts nothing.
const cursorPrefix = "c_"

// window reads which records a page request asks for: from lo, at most limit of them.
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

// fields are the envelope's members after the records of lo to hi of total.
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

// pageURL is the absolute URL of another page: the query as the client wrote it, only param replaced.
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
