package emulator

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

const messageInvalidToken = "Invalid or missing token"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// subscriberFilter is a validated subscribers query; empty values count as absent.
type subscriberFilter struct {
	phone, nameLower, state string
	template                string   // lower case
	campaigns               []string // lower case
	start, end              *time.Time
	fieldKey, fieldValue    string
	loc                     *time.Location
}

func parseSubscriberFilter(q url.Values) (subscriberFilter, error) {
	f := subscriberFilter{
		phone:      q.Get(evolux.QueryPhoneNumber),
		nameLower:  strings.ToLower(q.Get(evolux.QueryName)),
		state:      q.Get(evolux.QueryState),
		fieldKey:   q.Get(evolux.QueryConversationFieldKey),
		fieldValue: q.Get(evolux.QueryConversationFieldValue),
	}
	var errs []error
	if f.state != "" && !slices.Contains(evolux.States, f.state) {
		errs = append(errs, fmt.Errorf("invalid %s %q: must be one of %s", evolux.QueryState, f.state, strings.Join(evolux.States, ", ")))
	}
	uuids := func(name string, values ...string) (lower []string) {
		for _, v := range values {
			if v != "" && !uuidPattern.MatchString(v) {
				errs = append(errs, fmt.Errorf("invalid %s %q: not a UUID", name, v))
			}
			if v != "" {
				lower = append(lower, strings.ToLower(v))
			}
		}
		return lower
	}
	f.template = strings.Join(uuids(evolux.QueryTemplateUUID, q.Get(evolux.QueryTemplateUUID)), "")
	f.campaigns = uuids(evolux.QueryCampaigns, q[evolux.QueryCampaigns]...)
	tz := cmp.Or(q.Get(evolux.QueryTimezone), evolux.DefaultTimezone)
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		errs = append(errs, fmt.Errorf("invalid %s %q: unknown time zone", evolux.QueryTimezone, tz))
		loc = time.UTC
	}
	f.loc = loc
	bound := func(name string) *time.Time { // nil when absent or bad
		v := q.Get(name)
		t, err := parseInstant(v, loc)
		if v != "" && err != nil {
			errs = append(errs, fmt.Errorf("invalid %s %q: not an ISO 8601 date", name, v))
		}
		if v == "" || err != nil {
			return nil
		}
		return &t
	}
	f.start, f.end = bound(evolux.QueryStart), bound(evolux.QueryEnd)
	if f.start != nil && f.end != nil && f.start.After(*f.end) {
		errs = append(errs, fmt.Errorf("%s must not be after %s", evolux.QueryStart, evolux.QueryEnd))
	}
	if (f.fieldKey == "") != (f.fieldValue == "") {
		errs = append(errs, fmt.Errorf("%s and %s must be given together", evolux.QueryConversationFieldKey, evolux.QueryConversationFieldValue))
	}
	return f, errors.Join(errs...)
}

// parseInstant reads an ISO 8601 date; one without an offset is in the query's time zone.
func parseInstant(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not an ISO 8601 date")
}

// key tells filters apart for the cache (the time zone only changes how records are shown).
func (f subscriberFilter) key() string {
	return fmt.Sprintf("%q %q %q %q %q %v %v %q %q", f.phone, f.nameLower, f.state, f.template, f.campaigns,
		f.start, f.end, f.fieldKey, f.fieldValue)
}

func (f subscriberFilter) match(s *subscriber) bool {
	switch {
	case f.phone != "" && s.phone != f.phone,
		f.nameLower != "" && !strings.Contains(strings.ToLower(s.name), f.nameLower),
		f.state != "" && s.state != f.state,
		f.template != "" && !strings.EqualFold(s.templateUUID, f.template),
		len(f.campaigns) > 0 && !slices.Contains(f.campaigns, strings.ToLower(s.campaignUUID)),
		(f.start != nil || f.end != nil) && !s.hasCreatedAt,
		f.start != nil && s.createdAt.Before(*f.start),
		f.end != nil && s.createdAt.After(*f.end):
		return false
	}
	if f.fieldKey == "" {
		return true // most reads: no search
	}
	i := slices.IndexFunc(s.fields, func(c conversationField) bool { return c.key == f.fieldKey }) // the first of its key
	return i >= 0 && s.fields[i].value == f.fieldValue
}

// serve runs rt's handler; every Evolux route first checks the bearer token.
func (rt *route) serve(e *Emulator, w http.ResponseWriter, r *http.Request, p pathParams) {
	scheme, token, _ := strings.Cut(r.Header.Get(evolux.HeaderAuthorization), " ")
	bearer := strings.EqualFold(scheme, "bearer") && secretEqual(strings.TrimSpace(token), e.evoluxToken)
	if rt.service == serviceEvolux && !bearer {
		writeEvoluxError(w, http.StatusUnauthorized, messageInvalidToken)
		return
	}
	rt.handle(e, w, r, p)
}

// subscribersReport serves the report, encoded record by record, never built whole.
func (e *Emulator) subscribersReport(w http.ResponseWriter, r *http.Request, _ pathParams) {
	q := r.URL.Query()
	f, err := parseSubscriberFilter(q)
	if err != nil {
		writeEvoluxError(w, http.StatusBadRequest, strings.ReplaceAll(err.Error(), "\n", "; "))
		return
	}
	shape, perPage, paging := *e.evoluxShape.Load(), e.pageSize, *e.evoluxPaging.Load()
	dialect := pagingDialects[paging]
	lo, limit := 0, perPage
	if shape == ShapeEnvelope {
		if lo, limit, err = dialect.window(q, perPage); err != nil {
			writeEvoluxError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	records, matches := e.subscribers.query(f)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	out := bufio.NewWriterSize(w, 32<<10)
	defer func() { _ = out.Flush() }() // a client gone mid-answer is not the emulator's error
	var echo []byte
	if e.dialects[DialectEchoCredentials] {
		echo = requestEcho(r, evolux.HeaderAuthorization)
	}
	if shape == ShapeArray {
		writeRecords(out, records, matches, f.loc, echo)
		return
	}
	total := len(matches)
	lo = min(lo, total)
	hi := min(lo+limit, total)
	buf := appendJSONString([]byte{'{'}, dialect.records)
	_, _ = out.Write(append(buf, ':'))
	writeRecords(out, records, matches[lo:hi], f.loc, echo)
	members, _ := dialect.fields(paging, r, lo, hi, limit, total).MarshalJSON() // an object of scalars always encodes
	members[0] = ','
	_, _ = out.Write(members) // the members' closing brace closes the envelope
}

// writeRecords writes the records of matches, each with echo as its "request" unless nil.
func writeRecords(out *bufio.Writer, records []subscriber, matches []int32, loc *time.Location, echo []byte) {
	_ = out.WriteByte('[')
	buf := make([]byte, 0, 512)
	for i, idx := range matches {
		if i > 0 {
			_ = out.WriteByte(',')
		}
		if buf = records[idx].appendJSON(buf[:0], loc); echo != nil {
			buf = withEcho(buf, echo)
		}
		_, _ = out.Write(buf)
	}
	_ = out.WriteByte(']')
}

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
	if v := q.Get(d.size); d.size != "" && v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fmt.Errorf("invalid %s %q: must be a positive integer", d.size, v)
		}
	}
	limit = min(limit, evolux.MaxPageSize)
	v := q.Get(d.param)
	if v == "" {
		return 0, limit, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case d.cursor:
		n, err := strconv.ParseInt(strings.TrimPrefix(v, cursorPrefix), 36, 64)
		if !strings.HasPrefix(v, cursorPrefix) || err != nil || n < 0 || n > 1<<31 {
			return 0, 0, fmt.Errorf("invalid %s %q", d.param, v)
		}
		return int(n), limit, nil
	case d.offset && (err != nil || n < 0):
		return 0, 0, fmt.Errorf("invalid %s %q: must be a non-negative integer", d.param, v)
	case d.offset:
		return n, limit, nil
	case err != nil || n < 1 || n > 1<<31/limit:
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
	last := d.link(r, max(total-1, 0)/limit*limit, limit) // the page of the last record, the first when none
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
	scheme, host := "http", cmp.Or(r.Host, "localhost")
	if r.TLS != nil {
		scheme = "https"
	}
	parts := slices.DeleteFunc(strings.Split(r.URL.RawQuery, "&"), func(part string) bool {
		key, _, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(key)
		return part == "" || err == nil && k == param
	})
	parts = append(parts, url.QueryEscape(param)+"="+url.QueryEscape(value))
	return scheme + "://" + host + r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}
