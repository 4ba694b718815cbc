package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Fuzz targets for every answer Builder sends that the client decodes. Seed
// corpora are in testdata/fuzz/<target>; scripts/fuzz.sh runs each target
// for a bounded time. The properties: no panic, and an answer the contract
// does not allow is an error, never a zero value taken for a real one.

// jsonKind is the first byte of a valid JSON text ('{', '[', '"', 'n', ...),
// or 0 when the text is not one valid JSON value. Like the decoders, it
// tolerates any space around the value, not only JSON's.
func jsonKind(body []byte) byte {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return 0
	}
	return body[0]
}

// FuzzDecodeCampaign: a campaign answer that is one JSON object always
// decodes (the reader is tolerant), anything else is an error; the id is
// the one the object names, and what was decoded survives a round trip.
func FuzzDecodeCampaign(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		campaign, _, err := decodeCampaign(body)
		if err != nil {
			if jsonKind(body) == '{' {
				t.Fatalf("decodeCampaign(%q) refused a JSON object: %v", body, err)
			}
			return
		}
		if jsonKind(body) != '{' {
			t.Fatalf("decodeCampaign(%q) accepted an answer that is not one JSON object", body)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(bytes.TrimSpace(body), &fields); err != nil {
			t.Fatalf("decodeCampaign(%q) accepted an object that encoding/json refuses: %v", body, err)
		}
		if raw, ok := fields[FieldCampaignID]; ok {
			var id string
			if json.Unmarshal(raw, &id) == nil && id != "" && id != campaign.ID {
				t.Fatalf("decodeCampaign(%q): _id %s decoded as %q", body, raw, campaign.ID)
			}
		}
		// A timestamp is RFC 3339, or kept as text and named in Problems.
		problems := strings.Join(campaign.Problems, "\n")
		for name, date := range map[string]*string{FieldCampaignCreationDate: campaign.CreationDate, FieldCampaignScheduledDate: campaign.ScheduledDate} {
			if date == nil {
				continue
			}
			if _, err := time.Parse(time.RFC3339Nano, *date); err != nil && !strings.Contains(problems, name+": ") {
				t.Fatalf("decodeCampaign(%q): %s %q is neither RFC 3339 nor named in Problems %q", body, name, *date, campaign.Problems)
			}
		}
		// What was decoded survives a round trip unchanged.
		encoded, err := json.Marshal(campaign)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := decodeCampaign(encoded)
		campaign.Problems, again.Problems = nil, nil
		if err != nil || !reflect.DeepEqual(again, campaign) {
			t.Fatalf("round trip of %q: %+v, then %+v (%v)", body, campaign, again, err)
		}
	})
}

// FuzzDecodeCampaigns: a list answer is a JSON array of campaign objects,
// bare or in an envelope (or null); every element but null ones becomes one
// campaign, decoded as DecodeCampaign decodes it alone.
func FuzzDecodeCampaigns(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		campaigns, _, err := decodeCampaignList(body)
		if err != nil {
			return
		}
		if campaigns == nil {
			t.Fatalf("decodeCampaignList(%q) = nil without an error", body)
		}
		list := bytes.TrimSpace(body)
		switch jsonKind(body) {
		case 'n':
			if len(campaigns) != 0 {
				t.Fatalf("decodeCampaignList(null) = %d campaigns", len(campaigns))
			}
			return
		case '[':
		case '{':
			var envelope map[string]json.RawMessage
			if err := json.Unmarshal(list, &envelope); err != nil {
				t.Fatal(err)
			}
			list = nil
			for _, key := range EnvelopeKeys {
				if raw := bytes.TrimSpace(envelope[key]); jsonKind(raw) == '[' {
					list = raw
					break
				}
			}
			if list == nil {
				t.Fatalf("decodeCampaignList(%q) accepted an object that holds no list under %v", body, EnvelopeKeys)
			}
		default:
			t.Fatalf("decodeCampaignList(%q) accepted an answer that is not a JSON array", body)
		}
		var elements []json.RawMessage
		if err := json.Unmarshal(list, &elements); err != nil {
			t.Fatal(err)
		}
		elements = slices.DeleteFunc(elements, func(e json.RawMessage) bool { return jsonKind(e) == 'n' })
		if len(elements) != len(campaigns) {
			t.Fatalf("decodeCampaignList(%q): %d elements besides null ones, %d campaigns", body, len(elements), len(campaigns))
		}
		for i, element := range elements {
			if jsonKind(element) != '{' {
				t.Fatalf("decodeCampaignList(%q): element %d, %s, is not a campaign object but was taken for one", body, i, element)
			}
			want, _, err := decodeCampaign(element)
			if err != nil || !reflect.DeepEqual(want, campaigns[i]) {
				t.Fatalf("decodeCampaignList(%q): element %d decoded as %+v, alone as %+v (%v)", body, i, campaigns[i], want, err)
			}
		}
	})
}

// FuzzDecodeTriggerID: a fire answer is one JSON value that holds an id: a
// number, a non-empty string, or an object with one under "id" or "_id".
func FuzzDecodeTriggerID(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		id, err := DecodeTriggerID(body)
		if err != nil {
			return
		}
		if id == "" {
			t.Fatalf("DecodeTriggerID(%q) accepted an empty id", body)
		}
		if jsonKind(body) == 0 {
			t.Fatalf("DecodeTriggerID(%q) = %q from an answer that is not one JSON value", body, id)
		}
		decoder := json.NewDecoder(bytes.NewReader(body))
		decoder.UseNumber()
		var answer any
		if err := decoder.Decode(&answer); err != nil {
			t.Fatal(err)
		}
		if object, ok := answer.(map[string]any); ok {
			for _, key := range EnvelopeKeys {
				if inner, ok := object[key].(map[string]any); ok && len(object) == 1 {
					object = inner
				}
			}
			if !idIs(object[FieldTriggerID], id) && !idIs(object[FieldTriggerObjectID], id) {
				t.Fatalf("DecodeTriggerID(%q) = %q, which is neither its %q nor its %q", body, id, FieldTriggerID, FieldTriggerObjectID)
			}
		} else if !idIs(answer, id) {
			t.Fatalf("DecodeTriggerID(%q) = %q", body, id)
		}
	})
}

func idIs(value any, id string) bool {
	switch value := value.(type) {
	case json.Number:
		return value.String() == id
	case string:
		return value == id
	case map[string]any: // Mongo's extended JSON
		return len(value) == 1 && value[FieldMongoObjectID] == id
	}
	return false
}

// answering is a transport that answers every request with one status and
// body, as a server would.
type answering struct {
	status int
	body   []byte
}

func (a answering) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: a.status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(a.body)),
		Request:    req,
	}, nil
}

func answeringClient(t *testing.T, status int, body []byte) *Client {
	t.Helper()
	http, err := client.New(client.Config{BaseURL: "https://builder.test", Transport: answering{status, body}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return New(http, Credentials{User: testUser, Password: testPassword, APIKey: testAPIKey})
}

// FuzzGetTriggerAnswer: a trigger read answers a JSON object, kept as it
// came, and valid JSON as it is kept (it goes to state as JSON text);
// anything else is an unreadable answer.
func FuzzGetTriggerAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		raw, err := answeringClient(t, http.StatusOK, body).GetTrigger(context.Background(), "42")
		if err != nil {
			var unreadable *client.UnreadableAnswerError
			if !errors.As(err, &unreadable) {
				t.Fatalf("GetTrigger with answer %q: %v, want an UnreadableAnswerError", body, err)
			}
			if jsonKind(body) == '{' && json.Valid(body) {
				t.Fatalf("GetTrigger refused the JSON object %q: %v", body, err)
			}
			return
		}
		if jsonKind(body) != '{' || !json.Valid(raw) {
			t.Fatalf("GetTrigger accepted %q, which is not a JSON object", body)
		}
		if !bytes.Equal(raw, body) {
			t.Fatalf("GetTrigger returned %q for the answer %q", raw, body)
		}
	})
}

// FuzzLoginAnswer: a login answer must carry a token; the pair the client
// keeps is the one in the answer.
func FuzzLoginAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		tokens, err := answeringClient(t, http.StatusOK, body).Tokens(context.Background())
		if err != nil {
			var unreadable *client.UnreadableAnswerError
			if !errors.As(err, &unreadable) {
				t.Fatalf("login answered %q: %v, want an UnreadableAnswerError", body, err)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("the login error shows the password: %v", err)
			}
			return
		}
		if tokens.Token == "" {
			t.Fatalf("login answered %q: accepted without a token", body)
		}
		var want struct {
			Token        string `json:"token"`
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		err = json.Unmarshal(body, &want)
		if want.Token == "" {
			want.Token = want.AccessToken
		}
		if err != nil || want.Token != tokens.Token || want.RefreshToken != tokens.RefreshToken {
			t.Fatalf("login answered %q: kept %+v, the answer says %+v (%v)", body, tokens, want, err)
		}
	})
}
