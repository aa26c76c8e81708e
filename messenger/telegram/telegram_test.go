package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/campaigns/campaignstest"
	"dozvon/internal/msg"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is Dozvon's messenger layer wired to a fake Telegram over real HTTP and a fresh database.
type world struct {
	t        testing.TB
	ctx      context.Context
	pool     *pgxpool.Pool
	fake     *tgfake.Fake
	apiURL   string
	client   *telegram.Client
	bot      messenger.Bot
	outbox   *messenger.Outbox
	contacts *messenger.Contacts
	inbox    *messenger.Inbox
	pacing   *messenger.Pacing
}

func newWorld(t *testing.T, flood tgfake.FloodLimits) *world {
	t.Helper()
	w := newWorldWith(t, tgfake.New(tgfake.Options{Flood: flood, RequestLogSize: 5000}))
	w.t = t
	return w
}

func newWorldWith(t testing.TB, fake *tgfake.Fake) *world {
	t.Helper()
	return newWorldOn(t, fake, pgtest.NewDB(t))
}

// newWorldOn is newWorldWith on a database of the caller's, as the benchmarks on a durable cluster need.
func newWorldOn(t testing.TB, fake *tgfake.Fake, pool *pgxpool.Pool) *world {
	t.Helper()
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	client, err := telegram.NewClient(fake.Token(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	bot, err := telegram.RegisterBot(ctx, pool, fake.Token(), "dozvon_bot")
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, ctx: ctx, pool: pool, fake: fake, apiURL: srv.URL, client: client, bot: bot,
		outbox: messenger.NewOutbox(pool), contacts: messenger.NewContacts(pool), inbox: messenger.NewInbox(pool),
		pacing: messenger.NewPacing(pool, bot.ID, 0)}
}

// to is the chat with the user of id on the world's bot.
func (w *world) to(id int64) messenger.Address {
	return messenger.Address{Channel: messenger.Telegram, BotID: w.bot.ID, ChatID: id}
}

// processor handles the bot's stored updates as `dozvon serve` does.
func (w *world) processor() *messenger.Processor {
	return &messenger.Processor{Bot: w.bot, Decode: telegram.Decode, Inbox: w.inbox, Contacts: w.contacts,
		Outbox: w.outbox, Log: zerolog.Nop(), Idle: 20 * time.Millisecond}
}

// run starts fn in the background until the test ends.
func (w *world) run(fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(w.ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = fn(ctx) }()
	stop = func() { cancel(); wg.Wait() }
	w.t.Cleanup(stop)
	return stop
}

// receiving runs the long poller and the processor, as `dozvon serve` does without a public URL.
func (w *world) receiving() {
	proc := w.processor()
	proc.Answer = w.client.AnswerCallback
	poller := &telegram.Poller{Token: tgfake.DefaultToken, APIURL: w.apiURL, Bot: w.bot.ID, Inbox: w.inbox, Pool: w.pool,
		Wake: proc.Wake, Log: zerolog.Nop(), Timeout: time.Second}
	w.run(poller.Run)
	w.run(proc.Run)
}

func (w *world) sender(cfg messenger.SenderConfig) *messenger.Sender {
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = 50 * time.Millisecond
	}
	cfg.Idle = 20 * time.Millisecond
	pacing := w.pacing
	if cfg.Rate > 0 {
		pacing = messenger.NewPacing(w.pool, w.bot.ID, cfg.Rate)
	}
	return messenger.NewSender(cfg, w.bot.ID, w.outbox, pacing, w.contacts, w.client, zerolog.Nop())
}

func (w *world) sending(cfg messenger.SenderConfig) *messenger.Sender {
	s := w.sender(cfg)
	w.run(s.Run)
	return s
}

// lead creates a client with a phone and a missed-call lead for it.
func (w *world) lead(company, phone string) int64 {
	w.t.Helper()
	var id int64
	err := w.pool.QueryRow(w.ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ($1, $1, $2) RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`, company, phone).Scan(&id)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) eventually(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// chat adds a Telegram user who has started the bot, so the bot may write to them.
func (w *world) chat(name string) int64 {
	w.t.Helper()
	u := w.fake.AddUser(tgfake.User{FirstName: name})
	if _, err := w.fake.Start(u.ID, ""); err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

func (w *world) botMessages(chatID int64) int {
	n := 0
	for _, m := range w.fake.Sent(chatID) {
		if m.From != nil && m.From.IsBot {
			n++
		}
	}
	return n
}

// contact is the chat's row of the contact registry, as the simulator reads it at start; empty before the chat is
// known.
func (w *world) contact(chatID int64) messenger.Contact {
	w.t.Helper()
	var found messenger.Contact
	if err := w.contacts.Each(w.ctx, func(c messenger.Contact) error {
		if c.ChatID == chatID {
			found = c
		}
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return found
}

func (w *world) lastBotText(chatID int64) string {
	msgs := w.fake.Sent(chatID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].From != nil && msgs[i].From.IsBot {
			return msgs[i].Text
		}
	}
	return ""
}

func (w *world) queue(chatID int64, text string, campaign bool) int64 {
	w.t.Helper()
	m := messenger.Outgoing{Message: messenger.Message{Address: w.to(chatID), Text: text}}
	if campaign {
		var cid int64
		if err := w.pool.QueryRow(w.ctx, `INSERT INTO campaigns (name, lead_kind) VALUES ('c', 'missed_call') RETURNING id`).Scan(&cid); err != nil {
			w.t.Fatal(err)
		}
		m.CampaignID = &cid
	}
	id, err := w.outbox.Enqueue(w.ctx, m)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// outboxRow is what the outbox records of a message.
type outboxRow struct {
	State      string
	Attempts   int
	MessageRef *string
	LastError  string
}

func (w *world) state(id int64) outboxRow {
	w.t.Helper()
	var r outboxRow
	if err := w.pool.QueryRow(w.ctx, `SELECT state, attempts, message_ref, last_error FROM outbox WHERE id = $1`, id).
		Scan(&r.State, &r.Attempts, &r.MessageRef, &r.LastError); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// sent counts the messages the outbox records as sent.
func (w *world) sent() int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM outbox WHERE state = 'sent'`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// pendingUpdates counts the stored updates not yet processed.
func (w *world) pendingUpdates() int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM inbox WHERE processed_at IS NULL`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestDeepLinkStartLinksTheChatToTheLeadAndItsCampaign(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.receiving()
	w.sending(messenger.SenderConfig{Unlimited: true})
	leadID := w.lead("ООО Ромашка", "+79181234567")
	token, campaignID := campaignstest.Invite(t, w.pool, leadID)
	if again := campaignstest.Invitation(t, w.pool, campaignID, leadID); again != token {
		t.Fatalf("the next run made another invitation %q, want the first one %q kept", again, token)
	}
	link := messenger.InviteLink(messenger.Telegram, "dozvon_bot", token)
	if _, bot, got, err := messenger.ParseInviteLink(link); link != "https://t.me/dozvon_bot?start="+token ||
		bot != "dozvon_bot" || got != token || err != nil {
		t.Fatalf("link %s reads as %q, %q, %v: want a deep link Telegram takes", link, bot, got, err)
	}

	u := w.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	if _, err := w.fake.Start(u.ID, token); err != nil {
		t.Fatal(err)
	}
	w.eventually("the chat is linked to the lead", func() bool { return len(w.contact(u.ID).Leads) == 1 })
	c := w.contact(u.ID)
	if c.Leads[0] != leadID || c.LinkedVia != "deep_link" || c.Status != messenger.StatusActive || c.FirstName != "Ирина" {
		t.Fatalf("contact = %+v", c)
	}
	w.eventually("the client is welcomed", func() bool { return w.lastBotText(u.ID) != "" })
	if got := w.lastBotText(u.ID); !bytes.Contains([]byte(got), []byte("Здравствуйте")) {
		t.Fatalf("welcome = %q", got)
	}
	var used bool
	_ = w.pool.QueryRow(w.ctx, `SELECT used_at IS NOT NULL FROM invitations WHERE token = $1`, token).Scan(&used)
	if !used {
		t.Fatal("the invitation is not marked as followed")
	}
}

func TestSharedPhoneLinksEveryLeadWithThatPhoneButAForgedContactIsRefused(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.receiving()
	w.sending(messenger.SenderConfig{Unlimited: true})
	a := w.lead("ИП Петров", "+79181234567")
	b := w.lead("ООО Петров и сыновья", "+79181234567")
	w.lead("ООО Другое", "+79990000000")

	mallory := w.fake.AddUser(tgfake.User{FirstName: "Mallory"})
	victim := w.fake.AddUser(tgfake.User{FirstName: "Пётр"})
	if _, err := w.fake.ShareForeignContact(mallory.ID, "+7 918 123-45-67", victim.ID); err != nil {
		t.Fatal(err)
	}
	w.eventually("the forged contact is answered", func() bool { return w.lastBotText(mallory.ID) != "" })
	if c := w.contact(mallory.ID); len(c.Leads) != 0 || c.Phone != nil {
		t.Fatalf("a forged contact linked leads: %+v", c)
	}

	if _, err := w.fake.ShareContact(victim.ID, "8 (918) 123-45-67"); err != nil {
		t.Fatal(err)
	}
	w.eventually("both leads are linked", func() bool { return len(w.contact(victim.ID).Leads) == 2 })
	c := w.contact(victim.ID)
	if c.Leads[0] != a || c.Leads[1] != b || *c.Phone != "+79181234567" || c.LinkedVia != "contact" {
		t.Fatalf("contact = %+v", c)
	}
}

func TestStopOptsOutUntilTheClientStartsAgain(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.receiving()
	w.sending(messenger.SenderConfig{Unlimited: true})
	u := w.fake.AddUser(tgfake.User{FirstName: "Анна"})
	if _, err := w.fake.Start(u.ID, ""); err != nil {
		t.Fatal(err)
	}
	w.eventually("the bot asks for the phone", func() bool { return w.lastBotText(u.ID) != "" })
	if _, err := w.fake.SendText(u.ID, "/stop"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the contact is opted out", func() bool { return w.contact(u.ID).Status == messenger.StatusOptedOut })
	w.eventually("the opt-out is confirmed", func() bool {
		return bytes.Contains([]byte(w.lastBotText(u.ID)), []byte("отписались"))
	})

	broadcast := w.queue(u.ID, "Откройте счёт за 5 минут", true)
	w.eventually("the campaign message is cancelled", func() bool { return w.state(broadcast).State == "cancelled" })
	if s := w.state(broadcast); s.LastError != msg.Record(msg.New("messenger.client_opted_out")) {
		t.Fatalf("cancelled with %q", s.LastError)
	}

	if _, err := w.fake.Start(u.ID, ""); err != nil {
		t.Fatal(err)
	}
	w.eventually("the contact is active again", func() bool { return w.contact(u.ID).Status == messenger.StatusActive })
	again := w.queue(u.ID, "Откройте счёт за 5 минут", true)
	w.eventually("a campaign may write again", func() bool { return w.state(again).State == "sent" })
}

func TestUnsubscribeButtonOptsOut(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.receiving()
	w.sending(messenger.SenderConfig{Unlimited: true})
	chat := w.chat("Вера")
	w.eventually("the contact exists", func() bool { return w.contact(chat).ID != 0 })
	id, err := w.outbox.Enqueue(w.ctx, messenger.Outgoing{Message: messenger.Message{Address: w.to(chat), Text: "Предложение",
		Buttons: messenger.Markup{{{Text: "Отписаться", Data: messenger.CallbackOptOut}}}}})
	if err != nil {
		t.Fatal(err)
	}
	w.eventually("the offer is sent", func() bool { return w.state(id).State == "sent" })
	ref, _ := strconv.Atoi(*w.state(id).MessageRef)
	if _, err := w.fake.PressButton(chat, ref, messenger.CallbackOptOut); err != nil {
		t.Fatal(err)
	}
	w.eventually("opted out", func() bool { return w.contact(chat).Status == messenger.StatusOptedOut })
	w.eventually("the button's spinner is stopped", func() bool { return len(w.fake.CallbackAnswers()) == 1 })
}

func TestFloodWaitPausesTheWholeBotForRetryAfter(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.fake.FailNext("sendMessage", 1, tgfake.Fault{Code: 429, RetryAfter: 2})
	var ids []int64
	for i := range 5 {
		ids = append(ids, w.queue(w.chat(fmt.Sprint("client", i)), "Здравствуйте!", false))
	}
	w.sending(messenger.SenderConfig{Unlimited: true, Workers: 1})
	w.eventually("all five are sent", func() bool {
		for _, id := range ids {
			if w.state(id).State != "sent" {
				return false
			}
		}
		return true
	})
	var floodAt time.Time
	for _, r := range w.fake.Requests() {
		if r.Method != "sendMessage" {
			continue
		}
		if r.Status == 429 {
			floodAt = r.Time
			continue
		}
		if !floodAt.IsZero() && r.Time.Sub(floodAt) < 2*time.Second {
			t.Fatalf("a message went %s after a 429 with retry_after 2", r.Time.Sub(floodAt))
		}
	}
	if floodAt.IsZero() {
		t.Fatal("the fault was not hit")
	}
	for _, id := range ids {
		if s := w.state(id); s.Attempts != 1 {
			t.Errorf("message %d: %d attempts; a flood wait must not count as one", id, s.Attempts)
		}
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	chat := w.chat("Олег")
	w.fake.FailNext("sendMessage", 2, tgfake.Fault{Code: 502})
	id := w.queue(chat, "Ваша заявка", false)
	w.sending(messenger.SenderConfig{Unlimited: true})
	w.eventually("the message is sent", func() bool { return w.state(id).State == "sent" })
	s := w.state(id)
	if s.Attempts != 3 || s.MessageRef == nil || s.LastError != "" {
		t.Fatalf("state = %+v, want sent on the third attempt", s)
	}
	if n := w.botMessages(chat); n != 1 {
		t.Fatalf("the client got %d messages", n)
	}
}

func TestBlockedBotMarksTheContactAndIsNotRetried(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	u := w.fake.AddUser(tgfake.User{FirstName: "Светлана"})
	if _, err := w.contacts.Seen(w.ctx, messenger.Chat{Address: w.to(u.ID), UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.BlockBot(u.ID); err != nil {
		t.Fatal(err)
	}
	id := w.queue(u.ID, "Напоминаем о заявке", false)
	w.sending(messenger.SenderConfig{Unlimited: true})
	w.eventually("the message fails", func() bool { return w.state(id).State == "failed" })
	if c := w.contact(u.ID); c.Status != messenger.StatusBlocked {
		t.Fatalf("contact status %q, want blocked", c.Status)
	}
	if n := w.fake.Calls("sendMessage"); n != 1 {
		t.Fatalf("%d sendMessage calls, want 1 (no retry)", n)
	}
	// Later messages to the chat are cancelled before any call.
	next := w.queue(u.ID, "Ещё одно", false)
	w.eventually("the next message is cancelled", func() bool { return w.state(next).State == "cancelled" })
	if n := w.fake.Calls("sendMessage"); n != 1 {
		t.Fatalf("%d sendMessage calls after the block", n)
	}
}

func TestBlockAndUnblockUpdatesChangeTheContact(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	w.receiving()
	u := w.fake.AddUser(tgfake.User{FirstName: "Юлия"})
	_, _ = w.fake.Start(u.ID, "")
	w.eventually("the contact exists", func() bool { return w.contact(u.ID).ID != 0 })
	_, _ = w.fake.BlockBot(u.ID)
	w.eventually("blocked", func() bool { return w.contact(u.ID).Status == messenger.StatusBlocked })
	_, _ = w.fake.UnblockBot(u.ID)
	w.eventually("active again", func() bool { return w.contact(u.ID).Status == messenger.StatusActive })
}

func TestWebhookRefusesAWrongSecretAndStoresARedeliveryOnce(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	secret, err := telegram.WebhookSecret(w.ctx, w.pool, tgfake.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	h := telegram.WebhookHandler(w.inbox, w.bot.ID, secret, nil, zerolog.Nop())
	update := []byte(`{"update_id": 1001, "message": {"message_id": 5, "date": 1700000000,
		"chat": {"id": 77, "type": "private", "first_name": "Игорь"}, "from": {"id": 77, "is_bot": false, "first_name": "Игорь"},
		"text": "/stop"}}`)
	post := func(secret string) int {
		r := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(update))
		if secret != "" {
			r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		rec := httptest.NewRecorder()
		h(rec, r)
		return rec.Code
	}
	if code := post("wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d, want 401", code)
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Fatalf("no secret: %d, want 401", code)
	}
	if n := w.pendingUpdates(); n != 0 {
		t.Fatalf("%d updates stored from unauthenticated calls", n)
	}
	if post(secret) != 200 || post(secret) != 200 {
		t.Fatal("a good delivery was refused")
	}
	if n := w.pendingUpdates(); n != 1 {
		t.Fatalf("%d pending updates after a redelivery, want 1", n)
	}
	proc := w.processor()
	for range 2 {
		_, _ = w.inbox.ProcessNext(w.ctx, w.bot.ID, proc.Handle)
	}
	var confirmations, optOuts int
	_ = w.pool.QueryRow(w.ctx, `SELECT count(*) FROM outbox WHERE chat_id = 77`).Scan(&confirmations)
	_ = w.pool.QueryRow(w.ctx, `SELECT count(*) FROM opt_outs WHERE chat_id = 77`).Scan(&optOuts)
	if confirmations != 1 || optOuts != 1 {
		t.Fatalf("the update was handled %d/%d times, want once", confirmations, optOuts)
	}
}

// A sender that dies holding claims, and one stopped mid-queue, lose nothing: another sender delivers every
// message exactly once.
func TestRestartMidQueueLosesAndDuplicatesNothing(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	const n = 300
	var chats []int64
	for i := range n {
		chat := w.chat(fmt.Sprint("c", i))
		chats = append(chats, chat)
		w.queue(chat, fmt.Sprintf("Сообщение %d", i), false)
	}
	// A worker claims 50 messages and dies without a word: its lease (1 s) must run out first.
	if _, err := w.outbox.Claim(w.ctx, w.bot.ID, "dead", 50, time.Second); err != nil {
		t.Fatal(err)
	}
	// A sender stops after some deliveries, in the middle of the queue.
	w.fake.SetLatency(2 * time.Millisecond)
	first := w.sender(messenger.SenderConfig{Unlimited: true, Workers: 4, Batch: 20})
	stop := w.run(first.Run)
	w.eventually("some messages are sent", func() bool { return w.sent() >= 60 })
	stop()
	w.fake.SetLatency(0)
	// The new sender keeps the default lease: a lease must outlast a send, or a slow send is taken back and
	// sent again (on a loaded machine a 1 s lease does not).
	w.sending(messenger.SenderConfig{Unlimited: true})
	w.eventually("every message is sent", func() bool { return w.sent() == n })
	for _, chat := range chats {
		if got := w.botMessages(chat); got != 1 {
			t.Fatalf("chat %d received %d messages, want exactly 1", chat, got)
		}
	}
}

func TestTextOverTelegramsLimitIsRefusedBeforeSending(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	long := bytes.Repeat([]byte("я"), messenger.MaxTextLength+1)
	_, err := w.outbox.Enqueue(w.ctx, messenger.Outgoing{Message: messenger.Message{Address: w.to(1), Text: string(long)}})
	if err == nil || err.Error() != "messenger: refused: the text is 4097 characters, Telegram allows 4096" {
		t.Fatalf("err = %v", err)
	}
	// Escaped HTML counts as Telegram counts it: &lt; is one character.
	ok := bytes.Repeat([]byte("&lt;"), messenger.MaxTextLength)
	if _, err := w.outbox.Enqueue(w.ctx, messenger.Outgoing{Message: messenger.Message{Address: w.to(1), Text: "<b>" + string(ok) + "</b>"}}); err != nil {
		t.Fatalf("4096 escaped characters refused: %v", err)
	}
}

// With Telegram's default 30 msg/s and the fake enforcing it, the sender paces itself: no 429 at all.
func TestDefaultRateStaysUnderTelegramsFloodLimit(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{})
	const n = 45
	for i := range n {
		w.queue(w.chat(fmt.Sprint("c", i)), "Здравствуйте!", false)
	}
	began := time.Now()
	w.sending(messenger.SenderConfig{Rate: 30})
	w.eventually("all are sent", func() bool { return w.sent() == n })
	took := time.Since(began)
	if rejected := w.fake.FloodRejections(); rejected != 0 {
		t.Fatalf("the fake's flood control rejected %d messages", rejected)
	}
	if took < time.Duration(n-1)*time.Second/30 {
		t.Fatalf("%d messages in %s: faster than 30/s", n, took)
	}
}

// A client's text with a NUL and half an emoji (a lone surrogate) is what PostgreSQL's jsonb refuses. The webhook
// still stores the update, once however often Telegram redelivers it, and answers 200 so Telegram moves on; the
// client's words reach the dialog with U+FFFD where a character could not be kept.
func TestWebhookStoresAnUpdatePostgreSQLRefusesAsSentOnceAndAnswers200(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	secret, err := telegram.WebhookSecret(w.ctx, w.pool, tgfake.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	h := telegram.WebhookHandler(w.inbox, w.bot.ID, secret, nil, zerolog.Nop())
	update := `{"update_id": 2001, "message": {"message_id": 5, "date": 1700000000,
		"chat": {"id": 78, "type": "private", "first_name": "Игорь\u0000"}, "from": {"id": 78, "is_bot": false, "first_name": "Игорь"},
		"text": "Счёт\u0000 открыт? \ud83d"}}`
	for range 3 {
		r := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader([]byte(update)))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		rec := httptest.NewRecorder()
		h(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("delivery answered %d, want 200", rec.Code)
		}
	}
	var n int
	var text, fault string
	var raw []byte
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) OVER (), payload->'message'->>'text', fault, raw FROM inbox`).
		Scan(&n, &text, &fault, &raw); err != nil {
		t.Fatal(err)
	}
	if n != 1 || text != "Счёт\uFFFD открыт? \uFFFD" || fault != `replaced with U+FFFD: \u0000, a lone surrogate` ||
		string(raw) != update {
		t.Fatalf("stored %d rows: text %q, fault %q, raw %q", n, text, fault, raw)
	}

	var got []messenger.Inbound
	proc := w.processor()
	proc.Inbound = func(_ context.Context, in messenger.Inbound) error { got = append(got, in); return nil }
	id, err := w.inbox.ProcessNext(w.ctx, w.bot.ID, proc.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].InboxID != id || got[0].Chat.Address != w.to(78) || got[0].Chat.ChatID != 78 || got[0].Text != "Счёт\uFFFD открыт? \uFFFD" {
		t.Fatalf("the dialog got %+v", got)
	}
	if c := w.contact(78); c.FirstName != "Игорь\uFFFD" {
		t.Fatalf("contact = %+v", c)
	}
}
