package emulator

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"
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
	refused atomic.Int64 // read without mu
}

func (b *bucket) set(limit RateLimit) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limit, b.at = limit, time.Time{}
	b.tokens = b.burst()
}

func (b *bucket) burst() float64 { return max(1, b.limit.PerSecond) }

// take spends a token at now, or gives the Retry-After of its 429: the whole seconds until one is free ("" when Bare).
func (b *bucket) take(now time.Time) (ok bool, retryAfter string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit.PerSecond <= 0 {
		return true, ""
	}
	if !b.at.IsZero() {
		b.tokens = min(b.burst(), b.tokens+now.Sub(b.at).Seconds()*b.limit.PerSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, ""
	}
	b.refused.Add(1)
	if b.limit.Bare {
		return false, ""
	}
	wait := time.Duration((1 - b.tokens) / b.limit.PerSecond * float64(time.Second))
	return false, strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}

// RateLimited counts the requests each API's rate limit refused, Builder's first.
func (e *Emulator) RateLimited() (builder, evolux int) {
	return int(e.buckets[serviceBuilder].refused.Load()), int(e.buckets[serviceEvolux].refused.Load())
}
