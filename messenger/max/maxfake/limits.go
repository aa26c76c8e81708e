package maxfake

import (
	"maps"
	"net/http"
	"time"

	"dozvon/messenger/fakekit"
)

// RateLimit is MAX's limit of requests per bot: about 30 a second (dev.max.ru, and its partners' FAQ), counted
// here as a strict sliding window: no rolling second holds more than PerSecond admitted requests, of any method.
// A request beyond it gets 429 too.many.requests with no Retry-After, as MAX answers. The zero value is on, at 30.
type RateLimit struct {
	Disabled  bool
	PerSecond int // default 30
}

func (l RateLimit) withDefaults() RateLimit {
	if l.PerSecond <= 0 {
		l.PerSecond = 30
	}
	return l
}

// RateStats is what the rate limit saw.
type RateStats struct {
	// Admitted and Rejected count requests let through and refused with 429 (injected faults not counted).
	Admitted, Rejected int
	// RejectedByRoute counts the refusals per route ("POST /messages").
	RejectedByRoute map[string]int
	// Peak is the most requests any rolling second admitted: at most the limit, unless it is disabled.
	Peak int
}

// limiter is a strict sliding window of the admitted requests.
type limiter struct {
	limit  RateLimit
	window fakekit.Window
	stats  RateStats
}

// admit records a request now, or refuses it. Caller holds f.mu.
func (l *limiter) admit(now time.Time, route string) bool {
	if wait := l.window.Wait(now, l.limit.PerSecond, time.Second); !l.limit.Disabled && wait > 0 {
		l.stats.Rejected++
		if l.stats.RejectedByRoute == nil {
			l.stats.RejectedByRoute = map[string]int{}
		}
		l.stats.RejectedByRoute[route]++
		return false
	}
	l.window.Add(now)
	l.stats.Admitted++
	l.stats.Peak = max(l.stats.Peak, l.window.Len())
	return true
}

// RateStats returns what the rate limit saw so far.
func (f *Fake) RateStats() RateStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.limiter.stats
	s.RejectedByRoute = maps.Clone(s.RejectedByRoute)
	return s
}

// Fault is an injected failure of a route.
type Fault struct {
	// Status is the HTTP status, e.g. 429, 503, 500 (default 500).
	Status int
	// Code and Message are the error body's (defaults: MAX's for the status).
	Code, Message string
	// RetryAfter, when set, is sent as a Retry-After header (seconds); MAX sends none.
	RetryAfter int
	// Disconnect drops the connection without an answer; Status is ignored.
	Disconnect bool
	// AfterApply lets the call take effect before failing: the message is delivered, the answer is lost.
	AfterApply bool
}

func (ft Fault) apiError() *apiError {
	e := &apiError{Status: ft.Status, Code: ft.Code, Message: ft.Message, RetryAfter: ft.RetryAfter}
	if e.Status == 0 {
		e.Status = http.StatusInternalServerError
	}
	if e.Code == "" {
		switch e.Status {
		case http.StatusTooManyRequests:
			e.Code, e.Message = errTooMany.Code, errTooMany.Message
		case http.StatusServiceUnavailable:
			e.Code, e.Message = "service.unavailable", "Service temporarily unavailable"
		case http.StatusForbidden:
			e.Code, e.Message = errDenied.Code, errDenied.Message
		default:
			e.Code, e.Message = "internal.error", http.StatusText(e.Status)
		}
	}
	return e
}

// FailNext makes the next n requests of route ("POST /messages", "GET /updates" ...) fail with fault; faults
// for one route queue up.
func (f *Fake) FailNext(route string, n int, fault Fault) { f.faults.Add(route, n, fault) }

// ClearFaults drops the faults not yet used.
func (f *Fake) ClearFaults() { f.faults.Clear() }

// SetLatency delays every API request by d (0: none); the controls are not delayed.
func (f *Fake) SetLatency(d time.Duration) { f.latency.Set(d) }
