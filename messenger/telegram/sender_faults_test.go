package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// instance is a sender as another `dozvon serve` process runs it: its own pool, pacing and owner.
func (w *world) instance(owner string, pool *pgxpool.Pool, cfg messenger.SenderConfig) *messenger.Sender {
	return w.instanceVia(owner, pool, cfg, w.client)
}

// instanceVia is an instance whose requests go through ch.
func (w *world) instanceVia(owner string, pool *pgxpool.Pool, cfg messenger.SenderConfig, ch messenger.Channel) *messenger.Sender {
	cfg.Owner = owner
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = 50 * time.Millisecond
	}
	cfg.Idle = 20 * time.Millisecond
	s := messenger.NewSender(cfg, w.bot.ID, messenger.NewOutbox(pool), messenger.NewPacing(pool, w.bot.ID, cfg.Rate),
		messenger.NewContacts(pool), ch, zerolog.Nop())
	w.run(s.Run)
	return s
}

// broadcast queues one message to each of n new chats and returns the chats.
func (w *world) broadcast(n int) []int64 {
	w.t.Helper()
	chats := make([]int64, n)
	for i := range chats {
		chats[i] = w.chat(fmt.Sprint("client", i))
		w.queue(chats[i], fmt.Sprintf("Здравствуйте, %d!", i), false)
	}
	return chats
}

// eachReceivedOnce waits until the outbox records all n messages sent, then checks that every chat got exactly
// one message at the fake, none in a flood wait and none over a window of Telegram's limits.
func (w *world) eachReceivedOnce(chats []int64) {
	w.t.Helper()
	w.eventually("every message is recorded sent", func() bool { return w.sent() == len(chats) })
	for _, chat := range chats {
		if got := w.botMessages(chat); got != 1 {
			w.t.Errorf("chat %d received %d messages, want exactly 1", chat, got)
		}
	}
	if during, over := w.fake.FloodWaitSends(), w.fake.FloodRejections(); during != 0 || over != 0 {
		w.t.Errorf("the fake refused %d messages sent during a flood wait and %d over a window; want none", during, over)
	}
}

// A 429 that one instance meets stops every instance's sends for that bot, slots already booked included: no
// request reaches Telegram before retry_after ends (the fake counts any that does, and refuses it).
func TestFloodWaitMetByOneInstanceHoldsEveryInstanceUntilRetryAfterEnds(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{})
	chats := w.broadcast(20)
	// Ten a second, two workers each: both instances hold booked slots when the 429 comes.
	w.instance("a", w.pool, messenger.SenderConfig{Rate: 10, Batch: 2, Workers: 2})
	w.instance("b", pgxpoolFor(t, w.pool), messenger.SenderConfig{Rate: 10, Batch: 2, Workers: 2})
	w.eventually("both are sending", func() bool { return w.fake.Calls("sendMessage") >= 3 })
	w.fake.FailNext("sendMessage", 1, tgfake.Fault{Code: 429, RetryAfter: 2})
	w.eachReceivedOnce(chats)
	var owners []string
	rows, _ := w.pool.Query(w.ctx, `SELECT DISTINCT lease_owner FROM outbox WHERE state = 'sent' ORDER BY 1`)
	for rows.Next() {
		var o string
		_ = rows.Scan(&o)
		owners = append(owners, o)
	}
	if fmt.Sprint(owners) != "[a b]" || rows.Err() != nil {
		t.Fatalf("messages were sent by %v (%v), want both instances", owners, rows.Err())
	}
}

// A flood wait longer than the lease: the waiting sender extends its leases, so no other instance takes the
// messages and sends them too. And a lease another sender takes meanwhile is lost for good: its first holder
// does not send the message, the new holder does, once.
func TestFloodWaitLongerThanTheLeaseSendsEachMessageOnce(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{})
	chats := w.broadcast(12)
	w.fake.FailNext("sendMessage", 1, tgfake.Fault{Code: 429, RetryAfter: 3})
	cfg := messenger.SenderConfig{Rate: 10, Batch: 4, Lease: time.Second}
	w.instance("a", w.pool, cfg)
	// The second instance starts once the first has recorded the pause: a send another instance has already
	// cleared when the 429 comes is on its way and cannot be called back (the fault harness counts those apart,
	// cmd/dozvon/faults_test.go); this test is about the leases during the wait.
	w.eventually("the flood wait begins and is recorded", func() bool {
		var paused bool
		err := w.pool.QueryRow(w.ctx, `SELECT coalesce((SELECT paused_until > clock_timestamp() FROM send_pacing WHERE bot_id = $1), false)`,
			w.bot.ID).Scan(&paused)
		return err == nil && paused && w.fake.Calls("sendMessage") >= 1
	})
	w.instance("b", pgxpoolFor(t, w.pool), cfg)
	time.Sleep(100 * time.Millisecond) // both instances have claimed
	// Another claimant takes two of the waiting messages (as a claim does: a new token), then dies.
	stolen, err := w.pool.Exec(w.ctx, `
		UPDATE outbox SET lease_token = 42, lease_owner = 'c', lease_until = now() + interval '1 second'
		WHERE id IN (SELECT id FROM outbox WHERE state = 'sending' ORDER BY id LIMIT 2)`)
	if err != nil || stolen.RowsAffected() != 2 {
		t.Fatalf("took %d leases: %v", stolen.RowsAffected(), err)
	}
	w.eachReceivedOnce(chats)
}

// PostgreSQL unreachable while deliveries are being recorded: the sender keeps what it sent, sends nothing more
// while it cannot record, and records it all when the database is back; nothing is lost, nothing goes twice
// (its leases, 2 s, run out during the outage, and nobody takes them from it).
func TestDatabaseUnreachableWhileRecordingSendsNothingTwiceAndLosesNothing(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{})
	chats := w.broadcast(30)
	net := &cuttable{}
	pool := pgxpoolFor(t, w.pool, net.dial)
	w.fake.SetLatency(400 * time.Millisecond) // some sends are always under way
	w.instance("a", pool, messenger.SenderConfig{Rate: 10, Batch: 4, Lease: 2 * time.Second})
	w.eventually("some messages are sent", func() bool { return w.sent() >= 5 })
	net.cut()
	// Workers that were already sending finish; what they sent is held, not dropped.
	time.Sleep(time.Second)
	during := w.fake.Calls("sendMessage")
	time.Sleep(2 * time.Second)
	if got := w.fake.Calls("sendMessage"); got != during {
		t.Fatalf("%d messages sent while the database was unreachable, want none", got-during)
	}
	net.restore()
	w.eachReceivedOnce(chats)
}

// One message per chat per second, whatever queued it: a broadcast, an operator's reply that jumps the queue,
// and a retry after a 5xx that may have been delivered all reach one chat a second apart at least.
func TestOneChatGetsOneMessageASecondWhateverQueuedIt(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{})
	chat := w.chat("Анна")
	w.fake.FailNext("sendMessage", 1, tgfake.Fault{Code: 502, AfterApply: true}) // delivered, but the answer is lost
	w.queue(chat, "Предложение", true)
	if _, err := w.outbox.Enqueue(w.ctx, messenger.Outgoing{Message: messenger.Message{Address: w.to(chat), Text: "Ответ оператора"},
		Priority: messenger.PriorityReply}); err != nil {
		t.Fatal(err)
	}
	w.queue(chat, "Напоминание", false)
	w.sending(messenger.SenderConfig{Rate: 30})
	w.eventually("all three are recorded sent", func() bool { return w.sent() == 3 })
	// Four deliveries: the one whose answer was lost went again (Telegram has no idempotency key).
	if got := w.botMessages(chat); got != 4 {
		t.Fatalf("the chat received %d messages, want 4", got)
	}
	if over := w.fake.FloodRejections(); over != 0 {
		t.Fatalf("the fake refused %d messages over the chat's window of one a second", over)
	}
}

// lateWorker is the Bot API client behind workers that fall behind: every fourth request leaves late, after the
// sender found its slot come and the bot not paused, as when a loaded machine deschedules a worker between the two.
type lateWorker struct {
	messenger.Channel
	late  time.Duration
	sends atomic.Int64
}

func (l *lateWorker) Send(ctx context.Context, m messenger.Message) (string, error) {
	if l.sends.Add(1)%4 == 0 {
		time.Sleep(l.late)
	}
	return l.Channel.Send(ctx, m)
}

// However late a worker's request leaves, no rolling second at Telegram holds more than the bot's limit: two
// instances sending ten a second between them, every fourth request of each 60 ms late, and the fake's strict
// window counting every send that would have made an eleventh in some second.
func TestLateWorkersPutNoMoreThanTheLimitIntoAnyRollingSecond(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{GlobalPerSecond: 10})
	chats := w.broadcast(60)
	cfg := messenger.SenderConfig{Rate: 10}
	w.instanceVia("a", w.pool, cfg, &lateWorker{Channel: w.client, late: 60 * time.Millisecond})
	w.instanceVia("b", pgxpoolFor(t, w.pool), cfg, &lateWorker{Channel: w.client, late: 60 * time.Millisecond})
	w.eventually("every message is recorded sent", func() bool { return w.sent() == len(chats) })
	st := w.fake.FloodStats()
	if st.OverWindow != 0 || st.DuringWait != 0 || st.Waits != 0 {
		t.Fatalf("the fake counted %d sends over a window (%d of them a chat's), %d during a flood wait, %d flood waits; want none",
			st.OverWindow, st.OverChatWindow, st.DuringWait, st.Waits)
	}
	if got := w.fake.Calls("sendMessage"); got != len(chats) {
		t.Fatalf("the fake received %d sends, want %d", got, len(chats))
	}
}

// pgxpoolFor opens another pool on pool's database, dialled through dial if given.
func pgxpoolFor(t *testing.T, pool *pgxpool.Pool, dial ...func(ctx context.Context, network, addr string) (net.Conn, error)) *pgxpool.Pool {
	t.Helper()
	cfg := pool.Config().Copy()
	if len(dial) > 0 {
		cfg.ConnConfig.DialFunc = dial[0]
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// cuttable is a network to PostgreSQL that a test can cut: every connection is closed and no new one is made
// until it is restored.
type cuttable struct {
	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func (c *cuttable) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return nil, errors.New("network cut by the test")
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		c.conns = append(c.conns, conn)
	}
	return conn, err
}

func (c *cuttable) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = true
	for _, conn := range c.conns {
		_ = conn.Close()
	}
	c.conns = nil
}

func (c *cuttable) restore() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = false
}
