package fakekit

import "context"

// Signal is a broadcast: waiters take Wait() under the fake's lock, and Notify (also under the lock) wakes all of
// them. The channel is made lazily, so that state changes nobody waits for cost nothing.
type Signal struct{ ch chan struct{} }

// Wait returns the channel the next Notify closes.
func (s *Signal) Wait() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes every waiter.
func (s *Signal) Notify() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// WaitUntil blocks until cond returns true, checking it again after every change of a fake's state. next takes,
// under the fake's lock, the channel the next change closes and whether the fake is closed: then WaitUntil
// returns errClosed. cond runs without the lock, so it may call the fake.
func WaitUntil(ctx context.Context, next func() (wake <-chan struct{}, closed bool), cond func() bool,
	errClosed error) error {
	for {
		// Take the wake-up channel before checking, so a change between the check and the wait is not missed.
		wake, closed := next()
		if cond() {
			return nil
		}
		if closed {
			return errClosed
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
