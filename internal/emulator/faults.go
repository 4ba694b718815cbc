package emulator

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
)

// FaultKind is a way a request can fail.
type FaultKind string

// Fault kinds: a 429, a 503 and a connection refused certainly did no work;
// the others leave the client unsure whether it was done.
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
	// not at all if the client has gone away by then). Through Transport the
	// answer never comes: the round trip fails as a client timeout would.
	FaultSlow FaultKind = "slow"
	// FaultRateLimitBare answers 429 without Retry-After.
	FaultRateLimitBare FaultKind = "rate_limit_bare"
	// FaultUnavailable answers 503 with "Retry-After: 1" before processing.
	FaultUnavailable FaultKind = "unavailable"
	// FaultServerErrorAfter processes the request, then answers 500 (an
	// exception after the database write).
	FaultServerErrorAfter FaultKind = "server_error_after"
	// FaultDropBefore closes the connection once the request is sent,
	// before any work (a gateway that gives up on its backend): the client
	// cannot tell it from FaultDropAfter, but nothing was done.
	FaultDropBefore FaultKind = "drop_before"
	// FaultRefused refuses the connection: through Transport, a dial error
	// and nothing served; over a socket, the connection is closed before
	// the request is read. Not among AllFaultKinds.
	FaultRefused FaultKind = "refused"
)

// AllFaultKinds lists every kind a socket can serve, for random faults of
// any kind.
var AllFaultKinds = []FaultKind{FaultRateLimit, FaultServerError, FaultDropAfter, FaultSlow, FaultRateLimitBare, FaultUnavailable, FaultServerErrorAfter, FaultDropBefore}

// faultNone, in a request's context, serves it with no fault at all.
const faultNone FaultKind = "none"

type faultKey struct{}

// WithFault makes the request sent with ctx fail with kind, ahead of any
// queued or random fault: a simulation decides each request's fault itself.
func WithFault(ctx context.Context, kind FaultKind) context.Context {
	return context.WithValue(ctx, faultKey{}, kind)
}

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
	return maps.Clone(e.faultsInjected)
}

// nextFault decides the fault of one request of op ("" for none): the queue
// first, then the random draw.
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
		kind = queue[0]
		if len(queue) == 1 {
			delete(e.faultQueue, op)
		} else {
			e.faultQueue[op] = queue[1:]
		}
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
