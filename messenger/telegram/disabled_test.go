package telegram_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"dozvon/internal/logx/logxtest"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// switchBot switches the world's bot on or off, as /admin/bots does.
func (w *world) switchBot(on bool) {
	w.t.Helper()
	if err := messenger.NewBots(w.pool).SetEnabled(w.ctx, w.bot.ID, on); err != nil {
		w.t.Fatal(err)
	}
}

// inbox counts the bot's stored updates and how many of them were processed.
func (w *world) inboxCounts() (stored, processed int) {
	w.t.Helper()
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*), count(processed_at) FROM inbox WHERE bot_id = $1`, w.bot.ID).
		Scan(&stored, &processed); err != nil {
		w.t.Fatal(err)
	}
	return stored, processed
}

// An administrator switches a polled bot off while two instances run: the one polling cuts its long poll at the
// next renewal of its lease, neither polls again, and what a client writes meanwhile stays at Telegram. Switched
// on, the bot is polled again and the message is stored.
func TestASwitchedOffTelegramBotIsPolledByNoInstanceUntilSwitchedOn(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var log logxtest.Lines
	first, _ := w.poller("first", &log)
	second, _ := w.poller("second", &log)
	w.eventually("an instance polls", func() bool { return first.inFlight.Load()+second.inFlight.Load() == 1 })
	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "до выключения"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the message stored", func() bool { stored, _ := w.inboxCounts(); return stored == 1 })

	w.switchBot(false)
	w.eventually("the long poll cut and the lease given up", func() bool {
		return first.inFlight.Load()+second.inFlight.Load() == 0 && w.pollerOwner() == ""
	})
	w.eventually("both instances see the bot switched off", func() bool {
		return log.Count("the bot is switched off (/admin/bots): no instance polls it") == 2
	})
	polls := first.started.Load() + second.started.Load()
	if _, err := w.fake.SendText(u.ID, "пока бот выключен"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // three leases: a poller that still ran would have polled and stored it by now
	if n := first.started.Load() + second.started.Load(); n != polls {
		t.Errorf("the switched-off bot called getUpdates %d more times", n-polls)
	}
	if stored, _ := w.inboxCounts(); stored != 1 {
		t.Errorf("%d updates stored, want only the one before the switch", stored)
	}
	// Telegram holds it (and perhaps the one before, if the cut came before the next getUpdates confirmed it: it is
	// stored once, by its update_id, when it comes again).
	if pending := w.fake.PendingUpdates(); len(pending) == 0 || pending[len(pending)-1].Message == nil ||
		pending[len(pending)-1].Message.Text != "пока бот выключен" {
		t.Errorf("Telegram holds %+v, want the message written while the bot was off last", pending)
	}

	w.switchBot(true)
	w.eventually("the message written while off stored", func() bool { stored, _ := w.inboxCounts(); return stored == 2 })
	w.eventually("Telegram holds nothing more", func() bool { return len(w.fake.PendingUpdates()) == 0 })
	if stored, _ := w.inboxCounts(); stored != 2 {
		t.Errorf("%d updates stored, want 2", stored)
	}
	if n := w.fake.PollOverlaps(); n != 0 {
		t.Errorf("%d getUpdates calls overlapped another", n)
	}
}

// Telegram delivers to a switched-off bot's webhook as to any: the update is stored and answered 200 (Telegram
// would retry anything else, and give up after a day), and nothing is done with it until the bot is switched on.
func TestASwitchedOffTelegramBotKeepsWhatItsWebhookGetsForLater(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var hook http.HandlerFunc
	public := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { hook(rw, r) }))
	defer public.Close()
	svc := w.service(public.URL)
	hook = svc.WebhookHandler()
	svc.Processor.Idle = 20 * time.Millisecond
	w.run(svc.Processor.Run)
	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "до выключения"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the message processed", func() bool { _, processed := w.inboxCounts(); return processed == 1 })

	w.switchBot(false)
	if _, err := w.fake.SendText(u.ID, "пока бот выключен"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the delivery stored", func() bool { stored, _ := w.inboxCounts(); return stored == 2 })
	time.Sleep(500 * time.Millisecond) // 25 of the processor's idle rounds: a processor that still ran would have taken it
	if _, processed := w.inboxCounts(); processed != 1 {
		t.Errorf("%d updates processed while the bot was off, want only the one before", processed)
	}
	if n := len(w.fake.PendingUpdates()); n != 0 {
		t.Errorf("Telegram holds %d updates for redelivery, want none: the webhook answered 200", n)
	}

	w.switchBot(true)
	w.eventually("the delivery processed", func() bool { _, processed := w.inboxCounts(); return processed == 2 })
}
