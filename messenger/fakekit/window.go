package fakekit

import "time"

// Window is a strict sliding window, as Telegram and MAX count their limits: no rolling span holds more than
// limit events, so an event that comes early after a late one is refused even though the average rate is right.
// It keeps the times of the events of the last span, oldest first, in a ring that grows as needed (to the limit,
// when every event is let through only after Wait said 0). The zero value is empty; the caller guards it.
type Window struct {
	ring    []time.Time
	head, n int
}

// Wait is how long from now until one more event keeps every rolling span at most limit (at least 1) events:
// 0 when it may come now. It forgets the events a span or more before now.
func (w *Window) Wait(now time.Time, limit int, span time.Duration) time.Duration {
	for w.n > 0 && !w.ring[w.head].Add(span).After(now) {
		w.head = (w.head + 1) % len(w.ring)
		w.n--
	}
	if w.n < limit {
		return 0
	}
	return w.at(w.n - limit).Add(span).Sub(now)
}

// Add records an event at now.
func (w *Window) Add(now time.Time) {
	if w.n == len(w.ring) {
		grown := make([]time.Time, max(1, 2*w.n))
		for i := range w.n {
			grown[i] = w.at(i)
		}
		w.ring, w.head = grown, 0
	}
	w.ring[(w.head+w.n)%len(w.ring)] = now
	w.n++
}

// Len is how many events the window holds: those of the last span as of the last Wait, and those added since.
func (w *Window) Len() int { return w.n }

// at is the i-th event held, oldest first.
func (w *Window) at(i int) time.Time { return w.ring[(w.head+i)%len(w.ring)] }
