package max_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// halfAnEmoji queues, as MAX would deliver it, a message of u whose text ends in a lone surrogate (half an emoji,
// as some clients cut a long text): JSON may carry it, PostgreSQL's jsonb may not.
func halfAnEmoji(fake *maxfake.Fake, u maxfake.User, mid string) {
	fake.QueueRaw(json.RawMessage(fmt.Sprintf(`{"update_type":"message_created","timestamp":1775025604499,
		"user_locale":"ru","message":{"sender":{"user_id":%d,"first_name":"Вера","is_bot":false,"name":"Вера"},
		"recipient":{"chat_id":%d,"chat_type":"dialog","user_id":%d},"timestamp":1775025604499,
		"body":{"mid":%q,"seq":1,"text":"Спасибо! \ud83d","attachments":null}}}`,
		u.UserID, u.ChatID, fake.Bot().UserID, mid)))
}

// textsByChat is what reached the dialog from each chat, in order.
func textsByChat(got []messenger.Inbound) map[int64][]string {
	out := map[int64][]string{}
	for _, in := range got {
		out[in.Chat.ChatID] = append(out[in.Chat.ChatID], in.Text)
	}
	return out
}

// faults are the faults the inbox recorded with the bot's client messages, in the order stored ("-" for none),
// and how many of them kept their raw bytes.
func faults(t *testing.T, pool *pgxpool.Pool, bot int64) (string, int) {
	t.Helper()
	var s string
	var raw int
	if err := pool.QueryRow(context.Background(), `
		SELECT string_agg(CASE fault WHEN '' THEN '-' ELSE fault END, '; ' ORDER BY id), count(raw)
		FROM inbox WHERE bot_id = $1 AND key LIKE 'message_created:%'`, bot).Scan(&s, &raw); err != nil {
		t.Fatal(err)
	}
	return s, raw
}

func waitStored(t *testing.T, pool *pgxpool.Pool, bot int64, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE bot_id = $1`, bot).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox holds %d updates, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A NUL in one MAX client's text and name and half an emoji in another's come in one polled batch with two good
// messages. PostgreSQL takes neither as sent; every update is still stored (cleaned, with its raw bytes and the
// fault), and every client's message reaches the dialog, U+FFFD where a character could not be kept.
func TestAPolledMAXBatchWithAnUpdatePostgreSQLRefusesHoldsUpNoOtherClient(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	anna := fake.AddUser(maxfake.User{FirstName: "Анна"})
	petr := fake.AddUser(maxfake.User{FirstName: "Пётр\x00"})
	vera := fake.AddUser(maxfake.User{FirstName: "Вера"})
	oleg := fake.AddUser(maxfake.User{FirstName: "Олег"})
	log := &inboundLog{seen: make(chan struct{}, 100)}

	svc, stop := runService(t, pool, srv.URL, log.handle)
	polling(t, fake)
	for _, u := range []maxfake.User{anna, petr, vera, oleg} {
		if _, err := fake.Start(u.UserID, ""); err != nil {
			t.Fatal(err)
		}
	}
	waitStored(t, pool, svc.Bot.ID, 4)
	// The next poll, with the marker past them, is what tells MAX the starts were read.
	if err := fake.WaitUntil(ctxTimeout(t), func() bool { return len(fake.PendingUpdates()) == 0 }); err != nil {
		t.Fatalf("the starts still wait in MAX: %v", err)
	}
	stop()
	// While no instance polls: the next start gets the four messages in one batch.
	for _, m := range []struct {
		u    maxfake.User
		text string
	}{{anna, "Здравствуйте, есть вопрос по счёту"}, {petr, "Счёт\x00 уже открыт?"}} {
		if _, err := fake.SendText(m.u.UserID, m.text); err != nil {
			t.Fatal(err)
		}
	}
	halfAnEmoji(fake, vera, "mid.half")
	if _, err := fake.SendText(oleg.UserID, "Когда перезвоните?"); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.PendingUpdates()); n != 4 {
		t.Fatalf("%d updates wait in MAX, want the 4 of one batch", n)
	}
	runService(t, pool, srv.URL, log.handle)

	got := textsByChat(log.wait(t, 4))
	for chat, want := range map[int64]string{
		anna.ChatID: "Здравствуйте, есть вопрос по счёту",
		petr.ChatID: "Счёт\uFFFD уже открыт?",
		vera.ChatID: "Спасибо! \uFFFD",
		oleg.ChatID: "Когда перезвоните?",
	} {
		if len(got[chat]) != 1 || got[chat][0] != want {
			t.Errorf("chat %d: the dialog got %q, want %q", chat, got[chat], want)
		}
	}
	if f, raw := faults(t, pool, svc.Bot.ID); f != `-; replaced with U+FFFD: \u0000; replaced with U+FFFD: a lone surrogate; -` || raw != 2 {
		t.Errorf("inbox faults %q, %d with raw bytes", f, raw)
	}
	var name, errs string
	if err := pool.QueryRow(context.Background(), `SELECT first_name, (SELECT coalesce(string_agg(error, ';'), '')
		FROM inbox WHERE error <> '') FROM contacts WHERE chat_id = $1`, petr.ChatID).Scan(&name, &errs); err != nil {
		t.Fatal(err)
	}
	if name != "Пётр\uFFFD" || errs != "" {
		t.Errorf("first name %q, processing errors %q", name, errs)
	}
}

// The same through MAX's webhook: the poisoned deliveries are stored and answered 200 (MAX would retry anything
// else for hours, and drop the subscription), and each client's message reaches the dialog.
func TestTheMAXWebhookStoresAnUpdatePostgreSQLRefusesAndAnswers200(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	var hook atomic.Pointer[http.Handler]
	var refused atomic.Int64
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := hook.Load()
		if h == nil {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		rec := httptest.NewRecorder()
		(*h).ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			refused.Add(1)
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(public.Close)
	log := &inboundLog{seen: make(chan struct{}, 100)}
	svc, err := max.NewService(ctx, max.ServiceConfig{Token: maxfake.DefaultToken, APIURL: srv.URL, PublicURL: public.URL,
		Pool: pool, Log: zerolog.Nop(), Inbound: log.handle, Sender: messenger.SenderConfig{Idle: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Processor.Idle = 20 * time.Millisecond
	h := svc.WebhookHandler()
	if h == nil {
		t.Fatal("no webhook handler with a public URL")
	}
	hook.Store(&h)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })

	petr := fake.AddUser(maxfake.User{FirstName: "Пётр\x00"})
	vera := fake.AddUser(maxfake.User{FirstName: "Вера"})
	for _, u := range []maxfake.User{petr, vera} {
		if _, err := fake.Start(u.UserID, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fake.SendText(petr.UserID, "Счёт\x00 уже открыт?"); err != nil {
		t.Fatal(err)
	}
	halfAnEmoji(fake, vera, "mid.half")
	got := textsByChat(log.wait(t, 2))
	if g := got[petr.ChatID]; len(g) != 1 || g[0] != "Счёт\uFFFD уже открыт?" {
		t.Errorf("Пётр's chat: the dialog got %q", g)
	}
	if g := got[vera.ChatID]; len(g) != 1 || g[0] != "Спасибо! \uFFFD" {
		t.Errorf("Вера's chat: the dialog got %q", g)
	}
	if n := refused.Load(); n != 0 {
		t.Errorf("the webhook refused %d deliveries, want none", n)
	}
	if f, raw := faults(t, pool, svc.Bot.ID); f != `replaced with U+FFFD: \u0000; replaced with U+FFFD: a lone surrogate` || raw != 2 {
		t.Errorf("inbox faults %q, %d with raw bytes", f, raw)
	}
	if n := len(fake.PendingUpdates()); n != 0 {
		t.Errorf("%d deliveries still wait in MAX", n)
	}
}

// Without a public URL nothing may post updates to a MAX bot: there is no webhook handler, so serve mounts none
// (operator-ui answers 404 on /max/webhook), and the simulator's fake, whose token is in the source, cannot be
// impersonated.
func TestNoMAXWebhookWithoutAPublicURL(t *testing.T) {
	pool := pgtest.NewDB(t)
	fake := maxfake.New(maxfake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	svc, _ := runService(t, pool, srv.URL, nil)
	if svc.WebhookHandler() != nil {
		t.Fatal("a MAX webhook handler exists without a public URL")
	}
}
