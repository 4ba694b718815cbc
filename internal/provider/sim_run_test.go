package provider

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// configValue is addr's configuration, null when the configuration no
// longer has it.
func (s *simScenario) configValue(addr string) (string, tftypes.Value) {
	if strings.HasPrefix(addr, simAudienceType) {
		return simAudienceType, s.audienceValue(addr)
	}
	if strings.HasPrefix(addr, simTriggerType) {
		typ := objectType(s.core.resourceSchema(simTriggerType))
		t, ok := s.triggers[addr]
		if !ok {
			return simTriggerType, tftypes.NewValue(typ, nil)
		}
		if t.WriteOnly {
			return simTriggerType, simValue(typ, map[string]any{"payload_wo": t.Payload, "keepers": t.Keepers,
				"payload_wo_version": tftypes.NewValue(tftypes.Number, 1)})
		}
		return simTriggerType, simValue(typ, map[string]any{"payload": t.Payload, "keepers": t.Keepers})
	}
	typ := objectType(s.core.resourceSchema(simCampaignType))
	c, ok := s.campaigns[addr]
	if !ok {
		return simCampaignType, tftypes.NewValue(typ, nil)
	}
	return simCampaignType, simValue(typ, c.attrs())
}

// simPlan is a plan walk's outcome.
type simPlan struct {
	refreshed map[string]*simObject
	changes   []*simChange
	failed    bool
}

// plan is a plan walk: refresh, imports, then a plan of every instance of
// the configuration or the state.
func (s *simScenario) plan() (*simPlan, error) {
	walk, err := s.core.walk(s.ctx)
	if err != nil {
		return nil, err
	}
	defer func() { s.diagnostics = append(s.diagnostics, walk.diags...) }()
	p := &simPlan{refreshed: map[string]*simObject{}}
	for _, addr := range slices.Sorted(mapsKeys(s.core.state)) {
		obj := s.core.state[addr]
		if s.forget[addr] {
			p.refreshed[addr] = obj
			continue
		}
		refreshed, ok := walk.refresh(s.ctx, addr, obj)
		switch {
		case !ok:
			p.failed = true
			p.refreshed[addr] = obj
		case refreshed != nil:
			p.refreshed[addr] = refreshed
		}
	}
	for _, addr := range slices.Sorted(mapsKeys(s.imports)) {
		if _, in := p.refreshed[addr]; in {
			continue
		}
		if obj := walk.importResource(s.ctx, addr, simCampaignType, s.imports[addr]); obj != nil {
			p.refreshed[addr] = obj
		} else {
			p.failed = true
		}
	}
	if p.failed || walk.failed() {
		p.failed = true
		return p, nil
	}
	addrs := map[string]bool{}
	for addr := range p.refreshed {
		addrs[addr] = true
	}
	for addr := range s.campaigns {
		addrs[addr] = true
	}
	for addr := range s.triggers {
		addrs[addr] = true
	}
	for addr := range s.audiences {
		addrs[addr] = true
	}
	for _, addr := range slices.Sorted(mapsKeys(addrs)) {
		if s.forget[addr] {
			p.changes = append(p.changes, &simChange{addr: addr, action: "forget", prior: p.refreshed[addr]})
			continue
		}
		typeName, config := s.configValue(addr)
		change, err := walk.plan(s.ctx, addr, typeName, p.refreshed[addr], config, s.replace[addr])
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %w", addr, err)
		case change == nil:
			p.failed = true
		case change.action == "replace" && !s.expect[addr] && !s.replace[addr] && !change.prior.tainted:
			return nil, violationf("%s: a replacement nobody asked for, required by %v", addr, change.replaceBy)
		default:
			p.changes = append(p.changes, change)
		}
	}
	return p, nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// planOnly is a plan that applies nothing.
func (s *simScenario) planOnly() (*simPlan, error) { return s.plan() }

// apply is terraform apply: a plan walk, then an apply walk that applies
// its changes, deletes first. ok tells the changes applied with no error.
func (s *simScenario) apply() (*simPlan, error) {
	s.stats.applies++
	p, err := s.plan()
	if err != nil || p.failed {
		return p, err
	}
	s.core.state = p.refreshed // saved with the apply
	walk, err := s.core.walk(s.ctx)
	if err != nil {
		return nil, err
	}
	var applied []string
	defer func() { s.diagnostics = append(s.diagnostics, walk.diags...) }()
	order := map[string]int{"delete": 0, "forget": 0, "replace": 1}
	slices.SortStableFunc(p.changes, func(a, b *simChange) int { return orderOf(order, a.action) - orderOf(order, b.action) })
	for _, c := range p.changes {
		s.world.mu.Lock()
		if c.action == "delete" || (c.action == "replace" && (s.expect[c.addr] || s.replace[c.addr])) {
			s.world.intended[c.addr] = true
		}
		if c.action == "forget" {
			for id, addr := range s.world.owner {
				if addr == c.addr {
					s.world.owner[id] = "forgotten " + c.addr
				}
			}
		}
		s.world.mu.Unlock()
		before := len(walk.diags)
		if err := walk.apply(s.ctx, c); err != nil {
			return nil, fmt.Errorf("%s: %w", c.addr, err)
		}
		if slices.ContainsFunc(walk.diags[before:], func(d simDiag) bool { return d.severity == tfprotov6.DiagnosticSeverityError }) {
			continue
		}
		delete(s.expect, c.addr)
		delete(s.replace, c.addr)
		delete(s.forget, c.addr)
		if c.action != "delete" && c.action != "forget" && c.typeName == simCampaignType {
			applied = append(applied, c.addr)
		}
	}
	s.diagnostics, walk.diags = append(s.diagnostics, walk.diags...), nil
	for _, addr := range applied {
		if err := s.checkApplied(addr); err != nil {
			return nil, err
		}
	}
	for addr := range s.imports {
		if obj, in := s.core.state[addr]; in {
			s.world.mu.Lock()
			s.world.owner[str(obj.value, "id")] = addr // imported: its campaign now
			s.world.mu.Unlock()
			delete(s.imports, addr)
		}
	}
	s.swapTwins()
	return p, nil
}

// swapTwins puts a campaign down to the identical twin that adopted it: on
// a server that makes its own ids and answers a create with nothing, a
// twin whose create was lost cannot tell the campaign made for the other
// from its own (a gap of the contract); identical, they are interchangeable,
// and each still ends with one campaign.
func (s *simScenario) swapTwins() {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	for addr, obj := range s.core.state {
		id := str(obj.value, "id")
		owner := s.world.owner[id]
		if obj.typeName != simCampaignType || owner == addr || owner == "" {
			continue
		}
		mine, isConfigured := s.campaigns[addr]
		theirs, isTwin := s.campaigns[owner]
		if held, in := s.core.state[owner]; isConfigured && isTwin && reflect.DeepEqual(mine, theirs) && (!in || str(held.value, "id") != id) {
			s.world.owner[id] = addr
			s.stats.gaps++
		}
	}
}

func orderOf(order map[string]int, action string) int {
	if n, ok := order[action]; ok {
		return n
	}
	return 2
}

// checkApplied: every id in state exists on the server, or is marked
// uncertain with a diagnostic saying so.
func (s *simScenario) checkApplied(addr string) error {
	obj := s.core.state[addr]
	if obj == nil {
		return violationf("%s applied without error, and no state", addr)
	}
	id := str(obj.value, "id")
	c, ok := s.world.emu.Campaign(id)
	if ok && deref(c.BotName) == str(obj.value, "bot_name") {
		return nil
	}
	if len(obj.private) > 0 && slices.ContainsFunc(s.diagnostics, func(d simDiag) bool {
		return d.addr == addr && (d.summary == "Campaign created under an id Builder did not give" || d.summary == "Campaign may have been created")
	}) {
		return nil // uncertain or unconfirmed, and said so
	}
	return violationf("%s applied without error with id %s, which the server does not hold", addr, id)
}

// invoke invokes the action once.
func (s *simScenario) invoke(step simStep) error {
	walk, err := s.core.walk(s.ctx)
	if err != nil {
		return err
	}
	messages := walk.invokeAction(s.ctx, actionAddr, "campaigns_builder_fire_trigger", map[string]any{"payload": payloadText(int(step.Val%1000), step.Val)})
	s.diagnostics = append(s.diagnostics, walk.diags...)
	if err := s.noSecrets("action progress", strings.Join(messages, "\n")); err != nil {
		return err
	}
	return s.checkStep()
}

// readAll reads every data source and list resource, and checks each
// answers every matching campaign or fails naming why.
func (s *simScenario) readAll() error {
	walk, err := s.core.walk(s.ctx)
	if err != nil {
		return err
	}
	defer func() { s.diagnostics = append(s.diagnostics, walk.diags...) }()
	var texts []string
	for i, bot := range []string{"bot-a", "bot-b"} {
		query := map[string]any{"organization": simOrg, "bot_name": bot}
		if s.stepCount%3 == i {
			query["status"] = builder.StatusNotStarted
		}
		var want []string
		all := 0
		for _, c := range s.world.emu.Campaigns() {
			if deref(c.BotName) != bot {
				continue
			}
			all++
			if query["status"] == nil || deref(c.Status) == builder.StatusNotStarted {
				want = append(want, c.ID)
			}
		}
		mayFail := s.world.faultsOn || (s.server.has(emulator.DialectListCapped) && all >= builder.ListLimit)
		value, ok := walk.readDataSource(s.ctx, "data.campaigns_builder_campaigns."+bot, "campaigns_builder_campaigns", query)
		if err := s.compareSelection("data source", bot, ok, mayFail, selectedIDs(value), want); err != nil {
			return err
		}
		texts = append(texts, value.String())
		objects, _, ok := walk.listResource(s.ctx, "list.campaigns_builder_campaign."+bot, simCampaignType, query)
		var listed []string
		for _, o := range objects {
			listed = append(listed, str(o, "id"))
			texts = append(texts, o.String())
		}
		if err := s.compareSelection("list resource", bot, ok, mayFail, listed, want); err != nil {
			return err
		}
	}
	for _, addr := range slices.Sorted(mapsKeys(s.core.state)) {
		obj := s.core.state[addr]
		if obj.typeName != simCampaignType {
			continue
		}
		id := str(obj.value, "id")
		value, ok := walk.readDataSource(s.ctx, "data.campaigns_builder_campaign.x", simCampaignType,
			map[string]any{"organization": simOrg, "bot_name": str(obj.value, "bot_name"), "id": id})
		if c, held := s.world.emu.Campaign(id); ok && held && str(value, "campaign_name") != deref(c.CampaignName) {
			return violationf("data source campaign %s: campaign_name %q, the server holds %q", id, str(value, "campaign_name"), deref(c.CampaignName))
		}
		texts = append(texts, value.String())
	}
	include := s.stepCount%2 == 0
	value, ok := walk.readDataSource(s.ctx, "data.campaigns_evolux_subscribers.all", "campaigns_evolux_subscribers", map[string]any{"include_subscribers": tftypes.NewValue(tftypes.Bool, include)})
	if ok {
		var total big.Float
		_ = attrs(value)["total"].As(&total)
		var records []tftypes.Value
		_ = attrs(value)["subscribers"].As(&records)
		// Uploaded subscribers join the report (once processed).
		most := s.server.subscribers + len(s.world.emu.Uploaded())
		if n, _ := total.Int64(); n < int64(s.server.subscribers) || n > int64(most) || (include && int64(len(records)) != n) {
			return violationf("the Evolux report: total %d and %d records, the server holds %d to %d", n, len(records), s.server.subscribers, most)
		}
		texts = append(texts, value.String())
	} else if !s.world.faultsOn {
		return violationf("the Evolux report failed with no fault: %v", walk.diags)
	}
	return s.noSecrets("data sources", strings.Join(texts, "\n"))
}

func selectedIDs(v tftypes.Value) []string {
	var list []tftypes.Value
	if a, ok := attrs(v)["campaigns"]; ok {
		_ = a.As(&list)
	}
	ids := make([]string, 0, len(list))
	for _, c := range list {
		ids = append(ids, str(c, "id"))
	}
	return ids
}

// compareSelection: every matching campaign, or a failure naming why;
// never a silent subset.
func (s *simScenario) compareSelection(what, bot string, ok, mayFail bool, got, want []string) error {
	if !ok {
		if mayFail {
			return nil
		}
		return violationf("%s of %s failed with no fault and a list that can be read whole", what, bot)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return violationf("%s of %s answered %d campaigns, the server holds %d that match: a silent subset", what, bot, len(got), len(want))
	}
	return nil
}

// noSecrets: no credential or token anywhere users can see it.
func (s *simScenario) noSecrets(where, text string) error {
	for _, secret := range s.world.secretValues() {
		if strings.Contains(text, secret) {
			return violationf("a secret (%.6s…) in %s", secret, where)
		}
	}
	return nil
}

// checkStep checks what must hold after every step.
func (s *simScenario) checkStep() error {
	if broken := s.world.takeBroken(); len(broken) > 0 {
		return violationf("%s", strings.Join(broken, "; "))
	}
	var diags strings.Builder
	for _, d := range s.diagnostics {
		diags.WriteString(d.String() + "\n")
		if d.severity == tfprotov6.DiagnosticSeverityError {
			s.stats.errors++
		} else {
			s.stats.warnings++
		}
	}
	for where, text := range map[string]string{"state": s.core.stateText(), "plan": s.core.planText(), "diagnostics": diags.String(), "logs": s.world.logs.take()} {
		if err := s.noSecrets(where, text); err != nil {
			return err
		}
	}
	if err := s.checkAudiences(); err != nil {
		return err
	}
	for addr, t := range s.triggers {
		phone := simPayloadPhone.FindString(t.Payload)
		if obj, ok := s.core.state[addr]; ok && t.WriteOnly && strings.Contains(obj.value.String(), phone) {
			return violationf("%s: its write-only payload's %s is in state: %s", addr, phone, obj.value)
		}
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	for addr, n := range s.world.fired {
		if n > s.intents[addr] {
			return violationf("%s fired %d times, asked %d", addr, n, s.intents[addr])
		}
	}
	return nil
}

// simPayloadPhone is the personal data of a payloadText.
var simPayloadPhone = regexp.MustCompile(`5511999990[0-9]{3}`)

// maxConvergeRounds bounds the applies of a convergence with people acting.
const maxConvergeRounds = 8

// converge stops the faults and applies as a user would, doing what the
// diagnostics ask a person to do: at most two applies (two more after each
// such action) must reach an empty plan, with every configured campaign on
// the server exactly once.
func (s *simScenario) converge() error {
	s.world.startStep(s.seed, false)
	budget := 2
	for round := 0; ; round++ {
		s.world.clock.advance(time.Minute) // people do not apply every second: an upload is processed meanwhile
		s.diagnostics = nil
		s.revertStartedEdits()
		p, err := s.apply()
		if err != nil {
			return err
		}
		if err := s.checkStep(); err != nil {
			return err
		}
		failed := p.failed || slices.ContainsFunc(s.diagnostics, func(d simDiag) bool { return d.severity == tfprotov6.DiagnosticSeverityError })
		if acted, err := s.actOnUnknown(); err != nil {
			return err
		} else if acted && round < maxConvergeRounds {
			budget = round + 3
			continue
		}
		if !failed && !slices.ContainsFunc(p.changes, func(c *simChange) bool { return c.action != "noop" }) {
			if err := s.checkAudienceServer(); err != nil {
				return err
			}
			return s.checkServer() // an empty plan
		}
		if s.actOnErrors() && round < maxConvergeRounds {
			budget = round + 3
			continue
		}
		if round < budget {
			continue
		}
		if s.contractGap() {
			s.stats.gaps++
			return nil // said so, at every plan; the invariants of every step held
		}
		if failed {
			return violationf("stuck after %d applies: %v", round+1, s.errorsText())
		}
		var changes []string
		for _, c := range p.changes {
			if c.action != "noop" {
				changes = append(changes, c.action+" "+c.addr+changedAttrs(c))
			}
		}
		return violationf("%d applies and the plan still has changes: %s", round+1, strings.Join(changes, ", "))
	}
}

// contractGap: what is left is what no client can settle on this server,
// and the provider says so. A server that ignores the ids it is sent can
// make a campaign nobody can find (it answers nothing and its list cannot
// be read whole, or several campaigns hold the same fields).
func (s *simScenario) contractGap() bool {
	if !s.server.has(emulator.DialectServerIDs) {
		return false
	}
	for _, d := range s.diagnostics {
		if d.severity == tfprotov6.DiagnosticSeverityError && d.summary != "Campaign not located" && d.summary != "Campaign created under another id" {
			return false
		}
	}
	return true
}

func (s *simScenario) errorsText() []string {
	var out []string
	for _, d := range s.diagnostics {
		if d.severity == tfprotov6.DiagnosticSeverityError {
			out = append(out, d.String())
		}
	}
	return out
}

// revertStartedEdits is what a user does after "Campaign already started":
// the configuration of a started campaign goes back to what it holds.
func (s *simScenario) revertStartedEdits() {
	for addr, c := range s.campaigns {
		if held, ok := s.serverCampaign(addr); ok && deref(held.Status) != builder.StatusNotStarted && c.Bot == deref(held.BotName) {
			s.campaigns[addr] = configOf(held)
		}
	}
}

// configOf is the configuration that matches a campaign the server holds.
func configOf(held builder.Campaign) simCampaign {
	c := simCampaign{
		Bot: deref(held.BotName), Name: deref(held.CampaignName), Title: deref(held.Name), Description: deref(held.Description),
		Scheduled: deref(held.ScheduledDate), Content: deref(held.Content), File: deref(held.File),
	}
	if held.SheetValues != nil {
		c.Sheet = slices.Clone(held.SheetValues)
	}
	return c
}

// actOnErrors does what an explained error asks a person to do; an error
// it does not know is left (and the scenario stuck).
func (s *simScenario) actOnErrors() bool {
	acted := false
	for _, d := range s.diagnostics {
		if d.severity != tfprotov6.DiagnosticSeverityError {
			continue
		}
		switch {
		case d.summary == "Campaign created under another id", d.summary == "Campaign not located",
			d.summary == "Campaign not read" && strings.Contains(d.detail, "cannot be told"):
			// terraform state rm, then import what the Builder UI shows, or
			// delete it there when the configuration no longer has it.
			delete(s.core.state, d.addr)
			s.world.mu.Lock()
			alive := s.world.aliveFor(d.addr, s.world.campaignsByID())
			s.world.mu.Unlock()
			_, configured := s.campaigns[d.addr]
			for _, id := range alive {
				c, _ := s.world.emu.Campaign(id)
				if configured && len(alive) == 1 {
					s.imports[d.addr] = fmt.Sprintf("%s/%s/%s", simOrg, deref(c.BotName), c.ID)
				} else {
					s.world.emu.RemoveCampaign(id)
				}
			}
		case d.summary == "Campaign already started":
			// The configuration goes back to what the campaign holds, as
			// the error says: an ambiguous update may have run.
			if held, ok := s.serverCampaign(d.addr); ok {
				s.campaigns[d.addr] = configOf(held)
			}
		default:
			continue
		}
		s.stats.humanActions++
		acted = true
	}
	return acted
}

// checkServer: every configured campaign is on the server exactly once,
// under the id state holds; nothing is orphaned.
func (s *simScenario) checkServer() error {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	campaigns := s.world.campaignsByID()
	for addr := range s.campaigns {
		obj, ok := s.core.state[addr]
		if !ok {
			return violationf("%s is configured and not in state", addr)
		}
		id := str(obj.value, "id")
		if _, held := campaigns[id]; !held {
			return violationf("%s holds %s, which the server does not", addr, id)
		}
		if s.world.owner[id] == anotherWorkspace {
			return violationf("%s holds %s, which another workspace created: adopted", addr, id)
		}
		alive := s.world.aliveFor(addr, campaigns)
		if !slices.Equal(alive, []string{id}) && !(len(alive) == 0 && s.world.owner[id] == "") {
			return violationf("%s holds %s; the server has %v made for it", addr, id, alive)
		}
	}
	for id, addr := range s.world.owner {
		if _, held := campaigns[id]; !held || strings.HasPrefix(addr, "forgotten ") || addr == anotherWorkspace {
			continue
		}
		obj, managed := s.core.state[addr]
		if _, configured := s.campaigns[addr]; !managed || !configured || str(obj.value, "id") != id {
			return violationf("campaign %s, made for %s, is orphaned", id, addr)
		}
	}
	return nil
}

// simReport is what a run of scenarios covered.
type simReport struct {
	mu          sync.Mutex
	scenarios   int
	stats       simStats
	pairs       map[[2]emulator.Dialect]bool
	faults      map[emulator.FaultKind]int
	rateLimited int
	failures    []string
	started     time.Time
}

// runSeeds plays the scenarios of seeds, several at once.
func runSeeds(t *testing.T, seeds []uint64, keep []int) *simReport {
	report := &simReport{pairs: map[[2]emulator.Dialect]bool{}, faults: map[emulator.FaultKind]int{}, started: time.Now()}
	work := make(chan uint64)
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 2) {
		wg.Go(func() {
			for seed := range work {
				s := newSimScenario(seed, keep)
				if os.Getenv("SIM_VERBOSE") != "" {
					s.verbose = t.Logf
				}
				err := s.run()
				report.add(s, err)
				if err != nil {
					report.fail(t, s, err, keep)
				}
			}
		})
	}
	for _, seed := range seeds {
		work <- seed
	}
	close(work)
	wg.Wait()
	return report
}

func (r *simReport) add(s *simScenario, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scenarios++
	r.stats.steps += s.stats.steps
	r.stats.applies += s.stats.applies
	r.stats.warnings += s.stats.warnings
	r.stats.errors += s.stats.errors
	r.stats.humanActions += s.stats.humanActions
	r.stats.gaps += s.stats.gaps
	s.world.mu.Lock()
	r.stats.requests += s.world.requests
	for k, n := range s.world.faultSeen {
		r.faults[k] += n
	}
	s.world.mu.Unlock()
	builderRefused, evoluxRefused := s.world.emu.RateLimited()
	r.rateLimited += builderRefused + evoluxRefused
	for _, p := range dialectPairs(s.server.dialects) {
		r.pairs[p] = true
	}
}

// fail shrinks a failing scenario to the fewest steps that still fail, and
// reports how to replay it.
func (r *simReport) fail(t *testing.T, s *simScenario, err error, keep []int) {
	indices := keep
	if indices == nil {
		indices = make([]int, len(s.steps))
		for i := range indices {
			indices[i] = i
		}
	}
	full := newSimScenario(s.seed, nil).steps
	fails := func(candidate []int) bool {
		steps := make([]simStep, len(candidate))
		for i, k := range candidate {
			steps[i] = full[k]
		}
		return newSimScenarioOf(s.seed, s.server, steps).run() != nil
	}
	for chunk := len(indices) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i+chunk <= len(indices); {
			candidate := slices.Concat(indices[:i], indices[i+chunk:])
			if fails(candidate) {
				indices = candidate
			} else {
				i += chunk
			}
		}
	}
	steps := make([]string, len(indices))
	keepText := make([]string, len(indices))
	for i, k := range indices {
		steps[i], keepText[i] = full[k].String(), strconv.Itoa(k)
	}
	shrunk := newSimScenarioOf(s.seed, s.server, func() []simStep {
		out := make([]simStep, len(indices))
		for i, k := range indices {
			out[i] = full[k]
		}
		return out
	}())
	shrunkErr := shrunk.run()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf("seed %d: %v\n  server: %s\n  shortest failing steps: %s\n  it fails with: %v\n  replay: SIM_SEED=%d SIM_KEEP=%s go test ./internal/provider -run TestSimulation -v",
		s.seed, err, s.server, strings.Join(steps, " "), shrunkErr, s.seed, strings.Join(keepText, ",")))
	t.Errorf("simulation seed %d failed: %v", s.seed, err)
}

// dialectPairs are the pairs of dialects a server speaks at once.
func dialectPairs(dialects []emulator.Dialect) [][2]emulator.Dialect {
	var out [][2]emulator.Dialect
	for i, a := range dialects {
		for _, b := range dialects[i+1:] {
			out = append(out, [2]emulator.Dialect{min(a, b), max(a, b)})
		}
	}
	return out
}

// allPairs is every pair of dialects that can coexist.
func allPairs() map[[2]emulator.Dialect]bool {
	all := simDialects()
	out := map[[2]emulator.Dialect]bool{}
	for _, p := range dialectPairs(all) {
		if p[0].Group() == "" || p[0].Group() != p[1].Group() {
			out[p] = true
		}
	}
	return out
}

// pairwiseSeeds chooses, in seed order, the seeds whose servers together
// speak every pair of dialects that can coexist (a pairwise covering of
// the dialects), and every Evolux paging style.
func pairwiseSeeds() []uint64 {
	need := allPairs()
	paging := map[string]bool{}
	for _, p := range emulator.PagingDialects() {
		paging[p] = true
	}
	var seeds []uint64
	for seed := uint64(1); len(need)+len(paging) > 0; seed++ {
		server := drawServer(rand.New(rand.NewPCG(seed, 0x51)))
		gain := paging[server.paging]
		for _, p := range dialectPairs(server.dialects) {
			gain = gain || need[p]
		}
		if !gain {
			continue
		}
		for _, p := range dialectPairs(server.dialects) {
			delete(need, p)
		}
		delete(paging, server.paging)
		seeds = append(seeds, seed)
	}
	return seeds
}

// simBudget is how many seeds make test runs, at least: about 30 s under
// the race detector on a 2-core machine.
const simBudget = 200

// TestSimulation runs the simulation: the pairwise budget, or SIM_SEED
// (with SIM_KEEP, the steps a failure shrank to), or SIM_SCENARIOS random
// seeds from SIM_FROM.
func TestSimulation(t *testing.T) {
	t.Setenv("TF_LOG_PROVIDER", "DEBUG") // the provider logs, and the logs are checked for secrets
	var seeds []uint64
	var keep []int
	switch {
	case os.Getenv("SIM_SEED") != "":
		seed, err := strconv.ParseUint(os.Getenv("SIM_SEED"), 10, 64)
		if err != nil {
			t.Fatalf("SIM_SEED: %v", err)
		}
		seeds = []uint64{seed}
		if k := os.Getenv("SIM_KEEP"); k != "" {
			for _, f := range strings.Split(k, ",") {
				i, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("SIM_KEEP: %v", err)
				}
				keep = append(keep, i)
			}
		}
	case os.Getenv("SIM_SCENARIOS") != "":
		n, err := strconv.Atoi(os.Getenv("SIM_SCENARIOS"))
		if err != nil {
			t.Fatalf("SIM_SCENARIOS: %v", err)
		}
		from, _ := strconv.ParseUint(os.Getenv("SIM_FROM"), 10, 64)
		if from == 0 {
			from = uint64(time.Now().UnixNano() % 1_000_000_000)
		}
		for i := range n {
			seeds = append(seeds, from+uint64(i))
		}
	case os.Getenv("TF_ACC") != "":
		t.Skip("the simulation runs no CLI: make unit runs it once (make sim for more)")
	default:
		// A fixed budget that covers every pair of dialects.
		last := max(slices.Max(pairwiseSeeds()), simBudget)
		for seed := uint64(1); seed <= last; seed++ {
			seeds = append(seeds, seed)
		}
	}
	report := runSeeds(t, seeds, keep)
	elapsed := time.Since(report.started)
	need := allPairs()
	covered := 0
	for p := range need {
		if report.pairs[p] {
			covered++
		}
	}
	t.Logf("simulation: %d scenarios (seeds %d..%d), %d steps, %d applies, %d requests, %d warnings and %d errors shown, %d human actions, %d left at a gap of the contract, said so; "+
		"%d of %d dialect pairs; faults %v; %d refused by a rate limit; %s (%.0f scenarios a minute)",
		report.scenarios, seeds[0], seeds[len(seeds)-1], report.stats.steps, report.stats.applies, report.stats.requests,
		report.stats.warnings, report.stats.errors, report.stats.humanActions, report.stats.gaps, covered, len(need), report.faults,
		report.rateLimited, elapsed.Round(time.Millisecond), float64(report.scenarios)/elapsed.Minutes())
	for _, f := range report.failures {
		t.Log(f)
	}
	if os.Getenv("SIM_SEED") == "" && os.Getenv("SIM_SCENARIOS") == "" && covered < len(need) {
		t.Errorf("the budget covered %d of %d dialect pairs", covered, len(need))
	}
}

// changedAttrs says what a change changes, for a report.
func changedAttrs(c *simChange) string {
	if c.prior == nil {
		return ""
	}
	var out []string
	planned := attrs(c.planned)
	for name, before := range attrs(c.prior.value) {
		if after := planned[name]; !before.Equal(after) {
			out = append(out, fmt.Sprintf("%s: %s => %s", name, before, after))
		}
	}
	slices.Sort(out)
	return " (" + strings.Join(out, "; ") + ")"
}
