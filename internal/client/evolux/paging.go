package evolux

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// prediction is a guess at the URLs of the pages after the first, made from
// whatever the first answer offers: a page number or an offset in its next
// URL, with a record total and a page size, or a last-page URL, telling how
// many pages follow. It is only a guess: a predicted page is kept only when
// the page before it named exactly that URL as its next, so the pages kept
// are the ones following the links would have read (reading.predicted).
type prediction struct {
	next  *url.URL // page 1's URL (the first page is page 0) as the server wrote it
	param string   // the query parameter that numbers pages
	first int64    // its value for page 0
	step  int64    // its increase from one page to the next
	pages int      // pages in all, the first included; unknownPages when nothing tells
	size  int64    // records on a full page; 0 when unknown
}

const unknownPages = -1

// url is page i's URL (i >= 1). The arithmetic cannot overflow: predict
// checked first + step*maxPages.
func (p *prediction) url(i int) *url.URL {
	u := *p.next
	query := u.Query()
	query.Set(p.param, strconv.FormatInt(p.first+int64(i)*p.step, 10))
	u.RawQuery = query.Encode()
	return &u
}

// predict reads the first page's answer for a prediction; nil means none
// can be made and the next URL is followed page by page. An error means the
// report is larger than any read may be.
func predict(requested *url.URL, first page, next *url.URL) (*prediction, error) {
	if next == nil || !sameResource(requested, next) {
		return nil, nil
	}
	records := int64(len(first.records))
	param, nextValue, ok := pagingParam(requested.Query(), next.Query())
	if !ok {
		return nil, nil
	}
	p := &prediction{next: next, param: param, pages: unknownPages}
	if value, err := strconv.ParseInt(requested.Query().Get(param), 10, 64); err == nil && value >= 0 {
		p.first = value
	} else if isOffset(param, nextValue, records) {
		p.first = 0
	} else {
		p.first = nextValue - 1
	}
	p.step = nextValue - p.first
	if p.step <= 0 || p.first < 0 || p.step > (math.MaxInt64-p.first)/maxPages {
		return nil, nil // a sequence no server numbers its pages by, or one that would overflow
	}
	// A page followed by another is full, so its record count is the page
	// size, whatever the envelope claims (a server may cap what was asked).
	switch {
	case records > 0:
		p.size = records
	case first.pagination.hasPerPage:
		p.size = first.pagination.perPage
	}

	if pages, ok := p.pagesToLast(first.pagination.lastURL); ok {
		p.pages = pages
	} else if first.pagination.hasTotal && p.size > 0 {
		perPage := p.size
		if p.step > 1 { // offsets: each page moves by step records
			perPage = p.step
		}
		if first.pagination.total/perPage >= maxPages {
			return nil, fmt.Errorf("the report has %d records in pages of %d, more than %d pages; narrow the filter",
				first.pagination.total, perPage, maxPages)
		}
		p.pages = int((first.pagination.total + perPage - 1) / perPage)
	}
	if p.pages != unknownPages && p.pages < 2 {
		return nil, nil // the envelope says this was the last page, but a next URL came: follow it
	}
	return p, nil
}

// pagesToLast counts the pages up to the last-page URL when it is this
// query's URL with the paging parameter on the same sequence.
func (p *prediction) pagesToLast(last string) (int, bool) {
	if last == "" {
		return 0, false
	}
	u, err := p.next.Parse(last)
	if err != nil || !sameResource(p.next, u) {
		return 0, false
	}
	value, err := strconv.ParseInt(u.Query().Get(p.param), 10, 64)
	if err != nil || value < p.first || (value-p.first)%p.step != 0 || (value-p.first)/p.step >= maxPages {
		return 0, false
	}
	return int((value-p.first)/p.step) + 1, true
}

// pagingParam finds the query parameter that numbers pages: an integer in
// the next URL's query that the request did not have, or had with another
// value. Names break ties: a known page or offset name first, never a
// known page-size name while another candidate remains.
func pagingParam(requested, next url.Values) (string, int64, bool) {
	var candidates []string
	for name, values := range next {
		if len(values) != 1 {
			continue
		}
		value, err := strconv.ParseInt(values[0], 10, 64)
		if err != nil || value < 0 {
			continue
		}
		if before, ok := requested[name]; ok && len(before) == 1 && before[0] == values[0] {
			continue
		}
		candidates = append(candidates, name)
	}
	pick := func(names []string) (string, bool) {
		for _, name := range names {
			if slices.Contains(candidates, name) {
				return name, true
			}
		}
		return "", false
	}
	name, ok := pick(PageQueryNames)
	if !ok {
		name, ok = pick(OffsetQueryNames)
	}
	if !ok {
		var others []string
		for _, candidate := range candidates {
			if !slices.Contains(SizeQueryNames, candidate) {
				others = append(others, candidate)
			}
		}
		if len(others) != 1 {
			return "", 0, false // nothing, or several unknown numbers: no guess
		}
		name, ok = others[0], true
	}
	value, _ := strconv.ParseInt(next.Get(name), 10, 64)
	return name, value, ok
}

// isOffset tells a parameter that counts records (offset=50) from one that
// counts pages (page=2), when the request did not show its first value.
func isOffset(param string, nextValue, records int64) bool {
	switch {
	case slices.Contains(OffsetQueryNames, param):
		return true
	case slices.Contains(PageQueryNames, param):
		return false
	}
	return records > 1 && nextValue == records
}

// sameResource is true when b is on a's origin and path: a prediction only
// ever numbers pages of the report that was asked for.
func sameResource(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) && a.EscapedPath() == b.EscapedPath()
}
