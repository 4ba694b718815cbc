package emulator

import (
	"bufio"
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
	phone      string
	nameLower  string
	state      string
	template   string   // lower case
	campaigns  []string // lower case
	start, end *time.Time
	fieldKey   string
	fieldValue string
	loc        *time.Location
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
	if t := q.Get(evolux.QueryTemplateUUID); t != "" {
		if !uuidPattern.MatchString(t) {
			errs = append(errs, fmt.Errorf("invalid %s %q: not a UUID", evolux.QueryTemplateUUID, t))
		}
		f.template = strings.ToLower(t)
	}
	for _, c := range q[evolux.QueryCampaigns] {
		if c == "" {
			continue
		}
		if !uuidPattern.MatchString(c) {
			errs = append(errs, fmt.Errorf("invalid %s %q: not a UUID", evolux.QueryCampaigns, c))
		}
		f.campaigns = append(f.campaigns, strings.ToLower(c))
	}
	tz := q.Get(evolux.QueryTimezone)
	if tz == "" {
		tz = evolux.DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		errs = append(errs, fmt.Errorf("invalid %s %q: unknown time zone", evolux.QueryTimezone, tz))
		loc = time.UTC
	}
	f.loc = loc
	for _, bound := range []struct {
		name string
		dst  **time.Time
	}{{evolux.QueryStart, &f.start}, {evolux.QueryEnd, &f.end}} {
		v := q.Get(bound.name)
		if v == "" {
			continue
		}
		t, err := parseInstant(v, loc)
		if err != nil {
			errs = append(errs, fmt.Errorf("invalid %s %q: not an ISO 8601 date", bound.name, v))
			continue
		}
		*bound.dst = &t
	}
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

func (f subscriberFilter) key() string {
	bound := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return strconv.FormatInt(t.UnixNano(), 10)
	}
	return strings.Join([]string{f.phone, f.nameLower, f.state, f.template, strings.Join(f.campaigns, ","),
		bound(f.start), bound(f.end), f.fieldKey, f.fieldValue}, "\x00")
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
	if f.fieldKey != "" {
		v, ok := s.field(f.fieldKey)
		return ok && v == f.fieldValue
	}
	return true
}

func (e *Emulator) evoluxAuthorized(r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get(evolux.HeaderAuthorization), " ")
	return strings.EqualFold(scheme, "bearer") && secretEqual(strings.TrimSpace(token), e.evoluxToken)
}

// subscribersReport serves the report, encoded record by record, never built whole.
func (e *Emulator) subscribersReport(w http.ResponseWriter, r *http.Request, _ pathParams) {
	if !e.evoluxAuthorized(r) {
		writeEvoluxError(w, http.StatusUnauthorized, messageInvalidToken)
		return
	}
	q := r.URL.Query()
	f, err := parseSubscriberFilter(q)
	if err != nil {
		writeEvoluxError(w, http.StatusBadRequest, strings.ReplaceAll(err.Error(), "\n", "; "))
		return
	}
	e.mu.Lock()
	shape, perPage, paging := e.evoluxShape, e.pageSize, e.evoluxPaging
	e.mu.Unlock()
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
