// Package emulator is an in-memory emulator of the Builder and Evolux APIs (internal/client/CONTRACT.md): it
// serves the constants of the clients' wire.go files, rejects what the services would and answers their errors.
package emulator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the Evolux timezone filter works without a zoneinfo database

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// Credentials the emulator accepts when Config leaves them empty.
const (
	DefaultUser        = "ops@example.com"
	DefaultPassword    = "emulator-password"
	DefaultAPIKey      = "emulator-api-key"
	DefaultEvoluxToken = "emulator-evolux-token"
)

// Evolux response shapes (clients accept both).
const (
	ShapeEnvelope = "envelope"
	ShapeArray    = "array"
)

var evoluxShapes = []string{ShapeEnvelope, ShapeArray}

const (
	defaultTokenLifetime = time.Hour
	refreshTokenLifetime = 24 * time.Hour
	defaultSlowDelay     = 3 * time.Second
	defaultListMax       = 1000
	defaultListLimit     = 100 // when the request gives none
)

// Op names an API operation for counters and faults.
type Op string

// Operations, one per route.
const (
	OpLogin             Op = "builder.login"
	OpRefresh           Op = "builder.refresh"
	OpCampaignCreate    Op = "builder.campaign.create"
	OpCampaignList      Op = "builder.campaign.list"
	OpCampaignRead      Op = "builder.campaign.read"
	OpCampaignUpdate    Op = "builder.campaign.update"
	OpCampaignDelete    Op = "builder.campaign.delete"
	OpTriggerFire       Op = "builder.trigger.fire"
	OpTriggerRead       Op = "builder.trigger.read"
	OpEvoluxSubscribers Op = "evolux.subscribers"
	OpEvoluxInsert      Op = "evolux.subscribers.insert"
	OpEvoluxTask        Op = "evolux.task"
	OpUnknown           Op = "unknown" // no route (404 or 405); never faulted
)

// Config sets up an Emulator; the zero value has the default credentials and no Evolux data.
type Config struct {
	Latency       time.Duration // added to every request
	TokenLifetime time.Duration // 0 => 1h; refresh tokens live 24h

	User, Password, APIKey, EvoluxToken string // "" => the Default* constants

	Subscribers  int    // number of generated Evolux subscribers
	Seed         int64  // deterministic subscriber generation and random faults
	EvoluxShape  string // ShapeEnvelope (default) or ShapeArray
	PageSize     int    // envelope page size: 0 => 50, never more than evolux.MaxPageSize
	EvoluxPaging string // one of PagingDialects(), "" => PagingPage
	EvoluxUpload string // how an upload is answered: one of UploadDialects, "" => UploadSummary
	EvoluxPhones string // how the report spells an uploaded phone: one of PhoneSpellings, "" => PhonesAsSent
	// InsertDelay is how long uploaded subscribers take to show in the report (asynchronous processing).
	InsertDelay time.Duration

	SchedulerInterval       time.Duration    // > 0: Start runs AdvanceSchedule(time.Now()) this often
	SlowDelay               time.Duration    // how late a FaultSlow answer comes: 0 => 3s
	Dialects                []Dialect        // combined; empty => DialectReference
	ListMax                 int              // the largest limit a campaign list accepts: 0 => 1000
	Now                     func() time.Time // the clock of tokens, creation dates and triggers: nil => time.Now
	BuilderRate, EvoluxRate RateLimit        // each API's token bucket (ratelimit.go); zero: no limit
}

// Validate reports a configuration that New would refuse.
func (c Config) Validate() error {
	errs := []error{oneOf("evolux shape", evoluxShapes, cmp.Or(c.EvoluxShape, ShapeEnvelope)),
		oneOf("evolux paging", PagingDialects(), cmp.Or(c.EvoluxPaging, PagingPage)),
		oneOf("evolux upload", UploadDialects, cmp.Or(c.EvoluxUpload, UploadSummary)),
		oneOf("evolux phones", PhoneSpellings, cmp.Or(c.EvoluxPhones, PhonesAsSent))}
	knobs := []any{"insert delay", c.InsertDelay, "latency", c.Latency, "token lifetime", c.TokenLifetime, "scheduler interval", c.SchedulerInterval,
		"slow delay", c.SlowDelay, "subscribers", c.Subscribers, "list max", c.ListMax, "page size", c.PageSize}
	for knob := range slices.Chunk(knobs, 2) {
		if reflect.ValueOf(knob[1]).Int() < 0 { // durations and ints
			errs = append(errs, fmt.Errorf("%s %v: must not be negative", knob[0], knob[1]))
		}
	}
	_, err := resolveDialects(c.Dialects)
	return errors.Join(append(errs, err)...)
}

// oneOf checks a knob's value against the names it takes.
func oneOf(knob string, names []string, value string) error {
	if slices.Contains(names, value) {
		return nil
	}
	return fmt.Errorf("%s %q: must be one of %v", knob, value, names)
}

// Emulator serves both APIs from one http.Handler, safe for concurrent use, knobs included.
type Emulator struct {
	user, password, apiKey, evoluxToken string
	now                                 func() time.Time

	latency                   atomic.Int64 // time.Duration
	evoluxShape, evoluxPaging atomic.Pointer[string]
	// Fixed by Config (validated, defaults applied).
	slowDelay, tokenLifetime, insertDelay time.Duration
	pageSize                              int
	evoluxUpload, evoluxPhones            string

	mu                          sync.Mutex
	accessTokens, refreshTokens map[string]time.Time        // token => expiry; expired ones are kept to count their uses
	campaigns                   map[string]builder.Campaign // by _id, across organizations and bots
	triggers                    map[int64]Trigger
	nextTriggerID               int64
	counts                      map[Op]int
	total, expiredTokenUses     int
	faultQueue                  map[Op][]FaultKind
	randomFaults                RandomFaults
	randomRNG                   *rand.Rand
	faultsInjected              map[FaultKind]int
	evoluxQueries               []string

	subscribers subscriberStore
	buckets     [2]bucket  // by service
	dialects    dialectSet // fixed at New
	listMax     int
	ids         *rand.Rand // server-made ObjectIds, reproducible from the seed
}

// New returns an emulator for cfg, and panics when cfg is invalid (Start returns the error). It starts no goroutine.
func New(cfg Config) *Emulator {
	if err := cfg.Validate(); err != nil {
		panic("emulator: " + err.Error())
	}
	e := &Emulator{
		user: cmp.Or(cfg.User, DefaultUser), password: cmp.Or(cfg.Password, DefaultPassword),
		apiKey: cmp.Or(cfg.APIKey, DefaultAPIKey), evoluxToken: cmp.Or(cfg.EvoluxToken, DefaultEvoluxToken),
		now:          cfg.Now,
		accessTokens: map[string]time.Time{}, refreshTokens: map[string]time.Time{},
		campaigns: map[string]builder.Campaign{}, triggers: map[int64]Trigger{}, counts: map[Op]int{},
		faultQueue: map[Op][]FaultKind{}, faultsInjected: map[FaultKind]int{},
		listMax: cmp.Or(cfg.ListMax, defaultListMax),
		ids:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x0b1d)), // server-made ObjectIds, reproducible from the seed
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.dialects, _ = resolveDialects(cfg.Dialects) // validated above
	e.SetLatency(cfg.Latency)
	e.SetEvoluxShape(cmp.Or(cfg.EvoluxShape, ShapeEnvelope))
	e.SetEvoluxPaging(cmp.Or(cfg.EvoluxPaging, PagingPage))
	e.slowDelay, e.tokenLifetime = cmp.Or(cfg.SlowDelay, defaultSlowDelay), cmp.Or(cfg.TokenLifetime, defaultTokenLifetime)
	e.insertDelay, e.pageSize = cfg.InsertDelay, min(cmp.Or(cfg.PageSize, evolux.DefaultPageSize), evolux.MaxPageSize)
	e.evoluxUpload, e.evoluxPhones = cmp.Or(cfg.EvoluxUpload, UploadSummary), cmp.Or(cfg.EvoluxPhones, PhonesAsSent)
	e.subscribers.now, e.subscribers.seed = e.now, cfg.Seed
	e.subscribers.generate(cfg.Subscribers)
	e.buckets[serviceBuilder].set(cfg.BuilderRate) // each starts full
	e.buckets[serviceEvolux].set(cfg.EvoluxRate)
	return e
}

// SetLatency changes the delay added to every request.
func (e *Emulator) SetLatency(d time.Duration) { e.latency.Store(int64(max(d, 0))) }

// SetEvoluxShape switches the subscribers answer between ShapeEnvelope and ShapeArray; it panics on others.
func (e *Emulator) SetEvoluxShape(shape string) {
	setChecked(&e.evoluxShape, "evolux shape", evoluxShapes, shape)
}

// SetEvoluxPaging switches the envelope's paging dialect; it panics on a name PagingDialects does not list.
func (e *Emulator) SetEvoluxPaging(name string) {
	setChecked(&e.evoluxPaging, "evolux paging", PagingDialects(), name)
}

func setChecked(dst *atomic.Pointer[string], knob string, names []string, value string) {
	if err := oneOf(knob, names, value); err != nil {
		panic("emulator: " + err.Error())
	}
	dst.Store(&value)
}

// Count is the number of requests received for op, faulted ones included.
func (e *Emulator) Count(op Op) int { return locked(e, func() int { return e.counts[op] }) }

// Counts is a copy of every per-operation counter.
func (e *Emulator) Counts() map[Op]int {
	return locked(e, func() map[Op]int { return maps.Clone(e.counts) })
}

// TotalRequests is the number of requests received, routed or not.
func (e *Emulator) TotalRequests() int { return locked(e, func() int { return e.total }) }

// ResetCounts zeroes every counter (faults injected and expired-token uses too); state and queues are kept.
func (e *Emulator) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts, e.total, e.faultsInjected, e.expiredTokenUses = map[Op]int{}, 0, map[FaultKind]int{}, 0
}

// ExpiredTokenUses counts requests that came with a known access token after it expired.
func (e *Emulator) ExpiredTokenUses() int { return locked(e, func() int { return e.expiredTokenUses }) }

// EvoluxQueries are the raw query strings of every subscribers request received, in order.
func (e *Emulator) EvoluxQueries() []string {
	return locked(e, func() []string { return append([]string(nil), e.evoluxQueries...) })
}

// locked is f's result with e.mu held.
func locked[T any](e *Emulator, f func() T) T {
	e.mu.Lock()
	defer e.mu.Unlock()
	return f()
}

// ServeHTTP counts a request, waits the latency, applies its fault, then serves it under the dialects.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := e.dialects.match(r)
	e.countRequest(m.op(), r)
	if !sleepContext(r.Context(), time.Duration(e.latency.Load())) {
		return
	}
	w, flush := e.dialects.answerWriter(w, r, m.service)
	defer flush()
	switch {
	case m.redirect != "": // Starlette's RedirectResponse: 307 (the same method and body again), no body
		w.Header().Set("Location", m.redirect)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	case len(m.allowed) > 0:
		w.Header().Set("Allow", strings.Join(m.allowed, ", "))
		writeServiceError(w, m.service, http.StatusMethodNotAllowed, "")
		return
	case m.rt == nil:
		writeServiceError(w, m.service, http.StatusNotFound, "")
		return
	}
	if ok, retryAfter := e.buckets[m.rt.service].take(e.now()); !ok {
		writeServiceError(w, m.rt.service, http.StatusTooManyRequests, retryAfter)
		return
	}
	kind := e.nextFault(r.Context(), m.op())
	a := faultAnswers[kind]
	buffered := httptest.NewRecorder() // the work of a fault that loses or delays its answer
	if a.afterWork {
		m.rt.serve(e, buffered, r, m.params)
	}
	switch {
	case a.status != 0:
		writeServiceError(w, m.rt.service, a.status, a.retryAfter)
	case kind == FaultSlow:
		if sleepContext(r.Context(), e.slowDelay) {
			maps.Copy(w.Header(), buffered.Header())
			w.WriteHeader(buffered.Code)
			_, _ = w.Write(buffered.Body.Bytes())
		}
	case kind == FaultRefused || kind == FaultDropBefore || kind == FaultDropAfter:
		dropConnection(w)
	default:
		m.rt.serve(e, w, r, m.params)
	}
}

// faultAnswers say whether a fault does the work first, and the error status it answers (0: none).
var faultAnswers = map[FaultKind]struct {
	status     int
	retryAfter string
	afterWork  bool
}{
	FaultRateLimit:        {http.StatusTooManyRequests, "1", false},
	FaultUnavailable:      {http.StatusServiceUnavailable, "1", false},
	FaultRateLimitBare:    {http.StatusTooManyRequests, "", false},
	FaultServerError:      {http.StatusInternalServerError, "", false},
	FaultServerErrorAfter: {http.StatusInternalServerError, "", true},
	FaultDropAfter:        {0, "", true},
	FaultSlow:             {0, "", true},
}

func (e *Emulator) countRequest(op Op, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[op]++
	e.total++
	if op == OpEvoluxSubscribers {
		e.evoluxQueries = append(e.evoluxQueries, r.URL.RawQuery)
	}
}

// sleepContext waits d, or less if ctx ends first; it reports whether the whole delay passed.
func sleepContext(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-time.After(d): // collected once unreferenced (Go 1.23)
		return true
	case <-ctx.Done():
		return false
	}
}

// FaultKind is a way a request can fail.
type FaultKind string

// Fault kinds: a 429, a 503 and a refused connection certainly did no work; the others leave the client unsure.
const (
	FaultRateLimit        FaultKind = "rate_limit"         // 429 with "Retry-After: 1", before any work
	FaultServerError      FaultKind = "server_error"       // 500 in the service's shape, before any work
	FaultDropAfter        FaultKind = "drop_after"         // the work done, the connection closed unanswered
	FaultSlow             FaultKind = "slow"               // the work done, the answer after the slow delay (Transport: never)
	FaultRateLimitBare    FaultKind = "rate_limit_bare"    // 429 without Retry-After
	FaultUnavailable      FaultKind = "unavailable"        // 503 with "Retry-After: 1", before any work
	FaultServerErrorAfter FaultKind = "server_error_after" // the work done, then 500 (an exception after the write)
	FaultDropBefore       FaultKind = "drop_before"        // the connection closed before any work: like drop_after to a client
	FaultRefused          FaultKind = "refused"            // Transport: a dial error; a socket: closed unread. Not in AllFaultKinds
)

// AllFaultKinds lists every kind a socket can serve, for random faults of any kind.
var AllFaultKinds = []FaultKind{FaultRateLimit, FaultServerError, FaultDropAfter, FaultSlow, FaultRateLimitBare, FaultUnavailable, FaultServerErrorAfter, FaultDropBefore}

// faultNone, in a request's context, serves it with no fault at all.
const faultNone FaultKind = "none"

type faultKey struct{}

// WithFault makes the request sent with ctx fail with kind, ahead of any queued or random fault.
func WithFault(ctx context.Context, kind FaultKind) context.Context {
	return context.WithValue(ctx, faultKey{}, kind)
}

// RandomFaults makes matching requests fail at random, once the queued faults are used.
type RandomFaults struct {
	Rate  float64     // probability that a matching request fails; 0 turns random faults off
	Kinds []FaultKind // chosen uniformly; empty => AllFaultKinds
	Ops   []Op        // empty => every operation
	Seed  int64       // the same seed and request order give the same faults
}

// InjectFault makes the next `times` requests of op fail with kind, after the faults queued before.
func (e *Emulator) InjectFault(op Op, kind FaultKind, times int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faultQueue[op] = append(e.faultQueue[op], slices.Repeat([]FaultKind{kind}, max(times, 0))...)
}

// SetRandomFaults replaces the random fault settings and restarts their sequence from rf.Seed.
func (e *Emulator) SetRandomFaults(rf RandomFaults) {
	if len(rf.Kinds) == 0 {
		rf.Kinds = AllFaultKinds
	}
	rf.Kinds, rf.Ops = slices.Clone(rf.Kinds), slices.Clone(rf.Ops)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.randomFaults = rf
	e.randomRNG = rand.New(rand.NewPCG(uint64(rf.Seed), 0xfa017))
}

// FaultsInjected counts the faults applied so far, by kind.
func (e *Emulator) FaultsInjected() map[FaultKind]int {
	return locked(e, func() map[FaultKind]int { return maps.Clone(e.faultsInjected) })
}

// nextFault decides the fault of one request of op ("" for none): the context's, the queue's, then a random one.
func (e *Emulator) nextFault(ctx context.Context, op Op) FaultKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	kind, _ := ctx.Value(faultKey{}).(FaultKind) // chosen by the caller
	queue := e.faultQueue[op]
	switch rf := e.randomFaults; {
	case kind == faultNone:
		return ""
	case kind != "":
	case len(queue) > 0:
		kind, e.faultQueue[op] = queue[0], queue[1:]
	case rf.Rate > 0 && (len(rf.Ops) == 0 || slices.Contains(rf.Ops, op)):
		if e.randomRNG.Float64() < rf.Rate {
			kind = rf.Kinds[e.randomRNG.IntN(len(rf.Kinds))]
		}
	}
	if kind != "" {
		e.faultsInjected[kind]++
	}
	return kind
}
