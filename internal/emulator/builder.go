package emulator

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// FastAPI detail texts of the Builder service.
const (
	detailInvalidCredentials = "Incorrect user or password"
	detailInvalidRefresh     = "Invalid refresh token"
	detailInvalidScheme      = "Invalid authentication credentials"
	detailTokenExpired       = "Token expired"
	detailInvalidToken       = "Invalid token"
	detailCampaignNotFound   = "Campaign not found"
	detailCampaignStarted    = "Campaign already started"
	detailInvalidAPIKey      = "Invalid API key"
	detailTriggerNotFound    = "Trigger not found"
)

// Trigger is a fired trigger as the emulator holds it.
type Trigger struct {
	ID      int64
	Payload json.RawMessage
	FiredAt time.Time
	Status  string
}

// readBody reads a JSON object body into dst (readJSONBody, then decodeFields), answering nothing.
func readBody(w http.ResponseWriter, r *http.Request, dst any, required ...string) ([]validationError, bool) {
	fields, errs, syntaxErr := readJSONBody(w, r)
	if fields != nil {
		errs = decodeFields(fields, dst, required...)
	}
	return errs, syntaxErr
}

func (e *Emulator) login(w http.ResponseWriter, r *http.Request, _ pathParams) {
	var req builder.LoginRequest
	if errs, _ := readBody(w, r, &req, "User", "Password"); refused(w, errs) {
		return
	}
	if !secretEqual(req.User, e.user) || !secretEqual(req.Password, e.password) {
		writeDetail(w, http.StatusUnauthorized, detailInvalidCredentials)
		return
	}
	e.writeTokens(w, e.issueTokens())
}

func (e *Emulator) refresh(w http.ResponseWriter, r *http.Request, _ pathParams) {
	var req builder.RefreshRequest
	if errs, _ := readBody(w, r, &req, "RefreshToken"); refused(w, errs) {
		return
	}
	e.mu.Lock()
	expiry, ok := e.refreshTokens[req.RefreshToken]
	delete(e.refreshTokens, req.RefreshToken) // one use only
	e.mu.Unlock()
	if !ok || !e.now().Before(expiry) {
		writeDetail(w, http.StatusUnauthorized, detailInvalidRefresh)
		return
	}
	e.writeTokens(w, e.issueTokens())
}

func (e *Emulator) issueTokens() builder.Tokens {
	tokens := builder.Tokens{Token: rand.Text(), RefreshToken: rand.Text()}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.accessTokens[tokens.Token] = now.Add(e.tokenLifetime)
	e.refreshTokens[tokens.RefreshToken] = now.Add(refreshTokenLifetime)
	return tokens
}

// authenticate checks a bearer token, answering a failure itself: HTTPBearer's 403s, then the service's 401.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get(builder.HeaderAuthorization), " ")
	if scheme == "" || token == "" {
		writeDetail(w, http.StatusForbidden, builder.DetailNotAuthenticated)
		return false
	}
	if !strings.EqualFold(scheme, "bearer") {
		writeDetail(w, http.StatusForbidden, detailInvalidScheme)
		return false
	}
	now := e.now()
	e.mu.Lock()
	expiry, known := e.accessTokens[token]
	expired := known && !now.Before(expiry)
	if expired {
		e.expiredTokenUses++
	}
	e.mu.Unlock()
	if !known || expired {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeDetail(w, http.StatusUnauthorized, map[bool]string{false: detailInvalidToken, true: detailTokenExpired}[expired])
	}
	return known && !expired
}

func secretEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func isObjectID(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 24 && err == nil
}

// newObjectID is an id the server makes: its seconds, then bytes drawn from the seed.
func (e *Emulator) newObjectID(now time.Time) string {
	var id [12]byte
	binary.BigEndian.PutUint32(id[:4], uint32(now.Unix()))
	e.mu.Lock()
	binary.BigEndian.PutUint64(id[4:], e.ids.Uint64())
	e.mu.Unlock()
	return hex.EncodeToString(id[:])
}

// validatePathID checks the {id} of a campaign path (422 before 404).
func validatePathID(id string) []validationError {
	if isObjectID(id) {
		return nil
	}
	return []validationError{invalidObjectID(loc("path", paramID))}
}

// decodeCampaign validates a campaign body (none: nothing to say) as the model does under the dialects, server-managed
// fields too (then ignored).
func (d dialectSet) decodeCampaign(fields map[string]json.RawMessage) (c builder.Campaign, errs []validationError) {
	if fields == nil {
		return c, nil
	}
	d.readIDAlias(fields)
	errs = decodeFields(fields, &c)
	failed := func(name string) bool { // the field already has an error
		return slices.ContainsFunc(errs, func(err validationError) bool { return err.Loc[len(err.Loc)-1] == name })
	}
	if raw, present := fields[fieldCampaignID]; present && !failed(fieldCampaignID) && !isNull(raw) && !isObjectID(c.ID) {
		errs = append(errs, invalidObjectID(loc("body", fieldCampaignID)))
	}
	switch name := builder.FieldCampaignCampaignName; {
	case failed(name):
	case c.CampaignName == nil:
		errs = append(errs, missingError(loc("body", name)))
	case *c.CampaignName == "":
		errs = append(errs, validationError{loc("body", name), "ensure this value has at least 1 characters",
			"value_error.any_str.min_length", map[string]any{"limit_value": 1}})
	}
	for _, f := range builder.CampaignFields {
		if f.Kind != builder.KindTimestamp || !f.Has(&c) || failed(f.Key) {
			continue
		}
		if _, err := time.Parse(time.RFC3339, **f.Text(&c)); err != nil {
			errs = append(errs, validationError{Loc: loc("body", f.Key), Msg: "invalid datetime format", Type: "value_error.datetime"})
		}
	}
	if c.Status != nil && !failed(builder.FieldCampaignStatus) && !slices.Contains(campaignStatuses, *c.Status) {
		errs = append(errs, validationError{loc("body", builder.FieldCampaignStatus),
			"value is not a valid enumeration member; permitted: 'concluded', 'in_progress', 'not_started', 'error'",
			"type_error.enum", map[string]any{"enum_values": campaignStatuses}})
	}
	return c, append(d.refusedNulls(fields), errs...)
}

var campaignStatuses = []string{builder.StatusConcluded, builder.StatusInProgress, builder.StatusNotStarted, builder.StatusError}

// campaignBody reads a campaign request in FastAPI's order: JSON syntax, authentication, then every 422 at once.
func (e *Emulator) campaignBody(w http.ResponseWriter, r *http.Request, pathErrs []validationError) (builder.Campaign, map[string]json.RawMessage, bool) {
	fields, bodyErrs, syntaxErr := readJSONBody(w, r)
	if syntaxErr && refused(w, bodyErrs) || !e.authenticate(w, r) {
		return builder.Campaign{}, nil, false
	}
	c, campaignErrs := e.dialects.decodeCampaign(fields)
	if refused(w, pathErrs, bodyErrs, campaignErrs) {
		return builder.Campaign{}, nil, false
	}
	return c, fields, true
}

func (e *Emulator) createCampaign(w http.ResponseWriter, r *http.Request, p pathParams) {
	c, _, ok := e.campaignBody(w, r, nil)
	if !ok {
		return
	}
	c.Status, c.CreationDate, c.LogFile = nil, nil, nil
	c = e.placed(c, p[paramOrganization], p[paramBot], e.dialects[DialectServerIDs])
	e.mu.Lock()
	_, duplicate := e.campaigns[c.ID]
	if !duplicate {
		e.campaigns[c.ID] = cloneCampaign(c)
	}
	e.mu.Unlock()
	if duplicate {
		writeUnhandled(w) // Mongo's duplicate-key error is not caught by the service
		return
	}
	e.writeCampaign(w, OpCampaignCreate, http.StatusCreated, c)
}

func (e *Emulator) listCampaigns(w http.ResponseWriter, r *http.Request, p pathParams) {
	skip, limit, errs := e.listWindow(r)
	if refused(w, errs) || !e.authenticate(w, r) {
		return
	}
	list := slices.DeleteFunc(sortedCopies(e, e.campaigns, cloneCampaign), func(c builder.Campaign) bool { return !inBot(c, p) })
	slices.SortStableFunc(list, func(a, b builder.Campaign) int { return cmp.Compare(deref(a.CreationDate), deref(b.CreationDate)) })
	e.writeCampaignList(w, list[min(skip, len(list)):min(skip+limit, len(list))], len(list))
}

// listWindow reads skip and limit as Query(0, ge=0) and Query(100, ge=1, le=ListMax); two dialects ignore both.
func (e *Emulator) listWindow(r *http.Request) (skip, limit int, errs []validationError) {
	switch {
	case e.dialects[DialectListUnpaged]:
		return 0, math.MaxInt, nil
	case e.dialects[DialectListCapped]:
		return 0, defaultListLimit, nil
	}
	query := r.URL.Query()
	param := func(name string, fallback, least, most int) int {
		raw := query.Get(name)
		if raw == "" {
			return fallback
		}
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			errs = append(errs, notAnInteger(loc("query", name)))
		case n < least:
			errs = append(errs, validationError{Loc: loc("query", name), Msg: fmt.Sprintf("ensure this value is greater than or equal to %d", least),
				Type: "value_error.number.not_ge", Ctx: map[string]any{"limit_value": least}})
		case n > most:
			errs = append(errs, validationError{Loc: loc("query", name), Msg: fmt.Sprintf("ensure this value is less than or equal to %d", most),
				Type: "value_error.number.not_le", Ctx: map[string]any{"limit_value": most}})
		}
		return n
	}
	skip = param(builder.QuerySkip, 0, 0, math.MaxInt)
	limit = param(builder.QueryLimit, min(defaultListLimit, e.listMax), 1, e.listMax)
	return skip, limit, errs
}

func (e *Emulator) readCampaign(w http.ResponseWriter, r *http.Request, p pathParams) {
	if c, found, authorized := e.pathCampaign(w, r, p, false); authorized {
		e.writeFound(w, found, detailCampaignNotFound, func() { e.writeCampaign(w, OpCampaignRead, http.StatusOK, c) })
	}
}

// writeFound answers a read: found, or 404 (DialectReadNull: 200 null).
func (e *Emulator) writeFound(w http.ResponseWriter, ok bool, notFound string, found func()) {
	switch {
	case ok:
		found()
	case e.dialects[DialectReadNull]:
		writeJSON(w, http.StatusOK, nil)
	default:
		writeDetail(w, http.StatusNotFound, notFound)
	}
}

func (e *Emulator) updateCampaign(w http.ResponseWriter, r *http.Request, p pathParams) {
	c, body, ok := e.campaignBody(w, r, validatePathID(p[paramID]))
	if !ok {
		return
	}
	e.mu.Lock()
	old, found := e.stored(p)
	started := found && deref(old.Status) != builder.StatusNotStarted
	if found && !started {
		c.ID = old.ID
		for _, f := range builder.CampaignFields {
			// The path's and the server's fields are kept; under DialectPutMerges ($set of body.dict(exclude_unset=True))
			// so is a user field the body does not name (one sent as null is cleared).
			if _, named := body[f.Key]; !f.User() || !named && e.dialects[DialectPutMerges] {
				if f.Kind == builder.KindList {
					c.SheetValues = old.SheetValues
				} else {
					*f.Text(&c) = *f.Text(&old)
				}
			}
		}
		e.campaigns[c.ID] = cloneCampaign(c)
	}
	e.mu.Unlock()
	switch {
	case !found:
		writeDetail(w, http.StatusNotFound, detailCampaignNotFound)
	case started:
		writeDetail(w, http.StatusConflict, detailCampaignStarted)
	default:
		e.writeCampaign(w, OpCampaignUpdate, http.StatusOK, c)
	}
}

func (e *Emulator) deleteCampaign(w http.ResponseWriter, r *http.Request, p pathParams) {
	switch c, found, authorized := e.pathCampaign(w, r, p, true); {
	case !authorized:
	case !found:
		writeDetail(w, http.StatusNotFound, detailCampaignNotFound)
	default:
		e.writeDeleted(w, c)
	}
}

// pathCampaign checks the bearer token, then the path's id (answering a failure itself), and takes a copy of the
// path's campaign, removing it too when remove.
func (e *Emulator) pathCampaign(w http.ResponseWriter, r *http.Request, p pathParams, remove bool) (c builder.Campaign, found, authorized bool) {
	if !e.authenticate(w, r) || refused(w, validatePathID(p[paramID])) {
		return c, false, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, found = e.stored(p); found && remove {
		delete(e.campaigns, c.ID)
	}
	return cloneCampaign(c), found, true
}

// stored is the campaign of the path (e.mu held): its id, in its organization and bot.
func (e *Emulator) stored(p pathParams) (builder.Campaign, bool) {
	c, ok := e.campaigns[strings.ToLower(p[paramID])]
	return c, ok && inBot(c, p)
}

// inBot tells whether c belongs to the path's organization and bot.
func inBot(c builder.Campaign, p pathParams) bool {
	return deref(c.Organization) == p[paramOrganization] && deref(c.BotName) == p[paramBot]
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func cloneCampaign(c builder.Campaign) builder.Campaign {
	out := c
	for _, f := range builder.CampaignFields {
		if text := f.Text(&out); text != nil && *text != nil {
			*text = ptr(**text)
		}
	}
	out.SheetValues = slices.Clone(c.SheetValues)
	return out
}

// checkAPIKey answers the 422 of before, a missing apikey and after, else the 403 of a wrong apikey (FastAPI
// takes the last of repeated values); false when it answered.
func (e *Emulator) checkAPIKey(w http.ResponseWriter, r *http.Request, before, after []validationError) bool {
	keys := r.URL.Query()[builder.QueryAPIKey]
	if len(keys) == 0 {
		before = append(before, missingError(loc("query", builder.QueryAPIKey)))
	}
	if refused(w, before, after) {
		return false
	}
	if !secretEqual(keys[len(keys)-1], e.apiKey) {
		writeDetail(w, http.StatusForbidden, detailInvalidAPIKey)
		return false
	}
	return true
}

func (e *Emulator) fireTrigger(w http.ResponseWriter, r *http.Request, _ pathParams) {
	var req builder.TriggerRequest
	errs, syntaxErr := readBody(w, r, &req, "JSON")
	raw, _ := req.JSON.(json.RawMessage) // valid JSON, trimmed, once decodeFields read it
	if len(errs) == 0 && raw != nil && raw[0] != '{' {
		errs = append(errs, notADict(loc("body", builder.FieldTriggerJSON)))
	}
	if syntaxErr && refused(w, errs) || !e.checkAPIKey(w, r, nil, errs) {
		return
	}
	var payload bytes.Buffer
	_ = json.Compact(&payload, raw)
	e.mu.Lock()
	t := Trigger{ID: e.nextTriggerID, Payload: payload.Bytes(), FiredAt: e.now().UTC(), Status: builder.TriggerStatusSent}
	e.nextTriggerID++
	e.triggers[t.ID] = t
	e.mu.Unlock()
	e.writeTriggerFired(w, t)
}

func (e *Emulator) readTrigger(w http.ResponseWriter, r *http.Request, p pathParams) {
	id, idErrs := e.dialects.triggerID(p[paramID])
	if !e.checkAPIKey(w, r, idErrs, nil) {
		return
	}
	e.mu.Lock()
	t, ok := e.triggers[id]
	e.mu.Unlock()
	e.writeFound(w, ok && e.dialects.triggerFound(p[paramID], t), detailTriggerNotFound, func() { e.writeTriggerRead(w, t) })
}

// TokenIssued tells whether the emulator issued this access token, expired or not.
func (e *Emulator) TokenIssued(token string) bool {
	return locked(e, func() bool { _, known := e.accessTokens[token]; return known })
}

// Campaigns is a copy of every stored campaign, of every organization and bot, sorted by id.
func (e *Emulator) Campaigns() []builder.Campaign { return sortedCopies(e, e.campaigns, cloneCampaign) }

// Campaign is a copy of the stored campaign id, whatever its organization.
func (e *Emulator) Campaign(id string) (builder.Campaign, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.campaigns[strings.ToLower(id)]
	return cloneCampaign(c), ok
}

// sortedCopies is a copy of every value of m (held under e.mu), in the order of its keys.
func sortedCopies[K cmp.Ordered, V any](e *Emulator, m map[K]V, clone func(V) V) []V {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := make([]V, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		list = append(list, clone(m[k]))
	}
	return list
}

// removed deletes key from m (held under e.mu) and tells whether it was there.
func removed[K comparable, V any](e *Emulator, m map[K]V, key K) bool {
	return locked(e, func() bool { _, ok := m[key]; delete(m, key); return ok })
}

// PutCampaign stores c under organization and bot out of band, as placed sets it; the rest is kept as given.
func (e *Emulator) PutCampaign(organization, bot string, c builder.Campaign) {
	c = e.placed(cloneCampaign(c), organization, bot, false)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.campaigns[c.ID] = c
}

// placed is c as stored under organization and bot: its id in lower case (new when none or newID),
// not_started and created now unless c says otherwise.
func (e *Emulator) placed(c builder.Campaign, organization, bot string, newID bool) builder.Campaign {
	now := e.now()
	if c.ID = strings.ToLower(c.ID); c.ID == "" || newID {
		c.ID = e.newObjectID(now)
	}
	c.Organization, c.BotName = ptr(organization), ptr(bot)
	c.Status = cmp.Or(c.Status, ptr(builder.StatusNotStarted))
	c.CreationDate = cmp.Or(c.CreationDate, ptr(e.dialects.stamp(now)))
	return c
}

// SetCampaignStatus changes a campaign's status out of band; false if there is no such campaign.
func (e *Emulator) SetCampaignStatus(id, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.campaigns[strings.ToLower(id)]
	if ok {
		c.Status = ptr(status)
		e.campaigns[c.ID] = c
	}
	return ok
}

// RemoveCampaign deletes a campaign out of band; false if there was none.
func (e *Emulator) RemoveCampaign(id string) bool {
	return removed(e, e.campaigns, strings.ToLower(id))
}

// AdvanceSchedule plays the scheduler at now: a due campaign starts, one already in progress concludes with a log
// file (two calls to conclude, as a send takes time).
func (e *Emulator) AdvanceSchedule(now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, c := range e.campaigns {
		if due, err := time.Parse(time.RFC3339, deref(c.ScheduledDate)); err != nil || due.After(now) {
			continue
		}
		switch deref(c.Status) {
		case builder.StatusNotStarted:
			c.Status = ptr(builder.StatusInProgress)
		case builder.StatusInProgress:
			c.Status = ptr(builder.StatusConcluded)
			c.LogFile = ptr("logs/" + id + ".log")
		default:
			continue
		}
		e.campaigns[id] = c
	}
}

// Triggers is every fired trigger the emulator still knows, by id.
func (e *Emulator) Triggers() []Trigger {
	return sortedCopies(e, e.triggers, func(t Trigger) Trigger { t.Payload = slices.Clone(t.Payload); return t })
}

// RemoveTrigger makes the service forget a trigger (its read answers 404); false if there was none.
func (e *Emulator) RemoveTrigger(id int64) bool { return removed(e, e.triggers, id) }
