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

// The decoders are tolerant readers: a server that spells the same contract
// differently (an id under "id" or as {"$oid": ...}, numbers where text was
// expected, timestamps in another format, fields left out or null, extra
// fields, a list wrapped in an envelope) still gives a campaign. A value
// that had to be changed or dropped on the way is named in
// Campaign.Problems; only an answer with no document at all is an error.

// errNoDocument is an answer that carries no campaign object; errEmptyAnswer
// is one that carries nothing at all (an empty body or null).
var (
	errNoDocument  = errors.New("expected a campaign JSON object")
	errEmptyAnswer = fmt.Errorf("%w, the answer is empty or null", errNoDocument)
)

// DecodeCampaign decodes one campaign object, or one wrapped in an envelope
// ({"data": {...}}). Unknown fields are ignored, null and absent are the
// same, unknown status values are kept as they are.
func DecodeCampaign(body []byte) (Campaign, error) {
	campaign, _, err := decodeCampaign(body)
	return campaign, err
}

// decodeCampaign also counts the campaign fields besides the id that the
// object had (null ones included): zero means the answer was no document.
func decodeCampaign(body []byte) (Campaign, int, error) {
	fields, err := jsonObject(body)
	if err != nil {
		return Campaign{}, 0, err
	}
	if inner := envelopeContent(fields); inner != nil {
		if wrapped, err := jsonObject(inner); err == nil {
			fields = wrapped
		}
	}
	var d campaignDecoder
	return d.campaign(fields), d.known, nil
}

// jsonObject reads body as one JSON object.
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

// envelopeContent is what an envelope holds when fields is one: no campaign
// field of its own, and exactly one envelope key.
func envelopeContent(fields map[string]json.RawMessage) json.RawMessage {
	if len(fields) != 1 {
		return nil
	}
	for _, key := range EnvelopeKeys {
		if raw, ok := fields[key]; ok {
			return raw
		}
	}
	return nil
}

type campaignDecoder struct {
	problems []string
	known    int
}

func (d *campaignDecoder) problemf(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

func (d *campaignDecoder) campaign(fields map[string]json.RawMessage) Campaign {
	var c Campaign
	c.ID = d.id(fields)
	for _, f := range CampaignFields {
		raw, ok := fields[f.Key]
		if !ok {
			continue
		}
		d.known++
		switch f.Kind {
		case KindText:
			*f.Text(&c) = d.text(f.Key, raw)
		case KindTimestamp:
			*f.Text(&c) = d.timestamp(f.Key, raw)
		case KindList:
			c.SheetValues = d.list(f.Key, raw)
		}
	}
	c.Problems = d.problems
	return c
}

// id reads "_id", else "id": a string, a number, or {"$oid": "..."}.
func (d *campaignDecoder) id(fields map[string]json.RawMessage) string {
	var ids []string
	for _, name := range []string{FieldCampaignID, FieldCampaignAltID} {
		raw, ok := fields[name]
		if !ok || isNull(raw) {
			continue
		}
		if id, ok := objectIDText(raw); ok {
			ids = append(ids, id)
			continue
		}
		d.problemf("%s: %s is not an id; ignored", name, quoteValue(raw))
	}
	switch {
	case len(ids) == 0:
		return ""
	case len(ids) == 2 && ids[0] != ids[1]:
		d.problemf("the answer has two ids, %s %q and %s %q; %q is used", FieldCampaignID, ids[0], FieldCampaignAltID, ids[1], ids[0])
	}
	return ids[0]
}

// objectIDText reads an id: a non-empty string, a number, or Mongo's
// extended JSON {"$oid": "..."}; never a boolean.
func objectIDText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == 't' || raw[0] == 'f' {
		return "", false
	}
	if raw[0] == '{' {
		var extended map[string]json.RawMessage
		if json.Unmarshal(raw, &extended) != nil || len(extended) != 1 || extended[FieldMongoObjectID] == nil {
			return "", false
		}
		raw = extended[FieldMongoObjectID]
	}
	value, ok := scalarText(raw)
	return value, ok && value != ""
}

// text reads a text field: text, or a number or boolean as its JSON text. A
// JSON object or array is kept as its compact JSON text, with a problem.
func (d *campaignDecoder) text(name string, raw json.RawMessage) *string {
	if isNull(raw) {
		return nil
	}
	if value, ok := scalarText(raw); ok {
		return &value
	}
	compact := compactJSON(raw)
	d.problemf("%s: expected text, got %s; kept as its JSON text", name, quoteValue(raw))
	return &compact
}

// timestamp reads a timestamp field normalized to RFC 3339 in UTC when it is
// one in any spelling the server's stack prints, else kept as the server's
// text, with a problem.
func (d *campaignDecoder) timestamp(name string, raw json.RawMessage) *string {
	if isNull(raw) {
		return nil
	}
	if normalized, ok := client.NormalizeTimestampJSON(raw); ok {
		return &normalized
	}
	value, ok := scalarText(raw)
	if !ok {
		value = compactJSON(raw)
	}
	d.problemf("%s: %s is not a timestamp this provider can read; kept as the server's text", name, quoteValue(raw))
	return &value
}

// list reads a list of text: scalars become their text, null elements are
// dropped, objects and arrays are kept as their JSON text. A lone scalar
// instead of a list is a list of one.
func (d *campaignDecoder) list(name string, raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var elements []json.RawMessage
	if err := json.Unmarshal(raw, &elements); err != nil {
		if value, ok := scalarText(raw); ok {
			d.problemf("%s: expected a list, got %s; read as a list of one", name, quoteValue(raw))
			return []string{value}
		}
		d.problemf("%s: expected a list, got %s; ignored", name, quoteValue(raw))
		return nil
	}
	values := make([]string, 0, len(elements))
	for i, element := range elements {
		switch value, ok := scalarText(element); {
		case ok:
			values = append(values, value)
		case isNull(element):
			d.problemf("%s: element %d is null; dropped", name, i+1)
		default:
			d.problemf("%s: element %d is %s, not text; kept as its JSON text", name, i+1, quoteValue(element))
			values = append(values, compactJSON(element))
		}
	}
	if len(values) == 0 {
		return nil // an empty list means what null means, as it does to the provider
	}
	return values
}

// scalarText is a JSON string's text, or a number's or boolean's JSON text.
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var text string
		return text, json.Unmarshal(raw, &text) == nil
	case 't', 'f':
		text := string(raw)
		return text, text == "true" || text == "false"
	case '{', '[', 'n':
		return "", false
	}
	var number json.Number
	if json.Unmarshal(raw, &number) != nil {
		return "", false
	}
	return number.String(), true
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

// maxQuotedValue bounds a server value quoted in a problem: enough to
// recognize it, not a whole document.
const maxQuotedValue = 80

// quoteValue is a JSON value as a problem quotes it: compact, shortened.
func quoteValue(raw json.RawMessage) string {
	return strings.ToValidUTF8(client.Shorten(compactJSON(raw), maxQuotedValue), "\uFFFD")
}

// DecodeCampaigns decodes a list answer: a JSON array of campaigns, or an
// object holding that array under one of EnvelopeKeys. null is an empty
// list, null elements are skipped; any other element must be a campaign
// object, or the list is not used at all.
func DecodeCampaigns(body []byte) ([]Campaign, error) {
	campaigns, _, err := decodeCampaignList(body)
	return campaigns, err
}

// decodeCampaignList is DecodeCampaigns, with the envelope's count of the
// whole list (EnvelopeTotalKeys), or -1 when it gives none.
func decodeCampaignList(body []byte) ([]Campaign, int, error) {
	body = bytes.TrimSpace(body)
	total := -1
	if string(body) == "null" {
		return []Campaign{}, total, nil
	}
	if len(body) > 0 && body[0] == '{' {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, total, fmt.Errorf("decode campaigns: %w", err)
		}
		body = nil
		for _, key := range EnvelopeKeys {
			if raw, ok := fields[key]; ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				body = bytes.TrimSpace(raw)
				break
			}
		}
		for _, key := range EnvelopeTotalKeys {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(fields[key]))); err == nil && n >= 0 {
				total = n
				break
			}
		}
	}
	if len(body) == 0 || body[0] != '[' {
		return nil, total, fmt.Errorf("expected a JSON array of campaigns, or an object holding one under %q",
			strings.Join(EnvelopeKeys, `", "`))
	}
	var elements []json.RawMessage
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

// DecodeTriggerID reads the id from a trigger fire answer: a JSON number (the
// seed's sample is 0) or string, or an object holding one under "id" or
// "_id" (also as {"$oid": ...}), bare or wrapped in an envelope
// ({"data": {...}}). A number keeps its JSON text.
func DecodeTriggerID(body []byte) (string, error) {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return "", errors.New("trigger answer is not one JSON value")
	}
	if fields, err := jsonObject(body); err == nil {
		if inner, err := jsonObject(envelopeContent(fields)); err == nil {
			fields = inner
		}
		for _, key := range []string{FieldTriggerID, FieldTriggerObjectID} {
			if id, ok := objectIDText(fields[key]); ok {
				return id, nil
			}
		}
	} else if id, ok := objectIDText(body); ok {
		return id, nil
	}
	return "", fmt.Errorf("trigger answer has no id: expected a number, a string, or an object with %q or %q",
		FieldTriggerID, FieldTriggerObjectID)
}
