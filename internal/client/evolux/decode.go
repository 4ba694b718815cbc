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

// Indexes of the record fields read into a Subscriber.
const (
	fieldName = iota
	fieldPhoneNumber
	fieldState
	fieldCampaignUUID
	fieldCampaign
	fieldTemplateUUID
	fieldTemplate
	fieldCreatedAt
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
	isObject := eachMember(text, func(key, value string) {
		if index, ok := recordFields[memberName(key)]; ok {
			values[index] = value
		}
	})
	if !isObject {
		return subscriber
	}
	var texts [6]string
	var found [6]bool
	texts[0], found[0] = scalarText(values[fieldName])
	texts[1], found[1] = scalarText(values[fieldPhoneNumber])
	texts[2], found[2] = scalarText(values[fieldState])
	texts[3], found[3] = uuidOf(values[fieldCampaignUUID], values[fieldCampaign])
	texts[4], found[4] = uuidOf(values[fieldTemplateUUID], values[fieldTemplate])
	texts[5], found[5] = scalarText(values[fieldCreatedAt])
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

// uuidOf reads flat, else nested as a scalar or as an object's uuid.
func uuidOf(flat, nested string) (string, bool) {
	if value, ok := scalarText(flat); ok {
		return value, true
	}
	if value, ok := scalarText(nested); ok {
		return value, true
	}
	var uuid string
	eachMember(nested, func(key, value string) {
		if memberName(key) == FieldUUID {
			uuid = value
		}
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

// eachMember calls fn with the key (quotes included) and the value of each
// member of the JSON object in text, which must be valid JSON; it reports
// whether text is an object at all.
func eachMember(text string, fn func(key, value string)) bool {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return false
	}
	for i = skipSpace(text, i+1); i < len(text) && text[i] == '"'; {
		keyEnd := stringEnd(text, i)
		key := text[i:keyEnd]
		i = skipSpace(text, skipSpace(text, keyEnd)+1) // past the colon
		valueEnd := valueEnd(text, i)
		fn(key, text[i:valueEnd])
		i = skipSpace(text, valueEnd)
		if i >= len(text) || text[i] != ',' {
			break
		}
		i = skipSpace(text, i+1)
	}
	return true
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
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '[' && text[i] != '{' {
		return "read answer"
	}
	array := text[i] == '['
	for n := 1; ; n++ {
		i = skipSpace(text, i+1) // past the bracket or the comma
		key := ""
		if !array {
			if i >= len(text) || text[i] != '"' {
				break
			}
			end := stringEnd(text, i)
			key, i = text[i:end], skipSpace(text, skipSpace(text, end)+1) // past the colon
		}
		end := valueEnd(text, i)
		switch {
		case end >= offset && array:
			return fmt.Sprintf("read record %d", n)
		case end >= offset:
			return "read " + key
		}
		if i = skipSpace(text, end); i >= len(text) || text[i] != ',' {
			break
		}
	}
	return "read answer"
}

// decodeElements decodes the records of a valid JSON array.
func decodeElements(array string) []Subscriber {
	var records []Subscriber
	for i := skipSpace(array, 1); i < len(array) && array[i] != ']'; {
		end := valueEnd(array, i)
		records = append(records, decodeRecord(array[i:end]))
		i = skipSpace(array, end)
		if i < len(array) && array[i] == ',' {
			i = skipSpace(array, i+1)
		}
	}
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
	eachMember(object, func(rawKey, value string) {
		key := memberName(rawKey)
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
		} else if isPagingField(key) {
			sources[len(PagingObjects)][key] = json.RawMessage(value)
		}
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

func isPagingField(key string) bool {
	for _, names := range [][]string{NextURLFields, LastURLFields, TotalFields, PageSizeFields} {
		if slices.Contains(names, key) {
			return true
		}
	}
	return false
}

// decodePagination reads the paging fields from the first source that has
// each. A next URL that is null or absent means the last page; one that is
// not a URL is an error, which must not pass for the last page and cut the
// report short.
func decodePagination(sources []map[string]json.RawMessage) (pagination, error) {
	find := func(names []string) (string, json.RawMessage, bool) {
		for _, fields := range sources {
			for _, name := range names {
				if raw, ok := fields[name]; ok {
					return name, raw, true
				}
			}
		}
		return "", nil, false
	}
	var result pagination
	if name, raw, ok := find(NextURLFields); ok {
		next, valid := linkText(raw)
		if !valid {
			return pagination{}, fmt.Errorf("the answer's %s is not a URL", name)
		}
		result.nextURL = next
	}
	if _, raw, ok := find(LastURLFields); ok {
		result.lastURL, _ = linkText(raw) // only a hint: verified before use
	}
	if _, raw, ok := find(TotalFields); ok {
		result.total, result.hasTotal = integer(raw)
		result.hasTotal = result.hasTotal && result.total >= 0
	}
	if _, raw, ok := find(PageSizeFields); ok {
		result.perPage, result.hasPerPage = integer(raw)
		result.hasPerPage = result.hasPerPage && result.perPage > 0
	}
	return result, nil
}

// linkText reads a link: a string, null (no link), or an object with
// "href" (JSON:API's links); anything else is not a link.
func linkText(raw json.RawMessage) (string, bool) {
	var text *string
	if json.Unmarshal(raw, &text) == nil {
		if text == nil {
			return "", true
		}
		return *text, true
	}
	var object map[string]json.RawMessage
	_ = json.Unmarshal(raw, &object)
	if href, ok := object["href"]; ok {
		var link *string
		if json.Unmarshal(href, &link) == nil {
			if link == nil {
				return "", true
			}
			return *link, true
		}
	}
	return "", false
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
