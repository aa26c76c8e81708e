package tgfake

import (
	"maps"
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
	// Strict replaces the token buckets by Telegram's sliding windows, with
	// no burst allowance: at most GlobalPerSecond (PaidPerSecond when paid)
	// sendMessage calls of the bot, and ChatPerSecond of one chat, in any
	// rolling second. A call that would exceed a window is refused with 429
	// and begins a flood wait (the bot's, or the chat's); so does an injected
	// 429 fault. Every sendMessage during a wait is refused with 429 too, for
	// the rest of the wait. FloodStats counts both kinds of refusal per chat.
	Strict bool
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

	// Strict mode: the admitted sends of the last second (oldest first), the
	// bot's flood wait, and the refusals counted.
	window, paidWindow []time.Time
	waitUntil          time.Time
	stats              FloodStats
}

// FloodStats counts what strict flood control refused (FloodLimits.Strict).
type FloodStats struct {
	// OverWindow: sendMessage calls that would have put more than the limit
	// into a rolling second, of the bot or of one chat.
	OverWindow int
	// DuringWait: sendMessage calls made while a flood wait (a 429's
	// retry_after, of the bot or of the chat) was not over.
	DuringWait int
	// OverChatWindow: those of OverWindow refused for the chat's window (one
	// message a second), not the bot's.
	OverChatWindow int
	// Waits: flood waits begun, by the window or by an injected 429.
	Waits int
	// Per chat (by chat id): the same two counts, for chats that had any.
	OverWindowByChat, DuringWaitByChat map[int64]int
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
	if l.Strict {
		return fl.admitStrict(c, paid, now)
	}
	global, globalRate, globalBurst := &fl.global, l.GlobalPerSecond, l.GlobalBurst
	if paid {
		global, globalRate, globalBurst = &fl.paid, l.PaidPerSecond, int(math.Ceil(l.PaidPerSecond))
	}
	c.flood.refill(now, l.ChatPerSecond, l.ChatBurst)
	global.refill(now, globalRate, globalBurst)
	wait := max(c.flood.wait(l.ChatPerSecond), global.wait(globalRate))
	if wait > 0 {
		return tooManyRequests(wait)
	}
	c.flood.tokens--
	global.tokens--
	return nil
}

// admitStrict is admit for FloodLimits.Strict: sliding one-second windows and
// flood waits that hold for the whole bot (or chat) until they end.
func (fl *floodLimiter) admitStrict(c *chat, paid bool, now time.Time) *apiError {
	l := fl.limits
	if until := later(fl.waitUntil, c.waitUntil); now.Before(until) {
		fl.count(&fl.stats.DuringWait, &fl.stats.DuringWaitByChat, c.userID)
		return tooManyRequests(until.Sub(now))
	}
	window, limit := &fl.window, int(l.GlobalPerSecond)
	if paid {
		window, limit = &fl.paidWindow, int(l.PaidPerSecond)
	}
	*window = slide(*window, now)
	c.window = slide(c.window, now)
	chatLimit := max(1, int(l.ChatPerSecond))
	var wait time.Duration
	switch {
	case len(*window) >= limit:
		wait = (*window)[0].Add(time.Second).Sub(now)
		fl.beginWait(now.Add(time.Duration(retryAfterSeconds(wait)) * time.Second))
	case len(c.window) >= chatLimit:
		wait = c.window[0].Add(time.Second).Sub(now)
		c.waitUntil = now.Add(time.Duration(retryAfterSeconds(wait)) * time.Second)
		fl.stats.Waits++
		fl.stats.OverChatWindow++
	}
	if wait > 0 {
		fl.count(&fl.stats.OverWindow, &fl.stats.OverWindowByChat, c.userID)
		return tooManyRequests(wait)
	}
	*window = append(*window, now)
	c.window = append(c.window, now)
	return nil
}

// beginWait starts (or lengthens) the bot's flood wait, rounded up to the whole seconds Telegram announces.
func (fl *floodLimiter) beginWait(until time.Time) {
	fl.stats.Waits++
	if until.After(fl.waitUntil) {
		fl.waitUntil = until
	}
}

// injected429 makes an injected 429 a flood wait of the whole bot, as Telegram's is, in strict mode.
func (fl *floodLimiter) injected429(now time.Time, retryAfter int) {
	if fl.limits.Strict && !fl.limits.Disabled {
		fl.beginWait(now.Add(time.Duration(retryAfter) * time.Second))
	}
}

func (fl *floodLimiter) count(total *int, byChat *map[int64]int, chatID int64) {
	*total++
	if *byChat == nil {
		*byChat = make(map[int64]int)
	}
	(*byChat)[chatID]++
}

// slide drops the sends that are a second or more old.
func slide(window []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(window) && !window[i].After(now.Add(-time.Second)) {
		i++
	}
	if i == 0 {
		return window
	}
	return append(window[:0], window[i:]...)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// retryAfterSeconds is Telegram's retry_after: whole seconds, never 0.
func retryAfterSeconds(wait time.Duration) int { return max(1, int(math.Ceil(wait.Seconds()))) }

func tooManyRequests(wait time.Duration) *apiError {
	secs := retryAfterSeconds(wait)
	return &apiError{
		Code:        http.StatusTooManyRequests,
		Description: "Too Many Requests: retry after " + strconv.Itoa(secs),
		RetryAfter:  secs,
	}
}

func (s FloodStats) clone() FloodStats {
	s.OverWindowByChat = maps.Clone(s.OverWindowByChat)
	s.DuringWaitByChat = maps.Clone(s.DuringWaitByChat)
	return s
}
