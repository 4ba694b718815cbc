package builder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeCampaign decodes one campaign object. Unknown fields are ignored and
// unknown status values kept as they are.
func DecodeCampaign(body []byte) (Campaign, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Campaign{}, errors.New("expected a campaign JSON object")
	}
	var campaign Campaign
	if err := json.Unmarshal(body, &campaign); err != nil {
		return Campaign{}, fmt.Errorf("decode campaign: %w", err)
	}
	return campaign, nil
}

// DecodeCampaigns decodes a JSON array of campaigns; null is an empty list.
func DecodeCampaigns(body []byte) ([]Campaign, error) {
	body = bytes.TrimSpace(body)
	if string(body) == "null" {
		return []Campaign{}, nil
	}
	if len(body) == 0 || body[0] != '[' {
		return nil, errors.New("expected a JSON array of campaigns")
	}
	var elements []json.RawMessage
	if err := json.Unmarshal(body, &elements); err != nil {
		return nil, fmt.Errorf("decode campaigns: %w", err)
	}
	// Each element on its own: encoding/json would take a null for a zero
	// campaign.
	campaigns := make([]Campaign, 0, len(elements))
	for i, element := range elements {
		campaign, err := DecodeCampaign(element)
		if err != nil {
			return nil, fmt.Errorf("decode campaigns: element %d: %w", i+1, err)
		}
		campaigns = append(campaigns, campaign)
	}
	return campaigns, nil
}

// DecodeTriggerID reads the id from a trigger fire answer: a JSON number (the
// seed's sample is 0) or string, or an object holding one under "id" or
// "_id". A number keeps its JSON text.
func DecodeTriggerID(body []byte) (string, error) {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var answer any
	if err := decoder.Decode(&answer); err != nil {
		return "", fmt.Errorf("trigger answer is not JSON: %w", err)
	}
	if _, err := decoder.Token(); err != io.EOF {
		return "", errors.New("trigger answer has data after its JSON value")
	}
	if object, ok := answer.(map[string]any); ok {
		for _, key := range []string{FieldTriggerID, FieldTriggerObjectID} {
			if id, ok := scalarID(object[key]); ok {
				return id, nil
			}
		}
	} else if id, ok := scalarID(answer); ok {
		return id, nil
	}
	return "", fmt.Errorf("trigger answer has no id: expected a number, a string, or an object with %q or %q",
		FieldTriggerID, FieldTriggerObjectID)
}

func scalarID(value any) (string, bool) {
	switch value := value.(type) {
	case json.Number:
		return value.String(), true
	case string:
		return value, value != ""
	}
	return "", false
}
