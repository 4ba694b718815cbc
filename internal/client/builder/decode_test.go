package builder

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeCampaign_tolerantReader(t *testing.T) {
	const id = "65f000000000000000000001"
	tests := []struct {
		name         string
		body         string
		want         Campaign
		wantProblems []string // substrings, one per expected problem, in order
	}{
		{
			name: "the contract as documented",
			body: `{"_id":"` + id + `","campaign_name":"bf","status":"not_started","creation_date":"2026-11-23T15:46:15.852309Z","sheet_values":["a","b"]}`,
			want: Campaign{ID: id, CampaignName: ptr("bf"), Status: ptr("not_started"), CreationDate: ptr("2026-11-23T15:46:15.852309Z"), SheetValues: []string{"a", "b"}},
		},
		{
			name: "pymongo naive datetimes printed by pydantic v1 are UTC, normalized without a problem",
			body: `{"_id":"` + id + `","creation_date":"2026-11-23T15:46:15.852309","scheduled_date":"2026-12-01 09:00:00+00:00"}`,
			want: Campaign{ID: id, CreationDate: ptr("2026-11-23T15:46:15.852309Z"), ScheduledDate: ptr("2026-12-01T09:00:00Z")},
		},
		{
			name: "Mongo extended JSON: $oid and $date",
			body: `{"_id":{"$oid":"` + id + `"},"creation_date":{"$date":{"$numberLong":"1795448775852"}}}`,
			want: Campaign{ID: id, CreationDate: ptr("2026-11-23T15:46:15.852Z")},
		},
		{
			name: "id under \"id\", epoch milliseconds",
			body: `{"id":"` + id + `","creation_date":1795448775852}`,
			want: Campaign{ID: id, CreationDate: ptr("2026-11-23T15:46:15.852Z")},
		},
		{
			name: "numbers and booleans where text was expected are their text",
			body: `{"_id":7,"name":12.50,"description":true,"content":false,"sheet_values":[1,2.5,true,"x"]}`,
			want: Campaign{ID: "7", Name: ptr("12.50"), Description: ptr("true"), Content: ptr("false"), SheetValues: []string{"1", "2.5", "true", "x"}},
		},
		{
			name: "null and absent are the same; unknown fields ignored; unknown status kept",
			body: `{"_id":"` + id + `","name":null,"file":null,"sheet_values":null,"status":"paused","__v":0,"extra":{"x":[1]}}`,
			want: Campaign{ID: id, Status: ptr("paused")},
		},
		{
			name: "an empty list is null",
			body: `{"_id":"` + id + `","sheet_values":[]}`,
			want: Campaign{ID: id},
		},
		{
			name:         "a timestamp that cannot be read is kept as the server's text",
			body:         `{"_id":"` + id + `","creation_date":"23/11/2026 15:46","scheduled_date":{"when":"soon"}}`,
			want:         Campaign{ID: id, CreationDate: ptr("23/11/2026 15:46"), ScheduledDate: ptr(`{"when":"soon"}`)},
			wantProblems: []string{`scheduled_date: {"when":"soon"} is not a timestamp`, `creation_date: "23/11/2026 15:46" is not a timestamp`},
		},
		{
			name:         "an object where text was expected is kept as its JSON text",
			body:         `{"_id":"` + id + `","content":{"text": "hi"}}`,
			want:         Campaign{ID: id, Content: ptr(`{"text":"hi"}`)},
			wantProblems: []string{`content: expected text, got {"text":"hi"}; kept as its JSON text`},
		},
		{
			name:         "sheet_values: null elements dropped, objects kept as JSON, a lone string is a list of one",
			body:         `{"_id":"` + id + `","sheet_values":["a",null,{"b":1}]}`,
			want:         Campaign{ID: id, SheetValues: []string{"a", `{"b":1}`}},
			wantProblems: []string{"sheet_values: element 2 is null; dropped", `sheet_values: element 3 is {"b":1}, not text`},
		},
		{
			name:         "sheet_values a string",
			body:         `{"_id":"` + id + `","sheet_values":"a,b"}`,
			want:         Campaign{ID: id, SheetValues: []string{"a,b"}},
			wantProblems: []string{`sheet_values: expected a list, got "a,b"; read as a list of one`},
		},
		{
			name:         "sheet_values an object",
			body:         `{"_id":"` + id + `","sheet_values":{"a":1}}`,
			want:         Campaign{ID: id},
			wantProblems: []string{`sheet_values: expected a list, got {"a":1}; ignored`},
		},
		{
			name:         "two different ids: _id wins",
			body:         `{"_id":"` + id + `","id":"other"}`,
			want:         Campaign{ID: id},
			wantProblems: []string{`two ids, _id "` + id + `" and id "other"`},
		},
		{
			name:         "an id that is no id",
			body:         `{"_id":["x"],"name":"n"}`,
			want:         Campaign{Name: ptr("n")},
			wantProblems: []string{`_id: ["x"] is not an id; ignored`},
		},
		{
			name: "wrapped in an envelope",
			body: `{"data":{"_id":"` + id + `","name":"n"}}`,
			want: Campaign{ID: id, Name: ptr("n")},
		},
		{
			name:         "a long value is quoted shortened",
			body:         `{"_id":"` + id + `","creation_date":"` + strings.Repeat("x", 200) + `"}`,
			want:         Campaign{ID: id, CreationDate: ptr(strings.Repeat("x", 200))},
			wantProblems: []string{`creation_date: "` + strings.Repeat("x", 79) + `… is not a timestamp`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := decodeCampaign([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			problems := got.Problems
			got.Problems = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decodeCampaign() = %s\nwant %s", show(got), show(tt.want))
			}
			if len(problems) != len(tt.wantProblems) {
				t.Fatalf("problems = %q, want %d matching %q", problems, len(tt.wantProblems), tt.wantProblems)
			}
			for i, want := range tt.wantProblems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, problems[i], want)
				}
			}
		})
	}
}

func show(c Campaign) string {
	var b strings.Builder
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		field := v.Field(i)
		switch {
		case field.Kind() == reflect.Pointer && !field.IsNil():
			b.WriteString(v.Type().Field(i).Name + "=" + field.Elem().String() + " ")
		case field.Kind() == reflect.String && field.String() != "":
			b.WriteString(v.Type().Field(i).Name + "=" + field.String() + " ")
		case field.Kind() == reflect.Slice && !field.IsNil():
			values, _ := field.Interface().([]string)
			b.WriteString(v.Type().Field(i).Name + "=" + strings.Join(values, "|") + " ")
		}
	}
	return b.String()
}

func TestDecodeCampaign_noDocumentIsAnError(t *testing.T) {
	for _, body := range []string{``, ` `, `null`, `[]`, `[{"_id":"x"}]`, `"x"`, `1`, `{"_id":`, `<html>502</html>`, `{} {}`} {
		if got, _, err := decodeCampaign([]byte(body)); err == nil {
			t.Errorf("decodeCampaign(%q) = %+v, want an error", body, got)
		}
	}
}

func TestDecodeCampaigns(t *testing.T) {
	const a, b = "65f000000000000000000001", "65f000000000000000000002"
	for _, body := range []string{
		`[{"_id":"` + a + `"},null,{"id":"` + b + `"}]`,
		`{"data":[{"_id":"` + a + `"},{"_id":"` + b + `"}]}`,
		`{"items":[{"_id":"` + a + `"},{"_id":"` + b + `"}],"total":2}`,
		`{"results":[{"_id":"` + a + `"},{"_id":"` + b + `"}],"next":null}`,
		`{"campaigns":[{"_id":{"$oid":"` + a + `"}},{"_id":"` + b + `"}]}`,
	} {
		got, _, err := decodeCampaignList([]byte(body))
		if err != nil || len(got) != 2 || got[0].ID != a || got[1].ID != b {
			t.Errorf("decodeCampaignList(%s) = %+v, %v; want %s and %s in order", body, got, err, a, b)
		}
	}
	if got, _, err := decodeCampaignList([]byte(`null`)); err != nil || got == nil || len(got) != 0 {
		t.Errorf("decodeCampaignList(null) = %#v, %v; want an empty list", got, err)
	}
	for _, body := range []string{``, `{}`, `{"data":{"_id":"x"}}`, `{"_id":"x"}`, `[1]`, `["x"]`, `[[]]`, `"x"`, `[{"_id":"x"}`} {
		if got, _, err := decodeCampaignList([]byte(body)); err == nil {
			t.Errorf("decodeCampaignList(%s) = %+v, want an error", body, got)
		}
	}
}
