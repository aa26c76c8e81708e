package fakekit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Faults queues a fake's injected failures by route (a Bot API method, "POST /messages"): a fault fails the next
// n requests of its route, and the faults of one route take their turns. F is the fake's description of a
// failure. The zero value is empty; it is safe for concurrent use.
type Faults[F any] struct {
	mu      sync.Mutex
	queued  atomic.Bool // any fault queued: the usual request, with none, does not take the lock
	byRoute map[string][]queuedFault[F]
}

type queuedFault[F any] struct {
	fault F
	left  int
}

// Add makes the next n requests of route fail with fault, after the faults already queued for it.
func (q *Faults[F]) Add(route string, n int, fault F) {
	if n <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byRoute == nil {
		q.byRoute = map[string][]queuedFault[F]{}
	}
	q.byRoute[route] = append(q.byRoute[route], queuedFault[F]{fault, n})
	q.queued.Store(true)
}

// Clear drops the faults not yet used.
func (q *Faults[F]) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.byRoute)
	q.queued.Store(false)
}

// Take uses up one request's worth of the route's first fault, if it has one.
func (q *Faults[F]) Take(route string) (F, bool) {
	var none F
	if !q.queued.Load() {
		return none, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	pending := q.byRoute[route]
	if len(pending) == 0 {
		return none, false
	}
	ft := pending[0].fault
	if pending[0].left--; pending[0].left == 0 {
		pending = pending[1:]
	}
	if len(pending) == 0 {
		delete(q.byRoute, route)
		q.queued.Store(len(q.byRoute) > 0)
	} else {
		q.byRoute[route] = pending
	}
	return ft, true
}

// Latency is the delay a fake adds before every API request (the controls are not delayed). The zero value is
// none; it is safe for concurrent use.
type Latency struct{ d atomic.Int64 }

// Set makes the delay d (0: none).
func (l *Latency) Set(d time.Duration) { l.d.Store(int64(max(d, 0))) }

// Wait sleeps the delay; false when ctx ended first (the client has gone: answer nothing).
func (l *Latency) Wait(ctx context.Context) bool {
	d := time.Duration(l.d.Load())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
