package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

const (
	fieldCampaignID   = builder.FieldCampaignID
	fieldCreationDate = builder.FieldCampaignCreationDate
	fieldScheduled    = builder.FieldCampaignScheduledDate
)

var (
	// objectIDFields hold a Mongo ObjectId: a campaign's id, a trigger's
	// under DialectTriggerIDObject.
	objectIDFields = slices.Compact([]string{fieldCampaignID, builder.FieldTriggerObjectID})
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

// respell replaces the value of key, when it is a string, with f's.
func (o object) respell(key string, f func(string) any) {
	for i := range o {
		if s, ok := o[i].value.(string); ok && o[i].key == key {
			o[i].value = f(s)
		}
	}
}

func (o object) rename(from, to string) object {
	for i := range o {
		if o[i].key == from {
			o[i].key = to
		}
	}
	return o
}

func (o object) keep(keys []string) object {
	out := object{}
	for _, m := range o {
		for _, k := range keys {
			if m.key == k {
				out = append(out, m)
			}
		}
	}
	return out
}

// campaignObject lists every field of the model in its order, nil where
// the campaign has no value.
func campaignObject(c builder.Campaign) object {
	v := reflect.ValueOf(c)
	o := make(object, 0, v.NumField())
	for i := range v.NumField() {
		f, name := v.Field(i), jsonName(c, v.Type().Field(i).Name)
		if name == "-" {
			continue // not on the wire (Problems)
		}
		var value any
		switch {
		case f.Kind() == reflect.Pointer && !f.IsNil():
			value = f.Elem().Interface()
		case f.Kind() == reflect.Slice && !f.IsNil():
			value = f.Interface()
		case f.Kind() != reflect.Pointer && f.Kind() != reflect.Slice:
			value = f.Interface()
		}
		o = append(o, member{name, value})
	}
	return o
}

// nullPolicy drops what the dialect leaves out: the reference drops what
// encoding/json's omitempty drops from wire.go's Campaign (null and empty
// lists), omit-nulls only nulls, explicit-nulls nothing.
func (d dialectSet) nullPolicy(o object) object {
	if d[DialectExplicitNulls] {
		return o
	}
	out := o[:0:0]
	for _, m := range o {
		if m.value == nil {
			continue
		}
		if list, ok := m.value.([]string); ok && len(list) == 0 && !d[DialectOmitNulls] {
			continue
		}
		out = append(out, m)
	}
	return out
}

// campaignDocument is one campaign as the dialects answer it.
func (d dialectSet) campaignDocument(c builder.Campaign, summary bool) object {
	o := campaignObject(c)
	if summary {
		o = o.keep(summaryFields)
	}
	o = d.nullPolicy(o)
	if d[DialectExtraFields] && !summary {
		var created any // as creation_date: null when unset
		if c.CreationDate != nil {
			created = *c.CreationDate
		}
		o = append(o, member{"updated_at", created})
	}
	return d.spell(o, fieldCreationDate, fieldScheduled, "updated_at")
}

// spell re-spells the values of an answer object: the timestamps under
// dates, the Mongo id, the extra fields and the id's name.
func (d dialectSet) spell(o object, dates ...string) object {
	for _, key := range dates {
		o.respell(key, func(s string) any { return d.spellTime(s, key == fieldScheduled) })
	}
	for _, key := range objectIDFields {
		if d[DialectMongoExtendedJSON] {
			o.respell(key, func(s string) any { return object{{extendedOID, s}} })
		}
	}
	if d[DialectExtraFields] {
		o = append(o,
			member{"__v", 0},
			member{"metadata", object{{"source", "campaign-module"}, {"revision", 1}}},
			member{"channels", []string{"whatsapp"}},
		)
	}
	if d[DialectIDAlias] {
		for _, key := range objectIDFields {
			o = o.rename(key, aliasID)
		}
	}
	return o
}

// spellTime re-spells a stored timestamp; reSpellOffset moves it to another
// offset (same instant) where the dialect does so for scheduled_date. A
// value that does not parse is answered as stored.
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

// pythonISO prints t as Python's datetime does: microseconds only when not
// zero, and the offset as +HH:MM when aware.
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

// fineTimestamps tells whether the dialects print microseconds, so the
// clock is kept to the microsecond instead of the second.
func (d dialectSet) fineTimestamps() bool {
	return d[DialectNaiveTimestamps] || d[DialectSpaceTimestamps] || d[DialectMongoExtendedJSON]
}

// stamp is a new server timestamp as stored.
func (d dialectSet) stamp(t time.Time) string {
	if d.fineTimestamps() {
		return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	}
	return timestamp(t)
}

// writeCampaign answers a campaign create, read or update.
func (e *Emulator) writeCampaign(w http.ResponseWriter, op Op, status int, c builder.Campaign) {
	d := e.dialects
	write := op == OpCampaignCreate || op == OpCampaignUpdate
	if d[DialectWriteAnswersIDOnly] && write {
		writeJSON(w, http.StatusOK, d.spell(object{{fieldCampaignID, c.ID}}))
		return
	}
	if op == OpCampaignCreate && d[DialectCreated200] {
		status = http.StatusOK
	}
	if d[DialectWriteAnswersNull] && write {
		writeJSON(w, status, nil)
		return
	}
	writeJSON(w, status, d.campaignDocument(c, false))
}

// writeCampaignList answers one page of the list of a bot's campaigns,
// total in all.
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
	o := object{
		{jsonName(tokens, "Token"), tokens.Token},
		{jsonName(tokens, "RefreshToken"), tokens.RefreshToken},
	}
	if e.dialects[DialectExtraFields] {
		e.mu.Lock()
		lifetime := e.tokenLifetime
		e.mu.Unlock()
		o = append(o, member{"token_type", "bearer"}, member{"expires_in", int64(lifetime / time.Second)})
	}
	writeJSON(w, http.StatusOK, o)
}

// triggerObjectID is the ObjectId DialectTriggerIDObject gives trigger t:
// the seconds of its firing, then its number, so that it decodes back
// without a second index.
func triggerObjectID(t Trigger) string {
	return fmt.Sprintf("%08x%016x", uint32(t.FiredAt.Unix()), uint64(t.ID))
}

// triggerID reads the {id} of a trigger path: a number, or under
// DialectTriggerIDObject the ObjectId the fire answered (its last 16 hex
// digits are the number). errs is the 422 to answer when it is neither.
func (d dialectSet) triggerID(path string) (id int64, errs []validationError) {
	if !d[DialectTriggerIDObject] {
		id, err := strconv.ParseInt(path, 10, 64)
		if err != nil {
			return 0, []validationError{{Loc: loc("path", paramID), Msg: "value is not a valid integer", Type: "type_error.integer"}}
		}
		return id, nil
	}
	if !isObjectID(path) {
		return 0, []validationError{invalidObjectID(loc("path", paramID))}
	}
	n, _ := strconv.ParseUint(path[8:], 16, 64) // hex digits: isObjectID
	return int64(n), nil
}

// triggerFound tells whether the path's id names t: under
// DialectTriggerIDObject the whole ObjectId must match.
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

// writeTriggerFired answers a trigger fire.
func (e *Emulator) writeTriggerFired(w http.ResponseWriter, t Trigger) {
	d := e.dialects
	key, value := d.triggerIDValue(t)
	if key == builder.FieldTriggerObjectID {
		writeJSON(w, http.StatusOK, d.spell(object{{key, value}}))
		return
	}
	writeJSON(w, http.StatusOK, value)
}

// writeTriggerRead answers a trigger read.
func (e *Emulator) writeTriggerRead(w http.ResponseWriter, t Trigger) {
	d := e.dialects
	key, value := d.triggerIDValue(t)
	o := object{
		{key, value},
		{builder.FieldTriggerJSON, t.Payload},
		{builder.FieldTriggerStatus, t.Status},
		{builder.FieldTriggerCreatedAt, d.stamp(t.FiredAt)},
	}
	writeJSON(w, http.StatusOK, d.spell(o, builder.FieldTriggerCreatedAt))
}

// requestFields reads a campaign request under the dialects: with
// DialectIDAlias the id may come as "id" (pydantic's field name, with
// population by field name allowed); "_id" wins when both come.
func (d dialectSet) requestFields(fields map[string]json.RawMessage) map[string]json.RawMessage {
	if !d[DialectIDAlias] {
		return fields
	}
	if raw, ok := fields[aliasID]; ok {
		if _, both := fields[fieldCampaignID]; !both {
			fields[fieldCampaignID] = raw
		}
		delete(fields, aliasID)
	}
	return fields
}

// keepAbsentFields is what DialectPutMerges stores for an update: the sent
// campaign, except that each field the body does not name keeps its stored
// value, as a handler that $sets body.dict(exclude_unset=True) does. A field
// sent as null is cleared.
func keepAbsentFields(stored, sent builder.Campaign, body map[string]json.RawMessage) builder.Campaign {
	for _, f := range builder.CampaignFields {
		if _, present := body[f.Key]; present || !f.User() {
			continue
		}
		if f.Kind == builder.KindList {
			sent.SheetValues = slices.Clone(stored.SheetValues)
		} else {
			*f.Text(&sent) = clonePtr(*f.Text(&stored))
		}
	}
	return sent
}

// refusedNulls is DialectNullsRefused's 422 for each field of a campaign
// body sent as null, in the order of the seed's fields.
func (d dialectSet) refusedNulls(fields map[string]json.RawMessage) []validationError {
	if !d[DialectNullsRefused] {
		return nil
	}
	names := []string{fieldCampaignID}
	for _, f := range builder.CampaignFields {
		names = append(names, f.Key)
	}
	var errs []validationError
	for _, name := range names {
		if raw, ok := fields[name]; ok && isNull(raw) {
			errs = append(errs, noneNotAllowed(loc("body", name)))
		}
	}
	return errs
}
