package maxfake

import (
	"maps"
	"net/http"
	"time"
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

// limiter is a strict sliding window: the times of the last admitted requests, oldest first.
type limiter struct {
	limit RateLimit
	times []time.Time
	stats RateStats
}

// admit records a request now, or refuses it. Caller holds f.mu.
func (l *limiter) admit(now time.Time, route string) bool {
	for len(l.times) > 0 && !l.times[0].Add(time.Second).After(now) {
		l.times = l.times[1:]
	}
	if !l.limit.Disabled && len(l.times) >= l.limit.PerSecond {
		l.stats.Rejected++
		if l.stats.RejectedByRoute == nil {
			l.stats.RejectedByRoute = map[string]int{}
		}
		l.stats.RejectedByRoute[route]++
		return false
	}
	l.times = append(l.times, now)
	l.stats.Admitted++
	l.stats.Peak = max(l.stats.Peak, len(l.times))
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

type faultEntry struct {
	fault Fault
	left  int
}

// FailNext makes the next n requests of route ("POST /messages", "GET /updates" ...) fail with fault; faults
// for one route queue up.
func (f *Fake) FailNext(route string, n int, fault Fault) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[route] = append(f.faults[route], faultEntry{fault, n})
}

// ClearFaults drops the faults not yet used.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.faults)
}

func (f *Fake) takeFault(route string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	ft := q[0].fault
	if q[0].left--; q[0].left == 0 {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(f.faults, route)
	} else {
		f.faults[route] = q
	}
	return ft, true
}

// SetLatency delays every API request by d (0: none); the controls are not delayed.
func (f *Fake) SetLatency(d time.Duration) { f.latency.Store(int64(max(d, 0))) }
