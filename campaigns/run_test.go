package campaigns_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/internal/msg"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// streamingBank is a bank whose missed-call campaign has an audience of nine: seven clients with a chat, one
// without (invited) and one who opted out (excluded). Runs write it two leads at a time.
func streamingBank(t *testing.T) (*bank, campaigns.Campaign, []int64) {
	b := newBank(t)
	var chats []int64
	for i := range 9 {
		client, _ := b.missedCall(clientSpec{company: fmt.Sprint("Компания ", i+1), phone: fmt.Sprintf("+7916000000%d", i+1)})
		b.derive()
		switch i {
		case 3: // no chat yet: invited
		case 6:
			b.chat(client, 1000+int64(i), "active")
			b.exec(`INSERT INTO opt_outs (bot_id, chat_id, source) VALUES ((SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, 'button')`, 1000+int64(i))
		default:
			b.chat(client, 1000+int64(i), "active")
			chats = append(chats, 1000+int64(i))
		}
	}
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.QuietFrom, c.QuietTo = "00:00", "00:00" })
	return b, c, chats
}

// runFigures is what a campaign's figures say of its runs: the runs' audience split as they counted it, and the
// campaign's messages by state.
type runFigures struct {
	Audience, Enqueued, Invited, Excluded int
	Queued, Sent, Failed, Cancelled       int
}

func (b *bank) figures(c campaigns.Campaign) runFigures {
	b.t.Helper()
	runs, err := b.store.Runs(b.ctx, c.ID, 10)
	if err != nil {
		b.t.Fatal(err)
	}
	var f runFigures
	for _, r := range runs {
		f.Audience += r.Audience
		f.Enqueued += r.Enqueued
		f.Invited += r.Invited
		f.Excluded += r.Excluded
	}
	p, err := b.store.ProgressOf(b.ctx, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	f.Queued, f.Sent, f.Failed, f.Cancelled = p.Queued, p.Sent, p.Failed, p.Cancelled
	return f
}

// messagesPerLead is how many messages the outbox holds for each lead of the campaign.
func (b *bank) messagesPerLead(c campaigns.Campaign) map[int64]int {
	b.t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT lead_id, count(*) FROM outbox WHERE campaign_id = $1 GROUP BY lead_id`, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[int64]int{}
	for rows.Next() {
		var lead int64
		var n int
		if err := rows.Scan(&lead, &n); err != nil {
			b.t.Fatal(err)
		}
		out[lead] = n
	}
	return out
}

func TestRunSendsItsFirstChunkWhileTheRestIsWritten(t *testing.T) {
	b, c, chats := streamingBank(t)
	fake := tgfake.New(tgfake.Options{})
	for _, chat := range chats {
		if _, err := fake.RestoreChat(tgfake.User{ID: chat, FirstName: "Ирина"}, false); err != nil {
			t.Fatal(err)
		}
	}
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)
	ctx, stop := context.WithCancel(b.ctx)
	tg, err := telegram.NewService(ctx, telegram.ServiceConfig{Token: tgfake.DefaultToken, APIURL: api.URL,
		Pool: b.pool, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = tg.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })

	// The run waits after its first chunk until the fake has both of its messages: they can only have been sent
	// before the second chunk was written. The bound is how long to wait for something that must happen, not a
	// speed to meet.
	var seen []campaigns.Run
	campaigns.SetRunChunks(b.store, 2, func(r campaigns.Run) {
		seen = append(seen, r)
		if len(seen) > 1 {
			return
		}
		wait, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		for _, chat := range chats[:2] {
			if _, err := fake.WaitSent(wait, chat, 1); err != nil {
				t.Errorf("chat %d got nothing while the run waited after its first chunk: %v", chat, err)
			}
		}
		if n := len(fake.BotMessages()); n != 2 {
			t.Errorf("%d messages sent after the first chunk, want its 2", n)
		}
	})
	run := b.run(c)
	if len(seen) != 5 || seen[0].Audience != 2 || seen[0].Enqueued != 2 || seen[0].Status != "running" {
		t.Fatalf("chunks %+v", seen)
	}
	if run.Status != "done" || run.Audience != 9 || run.Enqueued != 7 || run.Invited != 1 || run.Excluded != 1 {
		t.Fatalf("run %+v", run)
	}
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, chat := range chats {
		if msgs, err := fake.WaitSent(wait, chat, 1); err != nil || len(msgs) != 1 {
			t.Fatalf("chat %d: %d messages (%v)", chat, len(msgs), err)
		}
	}
	if err := fake.WaitUntil(wait, func() bool { return b.figures(c).Sent == 7 }); err != nil {
		t.Fatalf("figures %+v", b.figures(c))
	}
	if f := b.figures(c); f != (runFigures{Audience: 9, Enqueued: 7, Invited: 1, Excluded: 1, Sent: 7}) {
		t.Fatalf("figures %+v", f)
	}
}

func TestARunInterruptedBetweenChunksIsFinishedByAnotherInstance(t *testing.T) {
	b, c, _ := streamingBank(t)
	ctx, crash := context.WithCancel(b.ctx)
	chunks := 0
	campaigns.SetRunChunks(b.store, 2, func(campaigns.Run) {
		if chunks++; chunks == 2 {
			crash() // the instance dies after its second chunk
		}
	})
	if _, err := b.store.RunNow(ctx, c.ID); err == nil {
		t.Fatal("the interrupted run says it finished")
	}
	runs, _ := b.store.Runs(b.ctx, c.ID, 10)
	if len(runs) != 1 || runs[0].Status != "running" || runs[0].Audience != 4 || runs[0].Enqueued != 3 || runs[0].Invited != 1 {
		t.Fatalf("after the crash: %+v", runs)
	}
	// Another instance's scheduler finds the run unfinished and writes the rest.
	other := campaigns.NewStore(b.pool)
	other.Now = b.store.Now
	campaigns.SetRunChunks(other, 2, nil)
	sched := &campaigns.Scheduler{Store: other, Log: zerolog.Nop()}
	if _, err := sched.Tick(b.ctx); err != nil {
		t.Fatal(err)
	}
	runs, _ = b.store.Runs(b.ctx, c.ID, 10)
	if len(runs) != 1 || runs[0].Status != "done" {
		t.Fatalf("after the resume: %+v", runs)
	}
	perLead := b.messagesPerLead(c)
	if len(perLead) != 7 {
		t.Fatalf("%d leads written to, want 7", len(perLead))
	}
	for lead, n := range perLead {
		if n != 1 {
			t.Fatalf("lead %d got %d messages", lead, n)
		}
	}
	if f := b.figures(c); f != (runFigures{Audience: 9, Enqueued: 7, Invited: 1, Excluded: 1, Queued: 7}) {
		t.Fatalf("figures %+v", f)
	}
	// Nothing is left to resume.
	if again, err := other.ResumeRuns(b.ctx); err != nil || len(again) != 0 {
		t.Fatalf("resumed again: %+v, %v", again, err)
	}
}

func TestARunBeingWrittenIsNotResumedByAnotherInstance(t *testing.T) {
	b, c, _ := streamingBank(t)
	other := campaigns.NewStore(b.pool)
	other.Now = b.store.Now
	var resumed []campaigns.Run
	campaigns.SetRunChunks(b.store, 2, func(r campaigns.Run) {
		if r.Audience == 2 { // between the first chunk and the second, another instance looks for unfinished runs
			var err error
			if resumed, err = other.ResumeRuns(b.ctx); err != nil {
				t.Error(err)
			}
		}
	})
	run := b.run(c)
	if len(resumed) != 0 || run.Audience != 9 || run.Enqueued != 7 {
		t.Fatalf("resumed %+v while it was written; run %+v", resumed, run)
	}
	if f := b.figures(c); f != (runFigures{Audience: 9, Enqueued: 7, Invited: 1, Excluded: 1, Queued: 7}) {
		t.Fatalf("figures %+v", f)
	}
}

func TestPausingMidRunHoldsTheRestAndResumingReleasesIt(t *testing.T) {
	b, c, _ := streamingBank(t)
	_ = b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive)
	campaigns.SetRunChunks(b.store, 2, func(r campaigns.Run) {
		if r.Audience == 2 {
			if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusPaused); err != nil {
				t.Error(err)
			}
		}
	})
	run := b.run(c)
	if run.Status != "done" || run.Enqueued != 7 {
		t.Fatalf("run %+v", run)
	}
	states := func() map[string]int {
		out := map[string]int{}
		rows, _ := b.pool.Query(b.ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
		for rows.Next() {
			var s string
			var n int
			_ = rows.Scan(&s, &n)
			out[s] = n
		}
		return out
	}
	if s := states(); len(s) != 1 || s["held"] != 7 {
		t.Fatalf("paused mid-run: %v, want all 7 held", s)
	}
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive); err != nil {
		t.Fatal(err)
	}
	if s := states(); len(s) != 1 || s["queued"] != 7 {
		t.Fatalf("resumed: %v, want all 7 queued", s)
	}
}

func TestCancellingMidRunStopsItAndTheFiguresAddUp(t *testing.T) {
	b, c, _ := streamingBank(t)
	campaigns.SetRunChunks(b.store, 2, func(r campaigns.Run) {
		if r.Audience == 4 {
			if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusCancelled); err != nil {
				t.Error(err)
			}
		}
	})
	run := b.run(c)
	if run.Status != "cancelled" || run.Audience != 4 || run.Enqueued != 3 || run.Invited != 1 || run.FinishedAt == nil {
		t.Fatalf("run %+v", run)
	}
	if f := b.figures(c); f != (runFigures{Audience: 4, Enqueued: 3, Invited: 1, Cancelled: 3}) {
		t.Fatalf("figures %+v", f)
	}
	// A cancelled run is finished: nothing resumes it.
	if again, err := b.store.ResumeRuns(b.ctx); err != nil || len(again) != 0 {
		t.Fatalf("resumed: %+v, %v", again, err)
	}
	var outbox int
	_ = b.pool.QueryRow(b.ctx, `SELECT count(*) FROM outbox`).Scan(&outbox)
	if outbox != 3 {
		t.Fatalf("%d messages, want the 3 of the chunks before the cancel", outbox)
	}
}

// The first chunk of a run is small, so that the first messages are claimable soon after the click however large
// the audience; the later chunks are larger, so that their commits are a small part of the run. 2,300 leads with a
// chat: 200, then 2,000, then the last 100.
func TestRunCommitsASmallFirstChunkThenLargerOnes(t *testing.T) {
	b := newBank(t)
	b.exec(`INSERT INTO clients (external_id, company_name, phone) SELECT 'c' || i, 'Компания ' || i, '+7916' || lpad(i::text, 7, '0')
		FROM generate_series(1, 2300) i`)
	b.exec(`INSERT INTO applications (external_id, client_id, product, status, submitted_at)
		SELECT 'a' || id, id, 'rko', 'new', $1::timestamptz - interval '2 days' FROM clients`, b.now)
	b.exec(`INSERT INTO leads (client_id, application_id, kind, eligible_at)
		SELECT client_id, id, 'missed_call', $1::timestamptz - interval '1 day' FROM applications`, b.now)
	b.exec(`INSERT INTO contacts (channel, bot_id, chat_id, status, linked_via)
		SELECT 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), 5000 + id, 'active', 'deep_link' FROM clients`)
	b.exec(`INSERT INTO contact_leads (contact_id, lead_id, via)
		SELECT ct.id, l.id, 'deep_link' FROM contacts ct JOIN leads l ON l.client_id = ct.chat_id - 5000`)
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.QuietFrom, c.QuietTo = "00:00", "00:00" })
	var queued []int
	campaigns.SetRunChunks(b.store, 0, func(r campaigns.Run) { queued = append(queued, r.Enqueued) })
	run := b.run(c)
	if fmt.Sprint(queued) != "[200 2200 2300]" || run.Enqueued != 2300 || run.Status != "done" {
		t.Fatalf("queued after each chunk %v; run %+v", queued, run)
	}
}

// A run whose campaign's saved text no longer compiles (saved by a version that allowed it) fails, and records
// why as a message, so that the campaign's page says it in the manager's language.
func TestARunWhoseTextNoLongerCompilesRecordsWhyAsAMessage(t *testing.T) {
	b, c, _ := streamingBank(t)
	ctx, crash := context.WithCancel(b.ctx)
	campaigns.SetRunChunks(b.store, 2, func(campaigns.Run) { crash() })
	if _, err := b.store.RunNow(ctx, c.ID); err == nil {
		t.Fatal("the interrupted run says it finished")
	}
	if _, err := b.pool.Exec(b.ctx, `UPDATE message_templates SET body = 'Здравствуйте, {{.Company'
		WHERE id = (SELECT template_id FROM campaigns WHERE id = $1)`, c.ID); err != nil {
		t.Fatal(err)
	}
	other := campaigns.NewStore(b.pool)
	other.Now = b.store.Now
	if _, err := other.ResumeRuns(b.ctx); err == nil {
		t.Fatal("the run with a text that does not compile was resumed without an error")
	}
	runs, _ := b.store.Runs(b.ctx, c.ID, 10)
	if len(runs) != 1 || runs[0].Status != "failed" {
		t.Fatalf("runs %+v; want the one failed", runs)
	}
	m, ok := msg.Recorded(runs[0].Error)
	if !ok || !strings.HasPrefix(m.Code, "campaigns.template") {
		t.Fatalf("the run's error %q is not a recorded message of the template", runs[0].Error)
	}
}
