package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// The Evolux audiences of the simulation: campaigns_evolux_campaign_subscribers
// instances, each phone unique to the scenario, so that a phone the
// emulator saw uploaded twice is a WhatsApp message sent twice.

const simAudienceType = "campaigns_evolux_campaign_subscribers"

// simAudience is one audience's configuration.
type simAudience struct {
	Campaign string
	Subs     map[string]simSub // phone => subscriber
}

type simSub struct{ Name, Param string }

func simAudienceAddr(i int) string { return fmt.Sprintf("%s.a[%d]", simAudienceType, i) }

func (a simAudience) clone() simAudience {
	c := simAudience{Campaign: a.Campaign, Subs: map[string]simSub{}}
	for p, s := range a.Subs {
		c.Subs[p] = s
	}
	return c
}

// newPhone is a phone no other subscriber of the scenario, nor of the
// generated report (+55119…), has.
func (s *simScenario) newPhone() string {
	s.next++
	return fmt.Sprintf("55219770%05d", s.next)
}

func (s *simScenario) audienceValue(addr string) tftypes.Value {
	typ := objectType(s.core.resourceSchema(simAudienceType))
	a, ok := s.audiences[addr]
	if !ok {
		return tftypes.NewValue(typ, nil)
	}
	elemType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String, "parameters": tftypes.List{ElementType: tftypes.String}}}
	elems := map[string]tftypes.Value{}
	for phone, sub := range a.Subs {
		elems[phone] = simValue(elemType, map[string]any{"name": sub.Name, "parameters": []string{sub.Param}})
	}
	subscribers := tftypes.NewValue(tftypes.Map{ElementType: elemType}, elems)
	return simValue(typ, map[string]any{"campaign_uuid": a.Campaign, "subscribers": subscribers})
}

// playAudience plays an audience step; handled is false for other ops.
func (s *simScenario) playAudience(step simStep) (handled bool, err error) {
	switch step.Op {
	case "audience":
		campaigns := emulator.SubscriberCampaigns()
		a := simAudience{Campaign: campaigns[step.Val%uint64(len(campaigns))].UUID, Subs: map[string]simSub{}}
		for range 1 + step.Val%4 {
			phone := s.newPhone()
			a.Subs[phone] = simSub{Name: "Sub " + phone[len(phone)-4:], Param: "p" + phone[len(phone)-2:]}
		}
		s.audiences[simAudienceAddr(s.next)] = a
		s.next++
	case "subscribe":
		addr, ok := pick(s.audiences, step.Pick)
		if !ok {
			return true, nil
		}
		a := s.audiences[addr].clone()
		for range 1 + step.Val%3 {
			phone := s.newPhone()
			a.Subs[phone] = simSub{Name: "Sub " + phone[len(phone)-4:], Param: "p" + phone[len(phone)-2:]}
		}
		s.audiences[addr] = a
	case "unsubscribe": // forgets, never removes
		addr, ok := pick(s.audiences, step.Pick)
		if !ok {
			return true, nil
		}
		a := s.audiences[addr].clone()
		phone, ok := pick(a.Subs, step.Val)
		if !ok {
			return true, nil
		}
		s.forgotten[phone] = forgottenSub{addr, a.Subs[phone]}
		delete(a.Subs, phone)
		s.audiences[addr] = a
	case "resubscribe": // a forgotten one back, as it was
		phone, ok := pick(s.forgotten, step.Pick)
		if !ok {
			return true, nil
		}
		f := s.forgotten[phone]
		a, configured := s.audiences[f.addr]
		if !configured {
			return true, nil
		}
		a = a.clone()
		a.Subs[phone] = f.sub
		s.audiences[f.addr] = a
		delete(s.forgotten, phone)
	case "alter": // change an inserted subscriber: the plan must fail, and the user reverts
		addr, ok := pick(s.audiences, step.Pick)
		if !ok {
			return true, nil
		}
		obj, managed := s.core.state[addr]
		if !managed {
			return true, nil
		}
		inserted := ""
		for _, phone := range slices.Sorted(mapsKeys(s.audiences[addr].Subs)) {
			if subscriberOutcome(obj.value, phone) == "inserted" {
				inserted = phone
				break
			}
		}
		if inserted == "" {
			return true, nil
		}
		original := s.audiences[addr]
		a := original.clone()
		sub := a.Subs[inserted]
		sub.Name += " (changed)"
		a.Subs[inserted] = sub
		s.audiences[addr] = a
		p, err := s.apply()
		s.audiences[addr] = original // reverted, as the error asks
		if err != nil {
			return true, err
		}
		said := slices.ContainsFunc(s.diagnostics, func(d simDiag) bool { return d.addr == addr && d.summary == "Subscriber already inserted" })
		if !said && p != nil && !p.failed {
			return true, violationf("%s: a change to inserted subscriber %s planned without \"Subscriber already inserted\"", addr, inserted)
		}
		return true, s.checkStep()
	case "reaudience": // forget the whole resource, re-create it at another address
		addr, ok := pick(s.audiences, step.Pick)
		if !ok {
			return true, nil
		}
		if _, managed := s.core.state[addr]; !managed {
			return true, nil
		}
		s.audiences[simAudienceAddr(s.next)] = s.audiences[addr]
		s.next++
		delete(s.audiences, addr)
		s.forget[addr] = true
	default:
		return false, nil
	}
	if _, err := s.apply(); err != nil {
		return true, err
	}
	return true, s.checkStep()
}

type forgottenSub struct {
	addr string
	sub  simSub
}

// subscriberOutcome is a phone's insert outcome in an audience's value.
func subscriberOutcome(v tftypes.Value, phone string) string {
	return str(attrs(v)["insert_outcomes"], phone)
}

// insertOutcomes are an audience's insert outcomes, by phone.
func insertOutcomes(v tftypes.Value) map[string]string {
	out := map[string]string{}
	outcomes := attrs(v)["insert_outcomes"]
	for phone := range attrs(outcomes) {
		out[phone] = str(outcomes, phone)
	}
	return out
}

// digitsOf is a phone's digits with the country code, however the report
// spells it (national spellings drop the 55).
func digitsOf(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if !strings.HasPrefix(d, "55") {
		d = "55" + d
	}
	return d
}

// uploadCounts is how many times each phone was uploaded.
func (s *simScenario) uploadCounts() map[string]int {
	counts := map[string]int{}
	for _, p := range s.world.emu.Uploaded() {
		counts[digitsOf(p)]++
	}
	return counts
}

// checkAudiences: never a phone uploaded twice (no step asks for it), and a
// phone state says is inserted was uploaded.
func (s *simScenario) checkAudiences() error {
	counts := s.uploadCounts()
	for _, phone := range slices.Sorted(mapsKeys(counts)) {
		if counts[phone] > 1 {
			return violationf("phone %s uploaded %d times: its WhatsApp message sent %d times", phone, counts[phone], counts[phone])
		}
	}
	for _, addr := range slices.Sorted(mapsKeys(s.core.state)) {
		obj := s.core.state[addr]
		if obj.typeName != simAudienceType {
			continue
		}
		for phone, o := range insertOutcomes(obj.value) {
			if o == "inserted" && counts[digitsOf(phone)] == 0 {
				return violationf("%s: %s has insert outcome \"inserted\" and was never uploaded", addr, phone)
			}
		}
	}
	return nil
}

// actOnUnknown is what a person does with a subscriber left "unknown" once
// the faults stopped and the report does not show it (the Evolux UI shows
// it was never inserted): remove it, apply, add it back.
func (s *simScenario) actOnUnknown() (bool, error) {
	counts := s.uploadCounts()
	type readd struct {
		addr, phone string
		sub         simSub
	}
	var back []readd
	for _, addr := range slices.Sorted(mapsKeys(s.audiences)) {
		obj, ok := s.core.state[addr]
		if !ok {
			continue
		}
		a := s.audiences[addr].clone()
		for phone, sub := range s.audiences[addr].Subs {
			if subscriberOutcome(obj.value, phone) == "unknown" && counts[digitsOf(phone)] == 0 {
				back = append(back, readd{addr, phone, sub})
				delete(a.Subs, phone)
			}
		}
		s.audiences[addr] = a
	}
	if len(back) == 0 {
		return false, nil
	}
	s.stats.humanActions++
	if _, err := s.apply(); err != nil {
		return true, err
	}
	if err := s.checkStep(); err != nil {
		return true, err
	}
	for _, r := range back {
		a := s.audiences[r.addr].clone()
		a.Subs[r.phone] = r.sub
		s.audiences[r.addr] = a
	}
	return true, nil
}

// checkAudienceServer: every configured subscriber is inserted, uploaded
// exactly once.
func (s *simScenario) checkAudienceServer() error {
	counts := s.uploadCounts()
	for _, addr := range slices.Sorted(mapsKeys(s.audiences)) {
		obj, ok := s.core.state[addr]
		if !ok {
			return violationf("%s is configured and not in state", addr)
		}
		for phone := range s.audiences[addr].Subs {
			if o := subscriberOutcome(obj.value, phone); o != "inserted" {
				return violationf("%s: %s converged with insert outcome %q", addr, phone, o)
			}
			if n := counts[digitsOf(phone)]; n != 1 {
				return violationf("%s: %s uploaded %d times", addr, phone, n)
			}
		}
	}
	return nil
}
