package telegram_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// queueBroadcast puts n messages to n distinct started chats in the outbox with one INSERT ... SELECT, as a
// campaign run does.
func queueBroadcast(tb testing.TB, w *world, n int) { queueSends(tb, w, n, false) }

// queueSends queues n messages to n new chats; campaign: as a campaign run queues them, each a campaign's step
// to a lead of its own, so that recording them as sent is what production's is (the reports' rollup marks them).
func queueSends(tb testing.TB, w *world, n int, campaign bool) {
	tb.Helper()
	ids := make([]int64, n)
	for i := range n {
		u := w.fake.AddUser(tgfake.User{FirstName: fmt.Sprint("c", i)})
		if _, err := w.fake.Start(u.ID, ""); err != nil {
			tb.Fatal(err)
		}
		ids[i] = u.ID
	}
	_, err := w.pool.Exec(w.ctx, `
		INSERT INTO outbox (channel, bot_id, chat_id, text, reply_markup, campaign_id, step, lead_id)
		SELECT 'telegram', $2, chat, 'Здравствуйте! Мы не дозвонились вам по заявке на открытие счёта. Ответьте здесь, и мы поможем.',
		       '[[{"text":"Ответить","data":"reply"}],[{"text":"Отписаться","data":"optout"}]]',
		       CASE WHEN $3 THEN 1 END, 1, CASE WHEN $3 THEN chat END
		FROM unnest($1::bigint[]) AS chat`, ids, w.bot.ID, campaign)
	if err != nil {
		tb.Fatal(err)
	}
	// As a campaign run does after a large enqueue: fresh statistics keep the claim on its index.
	if _, err := w.pool.Exec(w.ctx, `ANALYZE outbox`); err != nil {
		tb.Fatal(err)
	}
}

func newBenchWorld(b *testing.B, flood tgfake.FloodLimits) *world {
	return newWorldOn(b, tgfake.New(tgfake.Options{Flood: flood, RequestLogSize: -1, HistoryLimit: 2}), pgtest.BenchDB(b))
}

// BenchmarkSenderUnlimited drains 20,000 queued messages through the Bot API fake over HTTP with limits off,
// keeping every message's state in PostgreSQL. Reports end-to-end msg/s.
func BenchmarkSenderUnlimited(b *testing.B) { benchUnlimited(b, false) }

// BenchmarkSenderUnlimitedCampaignSends is the same with the messages a campaign run queues (a campaign, a step, a
// lead each): what the reports' rollup adds to recording a delivery.
func BenchmarkSenderUnlimitedCampaignSends(b *testing.B) { benchUnlimited(b, true) }

func benchUnlimited(b *testing.B, campaign bool) {
	const n = 20000
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, tgfake.FloodLimits{Disabled: true})
		queueSends(b, w, n, campaign)
		s := w.sender(messenger.SenderConfig{Unlimited: true, Workers: 64, Batch: 1000, Idle: time.Millisecond})
		ctx, cancel := context.WithCancel(w.ctx)
		goCPU, pgCPU := pgtest.ProcessCPU()
		b.StartTimer()
		began := time.Now()
		done := make(chan struct{})
		go func() { _ = s.Run(ctx); close(done) }()
		waitDelivered(w, n)
		cancel()
		<-done // the last deliveries are recorded
		took := time.Since(began)
		b.StopTimer()
		goCPU2, pgCPU2 := pgtest.ProcessCPU()
		if sent := w.sent(); sent != n {
			b.Fatalf("%d of %d recorded as sent", sent, n)
		}
		if got := w.fake.Calls("sendMessage"); got != n {
			b.Fatalf("the fake received %d of %d messages", got, n)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "msg/s")
		// CPU per message, which other work on a shared machine disturbs less than the rate: this process (the
		// sender and the fake) and the test's PostgreSQL.
		b.ReportMetric(float64((goCPU2-goCPU).Microseconds())/n, "go-cpu-µs/msg")
		b.ReportMetric(float64((pgCPU2-pgCPU).Microseconds())/n, "pg-cpu-µs/msg")
	}
}

// BenchmarkSendStateless is the machine's yardstick for BenchmarkSenderUnlimited: the same 20,000 messages, the
// same fake and HTTP client and 64 concurrent sends, but no database and no per-message state — what a mailer
// that keeps no record of each message reaches here. Shared machines differ from day to day; the ratio of the two
// benchmarks in one run does much less.
func BenchmarkSendStateless(b *testing.B) {
	const n, workers = 20000, 64
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, tgfake.FloodLimits{Disabled: true})
		chats := make(chan int64, n)
		for i := range n {
			u := w.fake.AddUser(tgfake.User{FirstName: fmt.Sprint("c", i)})
			if _, err := w.fake.Start(u.ID, ""); err != nil {
				b.Fatal(err)
			}
			chats <- u.ID
		}
		close(chats)
		buttons := messenger.Markup{{{Text: "Ответить", Data: "reply"}}, {{Text: "Отписаться", Data: "optout"}}}
		goCPU, _ := pgtest.ProcessCPU()
		b.StartTimer()
		began := time.Now()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for range workers {
			wg.Go(func() {
				for chat := range chats {
					_, err := w.client.Send(w.ctx, messenger.Message{Address: w.to(chat), Buttons: buttons,
						Text: "Здравствуйте! Мы не дозвонились вам по заявке на открытие счёта. Ответьте здесь, и мы поможем."})
					if err != nil {
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		took := time.Since(began)
		b.StopTimer()
		goCPU2, _ := pgtest.ProcessCPU()
		if failed.Load() != 0 {
			b.Fatalf("%d sends failed", failed.Load())
		}
		b.ReportMetric(float64(n)/took.Seconds(), "msg/s")
		b.ReportMetric(float64((goCPU2-goCPU).Microseconds())/n, "go-cpu-µs/msg")
	}
}

// BenchmarkSenderUnlimitedThreeBots is BenchmarkSenderUnlimited with three bots on one database: each its own
// token, Bot API fake, sender (lease owner) and pause, all draining one outbox of 30,000 messages at once, a third
// of them each: a bot's sender claims only its bot's messages. Reports the total msg/s and the CPU per message of this
// process (three senders and three fakes) and of PostgreSQL.
func BenchmarkSenderUnlimitedThreeBots(b *testing.B) {
	const n, bots = 30000, 3
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, tgfake.FloodLimits{Disabled: true})
		queueBroadcast(b, w, n)
		var chats []int64
		rows, err := w.pool.Query(w.ctx, `SELECT chat_id FROM outbox`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				b.Fatal(err)
			}
			chats = append(chats, id)
		}
		if rows.Close(); rows.Err() != nil {
			b.Fatal(rows.Err())
		}
		fakes := []*tgfake.Fake{w.fake}
		senders := []*messenger.Sender{w.sender(messenger.SenderConfig{Unlimited: true, Workers: 64, Batch: 1000})}
		for i := 2; i <= bots; i++ {
			// Another bot: its own token and fake, which knows the same clients, and a third of the messages.
			fake := tgfake.New(tgfake.Options{Flood: tgfake.FloodLimits{Disabled: true}, RequestLogSize: -1,
				HistoryLimit: 2, Token: fmt.Sprintf("100000000%d:AAFakeTokenForTests_0123456789abcdef", i)})
			for _, id := range chats {
				fake.AddUser(tgfake.User{ID: id, FirstName: fmt.Sprint("c", id)})
				if _, err := fake.Start(id, ""); err != nil {
					b.Fatal(err)
				}
			}
			bw := newWorldOn(b, fake, w.pool)
			if _, err := w.pool.Exec(w.ctx, `UPDATE outbox SET bot_id = $1 WHERE id % $2 = $3`, bw.bot.ID, bots, i-1); err != nil {
				b.Fatal(err)
			}
			fakes = append(fakes, fake)
			senders = append(senders, bw.sender(messenger.SenderConfig{Unlimited: true, Workers: 64, Batch: 1000}))
		}
		calls := func() (sum int) {
			for _, f := range fakes {
				sum += f.Calls("sendMessage")
			}
			return sum
		}
		ctx, cancel := context.WithCancel(w.ctx)
		goCPU, pgCPU := pgtest.ProcessCPU()
		b.StartTimer()
		began := time.Now()
		var wg sync.WaitGroup
		for _, s := range senders {
			wg.Go(func() { _ = s.Run(ctx) })
		}
		for calls() < n {
			time.Sleep(time.Millisecond)
		}
		for w.sent() < n {
			time.Sleep(time.Millisecond)
		}
		cancel()
		wg.Wait() // the last deliveries are recorded
		took := time.Since(began)
		b.StopTimer()
		goCPU2, pgCPU2 := pgtest.ProcessCPU()
		if sent := w.sent(); sent != n {
			b.Fatalf("%d of %d recorded as sent", sent, n)
		}
		if got := calls(); got != n {
			b.Fatalf("the fakes received %d of %d messages", got, n)
		}
		perBot := make([]int, len(fakes))
		for i, f := range fakes {
			perBot[i] = f.Calls("sendMessage")
		}
		b.Logf("messages per bot %v; load average %s at the end", perBot, pgtest.LoadAverage())
		b.ReportMetric(float64(n)/took.Seconds(), "msg/s")
		b.ReportMetric(float64((goCPU2-goCPU).Microseconds())/n, "go-cpu-µs/msg")
		b.ReportMetric(float64((pgCPU2-pgCPU).Microseconds())/n, "pg-cpu-µs/msg")
	}
}

// BenchmarkSenderDefaultLimit sends 300 messages at Telegram's default 30 msg/s with the fake enforcing the
// limit as a strict sliding window. Reports the achieved rate and the fake's 429 count, which must be zero.
func BenchmarkSenderDefaultLimit(b *testing.B) {
	benchLimited(b, 300, messenger.SenderConfig{Rate: 30})
}

// BenchmarkSenderPaidLimit is the same at the paid broadcast's 1000 msg/s, 5,000 messages, with the workers
// production starts at that rate (the default).
func BenchmarkSenderPaidLimit(b *testing.B) {
	benchLimited(b, 5000, messenger.SenderConfig{Rate: 1000, PaidBroadcast: true})
}

func benchLimited(b *testing.B, n int, cfg messenger.SenderConfig) {
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, tgfake.FloodLimits{})
		queueBroadcast(b, w, n)
		s := w.sender(cfg)
		ctx, cancel := context.WithCancel(w.ctx)
		b.StartTimer()
		done := make(chan struct{})
		go func() { _ = s.Run(ctx); close(done) }()
		waitDelivered(w, n)
		cancel()
		<-done
		b.StopTimer()
		var first, last time.Time
		if err := w.pool.QueryRow(w.ctx, `SELECT min(sent_at), max(sent_at) FROM outbox`).Scan(&first, &last); err != nil {
			b.Fatal(err)
		}
		rate := float64(n-1) / last.Sub(first).Seconds()
		b.ReportMetric(rate, "msg/s")
		b.ReportMetric(100*(rate-cfg.Rate)/cfg.Rate, "%off")
		b.ReportMetric(float64(w.fake.FloodRejections()), "429s")
	}
}

// BenchmarkQueuedMessageFootprint reports the database bytes per queued message (table and indexes) and the
// sender's heap per claimed message.
func BenchmarkQueuedMessageFootprint(b *testing.B) {
	const n = 20000
	for range b.N {
		w := newBenchWorld(b, tgfake.FloodLimits{Disabled: true})
		queueBroadcast(b, w, n)
		_, _ = w.pool.Exec(w.ctx, `VACUUM ANALYZE outbox`)
		var bytes int64
		if err := w.pool.QueryRow(w.ctx, `SELECT pg_total_relation_size('outbox')`).Scan(&bytes); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(bytes)/n, "db-B/msg")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		items, err := w.outbox.Claim(w.ctx, w.bot.ID, "dead", 5000, time.Minute)
		if err != nil || len(items) != 5000 {
			b.Fatalf("claimed %d: %v", len(items), err)
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/5000, "heap-B/claimed")
		runtime.KeepAlive(items)
	}
}

// waitDelivered waits until Telegram has accepted n messages (the fake's count, cheap to poll) and the outbox has
// recorded them (polled only then, so that the polling costs the database little).
func waitDelivered(w *world, n int) {
	for w.fake.Calls("sendMessage")-w.fake.FloodRejections() < n {
		time.Sleep(time.Millisecond)
	}
	for w.sent() < n {
		time.Sleep(time.Millisecond)
	}
}
