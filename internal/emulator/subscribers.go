package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// SubscriberCampaign is one of the fixed Evolux campaigns of generated subscribers (the first: the seed's examples).
type SubscriberCampaign struct {
	UUID         string
	Name         string
	TemplateUUID string
}

var subscriberCampaigns = []SubscriberCampaign{
	{UUID: "f45d98dc-ac5e-48f2-9c01-ebe18f86d28b", Name: "Black Friday", TemplateUUID: "70f4ddb6-ece1-4e13-ab90-3698d9d72bf0"},
	{UUID: "0b6f3c1e-2d4a-4f8b-9c7e-5a1d2e3f4b5c", Name: "Renegociação de dívidas", TemplateUUID: "9d2c7e41-6b3a-4c8f-a1e5-3f7b2d9c0e18"},
	{UUID: "7e9a1b2c-3d4e-4f5a-8b6c-9d0e1f2a3b4c", Name: "Pesquisa de satisfação", TemplateUUID: "c4a8e2f6-1b5d-4e9a-8c3f-7d1e5b9a2c60"},
	{UUID: "3c5e7a9b-1d2f-4a6c-b8e0-2f4a6c8e0b1d", Name: "Boas-vindas", TemplateUUID: "70f4ddb6-ece1-4e13-ab90-3698d9d72bf0"},
}

// SubscriberCampaigns lists the campaigns of generated subscribers, so tests can filter on real UUIDs.
func SubscriberCampaigns() []SubscriberCampaign { return slices.Clone(subscriberCampaigns) }

// Conversation fields of generated subscribers: a customer type, and a CPF formatted but not checksummed.
const (
	ConversationFieldCustomerType = "tipo_cliente"
	ConversationFieldCPF          = "CPF"
	CustomerTypePerson            = "Pessoa Física"
	CustomerTypeCompany           = "Pessoa Jurídica"
)

// Generated subscribers entered their campaigns between these instants, spread evenly and in order.
var (
	subscribersFrom = time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	subscribersTo   = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
)

// SubscriberTimeRange is the span of generated created_at values, from inclusive, to exclusive.
func SubscriberTimeRange() (from, to time.Time) { return subscribersFrom, subscribersTo }

var subscriberNames = func() (names []string) {
	for _, first := range strings.Fields("Maria João Ana Pedro Juliana Carlos Fernanda Lucas Beatriz Rafael Camila Gustavo Larissa Felipe Patrícia Bruno") {
		for _, last := range strings.Split("Silva,Santos,Oliveira,Souza,Rodrigues,Ferreira,Alves,Pereira,Lima,Gomes,Costa,Ribeiro,Martins,Carvalho,Almeida,do Carmo", ",") {
			names = append(names, first+" "+last)
		}
	}
	return names
}()

type conversationField struct{ key, value string }

// subscriber is one record, generated or given (raw, served verbatim; the other fields only serve the filters).
type subscriber struct {
	raw                                      json.RawMessage
	name, phone, state                       string
	campaignUUID, campaignName, templateUUID string
	createdAt                                time.Time
	hasCreatedAt                             bool
	fields                                   []conversationField
}

// createdAtLayout has milliseconds, like the seed's examples.
const createdAtLayout = "2006-01-02T15:04:05.000Z07:00"

// appendJSON encodes a record with wire.go's names, created_at in the requested time zone.
func (s *subscriber) appendJSON(buf []byte, loc *time.Location) []byte {
	if s.raw != nil {
		return append(buf, s.raw...)
	}
	buf = appendStringMember(append(buf, '{'), evolux.FieldName, s.name)
	buf = appendStringMember(append(buf, ','), evolux.FieldPhoneNumber, s.phone)
	buf = appendStringMember(append(buf, ','), evolux.FieldState, s.state)
	buf = appendJSONString(append(buf, ','), evolux.FieldCampaign)
	buf = appendStringMember(append(buf, ':', '{'), evolux.FieldUUID, s.campaignUUID)
	buf = appendStringMember(append(buf, ','), evolux.FieldName, s.campaignName)
	buf = appendJSONString(append(buf, '}', ','), evolux.FieldTemplate)
	buf = appendStringMember(append(buf, ':', '{'), evolux.FieldUUID, s.templateUUID)
	buf = appendJSONString(append(buf, '}', ','), evolux.FieldCreatedAt)
	buf = s.createdAt.In(loc).AppendFormat(append(buf, ':', '"'), createdAtLayout)
	buf = appendJSONString(append(buf, '"', ','), evolux.FieldConversationFields)
	buf = append(buf, ':', '{')
	for i, f := range s.fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendStringMember(buf, f.key, f.value)
	}
	return append(buf, '}', '}')
}

// appendStringMember appends "key":"value".
func appendStringMember(buf []byte, key, value string) []byte {
	return appendJSONString(append(appendJSONString(buf, key), ':'), value)
}

func appendJSONString(buf []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= 0x20 && s[i] != '"' && s[i] != '\\'
	}
	if plain && !strings.ContainsAny(s, "\u2028\u2029") {
		return append(append(append(buf, '"'), s...), '"')
	}
	quoted, _ := json.Marshal(s)
	return append(buf, quoted...)
}

// generateSubscribers makes n records from seed; a larger n extends a smaller one's list.
func generateSubscribers(seed int64, n int) []subscriber {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	phoneBase := rng.Uint64N(100_000_000)
	span := subscribersTo.Sub(subscribersFrom)
	step := span / time.Duration(max(n, 1))
	records := make([]subscriber, n)
	for i := range records {
		c := subscriberCampaigns[rng.IntN(len(subscriberCampaigns))]
		customerType := CustomerTypePerson
		if rng.IntN(3) == 0 {
			customerType = CustomerTypeCompany
		}
		jitter := time.Duration(rng.Int64N(int64(max(step, time.Millisecond))))
		records[i] = subscriber{
			name: subscriberNames[rng.IntN(len(subscriberNames))],
			// 7919 is prime, so phone numbers are unique for up to 10^8 records.
			phone:        fmt.Sprintf("+55119%08d", (phoneBase+uint64(i)*7919)%100_000_000),
			state:        evolux.States[rng.IntN(len(evolux.States))],
			campaignUUID: c.UUID,
			campaignName: c.Name,
			templateUUID: c.TemplateUUID,
			// Milliseconds only, as shown: a filter bound equal to a shown value includes that record.
			createdAt:    subscribersFrom.Add(time.Duration(i)*step + jitter).Truncate(time.Millisecond),
			hasCreatedAt: true,
			fields: []conversationField{
				{ConversationFieldCustomerType, customerType},
				{ConversationFieldCPF, fmt.Sprintf("%03d.%03d.%03d-%02d", rng.IntN(1000), rng.IntN(1000), rng.IntN(1000), rng.IntN(100))},
			},
		}
	}
	return records
}

// parseSubscriber decodes a given record as tolerantly as the client does, only to filter it.
func parseSubscriber(raw json.RawMessage) subscriber {
	s := subscriber{raw: bytes.Clone(raw)}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return s
	}
	s.name, s.phone, s.state = jsonText(m[evolux.FieldName]), jsonText(m[evolux.FieldPhoneNumber]), jsonText(m[evolux.FieldState])
	s.campaignUUID = uuidOf(m[evolux.FieldCampaignUUID], m[evolux.FieldCampaign])
	s.templateUUID = uuidOf(m[evolux.FieldTemplateUUID], m[evolux.FieldTemplate])
	if t, err := time.Parse(time.RFC3339, jsonText(m[evolux.FieldCreatedAt])); err == nil {
		s.createdAt, s.hasCreatedAt = t, true
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(m[evolux.FieldConversationFields], &fields) == nil {
		for k, v := range fields {
			s.fields = append(s.fields, conversationField{k, jsonText(v)})
		}
	}
	return s
}

// uuidOf is the flat UUID field if set, else the nested object's "uuid", else the nested string.
func uuidOf(flat, nested json.RawMessage) string {
	if v := jsonText(flat); v != "" {
		return v
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(nested, &obj) == nil {
		return jsonText(obj[evolux.FieldUUID])
	}
	return jsonText(nested)
}

// jsonText is a JSON string's value, another scalar's text, or "".
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) || raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	if s, ok := jsonString(raw); ok {
		return s
	}
	return string(raw)
}

// subscriberStore holds the Evolux data, generated on first use and replaced wholesale, never changed in place,
// so that a request may stream a snapshot unlocked.
type subscriberStore struct {
	mu           sync.Mutex
	seed         int64 // of generated records, set once by New
	count        int
	records      []subscriber // nil until generated
	cacheKey     string       // the last filter's ("" for none), so that paging through one query filters once
	cacheMatches []int32
	pending      []pendingInsert // uploads not yet in the report, in the order they become visible
	tasks        []time.Time     // upload tasks, by id - 1: when each is done
	uploaded     []string        // every phone uploaded, in order
	now          func() time.Time
}

func (s *subscriberStore) generate(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count, s.records, s.cacheKey, s.pending = n, nil, "", nil
}

func (s *subscriberStore) set(records []json.RawMessage) {
	parsed := make([]subscriber, len(records))
	for i, raw := range records {
		parsed[i] = parseSubscriber(raw)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records, s.cacheKey, s.pending = parsed, "", nil
}

// ensure generates the records on first use.
func (s *subscriberStore) ensure() {
	if s.records == nil {
		s.records = generateSubscribers(s.seed, s.count)
	}
}

// query returns the records and the indexes of those matching f.
func (s *subscriberStore) query(f subscriberFilter) ([]subscriber, []int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensure()
	s.publish(s.now())
	key := f.key()
	if s.cacheKey != key {
		matches := make([]int32, 0, len(s.records))
		for i := range s.records {
			if f.match(&s.records[i]) {
				matches = append(matches, int32(i))
			}
		}
		s.cacheKey, s.cacheMatches = key, matches
	}
	return s.records, s.cacheMatches
}

// SetSubscriberRecords replaces the Evolux data with these records, served verbatim; the filters still apply.
func (e *Emulator) SetSubscriberRecords(records []json.RawMessage) { e.subscribers.set(records) }

// SetSubscribers replaces the Evolux data with n records generated from the configured seed.
func (e *Emulator) SetSubscribers(n int) { e.subscribers.generate(max(n, 0)) }
