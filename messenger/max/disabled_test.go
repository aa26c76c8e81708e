package max_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/logx/logxtest"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// eventually waits for cond, failing the test after 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startService starts a MAX service as `dozvon serve` does, with a lease of a second, logging to log; publicURL
// "" polls, otherwise MAX delivers to publicURL's webhook.
func startService(t *testing.T, pool *pgxpool.Pool, url, publicURL string, log *logxtest.Lines, inbound func(context.Context, messenger.Inbound) error) *max.Service {
	t.Helper()
	svc, err := max.NewService(context.Background(), max.ServiceConfig{Token: maxfake.DefaultToken, APIURL: url,
		PublicURL: publicURL, Pool: pool, Log: zerolog.New(log), Inbound: inbound, PollTimeout: time.Second,
		Lease: time.Second, Sender: messenger.SenderConfig{Idle: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Processor.Idle = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return svc
}

func switchBot(t *testing.T, pool *pgxpool.Pool, bot int64, on bool) {
	t.Helper()
	if err := messenger.NewBots(pool).SetEnabled(context.Background(), bot, on); err != nil {
		t.Fatal(err)
	}
}

func storedUpdates(t *testing.T, pool *pgxpool.Pool, bot int64) (stored, processed int) {
	t.Helper()
	if err := pool.QueryRow(context.Background(), `SELECT count(*), count(processed_at) FROM inbox WHERE bot_id = $1`, bot).
		Scan(&stored, &processed); err != nil {
		t.Fatal(err)
	}
	return stored, processed
}

// An administrator switches a polled MAX bot off: its poll stops, so what a client writes meanwhile stays at MAX,
// neither stored nor handed to the dialog; switched on, the bot polls from its marker and the message arrives, once.
func TestASwitchedOffMAXBotPollsNothingUntilSwitchedOn(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	inbound := &inboundLog{seen: make(chan struct{}, 100)}
	var log logxtest.Lines
	svc := startService(t, pool, srv.URL, "", &log, inbound.handle)
	polling(t, fake)
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendText(anna.UserID, "до выключения"); err != nil {
		t.Fatal(err)
	}
	inbound.wait(t, 1)

	switchBot(t, pool, svc.Bot.ID, false)
	// The lease is given up once the poll in flight has ended and the next claim was refused.
	eventually(t, "the poller stopped", func() bool {
		var poller *string
		_ = pool.QueryRow(context.Background(), `SELECT poller FROM max_receivers WHERE bot_id = $1`, svc.Bot.ID).Scan(&poller)
		return poller == nil
	})
	if n := log.Count("max: the bot is switched off (/admin/bots): no instance polls it"); n != 1 {
		t.Errorf("the switch was logged %d times, want once", n)
	}
	polls := fake.Calls("GET /updates")
	if _, err := fake.SendText(anna.UserID, "пока бот выключен"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // three leases: a poller that still ran would have polled and stored it by now
	if n := fake.Calls("GET /updates"); n != polls {
		t.Errorf("the switched-off bot polled MAX %d more times", n-polls)
	}
	if stored, _ := storedUpdates(t, pool, svc.Bot.ID); stored != 2 {
		t.Errorf("%d updates stored, want 2 (the start and the message before the switch)", stored)
	}

	switchBot(t, pool, svc.Bot.ID, true)
	got := inbound.wait(t, 2)
	if got[1].Text != "пока бот выключен" {
		t.Errorf("after switching on the dialog got %q, want the message written while off", got[1].Text)
	}
	eventually(t, "every update processed", func() bool {
		stored, processed := storedUpdates(t, pool, svc.Bot.ID)
		return stored == 3 && processed == 3
	})
}

// MAX delivers to a switched-off bot's webhook as to any: the update is stored and acknowledged (MAX would retry
// anything else for 8 hours, then drop it), but nothing is done with it until the bot is switched on again.
func TestASwitchedOffMAXBotKeepsWhatItsWebhookGetsForLater(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	api := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); api.CloseClientConnections(); api.Close() })
	var hook atomic.Pointer[http.Handler]
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := hook.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "not yet", http.StatusServiceUnavailable)
	}))
	t.Cleanup(public.Close)
	anna := fake.AddUser(maxfake.User{FirstName: "Anna"})
	inbound := &inboundLog{seen: make(chan struct{}, 100)}
	var log logxtest.Lines
	svc := startService(t, pool, api.URL, public.URL, &log, inbound.handle)
	h := svc.WebhookHandler()
	hook.Store(&h)
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendText(anna.UserID, "до выключения"); err != nil {
		t.Fatal(err)
	}
	inbound.wait(t, 1)

	switchBot(t, pool, svc.Bot.ID, false)
	if _, err := fake.SendText(anna.UserID, "пока бот выключен"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the update stored", func() bool { stored, _ := storedUpdates(t, pool, svc.Bot.ID); return stored == 3 })
	time.Sleep(500 * time.Millisecond) // 25 of the processor's idle rounds: a processor that still ran would have taken it
	if stored, processed := storedUpdates(t, pool, svc.Bot.ID); processed != 2 {
		t.Errorf("%d of %d updates processed while the bot was off, want 2 (those before)", processed, stored)
	}
	inbound.mu.Lock()
	n := len(inbound.got)
	inbound.mu.Unlock()
	if n != 1 {
		t.Errorf("the dialog got %d messages while the bot was off, want only the one before", n)
	}
	if pending := fake.PendingUpdates(); len(pending) != 0 {
		t.Errorf("MAX still holds %d updates for redelivery, want none: the webhook answered 200", len(pending))
	}

	switchBot(t, pool, svc.Bot.ID, true)
	if got := inbound.wait(t, 2); got[1].Text != "пока бот выключен" {
		t.Errorf("after switching on the dialog got %q", got[1].Text)
	}
}
