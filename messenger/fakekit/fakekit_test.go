package fakekit

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestWindowRefusesAnEarlyEventAfterALateOneThoughTheAverageIsRight(t *testing.T) {
	var w Window
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	// Two a second: both at the end of the first second.
	for _, at := range []int{900, 990} {
		if wait := w.Wait(ms(at), 2, time.Second); wait != 0 {
			t.Fatalf("at %d ms: wait %v, want 0", at, wait)
		}
		w.Add(ms(at))
	}
	// Halfway through the next second one more would make three within a rolling second.
	if got := w.Wait(ms(1500), 2, time.Second); got != 400*time.Millisecond {
		t.Fatalf("at 1500 ms: wait %v, want 400ms (until the event of 900 ms is a second old)", got)
	}
	if got := w.Wait(ms(1900), 2, time.Second); got != 0 || w.Len() != 1 {
		t.Fatalf("at 1900 ms: wait %v holding %d, want 0 holding the event of 990 ms", got, w.Len())
	}
}

func TestWindowWithoutALimitCountsEveryEventOfTheSpan(t *testing.T) {
	var w Window
	for i := range 100 {
		now := t0.Add(time.Duration(i) * 5 * time.Millisecond) // 200 a second
		w.Wait(now, 30, time.Second)
		w.Add(now)
	}
	if w.Len() != 100 {
		t.Fatalf("held %d, want all 100 of the last half second", w.Len())
	}
	w.Wait(t0.Add(1247*time.Millisecond), 30, time.Second)
	if w.Len() != 50 {
		t.Fatalf("at 1247 ms held %d, want the 50 after 247 ms", w.Len())
	}
}

func TestFaultsFailTheNextRequestsOfTheirRouteInTurn(t *testing.T) {
	var q Faults[string]
	q.Add("sendMessage", 2, "429")
	q.Add("sendMessage", 1, "503")
	q.Add("getMe", 0, "never")
	var got []string
	for range 5 {
		if ft, ok := q.Take("sendMessage"); ok {
			got = append(got, ft)
		} else {
			got = append(got, "ok")
		}
	}
	if want := []string{"429", "429", "503", "ok", "ok"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sendMessage answered %v, want %v", got, want)
	}
	if _, ok := q.Take("getMe"); ok {
		t.Fatal("a fault for 0 requests failed one")
	}
	q.Add("getMe", 3, "500")
	q.Clear()
	if _, ok := q.Take("getMe"); ok {
		t.Fatal("a cleared fault failed a request")
	}
}

func TestHubDropsEventsForASubscriberTooFarBehindAndStopsOnCancel(t *testing.T) {
	var h Hub[int]
	events, cancel := h.Subscribe()
	for i := range SubscriberBuffer + 5 {
		h.Publish(i)
	}
	if len(events) != SubscriberBuffer {
		t.Fatalf("buffered %d, want %d", len(events), SubscriberBuffer)
	}
	if first := <-events; first != 0 {
		t.Fatalf("first event %d, want 0", first)
	}
	cancel()
	cancel() // twice is harmless
	h.Publish(-1)
	n := 0
	for range events {
		n++
	}
	if n != SubscriberBuffer-1 {
		t.Fatalf("drained %d after cancel, want the %d buffered before it", n, SubscriberBuffer-1)
	}
}

func TestWaitUntilChecksAgainOnEveryChangeAndFailsWhenClosed(t *testing.T) {
	var mu sync.Mutex
	var sig Signal
	count, closed := 0, false
	next := func() (<-chan struct{}, bool) {
		mu.Lock()
		defer mu.Unlock()
		return sig.Wait(), closed
	}
	reached := func() bool { mu.Lock(); defer mu.Unlock(); return count >= 3 }
	errClosed := errors.New("closed")
	done := make(chan error)
	go func() { done <- WaitUntil(context.Background(), next, reached, errClosed) }()
	for range 3 {
		mu.Lock()
		count++
		sig.Notify()
		mu.Unlock()
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitUntil: %v", err)
	}
	go func() { done <- WaitUntil(context.Background(), next, func() bool { return false }, errClosed) }()
	mu.Lock()
	closed = true
	sig.Notify()
	mu.Unlock()
	if err := <-done; err != errClosed {
		t.Fatalf("WaitUntil on a closed fake: %v, want errClosed", err)
	}
}

type controlled struct{ forgot []int64 }

func (c *controlled) ForgetChat(id int64)        { c.forgot = append(c.forgot, id) }
func (c *controlled) ClearFaults()               {}
func (c *controlled) SetLatency(d time.Duration) {}

var errUnknown = errors.New("somefake: unknown user")

func TestControlMuxAnswersUserActionsAndTheirErrors(t *testing.T) {
	fake := &controlled{}
	mux := NewControlMux(fake, "somefake: ", errUnknown)
	Act(mux, "text", func(id int64, in struct{ Text string }) (map[string]any, error) {
		if id != 7 {
			return nil, errUnknown
		}
		return map[string]any{"user": id, "text": in.Text}, nil
	})
	Act(mux, "stop", func(id int64, _ struct{}) (bool, error) { return true, nil })
	for _, c := range []struct{ method, path, body, want string }{
		{"POST", "/_fake/users/7/text", `{"text":"Здравствуйте"}`, `200 {"text":"Здравствуйте","user":7}`},
		{"POST", "/_fake/users/8/text", `{"text":"?"}`, `404 {"error":"unknown user"}`},
		{"POST", "/_fake/users/x/text", `{}`, `400 {"error":"bad id"}`},
		{"POST", "/_fake/users/7/text", `{"text":`, `400 {"error":"bad JSON body: unexpected EOF"}`},
		{"POST", "/_fake/users/7/stop", `not JSON, not read`, `200 true`},
		{"DELETE", "/_fake/chats/42", ``, `200 true`},
		{"GET", "/_fake/nothing", ``, `404 {"error":"no such control endpoint"}`},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
		got := strconv.Itoa(rec.Code) + " " + rec.Body.String()
		if got != c.want {
			t.Errorf("%s %s: %s, want %s", c.method, c.path, got, c.want)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
	if !reflect.DeepEqual(fake.forgot, []int64{42}) {
		t.Fatalf("forgot %v, want [42]", fake.forgot)
	}
}

func TestDeliverRetriesTheFirstUpdateUntilTakenAndKeepsTheOrder(t *testing.T) {
	var mu sync.Mutex
	var sig Signal
	pending := []int{1, 2, 3}
	var posted []int
	failures := 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		Deliver(ctx, time.Millisecond, func() (int, bool, <-chan struct{}) {
			mu.Lock()
			defer mu.Unlock()
			if len(pending) == 0 {
				return 0, false, sig.Wait()
			}
			return pending[0], true, nil
		}, func(_ context.Context, u int) error {
			mu.Lock()
			defer mu.Unlock()
			posted = append(posted, u)
			if u == 2 && failures > 0 {
				failures--
				return errors.New("webhook answered 502")
			}
			return nil
		}, func(u int, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				pending = pending[1:]
				if len(pending) == 0 {
					cancel()
				}
			}
		})
	}()
	<-finished
	if want := []int{1, 2, 2, 2, 3}; !reflect.DeepEqual(posted, want) {
		t.Fatalf("posted %v, want %v", posted, want)
	}
}
