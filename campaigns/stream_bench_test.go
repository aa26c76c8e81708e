package campaigns_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// BenchmarkRunNowFirstMessage100kOf1MLeads is a manager's "Run now" of a campaign whose audience is the 100,000
// Moscow leads among 1,000,000, on a durable embedded PostgreSQL (fsync on, as `dozvon serve` runs it), with the
// Telegram channel running against the Bot API fake as in production (default pace, 30 msg/s). RunNow's two steps
// are timed apart: deriving leads from the bank's data (over all 1,000,000 applications), then the run (RunSlot),
// from its start to the first messages being claimable (the first chunk committed), to the first message at the
// fake, and to the whole audience queued; s-click-to-first-sent is the sum, what the manager waits for.
func BenchmarkRunNowFirstMessage100kOf1MLeads(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.Durable(b)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	loadMillionLeads(b, pool, now)
	fake := tgfake.New(tgfake.Options{})
	for chat := int64(10); chat <= 1000000; chat += 10 {
		if _, err := fake.RestoreChat(tgfake.User{ID: chat, FirstName: "Клиент"}, false); err != nil {
			b.Fatal(err)
		}
	}
	api := httptest.NewServer(fake.Handler())
	defer api.Close()
	store := campaigns.NewStore(pool)
	clock := now
	store.Now = func() time.Time { return clock } // every run is another slot
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		clock = clock.Add(time.Minute)
		c, err := store.Create(ctx, campaigns.Campaign{Name: "Бенчмарк", LeadKind: campaigns.MissedCall,
			Audience: campaigns.Audience{Regions: []string{"Москва"}},
			Template: campaigns.Template{Body: "Здравствуйте, {{.ClientName}}! Мы не дозвонились до <b>{{.Company}}</b>.",
				Buttons: []campaigns.Button{{Text: "Ответить", Action: campaigns.ActionRoute}}}})
		if err != nil {
			b.Fatal(err)
		}
		sending, stop := context.WithCancel(ctx)
		tg, err := telegram.NewService(sending, telegram.ServiceConfig{Token: tgfake.DefaultToken, APIURL: api.URL,
			Pool: pool, Log: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		stopped := make(chan struct{})
		go func() { defer close(stopped); _ = tg.Run(sending) }()
		before := len(fake.BotMessages())
		sent := make(chan time.Time, 1)
		go func() {
			if fake.WaitUntil(sending, func() bool { return len(fake.BotMessages()) > before }) == nil {
				sent <- time.Now()
			}
		}()
		b.StartTimer()
		clicked := time.Now()
		if _, err := store.DeriveLeads(ctx, clock); err != nil { // RunNow's first step
			b.Fatal(err)
		}
		derive := time.Since(clicked)
		var claimable time.Time
		campaigns.SetRunChunks(store, 0, func(campaigns.Run) {
			if claimable.IsZero() {
				claimable = time.Now()
			}
		})
		began := time.Now()
		run, err := store.RunSlot(ctx, c.ID, clock, campaigns.TriggerManual) // the rest of RunNow
		queued := time.Since(began)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if run.Enqueued != 100000 {
			b.Fatalf("enqueued %d", run.Enqueued)
		}
		var first time.Time
		select {
		case first = <-sent:
		case <-time.After(time.Minute):
			b.Fatal("no message reached the fake within a minute")
		}
		stop()
		<-stopped
		b.ReportMetric(derive.Seconds(), "s-derive")
		b.ReportMetric(claimable.Sub(began).Seconds(), "s-run-to-claimable")
		b.ReportMetric(first.Sub(began).Seconds(), "s-run-to-first-sent")
		b.ReportMetric(queued.Seconds(), "s-run-to-all-queued")
		b.ReportMetric(first.Sub(clicked).Seconds(), "s-click-to-first-sent")
		b.Logf("run %d: deriving leads %.3f s; from the run's start: first claimable %.3f s, first at the fake %.3f s, all queued %.2f s; load average %s",
			i+1, derive.Seconds(), claimable.Sub(began).Seconds(), first.Sub(began).Seconds(), queued.Seconds(), loadAverage())
		if _, err := pool.Exec(ctx, `DELETE FROM outbox; DELETE FROM invitations; UPDATE leads SET status = 'new' WHERE status <> 'new'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
