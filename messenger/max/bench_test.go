package max_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// benchBot is a MAX bot registered on a fresh database against the fake over HTTP, with n dialogs open at the
// fake and a message to each queued, as a campaign run leaves them.
type benchBot struct {
	pool *pgxpool.Pool
	fake *maxfake.Fake
	svc  *max.Service
}

func newBenchBot(b *testing.B, limit maxfake.RateLimit, n int) *benchBot {
	b.Helper()
	pool := pgtest.BenchDB(b)
	fake := maxfake.New(maxfake.Options{Limit: limit, RequestLogSize: -1})
	srv := httptest.NewServer(fake)
	b.Cleanup(func() { srv.Close(); fake.Close() })
	svc, err := max.NewService(context.Background(), max.ServiceConfig{Token: maxfake.DefaultToken, APIURL: srv.URL,
		Pool: pool, Log: zerolog.Nop(), Sender: messenger.SenderConfig{Idle: 20 * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	chats := make([]int64, n)
	for i := range n {
		u, err := fake.RestoreChat(maxfake.User{UserID: int64(1000 + i), ChatID: int64(5_000_000 + i),
			FirstName: fmt.Sprint("c", i)}, false)
		if err != nil {
			b.Fatal(err)
		}
		chats[i] = u.ChatID
	}
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `
		INSERT INTO outbox (channel, bot_id, chat_id, text, reply_markup)
		SELECT 'max', $2, chat, 'Здравствуйте! Мы не дозвонились вам по заявке на открытие счёта. Ответьте здесь, и мы поможем.',
		       '[[{"text":"Ответить","data":"reply"}],[{"text":"Отписаться","data":"optout"}]]'
		FROM unnest($1::bigint[]) AS chat`, chats, svc.Bot.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE outbox`); err != nil {
		b.Fatal(err)
	}
	return &benchBot{pool: pool, fake: fake, svc: svc}
}

// drain runs s until MAX has accepted n messages and the outbox has recorded them, and returns how long it took.
func (w *benchBot) drain(b *testing.B, s *messenger.Sender, n int) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	began := time.Now()
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	for w.fake.Calls("POST /messages")-w.fake.RateStats().Rejected < n {
		time.Sleep(time.Millisecond)
	}
	for w.sent() < n {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done // the last deliveries are recorded
	took := time.Since(began)
	if sent := w.sent(); sent != n {
		b.Fatalf("%d of %d recorded as sent", sent, n)
	}
	return took
}

func (w *benchBot) sent() int {
	var n int
	_ = w.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE state = 'sent'`).Scan(&n)
	return n
}

// BenchmarkMAXSenderAtLimit sends 300 messages with the MAX bot's own sender (as `dozvon serve` runs it: 30
// requests a second, lanes of a strict window) to the fake enforcing MAX's 30 requests a second as a strict
// sliding window. Reports the achieved rate, its distance from the limit and the fake's 429 count, which must be 0.
func BenchmarkMAXSenderAtLimit(b *testing.B) {
	const n = 300
	for range b.N {
		b.StopTimer()
		w := newBenchBot(b, maxfake.RateLimit{}, n)
		b.StartTimer()
		w.drain(b, w.svc.Sender, n)
		b.StopTimer()
		var first, last time.Time
		if err := w.pool.QueryRow(context.Background(), `SELECT min(sent_at), max(sent_at) FROM outbox`).
			Scan(&first, &last); err != nil {
			b.Fatal(err)
		}
		rate := float64(n-1) / last.Sub(first).Seconds()
		stats := w.fake.RateStats()
		b.ReportMetric(rate, "msg/s")
		b.ReportMetric(100*(rate-max.RequestsPerSecond)/max.RequestsPerSecond, "%off")
		b.ReportMetric(float64(stats.Rejected), "429s")
		b.ReportMetric(float64(stats.Peak), "peak/s")
	}
}

// BenchmarkMAXSenderUnlimited drains 20,000 queued messages through the MAX fake over HTTP with its limit off and
// the sender unpaced (64 workers, as Telegram's BenchmarkSenderUnlimited), keeping every message's state in
// PostgreSQL: what the sender and the adapter cost, apart from MAX's limit. Reports msg/s and the CPU per message
// of this process (sender and fake) and of PostgreSQL.
func BenchmarkMAXSenderUnlimited(b *testing.B) {
	const n = 20000
	for range b.N {
		b.StopTimer()
		w := newBenchBot(b, maxfake.RateLimit{Disabled: true}, n)
		s := messenger.NewSender(messenger.SenderConfig{Unlimited: true, Workers: 64, Batch: 1000, Idle: time.Millisecond},
			w.svc.Bot.ID, w.svc.Outbox, messenger.NewPacing(w.pool, w.svc.Bot.ID, 0), w.svc.Contacts, w.svc.Channel,
			zerolog.Nop())
		goCPU, pgCPU := pgtest.ProcessCPU()
		b.StartTimer()
		took := w.drain(b, s, n)
		b.StopTimer()
		goCPU2, pgCPU2 := pgtest.ProcessCPU()
		if got := w.fake.Calls("POST /messages"); got != n {
			b.Fatalf("the fake received %d of %d messages", got, n)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "msg/s")
		b.ReportMetric(float64((goCPU2-goCPU).Microseconds())/n, "go-cpu-µs/msg")
		b.ReportMetric(float64((pgCPU2-pgCPU).Microseconds())/n, "pg-cpu-µs/msg")
	}
}
