package evolux

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

const uploadOperation = "upload Evolux campaign subscribers"

// uploadBytes bounds one upload, well under the documented 50 MB so that it also goes up within the
// documented 30 s on a slow link (a variable for tests).
var uploadBytes = 8 << 20

// NewSubscriber is one row of an upload; Phone is digits.
type NewSubscriber struct {
	Phone      string
	Name       string
	Parameters []string
	Fields     map[string]string // custom data, a column each
}

// Uploaded is what became of an Insert: Sent were in uploads answered 2xx; Unsure were in the upload whose
// outcome is unknown (it may have been processed); the rest were never sent. Err is why it stopped.
type Uploaded struct {
	Sent, Unsure []string
	Err          error
}

// Insert uploads subs to a campaign as CSV, in order, in uploads of at most uploadBytes, one at a time,
// and stops at the first that fails: an upload is never repeated once it may have been processed.
func (c *Client) Insert(ctx context.Context, campaignUUID string, subs []NewSubscriber) (done Uploaded) {
	l := layoutOf(subs)
	for start := 0; start < len(subs); {
		body, contentType, end, err := encodeUpload(l, subs[start:])
		if err != nil {
			done.Err = fmt.Errorf("%s: %w", uploadOperation, err)
			return done
		}
		phones := make([]string, 0, end)
		for _, s := range subs[start : start+end] {
			phones = append(phones, s.Phone)
		}
		request := &client.Request{Operation: uploadOperation, Method: http.MethodPost,
			Path: CampaignSubscribersPath(campaignUUID), Header: c.authorization(),
			Body: client.Upload{ContentType: contentType, Data: body}, Policy: client.RetryOnlyIfNotProcessed}
		if _, err := c.http.Do(ctx, request); err != nil {
			if client.MayHaveBeenProcessed(err) {
				done.Unsure = phones
			}
			done.Err = c.http.Secrets().ScrubError(err)
			return done
		}
		done.Sent = append(done.Sent, phones...)
		start += end
	}
	return done
}

// layout is an upload's columns: name, phone, the parameters, then every custom field in name order.
type layout struct {
	parameters int
	fields     []string
}

func layoutOf(subs []NewSubscriber) layout {
	fields := map[string]bool{}
	parameters := 0
	for _, s := range subs {
		parameters = max(parameters, len(s.Parameters))
		for name := range s.Fields {
			fields[name] = true
		}
	}
	return layout{parameters, slices.Sorted(maps.Keys(fields))}
}

func (l layout) header() []string {
	columns := []string{ColumnName, ColumnPhone}
	for i := range l.parameters {
		columns = append(columns, ColumnParameter+strconv.Itoa(i+1))
	}
	return append(columns, l.fields...)
}

func (l layout) row(s NewSubscriber, row []string) []string {
	row = append(append(row[:0], s.Name, s.Phone), s.Parameters...)
	for range l.parameters - len(s.Parameters) { // none has more: l is of every upload's subscribers
		row = append(row, "")
	}
	for _, name := range l.fields {
		row = append(row, s.Fields[name])
	}
	return row
}

// encodeUpload is one multipart body holding the first n of subs (at least one) as RFC 4180 CSV in UTF-8.
func encodeUpload(l layout, subs []NewSubscriber) (body []byte, contentType string, n int, err error) {
	var buf bytes.Buffer
	form := multipart.NewWriter(&buf)
	header := textproto.MIMEHeader{}
	header.Set("Content-Disposition", `form-data; name="`+FormFile+`"; filename="subscribers.csv"`)
	header.Set("Content-Type", CSVMediaType+"; charset=utf-8")
	part, err := form.CreatePart(header)
	if err != nil {
		return nil, "", 0, err
	}
	rows := csv.NewWriter(part) // its errors (none, into a bytes.Buffer) are kept for rows.Error
	rows.UseCRLF = true
	_ = rows.Write(l.header())
	var row []string
	for ; n < len(subs); n++ {
		mark := buf.Len()
		row = l.row(subs[n], row)
		_ = rows.Write(row)
		if rows.Flush(); n > 0 && buf.Len() > uploadBytes {
			buf.Truncate(mark) // this row starts the next upload
			break
		}
	}
	if err := cmp.Or(rows.Error(), form.Close()); err != nil {
		return nil, "", 0, err
	}
	return buf.Bytes(), form.FormDataContentType(), n, nil
}

func (c *Client) authorization() http.Header {
	return http.Header{HeaderAuthorization: {"Bearer " + c.token}}
}

// Audience reads the campaign's report once and hands fn the state of each of phones it shows (the
// configured spelling, "" when the record has no state); a record of another campaign is not counted.
func (c *Client) Audience(ctx context.Context, campaignUUID string, phones *Phones, fn func(phone, state string)) error {
	return c.Read(ctx, Filter{Campaigns: []string{campaignUUID}}, func(records []Subscriber) error {
		for _, r := range records {
			if r.PhoneNumber == nil || r.CampaignUUID != nil && !strings.EqualFold(*r.CampaignUUID, campaignUUID) {
				continue
			}
			phone, err := phones.Match(*r.PhoneNumber)
			if err != nil {
				return fmt.Errorf("%s: %w", operation, err)
			}
			if phone != "" {
				fn(phone, *cmp.Or(r.State, new(string)))
			}
		}
		return nil
	})
}

// Waiting for an upload to show in the report (processing may be asynchronous): reads a backoff apart, until
// every phone shows, the context ends, or awaitQuiet passes with no phone appearing (variables for tests).
var (
	awaitFirst, awaitMax = 250 * time.Millisecond, 5 * time.Second
	awaitQuiet           = time.Minute
)

// Await reads the campaign's report until it shows each of want, handing fn every phone it shows on each
// read, as Audience does; missing are those of want it never showed.
func (c *Client) Await(ctx context.Context, campaignUUID string, phones *Phones, want []string,
	fn func(phone, state string)) (missing []string, err error) {
	pending := map[string]bool{}
	for _, phone := range want {
		pending[phone] = true
	}
	progress := c.http.Now()
	for wait := awaitFirst; ; wait = min(2*wait, awaitMax) {
		before := len(pending)
		err = c.Audience(ctx, campaignUUID, phones, func(phone, state string) {
			delete(pending, phone)
			fn(phone, state)
		})
		now := c.http.Now()
		if len(pending) < before {
			progress = now
		}
		if err != nil || len(pending) == 0 || now.Sub(progress) >= awaitQuiet {
			break
		}
		if c.http.Sleep(ctx, wait); ctx.Err() != nil {
			break // the deadline ends the wait: those left are unconfirmed, not an error
		}
	}
	return slices.Sorted(maps.Keys(pending)), err
}
