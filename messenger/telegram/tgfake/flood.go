package tgfake

import (
	"maps"
	"math"
	"net/http"
	"strconv"
	"time"

	"dozvon/messenger/fakekit"
)

// Clock is the fake's time source. Flood control, message dates and request
// timestamps read it, so tests can move time by hand (clock_test.go).
// Long-poll timeouts and webhook back-off use real time: they are about the
// test's wall-clock duration, not about simulated Telegram time.
type Clock = fakekit.Clock

// FloodLimits emulates Telegram's broadcast limits for sendMessage: about
// 30 messages per second per bot overall, and one message per second per
// chat. Each limit is a strict sliding window, as Telegram counts: no rolling
// window of Burst/PerSecond seconds (one second with the defaults) holds more
// than Burst messages, so a send that comes early after a late one is refused
// even though the average rate is right. Exceeding a limit gets 429 "Too Many
// Requests: retry after N", and so does every sendMessage until those N
// seconds are over (a flood wait; an injected 429 fault starts one too):
// FloodWaitSends counts them. The zero value means "on, with Telegram's
// defaults".
type FloodLimits struct {
	// Disabled turns flood control off, e.g. for throughput benchmarks.
	Disabled bool
	// GlobalPerSecond is the per-bot rate (default 30); GlobalBurst how many
	// messages a window holds (default GlobalPerSecond, a one-second window).
	GlobalPerSecond float64
	GlobalBurst     int
	// PaidPerSecond is the per-bot rate for messages sent with
	// allow_paid_broadcast=true (default 1000), in a one-second window.
	// Those bypass the free limit.
	PaidPerSecond float64
	// ChatPerSecond is the per-chat rate (default 1); ChatBurst how many
	// messages a chat's window holds (default 1).
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

func span(burst int, rate float64) time.Duration {
	return time.Duration(float64(burst) / rate * float64(time.Second))
}

type floodLimiter struct {
	limits FloodLimits
	global fakekit.Window
	paid   fakekit.Window
	// until is the end of the bot's flood wait. rejects counts the sends refused for going over a window,
	// waitSends those made during a flood wait (the bot's or their chat's).
	until     time.Time
	rejects   int
	waitSends int
	stats     FloodStats
}

// FloodStats is what flood control refused so far, in detail: the fault harness reads it per broadcast.
type FloodStats struct {
	// OverWindow: sendMessage calls that would have put more than the limit into a rolling second, of the bot or
	// of one chat (FloodRejections).
	OverWindow int
	// DuringWait: sendMessage calls made while a flood wait (a 429's retry_after, of the bot or of the chat) was
	// not over (FloodWaitSends).
	DuringWait int
	// OverChatWindow: those of OverWindow refused for the chat's window (one message a second), not the bot's.
	OverChatWindow int
	// Waits: flood waits of the bot begun, by the window or by an injected 429.
	Waits int
	// Per chat (by chat id): the same two counts, for chats that had any.
	OverWindowByChat, DuringWaitByChat map[int64]int
}

func (s FloodStats) clone() FloodStats {
	s.OverWindowByChat = maps.Clone(s.OverWindowByChat)
	s.DuringWaitByChat = maps.Clone(s.DuringWaitByChat)
	return s
}

// count records a refusal of a send to chat: during a wait, or over the bot's or the chat's window.
func (s *FloodStats) count(chat int64, duringWait, chatWindow bool) {
	if s.OverWindowByChat == nil {
		s.OverWindowByChat, s.DuringWaitByChat = map[int64]int{}, map[int64]int{}
	}
	switch {
	case duringWait:
		s.DuringWait++
		s.DuringWaitByChat[chat]++
	default:
		s.OverWindow++
		s.OverWindowByChat[chat]++
		if chatWindow {
			s.OverChatWindow++
		}
	}
}

func newFloodLimiter(l FloodLimits) floodLimiter {
	return floodLimiter{limits: l.withDefaults()}
}

// admit records one send in the chat's window and in the global (free or
// paid) one, or in neither when either is full or a flood wait is on — so a
// rejected message never eats into another limit. Caller holds f.mu.
func (fl *floodLimiter) admit(c *chat, paid bool, now time.Time) *apiError {
	l := fl.limits
	if l.Disabled {
		return nil
	}
	if wait := max(fl.until.Sub(now), c.floodUntil.Sub(now)); wait > 0 {
		fl.waitSends++
		fl.stats.count(c.userID, true, false)
		return tooMany(wait)
	}
	global, globalLimit, globalSpan := &fl.global, l.GlobalBurst, span(l.GlobalBurst, l.GlobalPerSecond)
	if paid {
		global, globalLimit, globalSpan = &fl.paid, int(math.Ceil(l.PaidPerSecond)), time.Second
	}
	chatSpan := span(l.ChatBurst, l.ChatPerSecond)
	if wait := global.Wait(now, globalLimit, globalSpan); wait > 0 {
		fl.rejects++
		fl.stats.count(c.userID, false, false)
		fl.stats.Waits++
		aerr := tooMany(wait)
		fl.until = now.Add(time.Duration(aerr.RetryAfter) * time.Second)
		return aerr
	}
	if wait := c.flood.Wait(now, l.ChatBurst, chatSpan); wait > 0 {
		fl.rejects++
		fl.stats.count(c.userID, false, true)
		aerr := tooMany(wait)
		c.floodUntil = now.Add(time.Duration(aerr.RetryAfter) * time.Second)
		return aerr
	}
	c.flood.Add(now)
	global.Add(now)
	return nil
}

// floodWait starts a flood wait of the whole bot, as an injected 429 says. Caller holds f.mu.
func (fl *floodLimiter) floodWait(now time.Time, retryAfter int) {
	if fl.limits.Disabled {
		return
	}
	if until := now.Add(time.Duration(retryAfter) * time.Second); until.After(fl.until) {
		fl.until = until
		fl.stats.Waits++
	}
}

// tooMany is the 429 for a wait: Telegram's retry_after is whole seconds and never 0.
func tooMany(wait time.Duration) *apiError {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &apiError{
		Code:        http.StatusTooManyRequests,
		Description: "Too Many Requests: retry after " + strconv.Itoa(secs),
		RetryAfter:  secs,
	}
}
