package emulator

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
)

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
	for range times {
		e.faultQueue[op] = append(e.faultQueue[op], kind)
	}
}

// SetRandomFaults replaces the random fault settings and restarts their sequence from rf.Seed.
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
