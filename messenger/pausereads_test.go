package messenger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A read of the pause that stalls holds up no worker once another read begun after it asked has ended: a worker
// asking while the only read under way began before it starts a read of its own, and that read answers every
// worker waiting that asked before it began, the one whose read stalled too.
func TestAStalledReadOfThePauseHoldsUpNoWorker(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	var mu sync.Mutex
	calls := 0
	g := newPauseReads(func(ctx context.Context) (time.Duration, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			<-stall
			return time.Minute, nil
		}
		return 0, nil
	}, SenderConfig{Rate: 30})
	firstDone := make(chan time.Time)
	go func() {
		until, _ := g.get(context.Background())
		firstDone <- until
	}()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	until, err := g.get(ctx)
	if err != nil || until.After(time.Now()) {
		t.Fatalf("the second worker got %v, %v; want its own read's answer, no pause", until, err)
	}
	if until := <-firstDone; until.After(time.Now()) {
		t.Fatalf("the first worker got %v; want the second read's answer, no pause", until)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Fatalf("%d reads; want the stalled one and the second", calls)
	}
}

// Every worker is answered by a read that began after it asked, never by one under way when it asked, however
// many ask at once; reads under way at once are at most maxPauseReads.
func TestEveryWorkerIsAnsweredByAReadThatBeganAfterItAsked(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	var begun []time.Time
	g := newPauseReads(func(ctx context.Context) (time.Duration, error) {
		mu.Lock()
		running++
		most = max(most, running)
		begun = append(begun, time.Now())
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return 0, nil
	}, SenderConfig{Rate: 30})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 20 {
				asked := time.Now()
				if _, err := g.get(context.Background()); err != nil {
					t.Error(err)
					return
				}
				g.mu.Lock()
				began := g.last.began
				g.mu.Unlock()
				// The read that answered began no sooner than this worker asked (it is the latest begun, or
				// one begun later still).
				if began.Before(asked) {
					t.Errorf("answered by a read that began %v before the worker asked", asked.Sub(began))
					return
				}
			}
		})
	}
	wg.Wait()
	if most > maxPauseReads {
		t.Fatalf("%d reads ran at once; at most %d may", most, maxPauseReads)
	}
	if len(begun) >= 1000 {
		t.Fatalf("%d reads for 1,000 requests: the reads are not shared", len(begun))
	}
}

// A failed read answers the workers waiting for it with its error, and the next worker starts a new one.
func TestAFailedReadOfThePauseAnswersWithItsErrorAndTheNextReadsAgain(t *testing.T) {
	fail := errors.New("connection refused")
	var mu sync.Mutex
	calls := 0
	g := newPauseReads(func(ctx context.Context) (time.Duration, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return 0, fail
		}
		return time.Second, nil
	}, SenderConfig{Rate: 30})
	if _, err := g.get(context.Background()); !errors.Is(err, fail) {
		t.Fatalf("got %v, want the read's error", err)
	}
	if until, err := g.get(context.Background()); err != nil || !until.After(time.Now()) {
		t.Fatalf("got %v, %v; want a pause of a second from a new read", until, err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
	}
}
