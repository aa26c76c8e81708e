package tgfake

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Clock is the fake's time source. Flood control, message dates and request
// timestamps read it, so tests can move time by hand with a ManualClock.
// Long-poll timeouts and webhook back-off use real time: they are about the
// test's wall-clock duration, not about simulated Telegram time.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock set to start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// FloodLimits emulates Telegram's broadcast limits for sendMessage: about
// 30 messages per second per bot overall, and about one message per second
// per chat with some tolerance for short bursts. Exceeding them gets
// 429 "Too Many Requests: retry after N". The zero value means "on, with
// Telegram's defaults".
type FloodLimits struct {
	// Disabled turns flood control off, e.g. for throughput benchmarks.
	Disabled bool
	// GlobalPerSecond is the per-bot rate (default 30); GlobalBurst how many
	// messages may go at once (default GlobalPerSecond).
	GlobalPerSecond float64
	GlobalBurst     int
	// PaidPerSecond is the per-bot rate for messages sent with
	// allow_paid_broadcast=true (default 1000). Those bypass the free limit.
	PaidPerSecond float64
	// ChatPerSecond is the per-chat rate (default 1); ChatBurst how many
	// messages a chat may receive at once (default 1).
	ChatPerSecond float64
	ChatBurst     int
}

func (l FloodLimits) withDefaults() FloodLimits {
	if l.GlobalPerSecond <= 0 {
		l.GlobalPerSecond = 30
	}
	if l.GlobalBurst <= 0 {
		l.GlobalBurst = int(math.Ceil(l.GlobalPerSecond))
	}
	if l.PaidPerSecond <= 0 {
		l.PaidPerSecond = 1000
	}
	if l.ChatPerSecond <= 0 {
		l.ChatPerSecond = 1
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = 1
	}
	return l
}

// bucket is a token bucket refilled lazily from the clock on each use.
type bucket struct {
	tokens float64
	last   time.Time
	primed bool // a fresh bucket starts full
}

func (b *bucket) refill(now time.Time, rate float64, burst int) {
	if !b.primed {
		b.tokens, b.last, b.primed = float64(burst), now, true
		return
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+elapsed*rate)
		b.last = now
	}
}

// wait is how long until the bucket holds a whole token.
func (b *bucket) wait(rate float64) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

type floodLimiter struct {
	limits FloodLimits
	global bucket
	paid   bucket
}

func newFloodLimiter(l FloodLimits) floodLimiter {
	return floodLimiter{limits: l.withDefaults()}
}

// admit takes one token from the chat's bucket and from the global (free
// or paid) bucket, or from neither when either is empty — so a rejected
// message never eats into another limit. Caller holds f.mu.
func (fl *floodLimiter) admit(c *chat, paid bool, now time.Time) *apiError {
	l := fl.limits
	if l.Disabled {
		return nil
	}
	global, globalRate, globalBurst := &fl.global, l.GlobalPerSecond, l.GlobalBurst
	if paid {
		global, globalRate, globalBurst = &fl.paid, l.PaidPerSecond, int(math.Ceil(l.PaidPerSecond))
	}
	c.flood.refill(now, l.ChatPerSecond, l.ChatBurst)
	global.refill(now, globalRate, globalBurst)
	wait := max(c.flood.wait(l.ChatPerSecond), global.wait(globalRate))
	if wait > 0 {
		// Telegram's retry_after is whole seconds and never 0.
		secs := max(1, int(math.Ceil(wait.Seconds())))
		return &apiError{
			Code:        http.StatusTooManyRequests,
			Description: "Too Many Requests: retry after " + strconv.Itoa(secs),
			RetryAfter:  secs,
		}
	}
	c.flood.tokens--
	global.tokens--
	return nil
}
