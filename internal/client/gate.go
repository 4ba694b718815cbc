package client

import (
	"cmp"
	"context"
	"sync"
	"time"
)

// gate paces every request one Client sends. There is one per API and
// provider instance, so the resources, data sources and actions that
// Terraform runs at once share what the server allows: a 429 means the
// budget is spent for all of them, not only for the request that met it.
//
//   - A 429 (or a 503 with Retry-After) holds every request until the wait
//     is over: the Retry-After, else exponential backoff with jitter.
//   - After a 429 requests start at a pace: 90% of the rate the server was
//     answering at, rising slowly while answers succeed, so that they do not
//     go back in a crowd and the client settles just under the server's rate.
//   - Requests in flight are limited adaptively: a slow start (4, one more
//     per answer, so doubling each round trip, without a ceiling) until a
//     429 comes, so that an unknown limit meets a few requests, not all of
//     Terraform's parallelism; then half of those in flight, growing by one
//     per round while answers succeed and halving on each 429 (AIMD, as TCP
//     and the AWS SDKs' adaptive retry mode do). A request's token is read
//     once it may start (Request.Authorize), never while it waits here.
//
// One 429 episode cuts once: answers to requests sent before the cut tell
// nothing new.
type gate struct {
	clock Clock
	api   string // the API's name in a HoldError
	// minInterval is the spacing max_requests_per_second asks for; 0 => none.
	minInterval time.Duration
	waitMin     time.Duration // backoff without Retry-After
	waitMax     time.Duration

	mu        sync.Mutex
	changed   chan struct{} // closed (and replaced) when a waiter may go
	holdUntil time.Time
	refusals  int       // 429s since the last success: the backoff's exponent
	rate      float64   // requests a second after a 429; 0 => unpaced
	next      time.Time // the earliest start of the next request when paced
	cutAt     time.Time // the last cut
	cut       bool      // a 429 has been seen
	measured  bool      // the last cut measured the server's rate
	peak      float64   // the highest rate measured at a cut within peakMemory
	peakAt    time.Time
	limit     float64     // requests in flight allowed
	inFlight  int         // requests holding a slot
	answered  []time.Time // recent answers (any status but 429), oldest first
}

const (
	startInFlight = 4
	maxInFlight   = 32 // once cut
	// paceShare of the rate the server was answering at is where pacing
	// starts after a 429; paceGrowth is how much it rises a second while
	// answers succeed (a probe for a rate that has gone up), guessGrowth
	// (nearly doubling a second) while the rate is only a guess.
	paceShare   = 0.9
	paceGrowth  = 0.02
	guessGrowth = 0.7
	minRate     = 0.2 // requests a second: a floor for a pace that keeps being cut
	// peakMemory is how long the highest measured rate sets the pace after
	// a cut: a 429 that is not the bucket (a fault, another client's burst)
	// then costs a hold, not a pace cut on a pace cut.
	peakMemory = 20 * time.Second
)

func newGate(clock Clock, maxPerSecond float64, waitMin, waitMax time.Duration) *gate {
	g := &gate{clock: clock, waitMin: waitMin, waitMax: waitMax, changed: make(chan struct{}), limit: startInFlight}
	if maxPerSecond > 0 {
		g.minInterval = time.Duration(float64(time.Second) / maxPerSecond)
	}
	return g
}

// HoldError is a request not sent because the server's rate limit holds
// requests longer than the operation has left.
type HoldError struct {
	Wait, Left time.Duration
	API        string // "" => the server
}

func (e *HoldError) Error() string {
	return "not sent: " + waitAdvice(cmp.Or(e.API, "the server"), e.Wait, e.Left)
}

// Unwrap tells the retry rules that the request was not sent.
func (e *HoldError) Unwrap() error { return errNotActedOn }

// timeLeft is what ctx has left; without a deadline, DefaultPatience.
func timeLeft(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return DefaultPatience
}

// enter waits until a request may start, and takes a slot for it: release
// must follow. It fails without waiting when the hold outlasts ctx.
func (g *gate) enter(ctx context.Context) error {
	for {
		g.mu.Lock()
		now := g.clock.Now()
		if g.inFlight >= int(g.limit) {
			changed := g.changed
			g.mu.Unlock()
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		interval := g.interval()
		start := now
		if interval > 0 && g.next.After(start) {
			start = g.next
		}
		held := g.holdUntil.After(now)
		if held && g.holdUntil.After(start) {
			start = g.holdUntil
		}
		wait := start.Sub(now)
		if left := timeLeft(ctx); wait > left {
			g.mu.Unlock()
			return &HoldError{Wait: wait, Left: left, API: g.api}
		}
		if held {
			// No slot and no place in the pace while held: both are taken
			// once the hold is over, so none is reserved and left empty.
			until := g.holdUntil
			g.mu.Unlock()
			g.clock.Sleep(ctx, until.Sub(now))
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		g.inFlight++
		if interval > 0 {
			g.next = start.Add(interval)
		}
		g.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		g.clock.Sleep(ctx, wait)
		if err := ctx.Err(); err != nil {
			g.release()
			return err
		}
		g.mu.Lock()
		// A 429 came while this one waited: a hold now covers its start,
		// or a cut set a pace that its place, taken at the old one, breaks.
		again := g.holdUntil.After(start) || g.cutAt.After(now)
		if again && g.next.Equal(start.Add(interval)) {
			g.next = start // its place in the pace goes back
		}
		g.mu.Unlock()
		if !again {
			return nil
		}
		g.release()
	}
}

// interval is the spacing between starts, or 0. Called with mu held.
func (g *gate) interval() time.Duration {
	interval := g.minInterval
	if g.rate > 0 {
		interval = max(interval, time.Duration(float64(time.Second)/g.rate))
	}
	return interval
}

func (g *gate) release() {
	g.mu.Lock()
	g.inFlight--
	g.wake()
	g.mu.Unlock()
}

// wake lets the waiters look again. Called with mu held.
func (g *gate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// answer records an answer that was not a 429: the server is taking
// requests at the current pace.
func (g *gate) answer() {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	g.refusals = 0
	g.answered = append(g.answered, now)
	if len(g.answered) > 4096 {
		g.answered = g.answered[len(g.answered)-1024:]
	}
	if g.cut {
		g.limit = min(g.limit+1/g.limit, maxInFlight)
	} else {
		g.limit++
	}
	if g.rate > 0 {
		// rate answers a second: a share of rate more a second.
		if g.measured {
			g.rate += paceGrowth
		} else {
			g.rate += guessGrowth
		}
	}
	g.wake()
}

// refused records a 429 (or a 503 with Retry-After) to a request started
// at started, with the wait the server asked for (hasWait). It returns how
// long requests are now held.
func (g *gate) refused(started time.Time, wait time.Duration, hasWait, tooMany bool) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	fresh := started.After(g.cutAt) // not one of a crowd already answered for
	if !hasWait {
		if !fresh {
			return g.holdUntil.Sub(now)
		}
		g.refusals++
		wait = backoff(g.waitMin, g.waitMax, g.refusals-1)
	}
	if until := now.Add(wait); until.After(g.holdUntil) {
		g.holdUntil = until
	}
	if tooMany && fresh {
		if !g.cut {
			g.limit = float64(g.inFlight)
		}
		g.limit = max(1, min(g.limit, maxInFlight)/2)
		estimate, measured := g.acceptedRate(now)
		g.measured = measured
		// A measure is a lower bound (a bucket we did not drain was not
		// measured): the pace follows the highest recent one.
		if measured && (estimate >= g.peak || now.Sub(g.peakAt) > peakMemory) {
			g.peak, g.peakAt = estimate, now
		}
		if now.Sub(g.peakAt) <= peakMemory {
			estimate = max(estimate, g.peak)
		}
		switch {
		case estimate > 0:
			g.rate = max(paceShare*estimate, minRate)
		case g.rate > 0: // nothing taken since the last cut
			g.rate = max(g.rate/2, minRate)
		default:
			g.rate = 1
		}
		g.cutAt, g.cut = now, true
		// Without a Retry-After the next start is a full interval away even
		// when the backoff is shorter: the bucket is empty now.
		g.next = g.holdUntil
		if next := now.Add(g.interval()); !hasWait && next.After(g.next) {
			g.next = next
		}
	}
	return g.holdUntil.Sub(now)
}

// acceptedRate is the rate at which the server took requests. Since the
// last cut it is a measure: the server's bucket was empty then, so what it
// took since is at most what it refilled. Before any cut it is a guess, from
// the last second, inflated by whatever burst the server allowed at first.
// Called with mu held.
func (g *gate) acceptedRate(now time.Time) (rate float64, measured bool) {
	from, window := now.Add(-time.Second), time.Second
	if measured = g.cut && now.Sub(g.cutAt) >= time.Second; measured {
		from, window = g.cutAt, now.Sub(g.cutAt)
	}
	count := 0
	for i := len(g.answered) - 1; i >= 0 && g.answered[i].After(from); i-- {
		count++
	}
	return float64(count) / window.Seconds(), measured
}
