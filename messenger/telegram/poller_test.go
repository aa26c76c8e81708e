package telegram_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/logx/logxtest"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// pollCounter is one instance's HTTP client, counting its getUpdates requests at the fake.
type pollCounter struct {
	started, inFlight, conflicts atomic.Int64
}

func (c *pollCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/getUpdates") {
		return http.DefaultTransport.RoundTrip(r)
	}
	c.started.Add(1)
	c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && res.StatusCode == http.StatusConflict {
		c.conflicts.Add(1)
	}
	return res, err
}

// poller is one instance's long poller, as `dozvon serve` without a public URL runs it, with a lease of a second
// and long polls far longer than that: a poll that outlives its lease shows as an overlap at the fake.
func (w *world) poller(owner string, log *logxtest.Lines) (*pollCounter, func()) {
	c := &pollCounter{}
	p := &telegram.Poller{Token: tgfake.DefaultToken, APIURL: w.apiURL, Bot: w.bot.ID, Inbox: w.inbox, Pool: w.pool,
		HTTP: &http.Client{Transport: c}, Log: zerolog.New(log), Timeout: 20 * time.Second, Lease: time.Second,
		Owner: owner}
	return c, w.run(p.Run)
}

func (w *world) pollerOwner() string {
	var owner string
	if err := w.pool.QueryRow(w.ctx, `SELECT coalesce(max(owner), '') FROM telegram_pollers`).Scan(&owner); err != nil {
		w.t.Fatal(err)
	}
	return owner
}

// After PostgreSQL drops the polling instance's connection (a restart, a terminated backend), that instance stops
// polling at once, its long poll in flight included, and another takes over; at no moment do two instances poll.
func TestPollerWhoseConnectionDiesStopsAndAnotherTakesOver(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var log logxtest.Lines
	first, _ := w.poller("first", &log)
	w.eventually("the first instance polls", func() bool { return w.pollerOwner() == "first" && first.inFlight.Load() == 1 })
	second, _ := w.poller("second", &log)
	w.eventually("the second instance sees that the first polls", func() bool {
		return log.Count("another instance polls Telegram for updates") == 1
	})

	var pid int
	if err := w.pool.QueryRow(w.ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = 'dozvon poller first'`).
		Scan(&pid); err != nil {
		t.Fatal(err)
	}
	var terminated bool
	if err := w.pool.QueryRow(w.ctx, `SELECT pg_terminate_backend($1, 5000)`, pid).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("terminate the first poller's backend: %v, %v", terminated, err)
	}
	w.eventually("the first instance's long poll is cut", func() bool { return first.inFlight.Load() == 0 })
	w.eventually("the second instance polls", func() bool { return w.pollerOwner() == "second" && second.inFlight.Load() == 1 })

	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "Здравствуйте"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the client's message is stored by the second instance", func() bool { return w.pendingUpdates() == 1 })
	w.eventually("the second instance polls again", func() bool { return second.started.Load() == 2 && second.inFlight.Load() == 1 })
	if n := first.started.Load(); n != 1 {
		t.Errorf("the first instance called getUpdates %d times, want 1 (none after its connection died)", n)
	}
	if n := w.fake.PollOverlaps(); n != 0 {
		t.Errorf("%d getUpdates calls overlapped another", n)
	}
	if n := log.Count("lost the poller's lease connection; stopped polling"); n != 1 {
		t.Errorf("the loss was logged %d times, want 1", n)
	}
}

// A bot polled by a process outside Dozvon (an old deployment, a developer's laptop) gets 409 Conflict, "terminated
// by other getUpdates request", each time either side polls. Dozvon's poller says so once, backs off and goes on
// polling; when the other process stops, updates arrive again.
func TestPollerBacksOffWhileAnotherProcessPollsTheBot(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var log logxtest.Lines
	ours, _ := w.poller("ours", &log)
	w.eventually("Dozvon polls", func() bool { return ours.inFlight.Load() == 1 })

	rogueCtx, stopRogue := context.WithCancel(w.ctx)
	var rogueDone sync.WaitGroup
	rogueDone.Add(1)
	go func() { // a long-polling bot of its own, which never backs off
		defer rogueDone.Done()
		body := strings.NewReader(`{"timeout": 20}`)
		for rogueCtx.Err() == nil {
			_, _ = body.Seek(0, 0)
			req, _ := http.NewRequestWithContext(rogueCtx, http.MethodPost, w.apiURL+"/bot"+tgfake.DefaultToken+"/getUpdates", body)
			req.Header.Set("Content-Type", "application/json")
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
	}()
	w.eventually("Dozvon's poller is refused three times", func() bool { return ours.conflicts.Load() >= 3 })
	stopRogue()
	rogueDone.Wait()

	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "Здравствуйте"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the client's message is stored", func() bool { return w.pendingUpdates() == 1 })
	if n := log.Count("getUpdates refused with 409 Conflict; backing off"); n != 1 {
		t.Errorf("the conflict was logged %d times, want once", n)
	}
}

// A webhook set while Dozvon polls (by hand, or by another deployment that does not record webhook mode) makes
// getUpdates answer 409 "can't use getUpdates method while webhook is active". The poller says so once and waits;
// it does not delete the webhook.
func TestPollerLeavesAWebhookSetWhilePollingAlone(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var log logxtest.Lines
	ours, _ := w.poller("ours", &log)
	w.eventually("Dozvon polls", func() bool { return ours.inFlight.Load() == 1 })
	if err := w.client.SetWebhook(w.ctx, "https://elsewhere.example/hook", ""); err != nil {
		t.Fatal(err)
	}
	w.eventually("Dozvon's poller is refused three times", func() bool { return ours.conflicts.Load() >= 3 })
	if got := w.fake.WebhookURL(); got != "https://elsewhere.example/hook" {
		t.Errorf("webhook %q, want it kept", got)
	}
	if n := w.fake.Calls("deleteWebhook"); n != 1 {
		t.Errorf("deleteWebhook called %d times, want once (when the poller took the lease, before the webhook was set)", n)
	}
	if n := log.Count("getUpdates refused with 409 Conflict; backing off"); n != 1 {
		t.Errorf("the conflict was logged %d times, want once", n)
	}
}

// Instances with and without DOZVON_PUBLIC_URL on one database (some behind the balancer Telegram reaches, some
// not): the bot stays in webhook mode. The instance without a public URL neither polls nor deletes the webhook.
func TestInstanceWithoutPublicURLLeavesTheBotInWebhookMode(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	public := "https://dozvon.bank.example"
	w.service(public)
	if got := w.fake.WebhookURL(); got != public+telegram.WebhookPath {
		t.Fatalf("webhook %q after the instance with a public URL started", got)
	}

	var log logxtest.Lines
	internal, err := telegram.NewService(w.ctx, telegram.ServiceConfig{Token: tgfake.DefaultToken, APIURL: w.apiURL,
		Pool: w.pool, Log: zerolog.New(&log)})
	if err != nil {
		t.Fatal(err)
	}
	w.run(internal.Run)
	const said = "the bot is in webhook mode, set by an instance with DOZVON_PUBLIC_URL: this instance does not poll"
	w.eventually("the instance without a public URL sees webhook mode", func() bool { return log.Count(said) == 1 })
	if got := w.fake.WebhookURL(); got != public+telegram.WebhookPath {
		t.Errorf("webhook %q, want it kept", got)
	}
	if n, m := w.fake.Calls("deleteWebhook"), w.fake.Calls("getUpdates"); n != 0 || m != 0 {
		t.Errorf("deleteWebhook called %d times, getUpdates %d: want neither", n, m)
	}
}

// When the last instance with a public URL stops (the deployment goes back to long polling), an instance without
// one switches the bot back to polling at once.
func TestInstanceWithoutPublicURLPollsOnceTheLastWebhookInstanceStops(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.run(w.service("https://dozvon.bank.example").Run)()
	var log logxtest.Lines
	ours, _ := w.poller("ours", &log)
	w.eventually("the bot is polled", func() bool { return ours.inFlight.Load() == 1 })
	if got := w.fake.WebhookURL(); got != "" {
		t.Errorf("webhook %q, want it deleted", got)
	}
	if n := log.Count("the bot is in webhook mode, set by an instance with DOZVON_PUBLIC_URL: this instance does not poll"); n != 0 {
		t.Errorf("webhook mode was seen %d times after the webhook instance stopped", n)
	}
}

// When the instances with a public URL crashed and none has been seen for a while, an instance without one
// switches the bot back to polling.
func TestInstanceWithoutPublicURLPollsOnceWebhookInstancesAreGone(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.service("https://dozvon.bank.example")
	if _, err := w.pool.Exec(w.ctx, `UPDATE telegram_webhooks SET seen_at = now() - interval '11 minutes'`); err != nil {
		t.Fatal(err)
	}
	var log logxtest.Lines
	ours, _ := w.poller("ours", &log)
	w.eventually("the bot is polled", func() bool { return ours.inFlight.Load() == 1 })
	if got := w.fake.WebhookURL(); got != "" {
		t.Errorf("webhook %q, want it deleted", got)
	}
}

// An instance with a public URL keeps its webhook at Telegram: when the webhook is gone (deleted by hand, or by a
// poller after PostgreSQL was down longer than the instances with a public URL may stay unseen), it sets it again,
// and says the bot is in webhook mode.
func TestWebhookInstanceSetsItsWebhookAgainWhenTelegramLostIt(t *testing.T) {
	t.Cleanup(telegram.SetWebhookHeartbeat(20 * time.Millisecond))
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	public := "https://dozvon.bank.example"
	w.run(w.service(public).Run)
	if _, err := w.pool.Exec(w.ctx, `UPDATE telegram_webhooks SET seen_at = now() - interval '11 minutes'`); err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(w.apiURL+"/bot"+tgfake.DefaultToken+"/deleteWebhook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	w.eventually("the webhook is set again", func() bool { return w.fake.WebhookURL() == public+telegram.WebhookPath })
	w.eventually("webhook mode is renewed", func() bool {
		var fresh bool
		if err := w.pool.QueryRow(w.ctx, `SELECT seen_at > now() - interval '1 minute' FROM telegram_webhooks`).
			Scan(&fresh); err != nil {
			t.Fatal(err)
		}
		return fresh
	})
}

// A PostgreSQL restart drops every instance's lease connection at once: the polling one cuts its long poll, and
// after the lease one instance polls again, never two.
func TestPollersAfterAllTheirConnectionsDropAtOnce(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var log logxtest.Lines
	first, _ := w.poller("first", &log)
	w.eventually("the first instance polls", func() bool { return w.pollerOwner() == "first" && first.inFlight.Load() == 1 })
	second, _ := w.poller("second", &log)
	w.eventually("the second instance waits", func() bool { return log.Count("another instance polls Telegram for updates") == 1 })

	var terminated int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) AS done
		FROM (SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'dozvon poller %' OFFSET 0) p) t WHERE done`).
		Scan(&terminated); err != nil {
		t.Fatal(err)
	}
	if terminated != 2 {
		t.Fatalf("%d poller backends terminated, want 2", terminated)
	}
	w.eventually("one instance polls again", func() bool {
		return first.inFlight.Load()+second.inFlight.Load() == 1 && first.started.Load()+second.started.Load() == 2
	})
	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "Здравствуйте"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the client's message is stored", func() bool { return w.pendingUpdates() == 1 })
	if n := w.fake.PollOverlaps(); n != 0 {
		t.Errorf("%d getUpdates calls overlapped another", n)
	}
}
