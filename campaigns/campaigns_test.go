package campaigns_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
	"dozvon/internal/msg"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// bank is a fresh database with a clock, and helpers that build the bank's data the way imports would.
type bank struct {
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	store *campaigns.Store
	now   time.Time
	seq   int
}

// Monday 23 November 2026, 16:00 UTC: 19:00 in Moscow, 02:00 the next day in Vladivostok.
var monday = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

func newBank(t *testing.T) *bank {
	b := &bank{t: t, ctx: context.Background(), pool: pgtest.NewDB(t), now: monday}
	b.store = campaigns.NewStore(b.pool)
	b.store.Now = func() time.Time { return b.now }
	return b
}

func (b *bank) exec(sql string, args ...any) {
	b.t.Helper()
	if _, err := b.pool.Exec(b.ctx, sql, args...); err != nil {
		b.t.Fatalf("%s: %v", sql, err)
	}
}

type clientSpec struct {
	company, phone, okved, region, tz string
}

func (b *bank) client(c clientSpec) int64 {
	b.t.Helper()
	b.seq++
	if c.tz == "" {
		c.tz = "Europe/Moscow"
	}
	if c.okved == "" {
		c.okved = "62.01"
	}
	var phone any
	if c.phone != "" {
		phone = c.phone
	}
	var id int64
	err := b.pool.QueryRow(b.ctx, `
		INSERT INTO clients (external_id, company_name, contact_name, phone, okved, region, timezone)
		VALUES ($1, $2, 'Ирина', $3, $4, $5, $6) RETURNING id`,
		fmt.Sprint("c", b.seq), c.company, phone, c.okved, c.region, c.tz).Scan(&id)
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

func (b *bank) application(client int64, product, status string, submittedAgo time.Duration) int64 {
	b.t.Helper()
	b.seq++
	var id int64
	err := b.pool.QueryRow(b.ctx, `
		INSERT INTO applications (external_id, client_id, product, status, submitted_at, field_manager)
		VALUES ($1, $2, $3, $4, $5, 'Алексей') RETURNING id`,
		fmt.Sprint("a", b.seq), client, product, status, b.now.Add(-submittedAgo)).Scan(&id)
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

func (b *bank) event(app int64, kind, result string, ago time.Duration) {
	b.exec(`INSERT INTO application_events (application_id, kind, result, occurred_at) VALUES ($1, $2, $3, $4)`,
		app, kind, result, b.now.Add(-ago))
}

// missedCall makes a client whose new application was called twice without an answer.
func (b *bank) missedCall(c clientSpec) (client, app int64) {
	client = b.client(c)
	app = b.application(client, "rko", "new", 48*time.Hour)
	b.event(app, "call_attempt", "no_answer", 30*time.Hour)
	b.event(app, "call_attempt", "busy", 20*time.Hour)
	return client, app
}

// chat links a Telegram chat to the client's leads, as the messenger does after /start.
func (b *bank) chat(client int64, chatID int64, status string) {
	b.exec(`INSERT INTO contacts (channel, bot_id, chat_id, status, linked_via)
		VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, $2, 'deep_link')`, chatID, status)
	b.exec(`INSERT INTO contact_leads (contact_id, lead_id, via)
		SELECT ct.id, l.id, 'deep_link' FROM contacts ct, leads l WHERE ct.chat_id = $1 AND l.client_id = $2`, chatID, client)
}

func (b *bank) derive() campaigns.Derived {
	b.t.Helper()
	d, err := b.store.DeriveLeads(b.ctx, b.now)
	if err != nil {
		b.t.Fatal(err)
	}
	return d
}

func (b *bank) campaign(kind string, mod ...func(*campaigns.Campaign)) campaigns.Campaign {
	b.t.Helper()
	c := campaigns.Campaign{Name: "Недозвоны ноябрь", LeadKind: kind, FrequencyCap: 7 * 24 * time.Hour,
		Template: campaigns.Template{Body: "Здравствуйте, {{.ClientName}}! Мы не дозвонились до <b>{{.Company}}</b>.",
			Buttons: []campaigns.Button{{Text: "Ответить", Action: campaigns.ActionRoute}, {Text: "Отписаться", Action: campaigns.ActionOptOut}}}}
	for _, m := range mod {
		m(&c)
	}
	created, err := b.store.Create(b.ctx, c)
	if err != nil {
		b.t.Fatal(err)
	}
	return created
}

func (b *bank) run(c campaigns.Campaign) campaigns.Run {
	b.t.Helper()
	r, err := b.store.RunNow(b.ctx, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	b.now = b.now.Add(time.Second) // the next manual run is another slot
	return r
}

func (b *bank) queuedTo() map[int64]string {
	rows, err := b.pool.Query(b.ctx, `SELECT chat_id, text FROM outbox ORDER BY id`)
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[int64]string{}
	for rows.Next() {
		var chat int64
		var text string
		_ = rows.Scan(&chat, &text)
		out[chat] = text
	}
	return out
}

func TestMissedCallLeadsNeedUnansweredAttemptsAndNoAnsweredCall(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: "ООО Ромашка"})
	once := b.client(clientSpec{company: "ООО Один звонок"})
	b.event(b.application(once, "rko", "new", time.Hour), "call_attempt", "no_answer", time.Hour)
	answered, app := b.missedCall(clientSpec{company: "ООО Дозвонились"})
	_ = answered
	b.event(app, "call_answered", "", time.Hour)
	stale := b.client(clientSpec{company: "ООО Старая заявка"})
	old := b.application(stale, "rko", "new", 30*24*time.Hour)
	b.event(old, "call_attempt", "no_answer", 29*24*time.Hour)
	b.event(old, "call_attempt", "no_answer", 28*24*time.Hour)

	d := b.derive()
	if d.New[campaigns.MissedCall] != 1 {
		t.Fatalf("new missed-call leads = %d, want 1 (two attempts, no answer, fresh)", d.New[campaigns.MissedCall])
	}
	if again := b.derive(); again.New[campaigns.MissedCall] != 0 {
		t.Fatalf("deriving again made %d more leads", again.New[campaigns.MissedCall])
	}
}

func TestFollowUpWhenTheMeetingWasBookedDaysAgoAndNoAccountOpened(t *testing.T) {
	b := newBank(t)
	waiting := b.client(clientSpec{company: "ИП Иванов"})
	app := b.application(waiting, "rko", "meeting_booked", 20*24*time.Hour)
	b.event(app, "meeting_booked", "", 10*24*time.Hour)
	recent := b.client(clientSpec{company: "ИП Недавно"})
	b.event(b.application(recent, "rko", "meeting_booked", 5*24*time.Hour), "meeting_booked", "", 3*24*time.Hour)
	opened := b.client(clientSpec{company: "ИП Открыл"})
	oapp := b.application(opened, "rko", "meeting_booked", 20*24*time.Hour)
	b.event(oapp, "meeting_booked", "", 10*24*time.Hour)
	b.event(oapp, "account_opened", "", 2*24*time.Hour)
	// Booked ten days ago and booked again two days ago: the latest booking counts, too recent.
	rebooked := b.client(clientSpec{company: "ИП Перенёс"})
	rapp := b.application(rebooked, "rko", "meeting_booked", 20*24*time.Hour)
	b.event(rapp, "meeting_booked", "", 10*24*time.Hour)
	b.event(rapp, "meeting_booked", "", 2*24*time.Hour)
	// Booked 90 days ago: older than the longest wait (60 days).
	stale := b.client(clientSpec{company: "ИП Забыл"})
	b.event(b.application(stale, "rko", "meeting_booked", 100*24*time.Hour), "meeting_booked", "", 90*24*time.Hour)

	if d := b.derive(); d.New[campaigns.FollowUp] != 1 {
		t.Fatalf("follow-ups = %d, want 1", d.New[campaigns.FollowUp])
	}
	var eligible time.Time
	_ = b.pool.QueryRow(b.ctx, `SELECT eligible_at FROM leads WHERE kind = 'follow_up'`).Scan(&eligible)
	if want := b.now.Add(-3 * 24 * time.Hour); !eligible.Equal(want) {
		t.Fatalf("eligible at %s, want 7 days after the meeting was booked (%s)", eligible, want)
	}
}

func TestAcquiringCrossSellInAllowedIndustriesWithoutAcquiring(t *testing.T) {
	b := newBank(t)
	shop := b.client(clientSpec{company: "ООО Интернет-магазин", okved: "47.91"})
	b.event(b.application(shop, "rko", "account_opened", 20*24*time.Hour), "account_opened", "", 10*24*time.Hour)
	it := b.client(clientSpec{company: "ООО Софт", okved: "62.01"})
	b.event(b.application(it, "rko", "account_opened", 20*24*time.Hour), "account_opened", "", 10*24*time.Hour)
	cafe := b.client(clientSpec{company: "ООО Кафе", okved: "56.10"})
	b.event(b.application(cafe, "rko", "account_opened", 20*24*time.Hour), "account_opened", "", 10*24*time.Hour)
	b.event(b.application(cafe, "acquiring", "in_progress", 5*24*time.Hour), "acquiring_connected", "", 24*time.Hour)
	longAgo := b.client(clientSpec{company: "ООО Давно", okved: "47.11"})
	b.event(b.application(longAgo, "rko", "account_opened", 90*24*time.Hour), "account_opened", "", 60*24*time.Hour)

	if d := b.derive(); d.New[campaigns.Acquiring] != 1 {
		t.Fatalf("acquiring leads = %d, want 1 (the shop)", d.New[campaigns.Acquiring])
	}
	var company string
	_ = b.pool.QueryRow(b.ctx, `SELECT c.company_name FROM leads l JOIN clients c ON c.id = l.client_id WHERE l.kind = 'acquiring'`).Scan(&company)
	if company != "ООО Интернет-магазин" {
		t.Fatalf("lead for %q", company)
	}
}

func TestAConfirmedAccountConvertsTheLeadAndRecordsTheOutcome(t *testing.T) {
	b := newBank(t)
	_, app := b.missedCall(clientSpec{company: "ООО Ромашка"})
	b.derive()
	b.event(app, "account_opened", "", 0)
	if d := b.derive(); d.Converted != 1 {
		t.Fatalf("converted = %d", d.Converted)
	}
	var status, outcome string
	_ = b.pool.QueryRow(b.ctx, `SELECT l.status, o.kind FROM leads l JOIN outcomes o ON o.lead_id = l.id`).Scan(&status, &outcome)
	if status != "converted" || outcome != "account_opened" {
		t.Fatalf("lead %s, outcome %s", status, outcome)
	}
	if d := b.derive(); d.Converted != 0 {
		t.Fatal("converted twice")
	}
}

func TestConnectedAcquiringConvertsTheCrossSellLead(t *testing.T) {
	b := newBank(t)
	shop := b.client(clientSpec{company: "ООО Интернет-магазин", okved: "47.91"})
	b.event(b.application(shop, "rko", "account_opened", 20*24*time.Hour), "account_opened", "", 10*24*time.Hour)
	other := b.client(clientSpec{company: "ООО Магазин у дома", okved: "47.11"})
	b.event(b.application(other, "rko", "account_opened", 20*24*time.Hour), "account_opened", "", 10*24*time.Hour)
	if d := b.derive(); d.New[campaigns.Acquiring] != 2 {
		t.Fatalf("acquiring leads = %d, want 2", d.New[campaigns.Acquiring])
	}
	b.event(b.application(shop, "acquiring", "in_progress", 24*time.Hour), "acquiring_connected", "", 0)
	if d := b.derive(); d.Converted != 1 {
		t.Fatalf("converted = %d, want 1", d.Converted)
	}
	var company, outcome string
	_ = b.pool.QueryRow(b.ctx, `SELECT c.company_name, o.kind FROM leads l JOIN clients c ON c.id = l.client_id
		JOIN outcomes o ON o.lead_id = l.id WHERE l.status = 'converted'`).Scan(&company, &outcome)
	if company != "ООО Интернет-магазин" || outcome != "acquiring_connected" {
		t.Fatalf("converted %q with %q", company, outcome)
	}
}

func TestRunQueuesReachableLeadsAndInvitesTheRest(t *testing.T) {
	b := newBank(t)
	withChat, _ := b.missedCall(clientSpec{company: `ООО "Рога & <Копыта>"`})
	b.missedCall(clientSpec{company: "ООО Без чата", phone: "+79180000001"})
	b.derive()
	b.chat(withChat, 501, "active")
	c := b.campaign(campaigns.MissedCall)

	size, err := b.store.AudienceSize(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if size != (campaigns.Size{Eligible: 2, Reachable: 1, NeedsInvite: 1}) {
		t.Fatalf("audience %+v", size)
	}
	r := b.run(c)
	if r.Audience != 2 || r.Enqueued != 1 || r.Invited != 1 || r.Excluded != 0 {
		t.Fatalf("run %+v", r)
	}
	text := b.queuedTo()[501]
	want := "Здравствуйте, Ирина! Мы не дозвонились до <b>ООО &quot;Рога &amp; &lt;Копыта&gt;&quot;</b>."
	if text != want {
		t.Fatalf("text %q\nwant %q", text, want)
	}
	var markup string
	_ = b.pool.QueryRow(b.ctx, `SELECT reply_markup::text FROM outbox`).Scan(&markup)
	if !strings.Contains(markup, fmt.Sprintf(`"data": "c:%d:0"`, c.ID)) || !strings.Contains(markup, `"data": "optout"`) {
		t.Fatalf("buttons %s", markup)
	}
	// A second run finds everybody already offered.
	r2 := b.run(c)
	if r2.Enqueued != 0 || r2.Invited != 0 || r2.Excluded != 1 {
		t.Fatalf("second run %+v", r2)
	}
}

func TestExclusionsAlwaysApply(t *testing.T) {
	b := newBank(t)
	ok, _ := b.missedCall(clientSpec{company: "Можно"})
	optedOut, _ := b.missedCall(clientSpec{company: "Отписался", phone: "+79180000002"})
	blocked, _ := b.missedCall(clientSpec{company: "Заблокировал"})
	inDialog, _ := b.missedCall(clientSpec{company: "В диалоге"})
	b.derive()
	b.chat(ok, 1, "active")
	b.chat(optedOut, 2, "active")
	b.exec(`INSERT INTO opt_outs (phone, source) VALUES ('+79180000002', 'import')`)
	b.chat(blocked, 3, "blocked")
	b.chat(inDialog, 4, "active")
	b.exec(`INSERT INTO conversations (contact_id, channel, status) SELECT id, channel, 'assigned' FROM contacts WHERE chat_id = 4`)

	c := b.campaign(campaigns.MissedCall)
	size, err := b.store.AudienceSize(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if size.Reachable != 1 || size.OptedOut != 1 || size.Blocked != 1 || size.InDialog != 1 {
		t.Fatalf("audience %+v", size)
	}
	b.run(c)
	if q := b.queuedTo(); len(q) != 1 || q[1] == "" {
		t.Fatalf("queued to %v, want only chat 1", q)
	}
}

func TestFrequencyCapHoldsAcrossCampaigns(t *testing.T) {
	b := newBank(t)
	client, app := b.missedCall(clientSpec{company: "ООО Ромашка"})
	b.event(app, "meeting_booked", "", 10*24*time.Hour)
	b.derive()
	b.chat(client, 7, "active")
	first := b.campaign(campaigns.MissedCall)
	if r := b.run(first); r.Enqueued != 1 {
		t.Fatalf("first campaign %+v", r)
	}
	second := b.campaign(campaigns.FollowUp, func(c *campaigns.Campaign) { c.Name = "Фоллоу-ап" })
	if r := b.run(second); r.Enqueued != 0 || r.Excluded != 1 {
		t.Fatalf("second campaign within the cap %+v", r)
	}
	b.now = b.now.Add(8 * 24 * time.Hour)
	// The first message was written 8 days before the new now (by the test's clock, not the machine's).
	b.exec(`UPDATE outbox SET created_at = $1`, b.now.Add(-8*24*time.Hour))
	b.exec(`UPDATE leads SET eligible_at = eligible_at - interval '8 days'`)
	if r := b.run(second); r.Enqueued != 1 {
		t.Fatalf("second campaign after the cap %+v", r)
	}
}

func TestQuietHoursDeferVladivostokClientToMorning(t *testing.T) {
	b := newBank(t)
	vlad, _ := b.missedCall(clientSpec{company: "ООО Владивосток", tz: "Asia/Vladivostok"})
	msk, _ := b.missedCall(clientSpec{company: "ООО Москва", tz: "Europe/Moscow"})
	b.derive()
	b.chat(vlad, 10, "active")
	b.chat(msk, 11, "active")
	b.run(b.campaign(campaigns.MissedCall))

	due := map[int64]time.Time{}
	rows, _ := b.pool.Query(b.ctx, `SELECT chat_id, not_before FROM outbox`)
	for rows.Next() {
		var chat int64
		var t time.Time
		_ = rows.Scan(&chat, &t)
		due[chat] = t
	}
	// 16:00 UTC is 02:00 in Vladivostok (UTC+10): wait for 09:00 there, 23:00 UTC.
	if want := time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC); !due[10].Equal(want) {
		t.Errorf("Vladivostok client due %s, want %s", due[10].UTC(), want)
	}
	// 19:00 in Moscow is before the 21:00 quiet hours: now.
	if !due[11].Equal(monday) {
		t.Errorf("Moscow client due %s, want now (%s)", due[11].UTC(), monday)
	}
}

func TestOverlappingRunsSendNothingTwice(t *testing.T) {
	b := newBank(t)
	for i := range 40 {
		client, _ := b.missedCall(clientSpec{company: fmt.Sprint("Компания ", i)})
		b.derive()
		b.chat(client, int64(100+i), "active")
	}
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.FrequencyCap = 0 })
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.store.RunSlot(b.ctx, c.ID, monday.Add(time.Duration(i)*time.Minute), campaigns.TriggerSchedule); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var rows, leads int
	_ = b.pool.QueryRow(b.ctx, `SELECT count(*), count(DISTINCT lead_id) FROM outbox`).Scan(&rows, &leads)
	if rows != 40 || leads != 40 {
		t.Fatalf("%d messages to %d leads, want 40 to 40", rows, leads)
	}
}

func TestTwoInstancesRunASlotOnce(t *testing.T) {
	b := newBank(t)
	client, _ := b.missedCall(clientSpec{company: "ООО Ромашка"})
	b.derive()
	b.chat(client, 1, "active")
	c := b.campaign(campaigns.MissedCall)
	_ = b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive)
	other := campaigns.NewStore(b.pool) // a second Dozvon instance on the same database
	other.Now = b.store.Now
	slot := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*campaigns.Store{b.store, other} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = s.RunSlot(b.ctx, c.ID, slot, campaigns.TriggerSchedule) }()
	}
	wg.Wait()
	taken := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, campaigns.ErrSlotTaken):
			taken++
		case err != nil:
			t.Fatal(err)
		}
	}
	var runs int
	_ = b.pool.QueryRow(b.ctx, `SELECT count(*) FROM campaign_runs`).Scan(&runs)
	if taken != 1 || runs != 1 {
		t.Fatalf("%d runs, %d refused; want 1 and 1", runs, taken)
	}
}

func TestPauseHoldsQueuedMessagesAndCancelDropsThem(t *testing.T) {
	b := newBank(t)
	client, _ := b.missedCall(clientSpec{company: "ООО Ромашка"})
	b.derive()
	b.chat(client, 1, "active")
	c := b.campaign(campaigns.MissedCall)
	_ = b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive)
	b.run(c)
	state := func() string {
		var s string
		_ = b.pool.QueryRow(b.ctx, `SELECT state FROM outbox`).Scan(&s)
		return s
	}
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusPaused); err != nil || state() != "held" {
		t.Fatalf("pause: %v, state %s", err, state())
	}
	if _, err := b.store.RunNow(b.ctx, c.ID); err == nil {
		t.Fatal("a paused campaign ran")
	}
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive); err != nil || state() != "queued" {
		t.Fatalf("resume: %v, state %s", err, state())
	}
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusCancelled); err != nil || state() != "cancelled" {
		t.Fatalf("cancel: %v, state %s", err, state())
	}
	if err := b.store.SetStatus(b.ctx, c.ID, campaigns.StatusActive); err == nil {
		t.Fatal("a cancelled campaign was resumed")
	}
}

func TestTemplateMistakesAreExplained(t *testing.T) {
	for body, want := range map[string]string{
		"":                          "the message text is empty",
		"Здравствуйте, {{.Name}}":   "unknown variable .Name; use one of {{.ClientName}}",
		"Здравствуйте, {{.Company":  "the template does not parse",
		"<b>Жирный":                 "the tag <b> is not closed",
		"<script>alert(1)</script>": "Telegram does not support the tag <script>",
		"{{if .Company}}да{{end}}":  "only variables like {{.Company}} are allowed",
		"Текст </i>":                "the tag </i> closes nothing that is open",
	} {
		_, err := campaigns.Compile(campaigns.Template{Body: body})
		var in *campaigns.InputError
		if !errors.As(err, &in) || !strings.Contains(msg.English(in), want) {
			t.Errorf("Compile(%q) = %v, want %q", body, err, want)
		}
	}
	_, err := campaigns.Compile(campaigns.Template{Body: "Ок", Buttons: []campaigns.Button{{Text: "Ответ", Action: campaigns.ActionReply}}})
	if err == nil || !strings.Contains(err.Error(), "needs the text of its auto-reply") {
		t.Errorf("auto-reply without text: %v", err)
	}
}

// A template is read as Telegram's HTML parser will read every message made from it: what Telegram would refuse,
// or show otherwise than written, is explained with its line and character in the text as typed.
func TestTemplateIsCheckedAsTelegramReadsHTML(t *testing.T) {
	long := strings.Repeat("Рога & Копыта; ", 280) // 4200 characters, a bare '&' in every 15
	for body, want := range map[string]string{
		"Ставка {{.Company}} 5 < 7":                   `"<" starts no tag: write &lt; to show the sign (line 1, character 23)`,
		"\n\n  Здравствуйте!\n<b>{{.ClientName}}</i>": "the tag </i> does not close the open <b> (line 4, character 19)",
		"  <div>Счёт</div>":                           "Telegram does not support the tag <div> (line 1, character 3)",
		"<b> </b>\n<i>\t</i>":                         "the message has no text, only formatting",
		long:                                          "the text is 4199 characters, Telegram allows 4096",
		`<a href="https://bank.example"><code>{{.INN}}</code></a>`: "Telegram does not show the tag <code> inside <a> (line 1, character 32)",
		"Цена&nbsp;0 ₽":             "Telegram shows &nbsp; as typed: it knows only &lt; &gt; &amp; &quot; and numeric references (&#8381;) (line 1, character 5)",
		`<span>{{.Company}}</span>`: `the tag <span> needs class="tg-spoiler" (line 1, character 1)`,
	} {
		_, err := campaigns.Compile(campaigns.Template{Body: body})
		var in *campaigns.InputError
		if !errors.As(err, &in) || in.Field != "body" || msg.English(in) != want {
			t.Errorf("Compile(%.40q) = %v, want %q", body, err, want)
		}
	}
	for _, body := range []string{
		"<b>{{.Company}}</b>", // only a variable is text enough: its value is the client's
		"Ваш код: <tg-spoiler>{{.INN}}</tg-spoiler>, <span class=\"tg-spoiler\">тариф</span>",
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> Встреча <tg-time unix="1647531900" format="wDT">17 марта</tg-time>`,
		`<a href="https://bank.example/?inn={{.INN}}&amp;r=1">Счёт</a> для ООО «Рога & Копыта»`,
		"<blockquote expandable><b>{{.Manager}}</b>\n<pre><code class=\"language-text\">40702</code></pre></blockquote>",
	} {
		if _, err := campaigns.Compile(campaigns.Template{Body: body}); err != nil {
			t.Errorf("Compile(%q): %v", body, err)
		}
	}
}

func TestInvalidCronIsRejectedAndNextRunsAreShown(t *testing.T) {
	for expr, want := range map[string]string{
		"every day":                       "is not a schedule",
		"* * * * *":                       "runs must be at least 15 minutes apart",
		"CRON_TZ=Mars/Olympus 0 10 * * *": "is not a schedule",
	} {
		if _, err := campaigns.ParseSchedule(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSchedule(%q) = %v, want %q", expr, err, want)
		}
	}
	next, err := campaigns.NextRuns("CRON_TZ=Asia/Vladivostok 0 10 * * 1-5", monday, 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range next {
		got = append(got, n.UTC().Format("Mon 02 15:04"))
	}
	// 10:00 in Vladivostok is 00:00 UTC, weekdays.
	if want := "Tue 24 00:00,Wed 25 00:00,Thu 26 00:00,Fri 27 00:00,Mon 30 00:00"; strings.Join(got, ",") != want {
		t.Fatalf("next runs %v, want %s", got, want)
	}
}

func newBenchPool(b *testing.B) *pgxpool.Pool { return pgtest.NewDB(b) }

// A client who said "stop" in their MAX chat is not written to in their Telegram chat: an opt-out holds on every
// messenger, even with no phone to match it by.
func TestAClientWhoOptedOutOnMAXIsNotWrittenToOnTelegram(t *testing.T) {
	b := newBank(t)
	stopped, _ := b.missedCall(clientSpec{company: "Отписался в MAX"})
	other, _ := b.missedCall(clientSpec{company: "Пишет в Telegram"})
	b.derive()
	b.chat(stopped, 1, "active")
	b.chat(other, 2, "active")
	bot, err := messenger.NewBots(b.pool).Register(b.ctx, messenger.MAX, "9", "dozvon_max_bot")
	if err != nil {
		t.Fatal(err)
	}
	inMAX := messenger.Chat{Address: messenger.Address{Channel: messenger.MAX, BotID: bot.ID, ChatID: 1}}
	contacts := messenger.NewContacts(b.pool)
	contactID, err := contacts.Seen(b.ctx, inMAX)
	if err != nil {
		t.Fatal(err)
	}
	b.exec(`INSERT INTO contact_leads (contact_id, lead_id, via) SELECT $1, id, 'deep_link' FROM leads WHERE client_id = $2`,
		contactID, stopped)
	if err := contacts.OptOut(b.ctx, inMAX, "button"); err != nil {
		t.Fatal(err)
	}

	c := b.campaign(campaigns.MissedCall)
	size, err := b.store.AudienceSize(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if size.Reachable != 1 || size.OptedOut != 1 {
		t.Fatalf("audience %+v, want one reachable and one opted out", size)
	}
	b.run(c)
	if q := b.queuedTo(); len(q) != 1 || q[2] == "" {
		t.Fatalf("queued to %v, want only chat 2", q)
	}
}
