package provider

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// simServer is the server a scenario draws: dialects, a list cap, a crowd
// of campaigns nobody manages, Evolux's shape, and a fault schedule.
type simServer struct {
	dialects    []emulator.Dialect
	listMax     int // 0: the emulator's 1000
	crowd       int // campaigns in bot-a that no configuration manages
	subscribers int
	evoluxShape string
	paging      string
	pageSize    int
	tokenLife   time.Duration
	maxRetries  int
	faultRate   float64
	faultKinds  []emulator.FaultKind
	// rival: another workspace applies the same configuration, so an
	// identical campaign, under an id this provider made, is created
	// whenever one of ours meets a fault (only where the server keeps the
	// ids it is sent: elsewhere the two cannot be told apart).
	rival bool
	rate  emulator.RateLimit // each API's token bucket
	// Evolux's answer to an upload, its report's spelling of phones, and
	// how long an upload takes to show in it.
	upload, phones string
	insertDelay    time.Duration
}

func (s simServer) String() string {
	names := make([]string, len(s.dialects))
	for i, d := range s.dialects {
		names[i] = string(d)
	}
	return fmt.Sprintf("dialects=[%s] list-max=%d crowd=%d evolux=%s/%s/%d×%d token=%s retries=%d faults=%.0f%%%v rival=%t rate=%v upload=%s phones=%s insert-delay=%s",
		strings.Join(names, ","), s.listMax, s.crowd, s.evoluxShape, s.paging, s.subscribers, s.pageSize, s.tokenLife, s.maxRetries, 100*s.faultRate, s.faultKinds, s.rival, s.rate, s.upload, s.phones, s.insertDelay)
}

func (s simServer) has(d emulator.Dialect) bool { return slices.Contains(s.dialects, d) }

// simClock is the scenario's time: every request and every wait moves it,
// and the emulator and the provider's clients share it.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *simClock) Sleep(_ context.Context, d time.Duration) { c.advance(d) }

// lockedBuffer is a log sink for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// simWorld is the server side of a scenario and what it has seen: it is
// the provider's HTTP transport, so it decides each request's fault, and
// it puts down what the server did to the resource instance being applied.
type simWorld struct {
	seed   uint64
	server simServer
	emu    *emulator.Emulator
	inner  http.RoundTripper
	clock  *simClock
	logs   lockedBuffer

	mu        sync.Mutex
	stepSeed  uint64
	faultsOn  bool
	counts    map[string]int    // request key => occurrences in this step
	names     map[string]string // campaign id => campaign_name, for request keys
	secrets   map[string]bool   // every credential and token handed out
	current   string            // the address being applied or invoked
	owner     map[string]string // server campaign id => address it was created for
	fired     map[string]int    // address => triggers fired for it
	started   map[string]bool   // server campaign ids started out of band
	intended  map[string]bool   // addresses the user asked to delete this step
	broken    []string          // invariants broken inside a request
	requests  int
	faultSeen map[emulator.FaultKind]int
}

const (
	simHost = "http://127.0.0.1"
	simOrg  = "acme"
)

func newSimWorld(seed uint64, server simServer) *simWorld {
	clock := &simClock{t: time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)}
	emu := emulator.New(emulator.Config{
		Dialects: server.dialects, ListMax: server.listMax, Now: clock.Now, Seed: int64(seed),
		TokenLifetime: server.tokenLife, Subscribers: server.subscribers, EvoluxShape: server.evoluxShape,
		EvoluxPaging: server.paging, PageSize: server.pageSize, BuilderRate: server.rate, EvoluxRate: server.rate,
		EvoluxUpload: server.upload, EvoluxPhones: server.phones, InsertDelay: server.insertDelay,
	})
	w := &simWorld{
		seed: seed, server: server, emu: emu, inner: emu.Transport(), clock: clock,
		counts: map[string]int{}, names: map[string]string{}, owner: map[string]string{},
		fired: map[string]int{}, started: map[string]bool{}, intended: map[string]bool{},
		secrets:   map[string]bool{emulator.DefaultPassword: true, emulator.DefaultAPIKey: true, emulator.DefaultEvoluxToken: true},
		faultSeen: map[emulator.FaultKind]int{},
	}
	for i := range server.crowd {
		emu.PutCampaign(simOrg, "bot-a", builder.Campaign{CampaignName: ptrTo(fmt.Sprintf("crowd-%03d", i)), Content: ptrTo("someone else's")})
	}
	return w
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (w *simWorld) builderURL() string {
	if w.server.has(emulator.DialectPathPrefix) || w.server.has(emulator.DialectGateway) {
		return simHost + emulator.VendorPathPrefix
	}
	return simHost
}

// startStep resets what keys a step's faults.
func (w *simWorld) startStep(seed uint64, faults bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stepSeed, w.faultsOn = seed, faults
	clear(w.counts)
	clear(w.intended)
}

func (w *simWorld) setCurrent(addr string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.current = addr
}

var objectIDSegment = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// requestKey names a request by what it means, not by ids that differ
// between runs: a campaign id becomes the name of its campaign.
func (w *simWorld) requestKey(req *http.Request, body []byte) string {
	path := strings.TrimSuffix(strings.TrimPrefix(req.URL.Path, emulator.VendorPathPrefix), "/")
	segments := strings.Split(path, "/")
	for i, s := range segments {
		if objectIDSegment.MatchString(s) {
			segments[i] = "<" + w.names[strings.ToLower(s)] + ">"
		}
	}
	query := req.URL.Query()
	query.Del(builder.QueryAPIKey)
	// An upload's multipart boundary is random: its key is the rows.
	if _, params, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err == nil && params["boundary"] != "" {
		body = bytes.ReplaceAll(body, []byte(params["boundary"]), nil)
	}
	var fields struct {
		ID   string `json:"_id"`
		Name string `json:"campaign_name"`
	}
	if json.Unmarshal(body, &fields) == nil && fields.Name != "" {
		if fields.ID != "" {
			w.names[strings.ToLower(fields.ID)] = fields.Name
		}
		body = []byte(fields.Name)
	}
	return req.Method + " " + strings.Join(segments, "/") + "?" + query.Encode() + " " + string(body)
}

// fault draws a request's fault from the step's seed, its key and how many
// times the step sent it: the same step on the same state meets the same
// faults, whatever order concurrent requests come in.
func (w *simWorld) fault(key string, n int) emulator.FaultKind {
	if !w.faultsOn || w.server.faultRate == 0 {
		return ""
	}
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], w.stepSeed)
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	_, _ = h.Write(b[:])
	_, _ = io.WriteString(h, key)
	sum := h.Sum64()
	if float64(sum>>11)/(1<<53) >= w.server.faultRate {
		return ""
	}
	return w.server.faultKinds[(sum>>3)%uint64(len(w.server.faultKinds))]
}

// RoundTrip is the provider's transport.
func (w *simWorld) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	w.clock.advance(time.Second)
	w.mu.Lock()
	w.requests++
	key := w.requestKey(req, body)
	n := w.counts[key]
	w.counts[key]++
	kind := w.fault(key, n)
	if kind != "" {
		w.faultSeen[kind]++
	}
	write := req.Method != http.MethodGet
	if kind != "" && req.Method == http.MethodPost {
		w.rivalCreate(req, body)
	}
	var before map[string]builder.Campaign
	triggersBefore := 0
	if write {
		before = w.campaignsByID()
		triggersBefore = len(w.emu.Triggers())
	}
	w.mu.Unlock()

	resp, err := w.inner.RoundTrip(req.WithContext(emulator.WithFault(req.Context(), kind)))

	w.mu.Lock()
	defer w.mu.Unlock()
	if write {
		w.noteWrites(before, triggersBefore)
	}
	if err == nil && resp.StatusCode == http.StatusOK && (strings.HasSuffix(req.URL.Path, builder.PathLogin) || strings.HasSuffix(req.URL.Path, builder.PathRefresh)) {
		answer, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		var tokens builder.Tokens
		if json.Unmarshal(answer, &tokens) == nil {
			w.secrets[tokens.Token], w.secrets[tokens.RefreshToken] = true, true
		}
	}
	return resp, err
}

// anotherWorkspace owns the campaigns a rival workspace creates.
const anotherWorkspace = "another workspace"

// rivalCreate creates, for a rival server, the campaign a create carries
// under another id with this provider's mark for the bot (the counter
// changed), as the same configuration applied in another workspace would.
func (w *simWorld) rivalCreate(req *http.Request, body []byte) {
	segments := strings.Split(strings.TrimSuffix(req.URL.Path, "/"), "/")
	var sent builder.Campaign
	if !w.server.rival || len(segments) < 4 || segments[len(segments)-3] != "campaign" || json.Unmarshal(body, &sent) != nil || len(sent.ID) != 24 {
		return
	}
	sent.ID = sent.ID[:18] + fmt.Sprintf("%06x", w.requests&0xffffff)
	w.emu.PutCampaign(simOrg, segments[len(segments)-1], sent)
	w.owner[sent.ID], w.names[sent.ID] = anotherWorkspace, deref(sent.CampaignName)
}

func (w *simWorld) campaignsByID() map[string]builder.Campaign {
	out := map[string]builder.Campaign{}
	for _, c := range w.emu.Campaigns() {
		out[c.ID] = c
	}
	return out
}

// noteWrites puts what a write did on the server down to the address being
// applied, and checks what must hold at every moment: never two campaigns
// on the server for one resource instance, never a started campaign
// deleted without the user asking, never a trigger fired twice.
func (w *simWorld) noteWrites(before map[string]builder.Campaign, triggersBefore int) {
	after := w.campaignsByID()
	for id, c := range after {
		if _, existed := before[id]; existed {
			continue
		}
		w.names[id] = deref(c.CampaignName)
		if w.current == "" {
			w.broken = append(w.broken, fmt.Sprintf("campaign %s (%s) created by no apply", id, deref(c.CampaignName)))
			continue
		}
		w.owner[id] = w.current
		if alive := w.aliveFor(w.current, after); len(alive) > 1 {
			w.broken = append(w.broken, fmt.Sprintf("two campaigns on the server for %s: %v", w.current, alive))
		}
	}
	for id, c := range before {
		if _, kept := after[id]; kept {
			continue
		}
		addr := w.owner[id]
		if (w.started[id] || deref(c.Status) != builder.StatusNotStarted) && addr != "" && !w.intended[addr] {
			w.broken = append(w.broken, fmt.Sprintf("started campaign %s of %s deleted without the user asking: replacing it sends it again", id, addr))
		}
	}
	if fired := len(w.emu.Triggers()) - triggersBefore; fired > 0 {
		w.fired[w.current] += fired
	}
}

// aliveFor lists the server campaigns created for addr that still exist.
func (w *simWorld) aliveFor(addr string, campaigns map[string]builder.Campaign) []string {
	var ids []string
	for id := range campaigns {
		if w.owner[id] == addr {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// takeBroken returns what broke inside requests since the last call.
func (w *simWorld) takeBroken() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	broken := w.broken
	w.broken = nil
	return broken
}

// secretValues are the secrets to look for, longest first.
func (w *simWorld) secretValues() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	values := make([]string, 0, len(w.secrets))
	for s := range w.secrets {
		if len(s) >= 6 {
			values = append(values, s)
		}
	}
	slices.Sort(values)
	return values
}
