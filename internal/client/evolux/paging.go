package evolux

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// prediction is a guess at the pages after the first, checked against the links page by page.
type prediction struct {
	next  *url.URL // page 1's URL as the server wrote it (the first page is page 0)
	param string   // the query parameter that numbers pages
	first int64    // its value for page 0
	step  int64    // its increase from one page to the next
	pages int      // pages in all, the first included; unknownPages when nothing tells
	size  int64    // records on a full page; 0 when unknown
}

const unknownPages = -1

// url is page i's URL (i >= 1); predict checked first + step*maxPages against overflow.
func (p *prediction) url(i int) *url.URL {
	u := *p.next
	query := u.Query()
	query.Set(p.param, strconv.FormatInt(p.first+int64(i)*p.step, 10))
	u.RawQuery = query.Encode()
	return &u
}

// predict makes a prediction from the first page, or nil; an error: the report has too many pages.
func predict(requested *url.URL, first page, next *url.URL) (*prediction, error) {
	if next == nil || !sameResource(requested, next) {
		return nil, nil
	}
	param, nextValue, ok := pagingParam(requested.Query(), next.Query())
	if !ok {
		return nil, nil
	}
	records, paging := int64(len(first.records)), first.pagination
	p := &prediction{next: next, param: param, pages: unknownPages, first: nextValue - 1}
	if value, err := strconv.ParseInt(requested.Query().Get(param), 10, 64); err == nil && value >= 0 {
		p.first = value
	} else if slices.Contains(OffsetQueryNames, param) ||
		!slices.Contains(PageQueryNames, param) && records > 1 && nextValue == records {
		p.first = 0 // an offset
	}
	p.step = nextValue - p.first
	if p.step <= 0 || p.first < 0 || p.step > (math.MaxInt64-p.first)/maxPages {
		return nil, nil // no sequence of pages, or one that would overflow
	}
	// A page followed by another is full: its record count is the page size, whatever the envelope claims.
	if p.size = records; records == 0 && paging.hasPerPage {
		p.size = paging.perPage
	}
	if pages, ok := p.pagesToLast(paging.lastURL); ok {
		p.pages = pages
	} else if paging.hasTotal && p.size > 0 {
		perPage := p.size
		if p.step > 1 { // offsets move by step records
			perPage = p.step
		}
		if paging.total/perPage >= maxPages {
			return nil, fmt.Errorf("the report has %d records in pages of %d, more than %d pages; narrow the filter",
				paging.total, perPage, maxPages)
		}
		p.pages = int((paging.total + perPage - 1) / perPage)
	}
	if p.pages != unknownPages && p.pages < 2 {
		return nil, nil // the envelope says this was the last page, but a next link came: follow it
	}
	return p, nil
}

// pagesToLast counts the pages up to the last-page URL when it is on the prediction's sequence.
func (p *prediction) pagesToLast(last string) (int, bool) {
	u, err := p.next.Parse(last)
	if last == "" || err != nil || !sameResource(p.next, u) {
		return 0, false
	}
	value, err := strconv.ParseInt(u.Query().Get(p.param), 10, 64)
	if err != nil || value < p.first || (value-p.first)%p.step != 0 || (value-p.first)/p.step >= maxPages {
		return 0, false
	}
	return int((value-p.first)/p.step) + 1, true
}

// pagingParam is the next link's new integer: a known page or offset name, else the one unknown non-size.
func pagingParam(requested, next url.Values) (string, int64, bool) {
	var candidates []string
	for name, values := range next {
		if value, err := strconv.ParseInt(next.Get(name), 10, 64); len(values) == 1 && err == nil && value >= 0 &&
			!slices.Equal(requested[name], values) {
			candidates = append(candidates, name)
		}
	}
	known := slices.Concat(PageQueryNames, OffsetQueryNames)
	name := ""
	if i := slices.IndexFunc(known, func(n string) bool { return slices.Contains(candidates, n) }); i >= 0 {
		name = known[i]
	} else if others := slices.DeleteFunc(candidates, func(n string) bool { return slices.Contains(SizeQueryNames, n) }); len(others) == 1 {
		name = others[0]
	} else {
		return "", 0, false // nothing, or several unknown numbers: no guess
	}
	value, _ := strconv.ParseInt(next.Get(name), 10, 64)
	return name, value, true
}

// sameResource: b is on a's origin and path, so a prediction only numbers pages of this report.
func sameResource(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) && a.EscapedPath() == b.EscapedPath()
}
