package browsertest

import (
	"testing"
	"time"
)

// deadlined is a test with the deadline a -timeout gives it, or none (-timeout 0).
type deadlined struct {
	testing.TB
	at time.Time
}

func (d deadlined) Deadline() (time.Time, bool) { return d.at, !d.at.IsZero() }

// A browser is not stopped by a fixed clock in the middle of a slow test: it lives until shortly before the test
// binary's own deadline, a tenth of the remaining time before it, and without a deadline until the test ends.
func TestTheBrowserLivesAsLongAsTheTest(t *testing.T) {
	now := time.Now()
	ctx, stop := browserLifetime(deadlined{t, now.Add(20 * time.Minute)})
	defer stop()
	end, ok := ctx.Deadline()
	if want := now.Add(18 * time.Minute); !ok || end.Before(want) || end.After(want.Add(time.Minute)) {
		t.Errorf("with 20 minutes left the browser lives until %v (%v), want %v", end.Sub(now), ok, want.Sub(now))
	}
	ctx, stop = browserLifetime(deadlined{t, time.Time{}})
	defer stop()
	if end, ok := ctx.Deadline(); ok {
		t.Errorf("without a deadline the browser is stopped after %v", end.Sub(now))
	}
}
