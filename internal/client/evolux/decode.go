package evolux

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Subscriber is one record of the subscribers report. The record shape is
// undocumented, so every field is optional and Raw keeps the whole record.
// The fields are substrings of Raw wherever the JSON allows it, so a
// record costs little more than its text: a report can hold 100,000.
type Subscriber struct {
	Name         *string
	PhoneNumber  *string
	State        *string
	CampaignUUID *string
	TemplateUUID *string
	CreatedAt    *string
	Raw          string // the record's JSON text, as the server sent it
}

// DecodeRecord decodes one record tolerantly: a missing or unusable field is
// nil, never an error. The campaign UUID comes from campaign_uuid, or
// campaign.uuid, or campaign when it is a string; the template likewise.
// Numbers are kept as their JSON text. Raw is raw itself.
func DecodeRecord(raw []byte) Subscriber {
	if !json.Valid(raw) {
		return Subscriber{Raw: string(raw)}
	}
	return decodeRecord(string(raw))
}

// Indexes of the record fields read into a Subscriber: its six fields in
// order, then the objects that may hold the campaign's and template's UUID.
const (
	fieldName = iota
	fieldPhoneNumber
	fieldState
	fieldCampaignUUID
	fieldTemplateUUID
	fieldCreatedAt
	fieldCampaign
	fieldTemplate
	fieldCount
)

// recordFields maps the wire names to the indexes above.
var recordFields = map[string]int{
	FieldName:         fieldName,
	FieldPhoneNumber:  fieldPhoneNumber,
	FieldState:        fieldState,
	FieldCampaignUUID: fieldCampaignUUID,
	FieldCampaign:     fieldCampaign,
	FieldTemplateUUID: fieldTemplateUUID,
	FieldTemplate:     fieldTemplate,
	FieldCreatedAt:    fieldCreatedAt,
}

// decodeRecord is DecodeRecord for text that is known to be valid JSON (the
// page decoder has checked it). It scans the record once, keeps the raw
// value of each field it knows (the last one, as encoding/json would), and
// allocates the six results together.
func decodeRecord(text string) Subscriber {
	subscriber := Subscriber{Raw: text}
	var values [fieldCount]string
	if !walk(text, '{', func(key string, start, end int) bool {
		if index, ok := recordFields[memberName(key)]; ok {
			values[index] = text[start:end]
		}
		return true
	}) {
		return subscriber
	}
	nested := [6]string{fieldCampaignUUID: values[fieldCampaign], fieldTemplateUUID: values[fieldTemplate]}
	var texts [6]string
	var found [6]bool
	for i := range texts {
		texts[i], found[i] = fieldText(values[i], nested[i])
	}
	if found == [6]bool{} {
		return subscriber
	}
	shared := new([6]string)
	*shared = texts
	pointers := [6]**string{&subscriber.Name, &subscriber.PhoneNumber, &subscriber.State,
		&subscriber.CampaignUUID, &subscriber.TemplateUUID, &subscriber.CreatedAt}
	for i, p := range pointers {
		if found[i] {
			*p = &shared[i]
		}
	}
	return subscriber
}

// fieldText reads flat, else nested as a scalar or as an object's uuid.
func fieldText(flat, nested string) (string, bool) {
	if value, ok := scalarText(flat); ok {
		return value, true
	}
	if value, ok := scalarText(nested); ok {
		return value, true
	}
	var uuid string
	walk(nested, '{', func(key string, start, end int) bool {
		if memberName(key) == FieldUUID {
			uuid = nested[start:end]
		}
		return true
	})
	return scalarText(uuid)
}

// scalar is a JSON string, number or boolean as text; nil for anything else.
func scalar(raw json.RawMessage) *string {
	if value, ok := scalarText(string(raw)); ok {
		return &value
	}
	return nil
}

// scalarText is scalar without the allocation of a pointer; a string
// without escapes is a substring of raw.
func scalarText(raw string) (string, bool) {
	text := strings.TrimSpace(raw)
	if text == "" {
		return "", false
	}
	switch {
	case text[0] == '"':
		// Most values have no escapes: skip the decoder.
		if len(text) >= 2 && !strings.ContainsRune(text, '\\') && utf8.ValidString(text) {
			return text[1 : len(text)-1], true
		}
		var value string
		if json.Unmarshal([]byte(text), &value) != nil {
			return "", false
		}
		return value, true
	case text == "true" || text == "false":
		return text, true
	case (text[0] == '-' || '0' <= text[0] && text[0] <= '9') && json.Valid([]byte(text)):
		return text, true
	}
	return "", false
}

// walk calls fn with the key (quotes included; "" in an array) and the
// bounds of each value of the JSON object or array (as open says) in text,
// until fn returns false; it reports whether text is one. Text need not be
// valid JSON: the walk ends where its structure breaks.
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
	for i < len(text) {
		switch text[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
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
	nextURL    string // "" after the last page
	lastURL    string
	total      int64 // records over every page
	hasTotal   bool
	perPage    int64
	hasPerPage bool
}

// decodePage decodes one answer: a bare array of records, or an envelope
// with "data" and optional paging fields. The answer (capped by the caller)
// is read whole and checked once; its records are then cut out of one
// string, so a page costs one scan and one copy of its text, and every
// record's Raw shares it. An answer that is not valid JSON is an error that
// says where it broke.
func decodePage(r io.Reader) (page, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return page{}, fmt.Errorf("read answer: %w", err)
	}
	text := string(body)
	if !json.Valid(body) {
		err := json.Unmarshal(body, new(json.RawMessage))
		var syntax *json.SyntaxError
		offset := 0
		if errors.As(err, &syntax) {
			offset = int(syntax.Offset)
		}
		return page{}, fmt.Errorf("%s: %w", brokenAt(text, offset), err)
	}
	start := skipSpace(text, 0)
	switch text[start] {
	case '[':
		return page{records: decodeElements(text[start:])}, nil
	case '{':
		return decodeEnvelope(text[start:])
	}
	return page{}, fmt.Errorf("expected a JSON array of records or an object with %q", FieldData)
}

// brokenAt names where an answer that is not valid JSON broke at offset:
// the record of an array, or the member of an envelope, around it.
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
	if !walk(text, '[', stop) {
		walk(text, '{', stop)
	}
	return where
}

// decodeElements decodes the records of a valid JSON array.
func decodeElements(array string) []Subscriber {
	var records []Subscriber
	walk(array, '[', func(_ string, start, end int) bool {
		records = append(records, decodeRecord(array[start:end]))
		return true
	})
	return records
}

// decodeEnvelope decodes a valid JSON object's text: its records under the
// most preferred of RecordsFields, its paging fields from the objects of
// PagingObjects, in that order, then from its top level. It fails at the
// first bad member.
func decodeEnvelope(object string) (page, error) {
	var (
		result      page
		recordsRank = len(RecordsFields) // the RecordsFields index the records came from
		firstErr    error
		sources     = make([]map[string]json.RawMessage, len(PagingObjects)+1) // the last: the top level
	)
	sources[len(PagingObjects)] = map[string]json.RawMessage{}
	walk(object, '{', func(rawKey string, start, end int) bool {
		key, value := memberName(rawKey), object[start:end]
		if rank := slices.Index(RecordsFields, key); rank >= 0 {
			switch {
			case firstErr != nil || rank > recordsRank: // a preferred member holds the records
			case value[0] == '[':
				result.records, recordsRank = decodeElements(value), rank
			case value[0] == 'n':
				result.records, recordsRank = nil, rank
			case key == FieldData:
				firstErr = fmt.Errorf("%q is not an array", FieldData)
			}
		} else if index := slices.Index(PagingObjects, key); index >= 0 {
			var fields map[string]json.RawMessage
			switch {
			case json.Unmarshal([]byte(value), &fields) == nil:
				sources[index] = fields
			case key == FieldPagination && firstErr == nil:
				firstErr = fmt.Errorf("%q is not an object", FieldPagination)
			} // a "meta" or "links" of another shape says nothing of paging
		} else if slices.Contains(pagingFields, key) {
			sources[len(PagingObjects)][key] = json.RawMessage(value)
		}
		return true
	})
	switch {
	case firstErr != nil:
		return page{}, firstErr
	case recordsRank == len(RecordsFields):
		return page{}, errNoRecords
	}
	var err error
	result.pagination, err = decodePagination(sources)
	return result, err
}

// errNoRecords is an envelope that holds no records under any of
// RecordsFields: not a report, never an empty one.
var errNoRecords = fmt.Errorf("the answer is a JSON object without records: none of %q", RecordsFields)

// pagingFields are the names of every paging field.
var pagingFields = slices.Concat(NextURLFields, LastURLFields, TotalFields, PageSizeFields)

// decodePagination reads the paging fields from the first source that has
// each. A next URL that is null or absent means the last page; one that is
// not a URL is an error, which must not pass for the last page and cut the
// report short.
func decodePagination(sources []map[string]json.RawMessage) (pagination, error) {
	// find is the first of names in the first source that has one; nil when
	// none has (an absent total or size is then no number).
	find := func(names []string) (string, json.RawMessage) {
		for _, fields := range sources {
			for _, name := range names {
				if raw, ok := fields[name]; ok {
					return name, raw
				}
			}
		}
		return "", nil
	}
	var result pagination
	if name, raw := find(NextURLFields); raw != nil {
		var valid bool
		if result.nextURL, valid = linkText(raw); !valid {
			return pagination{}, fmt.Errorf("the answer's %s is not a URL", name)
		}
	}
	if _, raw := find(LastURLFields); raw != nil {
		result.lastURL, _ = linkText(raw) // only a hint: verified before use
	}
	_, raw := find(TotalFields)
	result.total, result.hasTotal = integer(raw)
	result.hasTotal = result.hasTotal && result.total >= 0
	_, raw = find(PageSizeFields)
	result.perPage, result.hasPerPage = integer(raw)
	result.hasPerPage = result.hasPerPage && result.perPage > 0
	return result, nil
}

// linkText reads a link: a string, null (no link), or an object with
// "href" (JSON:API's links); anything else is not a link.
func linkText(raw json.RawMessage) (string, bool) {
	var text *string
	if json.Unmarshal(raw, &text) != nil {
		var object map[string]json.RawMessage
		if json.Unmarshal(raw, &object) != nil || object["href"] == nil || json.Unmarshal(object["href"], &text) != nil {
			return "", false
		}
	}
	if text == nil {
		return "", true
	}
	return *text, true
}

// integer reads a JSON number or a numeric string.
func integer(raw json.RawMessage) (int64, bool) {
	text := scalar(raw)
	if text == nil {
		return 0, false
	}
	value, err := strconv.ParseInt(*text, 10, 64)
	return value, err == nil
}
