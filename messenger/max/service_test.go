package max_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// runService starts a MAX service on pool against the fake at url; stop ends it and waits.
func runService(t *testing.T, pool *pgxpool.Pool, url string, inbound func(context.Context, messenger.Inbound) error) (svc *max.Service, stop func()) {
	t.Helper()
	svc, err := max.NewService(context.Background(), max.ServiceConfig{Token: maxfake.DefaultToken, APIURL: url,
		Pool: pool, Log: zerolog.Nop(), Inbound: inbound, PollTimeout: time.Second, Lease: 2 * time.Second,
		Sender: messenger.SenderConfig{Idle: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Processor.Idle = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return svc, stop
}

// polling waits until the service's first GET /updates is at the fake: MAX gives a poll without a marker only the
// latest update, so a first start misses what came before it (a later start has its marker).
func polling(t *testing.T, fake *maxfake.Fake) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitUntil(ctx, func() bool { return fake.Calls("GET /updates") > 0 }); err != nil {
		t.Fatal("the service never polled")
	}
}

// inboundLog keeps what reached the dialog, once per update as the dialog does (by InboxID: a handing-on the
// processor's transaction did not commit, when the process stopped, comes again and is the same update).
type inboundLog struct {
	mu   sync.Mutex
	got  []messenger.Inbound
	seen chan struct{}
}

func (l *inboundLog) handle(_ context.Context, in messenger.Inbound) error {
	l.mu.Lock()
	if !slices.ContainsFunc(l.got, func(g messenger.Inbound) bool { return g.InboxID == in.InboxID }) {
		l.got = append(l.got, in)
	}
	l.mu.Unlock()
	l.seen <- struct{}{}
	return nil
}

func (l *inboundLog) wait(t *testing.T, n int) []messenger.Inbound {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		got := append([]messenger.Inbound(nil), l.got...)
		l.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-l.seen:
		case <-deadline:
			t.Fatalf("the dialog got %d messages, want %d", len(got), n)
		}
	}
}

// A restart of the service between two batches loses nothing and hands nothing to the dialog twice: the marker
// lives in PostgreSQL, so the new process asks MAX from where the old one stopped.
func TestARestartedMAXServiceLosesAndRepeatsNothing(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	log := &inboundLog{seen: make(chan struct{}, 100)}

	svc, stop := runService(t, pool, srv.URL, log.handle)
	polling(t, fake)
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"один", "два"} {
		if _, err := fake.SendText(anna.UserID, text); err != nil {
			t.Fatal(err)
		}
	}
	log.wait(t, 2)
	stop()
	for _, text := range []string{"три", "четыре"} { // while no instance runs
		if _, err := fake.SendText(anna.UserID, text); err != nil {
			t.Fatal(err)
		}
	}
	runService(t, pool, srv.URL, log.handle)
	got := log.wait(t, 4)
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	log.mu.Lock()
	got = append([]messenger.Inbound(nil), log.got...)
	log.mu.Unlock()
	var texts []string
	for _, in := range got {
		texts = append(texts, in.Text)
		if in.Chat.Channel != messenger.MAX || in.Chat.BotID != svc.Bot.ID || in.Chat.ChatID != anna.ChatID {
			t.Errorf("inbound from %+v, want MAX bot %d chat %d", in.Chat.Address, svc.Bot.ID, anna.ChatID)
		}
	}
	if want := []string{"один", "два", "три", "четыре"}; !equal(texts, want) {
		t.Fatalf("the dialog got %q, want %q exactly once each", texts, want)
	}
	var stored int
	var marker *int64
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM inbox WHERE bot_id = $1),
		(SELECT marker FROM max_receivers WHERE bot_id = $1)`, svc.Bot.ID).Scan(&stored, &marker); err != nil {
		t.Fatal(err)
	}
	if stored != 5 || marker == nil {
		t.Fatalf("inbox holds %d updates (want 5: the start and four messages), marker %v (want kept)", stored, marker)
	}
}

// A client who stops the bot is marked blocked, so no campaign writes to them; starting it again lifts it.
func TestAMAXClientWhoStopsTheBotIsBlockedUntilTheyStartItAgain(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	svc, _ := runService(t, pool, srv.URL, nil)
	polling(t, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status := func() string {
		var s string
		_ = pool.QueryRow(ctx, `SELECT status FROM contacts WHERE bot_id = $1 AND chat_id = $2`, svc.Bot.ID, anna.ChatID).Scan(&s)
		return s
	}
	waitStatus := func(want string) {
		t.Helper()
		for status() != want {
			if ctx.Err() != nil {
				t.Fatalf("contact status %q, want %q", status(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	// The bot asks for the phone with a request_contact button, on MAX's wire.
	sent, err := fake.WaitSent(ctx, anna.ChatID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if kb := sent[len(sent)-1].Keyboard(); len(kb) != 1 || kb[0][0].Type != "request_contact" {
		t.Fatalf("the welcome's keyboard is %+v, want one request_contact button", kb)
	}
	waitStatus(messenger.StatusActive)
	if _, err := fake.StopBot(anna.UserID); err != nil {
		t.Fatal(err)
	}
	waitStatus(messenger.StatusBlocked)
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	waitStatus(messenger.StatusActive)
}

// Only the sender's own contact, as MAX marks it, links a phone; a card forwarded by hand does not.
func TestOnlyTheSendersOwnMAXContactIsTheirPhone(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	anna := fake.AddUser(maxfake.User{FirstName: "Anna", Phone: "+79001234567"})
	if _, err := fake.Start(anna.UserID, "tok_1"); err != nil {
		t.Fatal(err)
	}
	own, _ := fake.ShareContact(anna.UserID, "")
	foreign, _ := fake.ShareForeignContact(anna.UserID, "+79007654321", 0)
	for _, c := range []struct {
		u    maxfake.Update
		want messenger.Event
	}{
		{own, messenger.Event{Kind: messenger.EventContact, Phone: "+79001234567", PhoneIsOwn: true}},
		{foreign, messenger.Event{Kind: messenger.EventContact, Phone: "+79007654321"}},
	} {
		raw, _ := c.u.MarshalJSON()
		ev, err := max.DecodeEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != c.want.Kind || ev.Phone != c.want.Phone || ev.PhoneIsOwn != c.want.PhoneIsOwn || ev.Chat.ChatID != anna.ChatID {
			t.Errorf("decoded %+v, want %+v in chat %d", ev, c.want, anna.ChatID)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
