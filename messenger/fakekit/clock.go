package fakekit

import "time"

// Clock is a fake's time source. Rate limits, message dates and request times read it, so tests can move time by
// hand (package fakeclock). Long-poll timeouts and webhook back-off use real time: they are about the test's
// wall-clock duration, not about the messenger's time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
