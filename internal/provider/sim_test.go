package provider

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// The deterministic simulation of issue 17, in the spirit of FoundationDB's
// simulation testing: from a seed it draws a server (any combination of the
// emulator's dialects, a list cap, a crowd of other campaigns, a fault
// schedule) and a user (configurations changed step by step, out-of-band
// events), drives the provider through its protocol server as a CLI would
// (sim_core_test.go), in process and on a clock of its own, and checks the
// safety rules after every step. A failure prints the seed and the shortest
// step sequence it reduces to:
//
//	SIM_SEED=17 SIM_KEEP=0,3,4 go test ./internal/provider -run TestSimulation -v
//
// make test runs a fixed budget of seeds that covers every pair of
// dialects; make sim runs SIM_SCENARIOS random ones.

const (
	simCampaignType = "campaigns_builder_campaign"
	simTriggerType  = "campaigns_builder_trigger"
	actionAddr      = "action.campaigns_builder_fire_trigger.fire"
)

// simDialects are the dialects a server may combine: every one the
// emulator names but the reference and the presets (their parts are here).
func simDialects() []emulator.Dialect {
	var out []emulator.Dialect
	for _, d := range emulator.Dialects() {
		if d != emulator.DialectReference && d.Preset() == nil {
			out = append(out, d)
		}
	}
	return out
}

// drawServer draws a server from rng: each dialect with probability 1/3,
// at most one of a group.
func drawServer(rng *rand.Rand) simServer {
	var s simServer
	groups := map[string]bool{}
	for _, d := range simDialects() {
		if rng.IntN(3) != 0 || (d.Group() != "" && groups[d.Group()]) {
			continue
		}
		groups[d.Group()] = true
		s.dialects = append(s.dialects, d)
	}
	s.listMax = []int{0, 0, 1000, 100, 50, 20}[rng.IntN(6)]
	s.crowd = []int{0, 0, 0, 30, 120}[rng.IntN(5)]
	s.subscribers = rng.IntN(160)
	s.evoluxShape = []string{emulator.ShapeEnvelope, emulator.ShapeEnvelope, emulator.ShapeArray}[rng.IntN(3)]
	s.paging = emulator.PagingDialects()[rng.IntN(len(emulator.PagingDialects()))]
	s.pageSize = 10 + rng.IntN(41)
	s.tokenLife = time.Duration(20+rng.IntN(300)) * time.Second
	s.maxRetries = rng.IntN(5)
	s.faultRate = []float64{0, 0.05, 0.15, 0.3}[rng.IntN(4)]
	kinds := []emulator.FaultKind{
		emulator.FaultRateLimit, emulator.FaultRateLimitBare, emulator.FaultUnavailable, emulator.FaultServerError,
		emulator.FaultServerErrorAfter, emulator.FaultDropAfter, emulator.FaultDropBefore, emulator.FaultSlow, emulator.FaultRefused,
	}
	for _, k := range kinds {
		if rng.IntN(2) == 0 {
			s.faultKinds = append(s.faultKinds, k)
		}
	}
	if len(s.faultKinds) == 0 {
		s.faultKinds = kinds
	}
	s.rival = !s.has(emulator.DialectServerIDs) && rng.IntN(3) == 0
	// A token bucket on a third of the servers, on each API (every request
	// moves the clock a second, so only a rate below one a second refuses).
	if rng.IntN(3) == 0 {
		s.rate = emulator.RateLimit{PerSecond: []float64{0.2, 0.4, 0.7, 1.5}[rng.IntN(4)], Bare: rng.IntN(2) == 0}
	}
	// How Evolux answers an upload, spells the phones of its report, and
	// how long it takes to show them (drawn last: the draws above stay).
	s.upload = emulator.UploadDialects[rng.IntN(len(emulator.UploadDialects))]
	s.phones = emulator.PhoneSpellings[rng.IntN(len(emulator.PhoneSpellings))]
	s.insertDelay = []time.Duration{0, 0, 3 * time.Second, 8 * time.Second}[rng.IntN(4)]
	return s
}

// simStep is one thing the user, or the world, does; Pick and Val are
// interpreted against the state of the moment, so that a step removed while
// shrinking leaves the others meaningful.
type simStep struct {
	Op        string
	Pick, Val uint64
	Seed      uint64 // its faults
}

func (s simStep) String() string { return fmt.Sprintf("%s(%d,%d)", s.Op, s.Pick%97, s.Val%97) }

// simOps and their weights.
var simOps = []struct {
	op     string
	weight int
}{
	{"add", 6}, {"twin", 1}, {"remove", 2}, {"edit", 4}, {"rename", 1}, {"move", 1},
	{"trigger", 3}, {"untrigger", 1}, {"rekey", 1}, {"repayload", 1}, {"retrigger", 1},
	{"import", 1}, {"forget", 1}, {"invoke", 1}, {"read", 2}, {"refresh", 1},
	{"oob-delete", 2}, {"oob-start", 2}, {"oob-conclude", 1}, {"oob-forget-trigger", 1}, {"apply", 2},
	{"audience", 3}, {"subscribe", 3}, {"unsubscribe", 2}, {"alter", 2}, {"resubscribe", 2}, {"reaudience", 1},
}

func drawSteps(rng *rand.Rand, n int) []simStep {
	total := 0
	for _, o := range simOps {
		total += o.weight
	}
	steps := make([]simStep, n)
	for i := range steps {
		pick := rng.IntN(total)
		for _, o := range simOps {
			if pick -= o.weight; pick < 0 {
				steps[i].Op = o.op
				break
			}
		}
		steps[i].Pick, steps[i].Val, steps[i].Seed = rng.Uint64(), rng.Uint64(), rng.Uint64()
	}
	if n > 0 {
		steps[0].Op = "add" // something to work on
	}
	return steps
}

// simCampaign is one campaign's configuration.
type simCampaign struct {
	Bot, Name, Title, Description, Scheduled, Content, File string
	Sheet                                                   []string // nil: unset
}

func (c simCampaign) attrs() map[string]any {
	m := map[string]any{"organization": simOrg, "bot_name": c.Bot, "campaign_name": c.Name}
	for name, v := range map[string]string{"name": c.Title, "description": c.Description, "scheduled_date": c.Scheduled, "content": c.Content, "file": c.File} {
		if v != "" {
			m[name] = v
		}
	}
	if c.Sheet != nil {
		m["sheet_values"] = slices.Clone(c.Sheet)
	}
	return m
}

type simTrigger struct {
	Payload   string
	Keepers   map[string]string
	WriteOnly bool // the payload is payload_wo, version 1
}

// simScenario is one run: the world, core and the user's configuration.
type simScenario struct {
	seed   uint64
	server simServer
	steps  []simStep
	world  *simWorld
	core   *simCore
	ctx    context.Context

	campaigns map[string]simCampaign
	triggers  map[string]simTrigger
	imports   map[string]string // address => import id
	forget    map[string]bool   // removed blocks (destroy = false)
	replace   map[string]bool   // -replace
	expect    map[string]bool   // addresses whose next plan may replace
	intents   map[string]int    // address => fires the user asked for
	audiences map[string]simAudience
	forgotten map[string]forgottenSub // phone => the subscriber removed from its audience
	next      int

	stepCount   int
	diagnostics []simDiag // of the step
	stats       simStats
	verbose     func(format string, args ...any) // SIM_VERBOSE
}

type simStats struct {
	steps, applies, requests, warnings, errors, humanActions, gaps int
}

func newSimScenario(seed uint64, keep []int) *simScenario {
	rng := rand.New(rand.NewPCG(seed, 0x51))
	server := drawServer(rng)
	steps := drawSteps(rng, 6+rng.IntN(10))
	if keep != nil {
		var kept []simStep
		for _, i := range keep {
			if i < len(steps) {
				kept = append(kept, steps[i])
			}
		}
		steps = kept
	}
	return newSimScenarioOf(seed, server, steps)
}

func newSimScenarioOf(seed uint64, server simServer, steps []simStep) *simScenario {
	s := &simScenario{
		seed: seed, server: server, steps: steps,
		campaigns: map[string]simCampaign{}, triggers: map[string]simTrigger{}, imports: map[string]string{},
		forget: map[string]bool{}, replace: map[string]bool{}, expect: map[string]bool{}, intents: map[string]int{},
		audiences: map[string]simAudience{}, forgotten: map[string]forgottenSub{},
	}
	s.world = newSimWorld(seed, server)
	s.ctx = tflogtest.RootLogger(context.Background(), &s.world.logs)
	p := &campaignsProvider{version: "sim", transport: s.world, clock: s.world.clock}
	newServer := newProtocol6Server(p)
	s.core = &simCore{
		newServer: func() tfprotov6.ProviderServer {
			server, err := newServer()
			if err != nil {
				panic(err)
			}
			return server
		},
		state:     map[string]*simObject{},
		attribute: s.world.setCurrent,
	}
	return s
}

// providerConfig is the provider block.
func (s *simScenario) providerConfig() tftypes.Value {
	typ := objectType(s.core.schemas.Provider)
	nested := func(name string, a map[string]any) tftypes.Value {
		obj, _ := typ.AttributeTypes[name].(tftypes.Object) // builder and evolux are objects
		return simValue(obj, a)
	}
	return simValue(typ, map[string]any{
		"builder": nested("builder", map[string]any{
			"url": s.world.builderURL(), "user": emulator.DefaultUser, "password": emulator.DefaultPassword, "api_key": emulator.DefaultAPIKey,
		}),
		"evolux":          nested("evolux", map[string]any{"url": simHost, "token": emulator.DefaultEvoluxToken}),
		"request_timeout": "2s",
		"max_retries":     tftypes.NewValue(tftypes.Number, s.server.maxRetries),
	})
}

// run plays the scenario; the error is the first violation.
func (s *simScenario) run() (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = violationf("panic: %v", v)
		}
	}()
	// The schema first, as a CLI reads it, then the provider block.
	if _, err := s.core.walk(s.ctx); err != nil {
		return err
	}
	s.core.config = s.providerConfig()
	for i, step := range s.steps {
		s.stepCount = i
		err := s.play(step)
		if s.verbose != nil {
			s.verbose("step %d %s: state %v", i, step, slices.Sorted(maps.Keys(s.core.state)))
			for _, d := range s.diagnostics {
				s.verbose("  %s", d)
			}
		}
		if err != nil {
			return fmt.Errorf("step %d %s: %w", i, step, err)
		}
	}
	if err := s.converge(); err != nil {
		return fmt.Errorf("after the faults stopped: %w", err)
	}
	return nil
}

func pick[V any](m map[string]V, n uint64) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	keys := slices.Sorted(maps.Keys(m))
	return keys[n%uint64(len(keys))], true
}

// newCampaign draws a campaign's configuration from v.
func newCampaign(name string, v uint64) simCampaign {
	rng := rand.New(rand.NewPCG(v, 0xca))
	c := simCampaign{Bot: []string{"bot-a", "bot-b"}[rng.IntN(2)], Name: name}
	if rng.IntN(2) == 0 {
		c.Title = "Campaign " + name
	}
	if rng.IntN(2) == 0 {
		c.Description = "about " + name
	}
	if rng.IntN(3) != 0 {
		c.Content = fmt.Sprintf("Olá, {{name}}! Offer %d", rng.IntN(100))
	}
	if rng.IntN(3) == 0 {
		c.File = name + ".csv"
	}
	switch rng.IntN(3) {
	case 0:
		c.Sheet = []string{"name", "phone"}
	case 1:
		c.Sheet = []string{}
	}
	if rng.IntN(2) == 0 {
		c.Scheduled = scheduledSpelling(rng.IntN(20), rng.IntN(4))
	}
	return c
}

// scheduledSpelling is one of a few instants in 2035, in one of several
// spellings of it: the same instant is never a change.
func scheduledSpelling(day, spelling int) string {
	t := time.Date(2035, 1, 1+day, 12, 0, 0, 123456789, time.UTC)
	switch spelling {
	case 0:
		return t.Format(time.RFC3339Nano)
	case 1:
		return t.In(time.FixedZone("", -3*3600)).Format(time.RFC3339Nano)
	case 2:
		return t.Truncate(time.Second).Format(time.RFC3339)
	}
	return t.In(time.FixedZone("", 5*3600+1800)).Truncate(time.Millisecond).Format(time.RFC3339Nano)
}

func payloadText(n int, spelling uint64) string {
	if spelling%2 == 0 {
		return fmt.Sprintf(`{"campaign":"launch","contacts":["5511999990%03d"],"n":%d}`, n, n)
	}
	return fmt.Sprintf("{ \"n\": %d, \"contacts\": [ \"5511999990%03d\" ], \"campaign\": \"launch\" }", n, n)
}

func simCampaignAddr(i int) string { return fmt.Sprintf("%s.c[%d]", simCampaignType, i) }
func simTriggerAddr(i int) string  { return fmt.Sprintf("%s.t[%d]", simTriggerType, i) }

// serverCampaign is the server's campaign of addr, by state.
func (s *simScenario) serverCampaign(addr string) (builder.Campaign, bool) {
	obj, ok := s.core.state[addr]
	if !ok {
		return builder.Campaign{}, false
	}
	return s.world.emu.Campaign(str(obj.value, "id"))
}

// play plays one step, then checks the invariants.
func (s *simScenario) play(step simStep) error {
	s.stats.steps++
	s.world.clock.advance(time.Minute) // people do not apply every second
	s.world.startStep(step.Seed, true)
	s.diagnostics = nil
	if handled, err := s.playAudience(step); handled {
		return err
	}
	apply := true
	switch step.Op {
	case "add":
		addr := simCampaignAddr(s.next)
		s.campaigns[addr] = newCampaign(fmt.Sprintf("promo-%d", s.next), step.Val)
		s.next++
	case "twin":
		from, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		s.campaigns[simCampaignAddr(s.next)] = s.campaigns[from]
		s.next++
	case "remove":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		delete(s.campaigns, addr)
		delete(s.imports, addr)
	case "edit":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		c := s.campaigns[addr]
		switch step.Val % 6 {
		case 0:
			c.Content = fmt.Sprintf("edited %d", step.Val%1000)
		case 1:
			c.Description = ""
		case 2:
			c.Title = fmt.Sprintf("Title %d", step.Val%100)
		case 3:
			c.Sheet = [][]string{nil, {}, {"a"}, {"name", "phone", "cpf"}}[step.Val/6%4]
		case 4:
			if c.Scheduled != "" { // the same instant, spelled otherwise
				t, _ := time.Parse(time.RFC3339Nano, c.Scheduled)
				c.Scheduled = t.In(time.FixedZone("", -2*3600)).Format(time.RFC3339Nano)
			} else {
				c.Scheduled = scheduledSpelling(int(step.Val%20), 0)
			}
		case 5:
			c.File = ""
		}
		s.campaigns[addr] = c
	case "rename":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		c := s.campaigns[addr]
		c.Name = fmt.Sprintf("renamed-%d", s.next)
		s.next++
		s.campaigns[addr] = c
	case "move":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		c := s.campaigns[addr]
		c.Bot = map[string]string{"bot-a": "bot-b", "bot-b": "bot-a"}[c.Bot]
		s.campaigns[addr] = c
		s.expect[addr] = true
	case "trigger":
		addr := simTriggerAddr(s.next)
		s.triggers[addr] = simTrigger{Payload: payloadText(s.next, step.Val), Keepers: map[string]string{"round": "1"},
			WriteOnly: step.Val%3 == 0}
		s.next++
		s.intents[addr]++
	case "untrigger":
		addr, ok := pick(s.triggers, step.Pick)
		if !ok {
			return nil
		}
		delete(s.triggers, addr)
	case "rekey":
		addr, ok := pick(s.triggers, step.Pick)
		if !ok {
			return nil
		}
		t := s.triggers[addr]
		t.Keepers = map[string]string{"round": strconv.Itoa(s.next)}
		s.next++
		s.triggers[addr] = t
		s.intents[addr]++
		s.expect[addr] = true
	case "repayload": // the same payload spelled otherwise: no fire
		addr, ok := pick(s.triggers, step.Pick)
		if !ok {
			return nil
		}
		t := s.triggers[addr]
		switch {
		case step.Val%3 == 0: // moved between payload and payload_wo
			t.WriteOnly = !t.WriteOnly
		case strings.HasPrefix(t.Payload, "{ "):
			t.Payload = strings.NewReplacer(" ", "").Replace(t.Payload)
		default:
			t.Payload = strings.ReplaceAll(t.Payload, ",", ", ")
		}
		s.triggers[addr] = t
	case "retrigger":
		addr, ok := pick(s.triggers, step.Pick)
		if !ok {
			return nil
		}
		s.replace[addr] = true
		s.intents[addr]++
	case "import":
		addr := simCampaignAddr(s.next)
		c := newCampaign(fmt.Sprintf("found-%d", s.next), step.Val)
		s.next++
		id := builder.NewObjectID()
		sent := builder.Campaign{ID: id, CampaignName: &c.Name}
		for field, v := range map[**string]string{&sent.Name: c.Title, &sent.Description: c.Description, &sent.Content: c.Content, &sent.File: c.File, &sent.ScheduledDate: c.Scheduled} {
			if v != "" {
				*field = ptrTo(v)
			}
		}
		sent.SheetValues = slices.Clone(c.Sheet)
		s.world.emu.PutCampaign(simOrg, c.Bot, sent)
		s.world.mu.Lock()
		s.world.names[id] = c.Name // its owner is whoever imports it
		s.world.mu.Unlock()
		s.campaigns[addr] = c
		s.imports[addr] = fmt.Sprintf("%s/%s/%s", simOrg, c.Bot, id)
	case "forget":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		if _, managed := s.core.state[addr]; !managed {
			return nil
		}
		delete(s.campaigns, addr)
		delete(s.imports, addr)
		s.forget[addr] = true
	case "invoke":
		s.intents[actionAddr]++
		return s.invoke(step)
	case "read":
		if err := s.readAll(); err != nil {
			return err
		}
	case "refresh":
		apply = false
		if _, err := s.planOnly(); err != nil {
			return err
		}
	case "oob-delete", "oob-start", "oob-conclude":
		addr, ok := pick(s.campaigns, step.Pick)
		if !ok {
			return nil
		}
		c, ok := s.serverCampaign(addr)
		if !ok {
			return nil
		}
		switch step.Op {
		case "oob-delete":
			s.world.emu.RemoveCampaign(c.ID)
		case "oob-start":
			s.world.emu.SetCampaignStatus(c.ID, builder.StatusInProgress)
		default:
			s.world.emu.SetCampaignStatus(c.ID, builder.StatusConcluded)
		}
		if step.Op != "oob-delete" {
			s.world.mu.Lock()
			s.world.started[c.ID] = true
			s.world.mu.Unlock()
		}
	case "oob-forget-trigger":
		addr, ok := pick(s.triggers, step.Pick)
		if !ok {
			return nil
		}
		if obj, managed := s.core.state[addr]; managed {
			if n, err := strconv.ParseInt(str(obj.value, "id"), 10, 64); err == nil {
				s.world.emu.RemoveTrigger(n)
			}
		}
	}
	if apply {
		if _, err := s.apply(); err != nil {
			return err
		}
	}
	return s.checkStep()
}
