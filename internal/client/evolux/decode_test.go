package evolux

import (
	"encoding/json"
	"testing"
)

// referenceRecord is the straightforward decoding through encoding/json
// that decodeRecord's single scan must agree with.
func referenceRecord(raw []byte) Subscriber {
	subscriber := Subscriber{Raw: string(raw)}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return subscriber
	}
	uuid := func(flat, nested string) *string {
		if value := scalar(fields[flat]); value != nil {
			return value
		}
		if value := scalar(fields[nested]); value != nil {
			return value
		}
		var object map[string]json.RawMessage
		if json.Unmarshal(fields[nested], &object) != nil {
			return nil
		}
		return scalar(object[FieldUUID])
	}
	subscriber.Name = scalar(fields[FieldName])
	subscriber.PhoneNumber = scalar(fields[FieldPhoneNumber])
	subscriber.State = scalar(fields[FieldState])
	subscriber.CampaignUUID = uuid(FieldCampaignUUID, FieldCampaign)
	subscriber.TemplateUUID = uuid(FieldTemplateUUID, FieldTemplate)
	subscriber.CreatedAt = scalar(fields[FieldCreatedAt])
	return subscriber
}

func FuzzDecodeRecordAgreesWithEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ana","phone_number":"5511","state":"sent","campaign_uuid":"c1","template_uuid":"t1","created_at":"2025-01-01T00:00:00Z"}`,
		` { "campaign" : { "name" : "x" , "uuid" : "c2" } , "template" : "t" } `,
		`{"name":"a","name":"b","campaign":{"uuid":"x","uuid":"y"}}`,
		`{"na\u006de":"escaped key","state":"s\"t","campaign":[{"uuid":"no"}],"template":{"uuid":{"a":1}}}`,
		`{"phone_number":-1.5e3,"created_at":true,"campaign_uuid":null,"campaign":{"uuid":7}}`,
		`{"conversation_fields":{"name":"inner, not the record's"},"name":"\u00c9"}`,
		`[{"name":"x"}]`, `"text"`, `null`, `{}`, `{"name":"\xff"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, want := DecodeRecord(raw), referenceRecord(raw)
		if got.Raw != string(raw) {
			t.Fatalf("Raw changed: %q", got.Raw)
		}
		if show(got) != show(want) {
			t.Fatalf("DecodeRecord(%q) = %s\nencoding/json gives %s", raw, show(got), show(want))
		}
	})
}
