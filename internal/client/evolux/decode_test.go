package evolux

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// scalar is client.ScalarText as a pointer: nil for anything but a string, number or boolean.
func scalar(raw json.RawMessage) *string {
	if value, ok := client.ScalarText(string(raw)); ok {
		return &value
	}
	return nil
}

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

// TestDecodePage_pagingSpellings: the paging fields are found under each of
// their spellings (wire.go), in the paging objects first, then at the top
// level; fixtures with the values expected.
func TestDecodePage_pagingSpellings(t *testing.T) {
	tests := []struct {
		name, body string
		want       pagination
	}{
		{"Evolux v1", `{"data":[],"pagination":{"total":120,"limit":50,"next_url":"/r?page=2","last_url":"/r?page=3"}}`,
			pagination{nextURL: "/r?page=2", lastURL: "/r?page=3", total: 120, hasTotal: true, perPage: 50, hasPerPage: true}},
		{"Django REST framework", `{"count":"7","next":"/r?offset=2","previous":null,"results":[{},{}]}`,
			pagination{nextURL: "/r?offset=2", total: 7, hasTotal: true}},
		{"JSON:API links and meta", `{"data":[],"links":{"next":{"href":"/r?p=2"},"last":{"href":"/r?p=9"}},"meta":{"totalCount":9,"pageSize":1}}`,
			pagination{nextURL: "/r?p=2", lastURL: "/r?p=9", total: 9, hasTotal: true, perPage: 1, hasPerPage: true}},
		{"Laravel", `{"data":[],"next_page_url":"/r?page=2","last_page_url":"/r?page=4","total":200,"per_page":"50"}`,
			pagination{nextURL: "/r?page=2", lastURL: "/r?page=4", total: 200, hasTotal: true, perPage: 50, hasPerPage: true}},
		{"camel case at the top", `{"items":[],"nextUrl":"/r?pg=2","lastUrl":null,"totalItems":3,"perPage":0}`,
			pagination{nextURL: "/r?pg=2", total: 3, hasTotal: true}},
		{"the paging object before the top level", `{"data":[],"next_url":"/top","total":1,"pagination":{"next_url":"/inner","total_items":2}}`,
			pagination{nextURL: "/inner", total: 2, hasTotal: true}},
		{"a meta of another shape says nothing", `{"data":[],"meta":"v1","total":-1,"page_size":"x"}`, pagination{total: -1}}, // a negative total is no total
		{"the last of duplicate members", `{"data":[],"pagination":{"next_url":"/a"},"pagination":{"total":5}}`,
			pagination{total: 5, hasTotal: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodePage(strings.NewReader(tt.body))
			if err != nil || got.pagination != tt.want {
				t.Fatalf("decodePage(%s) pagination = %+v, %v\nwant %+v", tt.body, got.pagination, err, tt.want)
			}
		})
	}
	for _, body := range []string{
		`{"data":[],"pagination":[]}`,                          // pagination is not an object
		`{"data":[],"pagination":{"next_url":7}}`,              // a next link that is not a URL must not end the report
		`{"data":[],"links":{"next":{"href":false}}}`,          // nor one in links
		`{"data":[],"pagination":{"next_url":"/a"},"data":{}}`, // data is not an array
	} {
		if _, err := decodePage(strings.NewReader(body)); err == nil {
			t.Errorf("decodePage(%s) accepted it", body)
		}
	}
}
