package evolux

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Subscriber is one record, its shape undocumented: fields optional, substrings of Raw where possible.
type Subscriber struct {
	Name         *string
	PhoneNumber  *string
	State        *string
	CampaignUUID *string
	TemplateUUID *string
	CreatedAt    *string
	Raw          string // the record's JSON text, as the server sent it
}

// DecodeRecord decodes one record tolerantly: a missing or unusable field is nil, never an error.
func DecodeRecord(raw []byte) Subscriber {
	if !json.Valid(raw) {
		return Subscriber{Raw: string(raw)}
	}
	return decodeRecord(string(raw))
}

// recordFields name Subscriber's six fields, then the objects (or texts) holding a UUID instead.
var recordFields = [8]string{FieldName, FieldPhoneNumber, FieldState, FieldCampaignUUID, FieldTemplateUUID,
	FieldCreatedAt, FieldCampaign, FieldTemplate}

// decodeRecord is DecodeRecord of valid JSON: one scan, the last of duplicates, one allocation.
func decodeRecord(text string) Subscriber {
	s := Subscriber{Raw: text}
	var values [len(recordFields)]string
	walk(text, '{', func(key string, start, end int) bool {
		if i := slices.Index(recordFields[:], memberName(key)); i >= 0 {
			values[i] = text[start:end]
		}
		return true
	})
	var texts *[6]string // allocated at the first field found
	for i, field := range [6]**string{&s.Name, &s.PhoneNumber, &s.State, &s.CampaignUUID, &s.TemplateUUID, &s.CreatedAt} {
		value, ok := client.ScalarText(values[i])
		if !ok && (i == 3 || i == 4) {
			nested := values[i+3]
			if value, ok = client.ScalarText(nested); !ok {
				walk(nested, '{', func(key string, start, end int) bool {
					if memberName(key) == FieldUUID {
						value, ok = client.ScalarText(nested[start:end])
					}
					return true
				})
			}
		}
		if ok {
			if texts == nil {
				texts = new([6]string)
			}
			texts[i], *field = value, &texts[i]
		}
	}
	return s
}

// walk calls fn per member or element (key quoted, "" in arrays) until false; false if text is no such open.
func walk(text string, open byte, fn func(key string, start, end int) bool) bool {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != open {
		return false
	}
	if i = skipSpace(text, i+1); open == '[' && i < len(text) && text[i] == ']' {
		return true // empty
	}
	for {
		key := ""
		if open == '{' {
			if i >= len(text) || text[i] != '"' {
				return true
			}
			keyEnd := stringEnd(text, i)
			key, i = text[i:keyEnd], skipSpace(text, skipSpace(text, keyEnd)+1) // past the colon
		}
		end := valueEnd(text, i)
		if !fn(key, i, end) {
			return true
		}
		if i = skipSpace(text, end); i >= len(text) || text[i] != ',' {
			return true
		}
		i = skipSpace(text, i+1)
	}
}

// memberName is a key without its quotes, unescaped when it has escapes.
func memberName(key string) string {
	if !strings.ContainsRune(key, '\\') {
		return key[1 : len(key)-1]
	}
	var name string
	_ = json.Unmarshal([]byte(key), &name)
	return name
}

func skipSpace(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the JSON string that starts at i.
func stringEnd(text string, i int) int {
	for i++; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(text)
}

// valueEnd is the index after the JSON value that starts at i.
func valueEnd(text string, i int) int {
	if i >= len(text) {
		return i
	}
	switch text[i] {
	case '"':
		return stringEnd(text, i)
	case '{', '[':
		depth := 0
		for ; i < len(text); i++ {
			switch text[i] {
			case '"':
				i = stringEnd(text, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(text)
	}
	for ; i < len(text) && strings.IndexByte(",}] \t\n\r", text[i]) < 0; i++ {
	}
	return i
}

// page is one decoded answer of the report.
type page struct {
	records    []Subscriber
	pagination pagination
}

// pagination is what the envelope says of its paging, each field optional.
type pagination struct {
	nextURL, lastURL     string // nextURL is "" after the last page
	total, perPage       int64  // records over every page; on a page
	hasTotal, hasPerPage bool
}

// decodePage decodes one answer, an array of records or an envelope, checked once; every Raw shares its text.
func decodePage(r io.Reader) (page, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return page{}, fmt.Errorf("read answer: %w", err)
	}
	text := string(body)
	if !json.Valid(body) {
		err := json.Unmarshal(body, new(json.RawMessage))
		offset := 0
		if syntax, ok := errors.AsType[*json.SyntaxError](err); ok {
			offset = int(syntax.Offset)
		}
		return page{}, fmt.Errorf("%s: %w", brokenAt(text, offset), err)
	}
	switch text = text[skipSpace(text, 0):]; text[0] {
	case '[':
		return page{records: decodeElements(text)}, nil
	case '{':
		return decodeEnvelope(text)
	}
	return page{}, fmt.Errorf("expected a JSON array of records or an object with %q", FieldData)
}

// brokenAt names the record of an array, or the member of an envelope, around offset.
func brokenAt(text string, offset int) string {
	where, n := "read answer", 0
	stop := func(key string, _, end int) bool {
		if n++; end < offset {
			return true
		}
		if where = "read " + key; key == "" {
			where = fmt.Sprintf("read record %d", n)
		}
		return false
	}
	_ = walk(text, '[', stop) || walk(text, '{', stop)
	return where
}

func decodeElements(array string) (records []Subscriber) {
	walk(array, '[', func(_ string, start, end int) bool {
		records = append(records, decodeRecord(array[start:end]))
		return true
	})
	return records
}

// decodeEnvelope decodes a valid object: records under the first of RecordsFields, paging fields (wire.go).
func decodeEnvelope(object string) (page, error) {
	var result page
	var err error
	rank := len(RecordsFields)                                          // of the member the records came from
	sources := make([]map[string]json.RawMessage, len(PagingObjects)+1) // the last: the top level
	sources[len(PagingObjects)] = map[string]json.RawMessage{}
	walk(object, '{', func(rawKey string, start, end int) bool {
		key, value := memberName(rawKey), object[start:end]
		r, index := slices.Index(RecordsFields, key), slices.Index(PagingObjects, key)
		switch {
		case r >= 0 && r <= rank && (value[0] == '[' || value[0] == 'n'):
			result.records, rank = decodeElements(value), r
		case key == FieldData:
			err = fmt.Errorf("%q is not an array", FieldData)
		case index >= 0:
			var fields map[string]json.RawMessage
			if json.Unmarshal([]byte(value), &fields) == nil {
				sources[index] = fields
			} else if key == FieldPagination { // a "meta" or "links" of another shape says nothing of paging
				err = fmt.Errorf("%q is not an object", FieldPagination)
			}
		case slices.Contains(pagingFields, key):
			sources[len(PagingObjects)][key] = json.RawMessage(value)
		}
		return err == nil
	})
	if err == nil && rank == len(RecordsFields) {
		err = errNoRecords // not a report, never an empty one
	}
	if err != nil {
		return page{}, err
	}
	result.pagination, err = decodePagination(sources)
	return result, err
}

var (
	errNoRecords = fmt.Errorf("the answer is a JSON object without records: none of %q", RecordsFields)
	pagingFields = slices.Concat(NextURLFields, LastURLFields, TotalFields, PageSizeFields)
)

// decodePagination reads each field from the first source that has it; a next link not a URL is an error, never the end.
func decodePagination(sources []map[string]json.RawMessage) (p pagination, err error) {
	var name string
	find := func(names []string) json.RawMessage {
		for _, fields := range sources {
			for _, name = range names {
				if raw, ok := fields[name]; ok {
					return raw
				}
			}
		}
		return nil
	}
	var ok bool
	if p.nextURL, ok = linkText(find(NextURLFields)); !ok {
		return pagination{}, fmt.Errorf("the answer's %s is not a URL", name)
	}
	p.lastURL, _ = linkText(find(LastURLFields)) // only a hint: verified before use
	p.total, p.hasTotal = integer(find(TotalFields), 0)
	p.perPage, p.hasPerPage = integer(find(PageSizeFields), 1)
	return p, nil
}

// linkText reads a link: a string, null or absent (no link), or an object with "href" (JSON:API).
func linkText(raw json.RawMessage) (string, bool) {
	var text string
	if raw == nil || json.Unmarshal(raw, &text) == nil {
		return text, true
	}
	var object map[string]json.RawMessage
	ok := json.Unmarshal(raw, &object) == nil && object["href"] != nil && json.Unmarshal(object["href"], &text) == nil
	return text, ok
}

// integer reads a JSON number or a numeric string, none below least.
func integer(raw json.RawMessage, least int64) (int64, bool) {
	text, ok := client.ScalarText(string(raw))
	value, err := strconv.ParseInt(text, 10, 64)
	return value, ok && err == nil && value >= least
}
