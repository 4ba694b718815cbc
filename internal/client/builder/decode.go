package builder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// The tolerant reader: any plausible spelling gives a campaign, what changed
// is named in Campaign.Problems, and only an answer with no document fails.

// errEmptyAnswer is an answer with nothing at all (empty or null).
var (
	errNoDocument  = errors.New("expected a campaign JSON object")
	errEmptyAnswer = fmt.Errorf("%w, the answer is empty or null", errNoDocument)
)

// decodeCampaign decodes one campaign object, bare or in an envelope, and counts the fields besides the
// id (zero: no document).
func decodeCampaign(body []byte) (Campaign, int, error) {
	fields, err := jsonObject(body)
	if err != nil {
		return Campaign{}, 0, err
	}
	fields = unwrapped(fields)
	d := campaignDecoder{}
	c := Campaign{ID: d.id(fields, FieldCampaignID, FieldCampaignAltID)}
	known := 0
	for _, f := range CampaignFields {
		raw, ok := fields[f.Key]
		switch {
		case !ok:
			continue
		case f.Kind == KindList:
			c.SheetValues = d.list(f.Key, raw)
		default:
			*f.Text(&c) = d.text(f, raw)
		}
		known++
	}
	c.Problems = d.problems
	return c, known, nil
}

func jsonObject(body []byte) (map[string]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0 || string(body) == "null":
		return nil, errEmptyAnswer
	case body[0] != '{':
		return nil, errNoDocument
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("decode campaign: %w", err)
	}
	return fields, nil
}

// envelope is the value under the first EnvelopeKeys key that opens with open.
func envelope(fields map[string]json.RawMessage, open byte) json.RawMessage {
	for _, key := range EnvelopeKeys {
		if raw := bytes.TrimSpace(fields[key]); len(raw) > 0 && raw[0] == open {
			return raw
		}
	}
	return nil
}

// unwrapped is the object an envelope of one key holds ({"data": {...}}), else fields.
func unwrapped(fields map[string]json.RawMessage) map[string]json.RawMessage {
	if inner, err := jsonObject(envelope(fields, '{')); len(fields) == 1 && err == nil {
		return inner
	}
	return fields
}

type campaignDecoder struct{ problems []string }

func (d *campaignDecoder) problemf(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

// id reads the first of two names that holds an id ("_id", else "id").
func (d *campaignDecoder) id(fields map[string]json.RawMessage, names ...string) string {
	var ids []string
	for _, name := range names {
		raw, present := fields[name]
		switch id, ok := objectIDText(raw); {
		case !present || isNull(raw):
		case ok:
			ids = append(ids, id)
		default:
			d.problemf("%s: %s is not an id; ignored", name, quoteValue(raw))
		}
	}
	switch {
	case len(ids) == 0:
		return ""
	case len(ids) == 2 && ids[0] != ids[1]:
		d.problemf("the answer has two ids, %s %q and %s %q; %q is used", names[0], ids[0], names[1], ids[1], ids[0])
	}
	return ids[0]
}

// objectIDText reads an id: a non-empty string, a number, or {"$oid": ...}; never a boolean.
func objectIDText(raw json.RawMessage) (string, bool) {
	var extended map[string]json.RawMessage
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) == 0 || raw[0] == 't' || raw[0] == 'f':
		return "", false
	case raw[0] == '{' && (json.Unmarshal(raw, &extended) != nil || len(extended) != 1 || extended[FieldMongoObjectID] == nil):
		return "", false
	case raw[0] == '{':
		raw = extended[FieldMongoObjectID]
	}
	value, ok := client.ScalarText(string(raw))
	return value, ok && value != ""
}

// text reads a text field, or a timestamp as RFC 3339 in UTC; anything else is kept as text, with a problem.
func (d *campaignDecoder) text(f CampaignField, raw json.RawMessage) *string {
	if isNull(raw) {
		return nil
	}
	if f.Kind == KindTimestamp {
		if normalized, ok := client.NormalizeTimestampJSON(raw); ok {
			return &normalized
		}
	}
	value, ok := client.ScalarText(string(raw))
	if !ok {
		value = compactJSON(raw)
	}
	switch {
	case f.Kind == KindTimestamp:
		d.problemf("%s: %s is not a timestamp this provider can read; kept as the server's text", f.Key, quoteValue(raw))
	case !ok:
		d.problemf("%s: expected text, got %s; kept as its JSON text", f.Key, quoteValue(raw))
	}
	return &value
}

// list reads a list of text (a lone scalar is a list of one).
func (d *campaignDecoder) list(name string, raw json.RawMessage) []string {
	var elements []json.RawMessage
	if err := json.Unmarshal(raw, &elements); err != nil { // null is no error: no elements
		if value, ok := client.ScalarText(string(raw)); ok {
			d.problemf("%s: expected a list, got %s; read as a list of one", name, quoteValue(raw))
			return []string{value}
		}
		d.problemf("%s: expected a list, got %s; ignored", name, quoteValue(raw))
		return nil
	}
	var values []string // nil when empty: an empty list means null, as it does to the provider
	for i, element := range elements {
		switch value, ok := client.ScalarText(string(element)); {
		case ok:
			values = append(values, value)
		case isNull(element):
			d.problemf("%s: element %d is null; dropped", name, i+1)
		default:
			d.problemf("%s: element %d is %s, not text; kept as its JSON text", name, i+1, quoteValue(element))
			values = append(values, compactJSON(element))
		}
	}
	return values
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

// quoteValue is a server value as a problem quotes it: compact, enough to recognize.
func quoteValue(raw json.RawMessage) string {
	return strings.ToValidUTF8(client.Shorten(compactJSON(raw), 80), "\uFFFD")
}

// decodeCampaignList decodes a list, bare or in an envelope, with the envelope's total or -1: an element
// neither campaign nor null fails it all.
func decodeCampaignList(body []byte) ([]Campaign, int, error) {
	body, total := bytes.TrimSpace(body), -1
	if string(body) == "null" {
		return []Campaign{}, total, nil
	}
	if len(body) > 0 && body[0] == '{' {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, total, fmt.Errorf("decode campaigns: %w", err)
		}
		body = envelope(fields, '[')
		for _, key := range EnvelopeTotalKeys {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(fields[key]))); err == nil && n >= 0 && total < 0 {
				total = n
			}
		}
	}
	var elements []json.RawMessage
	if len(body) == 0 || body[0] != '[' {
		return nil, total, fmt.Errorf("expected a JSON array of campaigns, or an object holding one under %q", strings.Join(EnvelopeKeys, `", "`))
	}
	if err := json.Unmarshal(body, &elements); err != nil {
		return nil, total, fmt.Errorf("decode campaigns: %w", err)
	}
	campaigns := make([]Campaign, 0, len(elements))
	for i, element := range elements {
		if isNull(element) {
			continue
		}
		campaign, _, err := decodeCampaign(element)
		if err != nil {
			return nil, total, fmt.Errorf("decode campaigns: element %d: %w", i+1, err)
		}
		campaigns = append(campaigns, campaign)
	}
	return campaigns, total, nil
}

// DecodeTriggerID reads a fire answer's id: bare (the sample is 0), or in an object, or in an envelope.
func DecodeTriggerID(body []byte) (string, error) {
	// Only JSON's own whitespace: bytes.TrimSpace would also strip a form feed, making "\f0" valid.
	if body = bytes.Trim(body, " \t\n\r"); !json.Valid(body) {
		return "", errors.New("trigger answer is not one JSON value")
	}
	if fields, err := jsonObject(body); err == nil {
		if id := new(campaignDecoder).id(unwrapped(fields), FieldTriggerID, FieldTriggerObjectID); id != "" {
			return id, nil
		}
	} else if id, ok := objectIDText(body); ok {
		return id, nil
	}
	return "", fmt.Errorf("trigger answer has no id: expected a number, a string, or an object with %q or %q", FieldTriggerID, FieldTriggerObjectID)
}
