package emulator

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// How an upload of subscribers is answered (undocumented: ASSUMED, so each is a dialect).
const (
	UploadSummary = "summary" // 200 {"meta": {...}, "data": {"inserted": n}}, processed before the answer (the default)
	UploadEmpty   = "empty"   // 204, no body
	UploadTask    = "task"    // 202 {"task": {"id", "url"}}, after Evolux's dialer API; the task reads done once processed
)

// How the report spells a phone it was sent as digits with a country code (documented example: no country code).
const (
	PhonesAsSent    = "as-sent"   // 5511999990001 (the default)
	PhonesNational  = "national"  // 11999990001: the country code dropped
	PhonesPlus      = "plus"      // +5511999990001
	PhonesFormatted = "formatted" // +55 (11) 99999-0001
)

// UploadDialects and PhoneSpellings list the names Config.EvoluxUpload and Config.EvoluxPhones take.
var (
	UploadDialects = []string{UploadSummary, UploadEmpty, UploadTask}
	PhoneSpellings = []string{PhonesAsSent, PhonesNational, PhonesPlus, PhonesFormatted}
)

var parameterColumn = regexp.MustCompile(`^` + evolux.ColumnParameter + `([0-9]+)$`)

// insertSubscribers takes a CSV of subscribers, multipart under "file" or as a text/csv body, as Evolux documents
// it; every row is inserted, a phone already in the campaign again (the client's care keeps it once).
func (e *Emulator) insertSubscribers(w http.ResponseWriter, r *http.Request, p pathParams) {
	campaign := subscriberCampaignOf(p[paramCampaign])
	if campaign == nil {
		writeEvoluxError(w, http.StatusNotFound, "Campaign not found")
		return
	}
	body, err := uploadedCSV(r)
	if err != nil {
		writeEvoluxError(w, http.StatusBadRequest, err.Error())
		return
	}
	rows, err := readSubscriberRows(body, *campaign, e.now(), e.evoluxPhones)
	if errors.Is(err, errTooLarge) {
		writeEvoluxError(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	} else if err != nil {
		writeEvoluxError(w, http.StatusBadRequest, err.Error())
		return
	}
	visible := e.now().Add(e.insertDelay)
	e.subscribers.insert(rows, visible)
	switch e.evoluxUpload {
	case UploadEmpty:
		w.WriteHeader(http.StatusNoContent)
	case UploadTask:
		id := e.subscribers.addTask(visible)
		writeJSON(w, http.StatusAccepted, map[string]any{"task": map[string]any{
			"id": id, "url": evolux.TaskPath(strconv.Itoa(id)), "state": "pending"}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			evolux.FieldMeta: map[string]any{evolux.FieldStatus: http.StatusOK, evolux.FieldMessage: "Subscribers imported"},
			evolux.FieldData: map[string]any{"inserted": len(rows)}})
	}
}

// readTask answers an upload task's state: done once its subscribers are in the report.
func (e *Emulator) readTask(w http.ResponseWriter, r *http.Request, p pathParams) {
	id, _ := strconv.Atoi(p[paramID])
	visible, ok := e.subscribers.task(id)
	if !ok {
		writeEvoluxError(w, http.StatusNotFound, "Task not found")
		return
	}
	state := "pending"
	if !e.now().Before(visible) {
		state = "done"
	}
	writeJSON(w, http.StatusOK, map[string]any{"task": map[string]any{"id": id, "state": state}})
}

var errTooLarge = fmt.Errorf("the file is larger than %d bytes, the most Evolux takes", evolux.MaxUploadBytes)

// uploadedCSV is the CSV of a multipart form's "file", or of a text/csv body.
func uploadedCSV(r *http.Request) (io.Reader, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, evolux.MaxUploadBytes+1<<20)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case evolux.CSVMediaType:
		return r.Body, nil
	case "multipart/form-data":
		form, err := r.MultipartReader()
		if err != nil {
			return nil, err
		}
		for {
			part, err := form.NextPart()
			if err != nil {
				return nil, fmt.Errorf("no %q part in the form: %w", evolux.FormFile, err)
			}
			if part.FormName() == evolux.FormFile {
				return part, nil
			}
		}
	}
	return nil, fmt.Errorf("Content-Type %q: send a CSV file as form-data under %q, or a %s body",
		r.Header.Get("Content-Type"), evolux.FormFile, evolux.CSVMediaType)
}

// readSubscriberRows validates a CSV as Evolux documents it: name and phone first, then parameter1, 2, … in
// order, then custom data; every row has a name and a phone of digits.
func readSubscriberRows(body io.Reader, c SubscriberCampaign, now time.Time, spelling string) ([]subscriber, error) {
	counted := &countingReader{r: body}
	rows := csv.NewReader(counted)
	header, err := rows.Read()
	if err != nil {
		return nil, fmt.Errorf("the CSV has no header: %w", err)
	}
	if len(header) < 2 || header[0] != evolux.ColumnName || header[1] != evolux.ColumnPhone {
		return nil, fmt.Errorf("the CSV's first columns must be %q and %q, got %q", evolux.ColumnName, evolux.ColumnPhone, header)
	}
	parameters := 0
	for _, column := range header[2:] {
		m := parameterColumn.FindStringSubmatch(column)
		if m == nil {
			break
		}
		if m[1] != strconv.Itoa(parameters+1) {
			return nil, fmt.Errorf("column %q out of order: parameters are numbered from 1, in order", column)
		}
		parameters++
	}
	var out []subscriber
	for line := 2; ; line++ {
		row, err := rows.Read()
		if counted.n > evolux.MaxUploadBytes {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("the CSV is not valid: %w", err)
		}
		name, phone := strings.TrimSpace(row[0]), row[1]
		if name == "" || phone == "" || strings.Trim(phone, "0123456789") != "" {
			return nil, fmt.Errorf("line %d: a subscriber needs a name and a phone of digits, got %q and %q", line, row[0], row[1])
		}
		s := subscriber{name: row[0], phone: spellPhone(phone, spelling), state: "pending", campaignUUID: c.UUID,
			campaignName: c.Name, templateUUID: c.TemplateUUID, createdAt: now.UTC().Truncate(time.Millisecond), hasCreatedAt: true}
		for i, column := range header[2+parameters:] { // the parameters fill the template, unreported
			s.fields = append(s.fields, conversationField{column, row[2+parameters+i]})
		}
		out = append(out, s)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// spellPhone is how the report shows a phone sent as digits (a Brazilian one: country code 55, then two digits).
func spellPhone(digits, spelling string) string {
	national, ok := strings.CutPrefix(digits, "55")
	switch {
	case spelling == PhonesNational && ok:
		return national
	case spelling == PhonesPlus:
		return "+" + digits
	case spelling == PhonesFormatted && ok && len(national) >= 10:
		return fmt.Sprintf("+55 (%s) %s-%s", national[:2], national[2:len(national)-4], national[len(national)-4:])
	}
	return digits
}

func subscriberCampaignOf(uuid string) *SubscriberCampaign {
	i := slices.IndexFunc(subscriberCampaigns, func(c SubscriberCampaign) bool { return strings.EqualFold(c.UUID, uuid) })
	if i < 0 {
		return nil
	}
	return &subscriberCampaigns[i]
}

// insert adds records to the report once visible (now, or after the insert delay); a phone twice is two records.
func (s *subscriberStore) insert(records []subscriber, visible time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensure()
	s.pending = append(s.pending, pendingInsert{visible, records})
	for _, r := range records {
		s.uploaded = append(s.uploaded, r.phone)
	}
}

// Uploaded lists every phone uploaded, in order, once per time it was uploaded, as the report spells it.
func (e *Emulator) Uploaded() []string {
	e.subscribers.mu.Lock()
	defer e.subscribers.mu.Unlock()
	return slices.Clone(e.subscribers.uploaded)
}

type pendingInsert struct {
	visible time.Time
	records []subscriber
}

// addTask records an upload task, done once visible; its id is its number from 1.
func (s *subscriberStore) addTask(visible time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks = append(s.tasks, visible)
	return len(s.tasks)
}

func (s *subscriberStore) task(id int) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id < 1 || id > len(s.tasks) {
		return time.Time{}, false
	}
	return s.tasks[id-1], true
}

// publish moves the inserts visible at now into the records, in a new array: a snapshot being served stays whole.
func (s *subscriberStore) publish(now time.Time) {
	due := slices.IndexFunc(s.pending, func(p pendingInsert) bool { return p.visible.After(now) })
	if due < 0 {
		due = len(s.pending)
	}
	if due == 0 {
		return
	}
	records := slices.Clip(s.records)
	for _, p := range s.pending[:due] {
		records = append(records, p.records...)
	}
	s.records, s.pending, s.cacheKey = records, s.pending[due:], ""
}
