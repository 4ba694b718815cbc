package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stepClock moves only when slept on, and records every sleep.
type stepClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	onSleep func() // runs after each sleep: what happened meanwhile
}

func newStepClock() *stepClock { return &stepClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(_ context.Context, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	hook := c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook()
	}
	c.mu.Lock()
}

func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startTimes lets n requests through g one after another and says when each started, after from.
func startTimes(t *testing.T, g *gate, clock *stepClock, n int, from time.Time) []time.Duration {
	t.Helper()
	var starts []time.Duration
	for range n {
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		starts = append(starts, clock.Now().Sub(from))
		g.release()
	}
	return starts
}

func (c *stepClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// A 429 to one request holds every request of the API, not only its own
// retry.
func TestGate_a429HoldsEveryRequest(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	ctx := context.Background()
	if err := g.enter(ctx); err != nil {
		t.Fatal(err)
	}
	g.release()
	g.refused(clock.Now(), 3*time.Second, true, true)

	if err := g.enter(ctx); err != nil {
		t.Fatal(err)
	}
	if slept := clock.slept(); len(slept) != 1 || slept[0] != 3*time.Second {
		t.Fatalf("another request slept %v; want the 3s the server asked for", slept)
	}
}

// After a 429 requests go back one by one at the rate the server was
// taking, not in a crowd.
func TestGate_requestsGoBackAtAPace(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	for range 10 { // the server takes 10 in a second, then refuses
		clock.advance(100 * time.Millisecond)
		g.answer()
	}
	g.refused(clock.Now(), time.Second, true, true)
	start := clock.Now()

	starts := startTimes(t, g, clock, 5, start)
	for i := 1; i < len(starts); i++ {
		if gap := starts[i] - starts[i-1]; gap < 100*time.Millisecond || gap > 120*time.Millisecond {
			t.Fatalf("starts at %v: want one about every 1/9 s (90%% of the 10 a second taken)", starts)
		}
	}
	if starts[0] != time.Second {
		t.Fatalf("the first starts %v after the 429; want the 1s asked for", starts[0])
	}
}

// A hold longer than the operation has left fails at once: the request is
// not sent, and nothing is waited.
func TestGate_aHoldBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	g.refused(clock.Now(), time.Hour, true, true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	err := g.enter(ctx)

	var held *HoldError
	if !errors.As(err, &held) || held.Wait != time.Hour || !errors.Is(err, errNotActedOn) || len(clock.slept()) != 0 {
		t.Fatalf("enter() = %v after sleeping %v; want a HoldError for the hour, nothing slept", err, clock.slept())
	}
}

// Requests in flight start at 4 and grow by one per answer (a slow start,
// without a ceiling); a 429 limits them to half of those in flight, and they
// grow by one a round while answers succeed; the 429s of requests sent
// before the cut do not cut again.
func TestGate_inFlightLimitIsAIMD(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	enter := func() {
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for range startInFlight {
		enter()
	}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.enter(stopped); err == nil {
		t.Fatalf("a request beyond the first %d started before any answer", startInFlight)
	}
	for range 40 - startInFlight { // answers, then Terraform's -parallelism=40 in flight
		g.answer()
		enter()
	}
	sent := clock.Now()
	clock.advance(time.Millisecond)
	g.release()
	g.refused(sent, 0, true, true)
	g.release()
	g.refused(sent, 0, true, true) // the same crowd
	if g.limit != maxInFlight/2 {
		t.Fatalf("limit %v after one episode with 39 in flight; want %d (half the most allowed)", g.limit, maxInFlight/2)
	}
	for range 16 {
		g.answer()
	}
	if g.limit <= maxInFlight/2 || g.limit >= maxInFlight/2+2 {
		t.Fatalf("limit %v after 16 answers past a 429; want about one more", g.limit)
	}
}

// max_requests_per_second paces from the first request.
func TestGate_ceilingPacesFromTheStart(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 4, time.Millisecond, time.Second)
	for range 3 {
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		g.release()
		g.answer()
	}
	if slept := clock.slept(); len(slept) != 2 || slept[0] != 250*time.Millisecond || slept[1] != 250*time.Millisecond {
		t.Fatalf("slept %v; want 250ms before the second and the third", slept)
	}
}

// Without Retry-After the hold is exponential backoff, once per episode.
func TestGate_withoutRetryAfterBacksOffPerEpisode(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, 100*time.Millisecond, 10*time.Second)
	sent := clock.Now()
	first := g.refused(sent, 0, false, true)
	if again := g.refused(sent, 0, false, true); again != first {
		t.Fatalf("a 429 of the same crowd held %v, then %v; want the hold unchanged", first, again)
	}
	var hold time.Duration
	for range 3 { // three more episodes, each a request sent after the last cut
		clock.advance(time.Millisecond)
		hold = g.refused(clock.Now(), 0, false, true)
	}
	if first != 100*time.Millisecond || hold < 400*time.Millisecond || hold > 800*time.Millisecond {
		t.Fatalf("holds %v first, %v at the fourth episode; want 100ms, then within [400ms, 800ms] (800ms with jitter)", first, hold)
	}
}

// Through a Client: a 429 to one request holds the others of the same API;
// one that cannot wait so long is not sent, and says why.
func TestDo_a429HoldsTheOtherRequestsOfTheAPI(t *testing.T) {
	server, count := countingServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := newTestClient(t, server.URL, func(cfg *Config) { cfg.Name = "Builder" })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Do(ctx, post(RetryOnlyIfNotProcessed)); StatusOf(err) != http.StatusTooManyRequests {
		t.Fatalf("first request: %v; want its 429", err)
	}

	_, err := c.Do(ctx, &Request{Operation: "read campaign", Method: http.MethodGet, Path: "/campaign/x", Policy: RetryIdempotent})

	var held *HoldError
	if !errors.As(err, &held) || MayHaveBeenProcessed(err) || count.Load() != 1 ||
		!strings.Contains(err.Error(), "read campaign (GET ") || !strings.Contains(err.Error(), "not sent: Builder limits the rate of requests and asks to wait 120s") {
		t.Fatalf("second request: %v after %d requests served; want it held, not sent, saying why", err, count.Load())
	}
}

// A 429 now and then that is not the bucket (a fault, another client's
// burst) costs a hold each, and the pace stays near the rate measured,
// losing a tenth each peakMemory at most: it is not cut on each 429 until
// requests crawl (2 r/s here when it was).
func TestGate_isolated429sDoNotWearThePaceDown(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	var measured float64 // the pace after the first measured cut
	for i := 1; i <= 1500; i++ {
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		started := clock.Now()
		clock.advance(20 * time.Millisecond) // the round trip
		g.release()
		if i%50 != 0 {
			g.answer()
			continue
		}
		g.refused(started, 100*time.Millisecond, true, true)
		if g.measured && measured == 0 {
			measured = g.rate
		}
	}
	if measured == 0 || g.rate < 0.5*measured {
		t.Fatalf("pace %.1f r/s after 30 isolated 429s (one in 50); want at least half the %.1f r/s set at the first measured one", g.rate, measured)
	}
}

// The crowd's other 429s, answered while the hold runs, may extend it a
// little; the requests waiting then still start at the pace, in order, from
// the hold's end: no place in the pace is taken and left empty.
func TestGate_waitersKeepThePaceThroughAnExtendedHold(t *testing.T) {
	clock := newStepClock()
	g := newGate(clock, 0, time.Millisecond, time.Second)
	for range 10 { // the server takes 10 in a second, then refuses
		clock.advance(100 * time.Millisecond)
		g.answer()
	}
	sent := clock.Now()
	g.refused(sent, time.Second, true, true)
	holdEnd := clock.Now().Add(time.Second)
	crowd := 3
	clock.onSleep = func() {
		if crowd > 0 {
			crowd--
			g.refused(sent, time.Millisecond, true, true) // one of the crowd: not a cut
		}
	}

	starts := startTimes(t, g, clock, 3, holdEnd)
	if starts[0] > 10*time.Millisecond || starts[1]-starts[0] > 120*time.Millisecond || starts[2]-starts[1] > 120*time.Millisecond {
		t.Fatalf("starts %v after the hold's end; want the first within the crowd's 3ms, then one every 1/9 s", starts)
	}
}
