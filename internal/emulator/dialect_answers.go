package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

const fieldCampaignID = builder.FieldCampaignID

var (
	objectIDFields = slices.Compact([]string{fieldCampaignID, builder.FieldTriggerObjectID}) // hold a Mongo ObjectId
	summaryFields  = []string{fieldCampaignID, builder.FieldCampaignCampaignName, builder.FieldCampaignStatus,
		builder.FieldCampaignOrganization, builder.FieldCampaignBotName}
)

// Spellings of the other dialects that no wire.go constant names.
const (
	aliasID       = "id" // DialectIDAlias: pydantic's field name for the "_id" alias
	extendedOID   = "$oid"
	extendedDate  = "$date"
	naiveLayout   = "2006-01-02T15:04:05"
	spaceLayout   = "2006-01-02 15:04:05"
	extendedStamp = "2006-01-02T15:04:05.000Z"
)

// object is a JSON object that keeps its keys in the order given.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, m := range o {
		value, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(append(appendJSONString(buf, m.key), ':'), value...)
	}
	return append(buf, '}'), nil
}

// campaignObject lists every field of the model in its order, nil where the campaign has no value.
func campaignObject(c builder.Campaign) object {
	o := object{{fieldCampaignID, c.ID}}
	for _, f := range builder.CampaignFields {
		o = append(o, member{f.Key, f.Value(&c)})
	}
	return o
}

// campaignDocument is one campaign as the dialects answer it. Null policy: the reference drops what omitempty
// drops (null, empty lists), omit-nulls only nulls, explicit-nulls nothing.
func (d dialectSet) campaignDocument(c builder.Campaign, summary bool) object {
	o := slices.DeleteFunc(campaignObject(c), func(m member) bool {
		list, isList := m.value.([]string)
		return summary && !slices.Contains(summaryFields, m.key) ||
			!d[DialectExplicitNulls] && (m.value == nil || isList && len(list) == 0 && !d[DialectOmitNulls])
	})
	if d[DialectExtraFields] && !summary {
		var created any // as creation_date: null when unset
		if c.CreationDate != nil {
			created = *c.CreationDate
		}
		o = append(o, member{"updated_at", created})
	}
	return d.spell(o, builder.FieldCampaignCreationDate, builder.FieldCampaignScheduledDate, "updated_at")
}

// spell re-spells an answer object: the timestamps under dates, the extra fields, the Mongo id and its name.
func (d dialectSet) spell(o object, dates ...string) object {
	if d[DialectExtraFields] {
		o = append(o, member{"__v", 0}, member{"metadata", object{{"source", "campaign-module"}, {"revision", 1}}},
			member{"channels", []string{"whatsapp"}})
	}
	for i, m := range o {
		s, text := m.value.(string)
		isID := slices.Contains(objectIDFields, m.key)
		switch {
		case text && slices.Contains(dates, m.key):
			o[i].value = d.spellTime(s, m.key == builder.FieldCampaignScheduledDate)
		case text && isID && d[DialectMongoExtendedJSON]:
			o[i].value = object{{extendedOID, s}}
		}
		if isID && d[DialectIDAlias] {
			o[i].key = aliasID
		}
	}
	return o
}

// spellTime re-spells a stored timestamp (reSpellOffset: scheduled_date, which may move offset); one that does
// not parse is answered as stored.
func (d dialectSet) spellTime(s string, reSpellOffset bool) any {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	switch {
	case d[DialectNaiveTimestamps]:
		return pythonISO(t.UTC(), naiveLayout, false)
	case d[DialectSpaceTimestamps]:
		if !reSpellOffset {
			return pythonISO(t.UTC(), spaceLayout, true)
		}
		offset := time.FixedZone("", -3*60*60) // America/Sao_Paulo, no DST since 2019
		if _, seconds := t.Zone(); seconds == -3*60*60 {
			offset = time.FixedZone("", 5*60*60+30*60)
		}
		return pythonISO(t.In(offset), spaceLayout, true)
	case d[DialectMongoExtendedJSON]:
		return object{{extendedDate, t.UTC().Format(extendedStamp)}}
	}
	return s
}

// pythonISO prints t as Python's datetime does: microseconds only when not zero, +HH:MM when aware.
func pythonISO(t time.Time, layout string, aware bool) string {
	s := t.Format(layout)
	if micro := t.Nanosecond() / 1000; micro != 0 {
		s += fmt.Sprintf(".%06d", micro)
	}
	if aware {
		s += t.Format("-07:00")
	}
	return s
}

// stamp is a new server timestamp as stored: to the microsecond where the dialects print them.
func (d dialectSet) stamp(t time.Time) string {
	if d[DialectNaiveTimestamps] || d[DialectSpaceTimestamps] || d[DialectMongoExtendedJSON] {
		return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// writeCampaign answers a campaign create, read or update.
func (e *Emulator) writeCampaign(w http.ResponseWriter, op Op, status int, c builder.Campaign) {
	d, write := e.dialects, op == OpCampaignCreate || op == OpCampaignUpdate
	if op == OpCampaignCreate && d[DialectCreated200] {
		status = http.StatusOK
	}
	switch {
	case write && d[DialectWriteAnswersIDOnly]:
		writeJSON(w, http.StatusOK, d.spell(object{{fieldCampaignID, c.ID}}))
	case write && d[DialectWriteAnswersNull]:
		writeJSON(w, status, nil)
	default:
		writeJSON(w, status, d.campaignDocument(c, false))
	}
}

// writeCampaignList answers one page of a bot's campaigns, total in all.
func (e *Emulator) writeCampaignList(w http.ResponseWriter, list []builder.Campaign, total int) {
	docs := make([]object, len(list))
	for i, c := range list {
		docs[i] = e.dialects.campaignDocument(c, e.dialects[DialectListSummaries])
	}
	if e.dialects[DialectListEnvelope] {
		writeJSON(w, http.StatusOK, object{{"items", docs}, {"total", total}})
		return
	}
	writeJSON(w, http.StatusOK, docs)
}

// writeDeleted answers a campaign delete that removed c.
func (e *Emulator) writeDeleted(w http.ResponseWriter, c builder.Campaign) {
	switch d := e.dialects; {
	case d[DialectDelete204]:
		w.WriteHeader(http.StatusNoContent)
	case d[DialectDeleteDocument]:
		writeJSON(w, http.StatusOK, d.campaignDocument(c, false))
	case d[DialectDeleteEmpty]:
		w.WriteHeader(http.StatusOK)
	default:
		writeJSON(w, http.StatusOK, nil)
	}
}

// writeTokens answers a login or refresh.
func (e *Emulator) writeTokens(w http.ResponseWriter, tokens builder.Tokens) {
	answer := struct {
		builder.Tokens
		TokenType any `json:"token_type,omitempty"`
		ExpiresIn any `json:"expires_in,omitempty"`
	}{Tokens: tokens}
	if e.dialects[DialectExtraFields] {
		answer.TokenType, answer.ExpiresIn = "bearer", int64(e.tokenLifetime/time.Second)
	}
	writeJSON(w, http.StatusOK, answer)
}

// triggerObjectID is t's ObjectId under DialectTriggerIDObject: its firing's seconds, then its number.
func triggerObjectID(t Trigger) string {
	return fmt.Sprintf("%08x%016x", uint32(t.FiredAt.Unix()), uint64(t.ID))
}

// triggerID reads a trigger path's {id}: a number, or under DialectTriggerIDObject the ObjectId the fire
// answered (its last 16 hex digits are the number); errs is the 422 when it is neither.
func (d dialectSet) triggerID(path string) (id int64, errs []validationError) {
	if !d[DialectTriggerIDObject] {
		id, err := strconv.ParseInt(path, 10, 64)
		if err != nil {
			return 0, []validationError{notAnInteger(loc("path", paramID))}
		}
		return id, nil
	}
	if !isObjectID(path) {
		return 0, []validationError{invalidObjectID(loc("path", paramID))}
	}
	n, _ := strconv.ParseUint(path[8:], 16, 64) // hex digits: isObjectID
	return int64(n), nil
}

// triggerFound tells whether the path's id names t: under DialectTriggerIDObject the whole ObjectId must match.
func (d dialectSet) triggerFound(path string, t Trigger) bool {
	return !d[DialectTriggerIDObject] || strings.EqualFold(path, triggerObjectID(t))
}

// triggerIDValue is a trigger's id as the dialects spell it.
func (d dialectSet) triggerIDValue(t Trigger) (key string, value any) {
	switch {
	case d[DialectTriggerIDString]:
		return builder.FieldTriggerID, strconv.FormatInt(t.ID, 10)
	case d[DialectTriggerIDObject]:
		return builder.FieldTriggerObjectID, triggerObjectID(t)
	}
	return builder.FieldTriggerID, t.ID
}

// writeTriggerFired answers a trigger fire: its id, bare or (an ObjectId) in an object.
func (e *Emulator) writeTriggerFired(w http.ResponseWriter, t Trigger) {
	key, answer := e.dialects.triggerIDValue(t)
	if key == builder.FieldTriggerObjectID {
		answer = e.dialects.spell(object{{key, answer}})
	}
	writeJSON(w, http.StatusOK, answer)
}

// writeTriggerRead answers a trigger read.
func (e *Emulator) writeTriggerRead(w http.ResponseWriter, t Trigger) {
	d := e.dialects
	key, value := d.triggerIDValue(t)
	o := object{{key, value}, {builder.FieldTriggerJSON, t.Payload}, {builder.FieldTriggerStatus, t.Status},
		{builder.FieldTriggerCreatedAt, d.stamp(t.FiredAt)}}
	writeJSON(w, http.StatusOK, d.spell(o, builder.FieldTriggerCreatedAt))
}

// readIDAlias reads a campaign request's id: under DialectIDAlias it may come as "id"; "_id" wins when both come.
func (d dialectSet) readIDAlias(fields map[string]json.RawMessage) {
	if raw, ok := fields[aliasID]; ok && d[DialectIDAlias] {
		if _, both := fields[fieldCampaignID]; !both {
			fields[fieldCampaignID] = raw
		}
		delete(fields, aliasID)
	}
}

// refusedNulls is DialectNullsRefused's 422 for each campaign field sent as null, in the model's order.
func (d dialectSet) refusedNulls(fields map[string]json.RawMessage) (errs []validationError) {
	for _, m := range campaignObject(builder.Campaign{}) {
		if raw, ok := fields[m.key]; ok && isNull(raw) && d[DialectNullsRefused] {
			errs = append(errs, noneNotAllowed(loc("body", m.key)))
		}
	}
	return errs
}
