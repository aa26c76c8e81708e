// Package fakeclock is the fakes' clock that moves only when told to. Only tests import it: the simulator and
// every other process run the fakes on the system clock.
package fakeclock

import (
	"sync"
	"time"
)

// Manual is a clock (fakekit.Clock) that moves only when told to.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Manual clock set to start.
func New(start time.Time) *Manual { return &Manual{now: start} }

// Now returns the clock's current time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
