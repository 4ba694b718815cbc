package emulator

import (
	"math/rand/v2"
	"slices"
)

// FaultKind is a way a request can fail.
type FaultKind string

// Fault kinds. The first two fail before any work is done, so a client may
// repeat the request; the last two do the work, so the outcome is ambiguous.
const (
	// FaultRateLimit answers 429 with "Retry-After: 1"; nothing is processed.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultServerError answers 500 in the service's error shape before
	// processing anything.
	FaultServerError FaultKind = "server_error"
	// FaultDropAfter processes the request fully, then closes the connection
	// without answering.
	FaultDropAfter FaultKind = "drop_after"
	// FaultSlow processes the request, then answers after the slow delay (or
	// not at all if the client has gone away by then).
	FaultSlow FaultKind = "slow"
)

// AllFaultKinds lists every kind, for random faults of any kind.
var AllFaultKinds = []FaultKind{FaultRateLimit, FaultServerError, FaultDropAfter, FaultSlow}

// RandomFaults makes matching requests fail at random, after any queued
// fault has been used.
type RandomFaults struct {
	Rate  float64     // probability that a matching request fails; 0 turns random faults off
	Kinds []FaultKind // chosen uniformly; empty => AllFaultKinds
	Ops   []Op        // empty => every operation
	Seed  int64       // the same seed and request order give the same faults
}

// InjectFault makes the next `times` requests of op fail with kind. Calls
// queue up in order: InjectFault(op, FaultRateLimit, 1) then
// InjectFault(op, FaultServerError, 1) answers 429, then 500.
func (e *Emulator) InjectFault(op Op, kind FaultKind, times int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for range times {
		e.faultQueue[op] = append(e.faultQueue[op], kind)
	}
}

// SetRandomFaults replaces the random fault settings and restarts their
// random sequence from rf.Seed.
func (e *Emulator) SetRandomFaults(rf RandomFaults) {
	rf.Kinds = slices.Clone(rf.Kinds)
	if len(rf.Kinds) == 0 {
		rf.Kinds = slices.Clone(AllFaultKinds)
	}
	rf.Ops = slices.Clone(rf.Ops)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.randomFaults = rf
	e.randomRNG = rand.New(rand.NewPCG(uint64(rf.Seed), 0xfa017))
}

// FaultsInjected counts the faults applied so far, by kind.
func (e *Emulator) FaultsInjected() map[FaultKind]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[FaultKind]int, len(e.faultsInjected))
	for k, n := range e.faultsInjected {
		out[k] = n
	}
	return out
}

// nextFault decides the fault of one request of op ("" for none): the queue
// first, then the random draw.
func (e *Emulator) nextFault(op Op) FaultKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var kind FaultKind
	if queue := e.faultQueue[op]; len(queue) > 0 {
		kind = queue[0]
		if len(queue) == 1 {
			delete(e.faultQueue, op)
		} else {
			e.faultQueue[op] = queue[1:]
		}
	} else if rf := e.randomFaults; rf.Rate > 0 && (len(rf.Ops) == 0 || slices.Contains(rf.Ops, op)) {
		if e.randomRNG.Float64() < rf.Rate {
			kind = rf.Kinds[e.randomRNG.IntN(len(rf.Kinds))]
		}
	}
	if kind != "" {
		e.faultsInjected[kind]++
	}
	return kind
}
