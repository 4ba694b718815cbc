package evolux

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Subscriber is one record of the subscribers report. The record shape is
// undocumented, so every field is optional and Raw keeps the whole record.
type Subscriber struct {
	Name         *string
	PhoneNumber  *string
	State        *string
	CampaignUUID *string
	TemplateUUID *string
	CreatedAt    *string
	Raw          json.RawMessage
}

// DecodeRecord decodes one record tolerantly: a missing or unusable field is
// nil, never an error. The campaign UUID comes from campaign_uuid, or
// campaign.uuid, or campaign when it is a string; the template likewise.
// Numbers are kept as their JSON text. Raw is raw itself.
func DecodeRecord(raw json.RawMessage) Subscriber {
	subscriber := Subscriber{Raw: raw}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return subscriber
	}
	subscriber.Name = scalar(fields[FieldName])
	subscriber.PhoneNumber = scalar(fields[FieldPhoneNumber])
	subscriber.State = scalar(fields[FieldState])
	subscriber.CampaignUUID = uuidOf(fields, FieldCampaignUUID, FieldCampaign)
	subscriber.TemplateUUID = uuidOf(fields, FieldTemplateUUID, FieldTemplate)
	subscriber.CreatedAt = scalar(fields[FieldCreatedAt])
	return subscriber
}

// uuidOf reads flatKey, else nestedKey as a string or as an object's uuid.
func uuidOf(fields map[string]json.RawMessage, flatKey, nestedKey string) *string {
	if value := scalar(fields[flatKey]); value != nil {
		return value
	}
	nested := fields[nestedKey]
	if value := scalar(nested); value != nil {
		return value
	}
	var object map[string]json.RawMessage
	if json.Unmarshal(nested, &object) != nil {
		return nil
	}
	return scalar(object[FieldUUID])
}

// scalar is a JSON string, number or boolean as text; nil for anything else.
func scalar(raw json.RawMessage) *string {
	text := strings.TrimSpace(string(raw))
	if text == "" {
		return nil
	}
	switch {
	case text[0] == '"':
		// Most values have no escapes: skip the decoder, which is most of
		// the cost of a large report.
		if len(text) >= 2 && !strings.ContainsRune(text, '\\') && utf8.ValidString(text) {
			value := text[1 : len(text)-1]
			return &value
		}
		var value string
		if json.Unmarshal(raw, &value) != nil {
			return nil
		}
		return &value
	case text == "true" || text == "false":
		return &text
	case json.Valid(raw) && (text[0] == '-' || '0' <= text[0] && text[0] <= '9'):
		return &text
	}
	return nil
}

// page is one decoded answer of the report.
type page struct {
	records    []Subscriber
	pagination pagination
}

// pagination is the envelope's paging, each field optional.
type pagination struct {
	nextURL string
	number  int64 // page
	perPage int64
	total   int64
	// counted is true when page, per_page and total are all present, so the
	// remaining pages are known in advance.
	counted bool
}

// decodePage stream-decodes one answer: a bare array of records, or an
// envelope with "data" and optional "pagination". Records are decoded one
// by one, so only the records, not the page body, are held in memory.
func decodePage(r io.Reader) (page, error) {
	decoder := json.NewDecoder(r)
	start, err := decoder.Token()
	if err != nil {
		return page{}, fmt.Errorf("read answer: %w", err)
	}
	switch start {
	case json.Delim('['):
		records, err := decodeRecords(decoder)
		return page{records: records}, err
	case json.Delim('{'):
		return decodeEnvelope(decoder)
	}
	return page{}, fmt.Errorf("expected a JSON array of records or an object with %q", FieldData)
}

func decodeEnvelope(decoder *json.Decoder) (page, error) {
	var (
		result  page
		hasData bool
	)
	for decoder.More() {
		key, err := decoder.Token()
		if err != nil {
			return page{}, fmt.Errorf("read answer: %w", err)
		}
		switch key {
		case FieldData:
			hasData = true
			if result.records, err = decodeData(decoder); err != nil {
				return page{}, err
			}
		case FieldPagination:
			var raw json.RawMessage
			if err := decoder.Decode(&raw); err != nil {
				return page{}, fmt.Errorf("read %q: %w", FieldPagination, err)
			}
			result.pagination = decodePagination(raw)
		default:
			if err := skipValue(decoder); err != nil {
				return page{}, fmt.Errorf("read answer: %w", err)
			}
		}
	}
	if _, err := decoder.Token(); err != nil { // the closing brace
		return page{}, fmt.Errorf("read answer: %w", err)
	}
	if !hasData {
		return page{}, fmt.Errorf("the answer is a JSON object without %q", FieldData)
	}
	return result, nil
}

// decodeData reads the envelope's records: an array, or null for none.
func decodeData(decoder *json.Decoder) ([]Subscriber, error) {
	start, err := decoder.Token()
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %q: %w", FieldData, err)
	case start == nil:
		return nil, nil
	case start != json.Delim('['):
		return nil, fmt.Errorf("%q is not an array", FieldData)
	}
	return decodeRecords(decoder)
}

// decodeRecords reads the records of an array whose '[' was read, and its ']'.
func decodeRecords(decoder *json.Decoder) ([]Subscriber, error) {
	var records []Subscriber
	for decoder.More() {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			return nil, fmt.Errorf("read record %d: %w", len(records)+1, err)
		}
		records = append(records, DecodeRecord(raw))
	}
	if _, err := decoder.Token(); err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	return records, nil
}

// skipValue reads past one value without keeping it.
func skipValue(decoder *json.Decoder) error {
	depth := 0
	for {
		token, err := decoder.Token()
		if err != nil {
			return err
		}
		switch token {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func decodePagination(raw json.RawMessage) pagination {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return pagination{}
	}
	var result pagination
	_ = json.Unmarshal(fields[FieldNextURL], &result.nextURL) // null or absent: the last page
	number, hasNumber := integer(fields[FieldPage])
	perPage, hasPerPage := integer(fields[FieldPerPage])
	total, hasTotal := integer(fields[FieldTotal])
	result.number, result.perPage, result.total = number, perPage, total
	result.counted = hasNumber && hasPerPage && hasTotal && perPage > 0 && total >= 0
	return result
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
