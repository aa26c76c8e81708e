package tgfake

import (
	"time"

	"dozvon/messenger/fakekit/fakeclock"
)

// ManualClock is the clock the tests move by hand (the simulator runs on the system clock).
type ManualClock = fakeclock.Manual

// NewManualClock returns a ManualClock set to start.
func NewManualClock(start time.Time) *ManualClock { return fakeclock.New(start) }
