package emulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit is a token bucket in front of one API, as an API gateway keeps one: PerSecond requests a second with a
// burst of one second's worth (at least one request), and beyond it a 429 in the service's error shape, nothing
// processed. The 429 carries Retry-After, the whole seconds until a token is free, unless Bare. Zero: no limit.
type RateLimit struct {
	PerSecond float64
	Bare      bool
}

// bucket is a RateLimit at work.
type bucket struct {
	mu      sync.Mutex
	limit   RateLimit
	tokens  float64
	at      time.Time
	refused int
}

func (b *bucket) set(limit RateLimit) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limit, b.at = limit, time.Time{}
	b.tokens = b.burst()
}

func (b *bucket) burst() float64 { return max(1, b.limit.PerSecond) }

// take spends a token at now, or says how long until one is free.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit.PerSecond <= 0 {
		return true, 0
	}
	if !b.at.IsZero() {
		b.tokens = min(b.burst(), b.tokens+now.Sub(b.at).Seconds()*b.limit.PerSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	b.refused++
	return false, time.Duration((1 - b.tokens) / b.limit.PerSecond * float64(time.Second))
}

// refuse answers the 429 of a bucket with no token free for wait.
func (b *bucket) refuse(w http.ResponseWriter, svc service, wait time.Duration) {
	b.mu.Lock()
	bare := b.limit.Bare
	b.mu.Unlock()
	if !bare {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
	writeServiceError(w, svc, http.StatusTooManyRequests)
}

// RateLimited counts the requests each API's rate limit refused, Builder's first.
func (e *Emulator) RateLimited() (builder, evolux int) {
	count := func(b *bucket) int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.refused
	}
	return count(&e.buckets[serviceBuilder]), count(&e.buckets[serviceEvolux])
}
