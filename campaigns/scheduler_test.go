package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns"
)

func TestSchedulerRunsTheDueSlotOnceAndOnlyTheLatestAfterDowntime(t *testing.T) {
	b := newBank(t)
	client, _ := b.missedCall(clientSpec{company: "ООО Ромашка"})
	b.derive()
	b.chat(client, 1, "active")
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.Schedule = "CRON_TZ=Europe/Moscow 0 * * * *" })
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive); err != nil {
		t.Fatal(err)
	}
	sched := &campaigns.Scheduler{Store: b.store, Log: zerolog.Nop()}
	if runs, _ := sched.Tick(b.ctx); len(runs) != 0 {
		t.Fatalf("ran %d times right at activation", len(runs))
	}
	// Three hours pass with Dozvon stopped: one run, for the latest hour.
	b.now = b.now.Add(3*time.Hour + 5*time.Minute)
	runs, err := sched.Tick(b.ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	if want := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC); !runs[0].Slot.Equal(want) {
		t.Fatalf("slot %s, want %s", runs[0].Slot.UTC(), want)
	}
	if runs[0].Enqueued != 1 {
		t.Fatalf("run %+v", runs[0])
	}
	// A second instance's tick in the same minute finds the slot taken.
	other := &campaigns.Scheduler{Store: b.store, Log: zerolog.Nop()}
	if runs, _ := other.Tick(b.ctx); len(runs) != 0 {
		t.Fatalf("the slot ran twice")
	}
	// A paused campaign does not run.
	_ = b.store.SetStatus(b.ctx, c.ID, campaigns.StatusPaused)
	b.now = b.now.Add(time.Hour)
	if runs, _ := sched.Tick(b.ctx); len(runs) != 0 {
		t.Fatal("a paused campaign ran")
	}
}

// BenchmarkSchedulerTick1000Campaigns measures a tick that looks at 1,000 active scheduled campaigns, none due:
// the cost every instance pays every interval.
func BenchmarkSchedulerTick1000Campaigns(b *testing.B) {
	t := &testing.T{}
	bk := &bank{t: t, ctx: context.Background(), now: monday}
	bk.pool = newBenchPool(b)
	bk.store = campaigns.NewStore(bk.pool)
	bk.store.Now = func() time.Time { return bk.now }
	for i := range 1000 {
		c, err := bk.store.Create(bk.ctx, campaigns.Campaign{Name: fmt.Sprint("Кампания ", i), LeadKind: campaigns.MissedCall,
			Schedule: fmt.Sprintf("CRON_TZ=Europe/Moscow %d 10 * * 1-5", i%60), Template: campaigns.Template{Body: "Здравствуйте!"}})
		if err != nil {
			b.Fatal(err)
		}
		if err := bk.store.SetStatus(bk.ctx, c.ID, campaigns.StatusActive); err != nil {
			b.Fatal(err)
		}
	}
	sched := &campaigns.Scheduler{Store: bk.store, Log: zerolog.Nop()}
	b.ResetTimer()
	for range b.N {
		if runs, err := sched.Tick(bk.ctx); err != nil || len(runs) != 0 {
			b.Fatalf("%v %v", runs, err)
		}
	}
}
