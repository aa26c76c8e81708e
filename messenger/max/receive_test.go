package max_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// store is a Store that keeps one update per key, as the inbox does, and can be told to fail.
type store struct {
	mu      sync.Mutex
	keys    []string // in the order first stored
	calls   int      // Store calls, failed ones included
	fail    int      // the next calls to fail
	changed chan struct{}
}

func newStore() *store { return &store{changed: make(chan struct{}, 100)} }

func (s *store) Store(_ context.Context, keys []string, _ [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	defer func() { s.changed <- struct{}{} }()
	if s.fail > 0 {
		s.fail--
		return errors.New("the database is away")
	}
	for _, k := range keys {
		if !slices.Contains(s.keys, k) {
			s.keys = append(s.keys, k)
		}
	}
	return nil
}

func (s *store) stored() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys)
}

// waitFor waits until the store holds n updates.
func (s *store) waitFor(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if got := s.stored(); len(got) >= n {
			return got
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("stored %q, want %d updates", s.stored(), n)
		}
	}
}

func keyOf(t *testing.T, u maxfake.Update) string {
	t.Helper()
	raw, err := u.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return max.Key(raw)
}

// The poller stores a batch before its marker moves on: a batch the store refused comes again, and a poller
// started again from the saved marker gets what came while it was down, and nothing it had stored.
func TestPollingLosesAndRepeatsNothingAcrossAFailedStoreAndARestart(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	st := newStore()
	st.fail = 1
	var saved []int64
	var savedMu sync.Mutex
	run := func(marker *int64) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		p := &max.Poller{Client: c, Store: st.Store, Marker: marker, Timeout: time.Second, Log: zerolog.Nop(),
			SaveMarker: func(_ context.Context, m int64) error {
				savedMu.Lock()
				saved = append(saved, m)
				savedMu.Unlock()
				return nil
			}}
		go func() { _ = p.Run(ctx); close(done) }()
		return func() { cancel(); <-done }
	}
	var first int64 = 1 // a bot's first start: from the first update on
	started, _ := fake.Start(anna.UserID, "inv_1")
	hello, _ := fake.SendText(anna.UserID, "Здравствуйте")
	stop := run(&first)
	want := []string{keyOf(t, started), keyOf(t, hello)}
	if got := st.waitFor(t, 2); !slices.Equal(got, want) {
		t.Fatalf("stored %q, want %q", got, want)
	}
	stop()
	if st.calls != 2 {
		t.Errorf("Store was called %d times, want 2: a refusal, then the same batch again", st.calls)
	}

	// While no poller runs, Anna writes twice; the next poller starts from the saved marker.
	more1, _ := fake.SendText(anna.UserID, "Вы тут?")
	more2, _ := fake.SendText(anna.UserID, "Жду ответа")
	savedMu.Lock()
	marker := saved[len(saved)-1]
	savedMu.Unlock()
	stop = run(&marker)
	defer stop()
	want = append(want, keyOf(t, more1), keyOf(t, more2))
	if got := st.waitFor(t, 4); !slices.Equal(got, want) {
		t.Fatalf("stored %q, want %q", got, want)
	}
	stop()
	if st.calls != 3 {
		t.Errorf("Store was called %d times, want 3: nothing stored was handed again", st.calls)
	}
	if p := fake.PendingUpdates(); len(p) > 2 {
		// At most the last batch stays (until a later poll's marker passes it, as MAX keeps it; the poller may
		// have polled again before it stopped).
		t.Errorf("%d updates pending at MAX, want at most the last batch's 2", len(p))
	}
}

// Without a marker MAX gives only the latest update (GET /updates): a poller that saves none loses the rest.
func TestAPollerWithoutAMarkerGetsOnlyTheLatestUpdate(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	_, _ = fake.Start(anna.UserID, "")
	_, _ = fake.SendText(anna.UserID, "раз")
	last, _ := fake.SendText(anna.UserID, "два")
	st := newStore()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = (&max.Poller{Client: c, Store: st.Store, Timeout: time.Second, Log: zerolog.Nop()}).Run(ctx)
		close(done)
	}()
	got := st.waitFor(t, 1)
	cancel()
	<-done
	if want := []string{keyOf(t, last)}; !slices.Equal(got, want) {
		t.Fatalf("stored %q, want only the latest %q", got, want)
	}
}

// A subscription's deliveries are stored before the handler answers 200; one without the secret is refused, and
// one the store could not keep is delivered again.
func TestTheWebhookStoresWhatCarriesTheSecretBeforeAnswering(t *testing.T) {
	ctx := context.Background()
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	st := newStore()
	st.fail = 1
	const secret = "Wh-secret_0123456789"
	hook := httptest.NewServer(max.WebhookHandler(secret, st.Store, zerolog.Nop()))
	defer hook.Close()
	if err := c.Subscribe(ctx, hook.URL+"/max/webhook", secret); err != nil {
		t.Fatal(err)
	}
	subs, err := c.Subscriptions(ctx)
	if err != nil || len(subs) != 1 || subs[0].URL != hook.URL+"/max/webhook" ||
		!slices.Equal(subs[0].UpdateTypes, max.UpdateTypes) {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}
	if _, err := c.Updates(ctx, nil, 0, 0, nil); err == nil {
		t.Error("long polling worked beside a webhook")
	}

	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	started, _ := fake.Start(anna.UserID, "inv_7")
	hello, _ := fake.SendText(anna.UserID, "Добрый день")
	want := []string{keyOf(t, started), keyOf(t, hello)}
	if got := st.waitFor(t, 2); !slices.Equal(got, want) {
		t.Fatalf("stored %q, want %q", got, want)
	}
	if err := fake.WaitUntil(ctxTimeout(t), func() bool { return len(fake.PendingUpdates()) == 0 }); err != nil {
		t.Fatalf("updates still pending: %v", fake.PendingUpdates())
	}
	if st.calls != 3 {
		t.Errorf("Store was called %d times, want 3: the refused delivery came again", st.calls)
	}

	for _, header := range []string{"", "wrong-secret", strings.ToUpper(secret)} {
		req, _ := http.NewRequest(http.MethodPost, hook.URL, strings.NewReader(`{"update_type":"bot_started","timestamp":1,"chat_id":1,"user":{"user_id":1}}`))
		if header != "" {
			req.Header.Set(max.SecretHeader, header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: %s, want 401", header, res.Status)
		}
	}
	res, err := http.Get(hook.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %s, want 405", res.Status)
	}
	if got := st.stored(); len(got) != 2 {
		t.Errorf("a delivery without the secret was stored: %q", got)
	}
	if err := c.Unsubscribe(ctx, hook.URL+"/max/webhook"); err != nil {
		t.Fatal(err)
	}
	if subs, err := c.Subscriptions(ctx); err != nil || len(subs) != 0 {
		t.Fatalf("after Unsubscribe: %+v, %v", subs, err)
	}
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
