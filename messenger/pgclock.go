package messenger

import (
	"sync"
	"time"
)

// pgClock tells PostgreSQL's time by this process's clock, within a known error, so that a time PostgreSQL
// computed (a lane free at, a slot at) can be waited for here, and a moment met here (an answer) written there,
// each rounded the safe way, whatever the instances' clocks say. Each query that reads clock_timestamp() is a
// sample: PostgreSQL read it between the question and the answer, so the offset is known to within half that round
// trip. The sample with the smallest error is kept, its error growing with its age as the clocks may drift apart.
// Counting every time from the answer instead would add a round trip, which a loaded machine makes long, to every
// send of a window.
type pgClock struct {
	mu     sync.Mutex
	offset time.Duration // PostgreSQL's clock minus this process's
	err    time.Duration // at taken
	taken  time.Time
}

// clockDrift is how fast the two clocks may move apart: 500 ppm, the most an NTP daemon slews a clock.
const clockDrift = 500e-6

// sample takes PostgreSQL's clock_timestamp() read by a query asked and answered at those local times.
func (c *pgClock) sample(asked, answered, pgNow time.Time) {
	half := answered.Sub(asked) / 2
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taken.IsZero() || half <= c.errorLocked(answered) {
		c.offset, c.err, c.taken = pgNow.Sub(asked.Add(half)), half, answered
	}
}

func (c *pgClock) errorLocked(now time.Time) time.Duration {
	return c.err + time.Duration(float64(now.Sub(c.taken))*clockDrift)
}

// local is the latest local time PostgreSQL's t can be (a moment not to act before).
func (c *pgClock) local(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.Add(-c.offset + c.errorLocked(time.Now()))
}

// localEarliest is the earliest local time PostgreSQL's t can be (a deadline).
func (c *pgClock) localEarliest(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.Add(-c.offset - c.errorLocked(time.Now()))
}

// pg is the latest PostgreSQL time the local t can be.
func (c *pgClock) pg(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.Add(c.offset + c.errorLocked(time.Now()))
}
