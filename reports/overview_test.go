package reports_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/pg/pgtest"
	"dozvon/reports"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// team is a day of the contact centre written straight into the tables the dialog and campaign packages own.
type team struct {
	t    *testing.T
	ctx  context.Context
	pool *pgxpool.Pool
	day  time.Time // "today" began at: a fixed day, every row below dated from it, none by the database's clock
}

func newTeam(t *testing.T) *team {
	return &team{t: t, ctx: context.Background(), pool: pgtest.NewDB(t), day: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
}

func (tm *team) id(sql string, args ...any) int64 {
	tm.t.Helper()
	var id int64
	if err := tm.pool.QueryRow(tm.ctx, sql, args...).Scan(&id); err != nil {
		tm.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (tm *team) operator(login, status string) int64 {
	id := tm.id(`INSERT INTO users (login, role, password_hash) VALUES ($1, 'operator', 'x') RETURNING id`, login)
	tm.id(`INSERT INTO operator_states (user_id, status) VALUES ($1, $2) RETURNING user_id`, id, status)
	return id
}

// conversation opens a chat's conversation, assigned to operator (or waiting when operator is 0).
func (tm *team) conversation(chat int64, operator int64) int64 {
	contact := tm.id(`INSERT INTO contacts (channel, bot_id, chat_id) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1) RETURNING id`, chat)
	if operator == 0 {
		return tm.id(`INSERT INTO conversations (contact_id, channel, status, waiting_since) VALUES ($1, 'telegram', 'waiting', now()) RETURNING id`, contact)
	}
	return tm.id(`INSERT INTO conversations (contact_id, channel, status, operator_id) VALUES ($1, 'telegram', 'assigned', $2) RETURNING id`,
		contact, operator)
}

// clientMessage records a client's message written at `at` and answered after `answeredIn` (never when negative).
func (tm *team) clientMessage(conv int64, at time.Time, answeredIn time.Duration) {
	if answeredIn < 0 {
		tm.id(`INSERT INTO conversation_messages (conversation_id, direction, created_at) VALUES ($1, 'in', $2) RETURNING id`, conv, at)
		return
	}
	tm.id(`INSERT INTO conversation_messages (conversation_id, direction, created_at, answered_at, response_ms, answered_by)
		VALUES ($1, 'in', $2, $3, $4, (SELECT operator_id FROM conversations WHERE id = $1)) RETURNING id`,
		conv, at, at.Add(answeredIn), answeredIn.Milliseconds())
}

// The landing figures count today only, and the share answered within a minute is over answered client messages:
// 9 of 10 here (the reference team's 91 % is the same figure), yesterday's slow answers and an unanswered
// message left out.
func TestSupervisorAndOperatorFiguresCountTodaysAnswers(t *testing.T) {
	tm := newTeam(t)
	anna, boris := tm.operator("anna", "online"), tm.operator("boris", "away")
	tm.operator("vera", "online")
	mine := tm.conversation(1, anna)
	tm.conversation(2, boris)
	tm.conversation(3, 0)
	tm.conversation(4, 0)

	morning := tm.day.Add(9 * time.Hour)
	for i := range 9 {
		tm.clientMessage(mine, morning.Add(time.Duration(i)*time.Second), 20*time.Second)
	}
	tm.clientMessage(mine, morning, 3*time.Minute)
	tm.clientMessage(mine, morning, -1)                         // not answered yet: no response time
	tm.clientMessage(mine, tm.day.Add(-2*time.Hour), time.Hour) // yesterday
	tm.id(`INSERT INTO outcomes (conversation_id, kind, product, recorded_at) VALUES ($1, 'consent', 'rko', $2) RETURNING id`,
		mine, morning.Add(time.Hour))
	tm.id(`INSERT INTO outcomes (conversation_id, kind, product, recorded_at) VALUES ($1, 'consent', 'rko', $2) RETURNING id`,
		mine, tm.day.Add(-time.Hour))
	tm.id(`INSERT INTO outcomes (conversation_id, kind, reason, recorded_at) VALUES ($1, 'refusal', 'уже есть счёт', $2) RETURNING id`,
		mine, morning.Add(2*time.Hour))

	rp := reports.New(tm.pool)
	sup, err := rp.ForSupervisor(tm.ctx, tm.day)
	if err != nil {
		t.Fatal(err)
	}
	if want := (reports.TeamNow{Online: 2, Waiting: 2, ConsentsToday: 1, AnsweredIn60: 90}); sup != want {
		t.Errorf("supervisor: %+v, want %+v", sup, want)
	}
	day, err := rp.ForOperator(tm.ctx, anna, tm.day)
	if err != nil {
		t.Fatal(err)
	}
	if want := (reports.OperatorDay{OpenDialogs: 1, Waiting: 2, AnsweredIn60: 90}); day != want {
		t.Errorf("anna's day: %+v, want %+v", day, want)
	}
	if day, _ := rp.ForOperator(tm.ctx, boris, tm.day); day.AnsweredIn60 != -1 || day.OpenDialogs != 1 {
		t.Errorf("boris answered nothing today: %+v, want -1 (no figure) and 1 open dialog", day)
	}
	if sup, _ := rp.ForSupervisor(tm.ctx, tm.day.Add(24*time.Hour)); sup.AnsweredIn60 != -1 || sup.ConsentsToday != 0 {
		t.Errorf("a day with nothing answered yet: %+v", sup)
	}
}

// An operator's own figure counts what they answered, as the report's operators table does: a dialog they passed
// on keeps counting for them, not for the colleague who has it now.
func TestAnOperatorsFirstMinuteCountsWhatTheyAnsweredInDialogsTheyPassedOn(t *testing.T) {
	tm := newTeam(t)
	anna, boris := tm.operator("anna", "online"), tm.operator("boris", "online")
	conv := tm.conversation(1, anna)
	morning := tm.day.Add(9 * time.Hour)
	tm.clientMessage(conv, morning, 20*time.Second)
	tm.clientMessage(conv, morning.Add(time.Minute), 2*time.Minute)
	tm.clientMessage(conv, morning.Add(2*time.Minute), 30*time.Second)
	tm.clientMessage(conv, morning.Add(3*time.Minute), 40*time.Second)
	tm.id(`UPDATE conversations SET operator_id = $2 WHERE id = $1 RETURNING id`, conv, boris) // transferred

	rp := reports.New(tm.pool)
	if day, err := rp.ForOperator(tm.ctx, anna, tm.day); err != nil || day.AnsweredIn60 != 75 {
		t.Errorf("anna's day: %+v, %v; want 75 (3 of her 4 answers within a minute)", day, err)
	}
	if day, err := rp.ForOperator(tm.ctx, boris, tm.day); err != nil || day.AnsweredIn60 != -1 {
		t.Errorf("boris's day: %+v, %v; want -1: he answered nothing", day, err)
	}
}

func TestRefusalsAreCountedByReasonAndLeadKind(t *testing.T) {
	tm := newTeam(t)
	client := tm.id(`INSERT INTO clients (external_id, company_name) VALUES ('c1', 'ООО Ромашка') RETURNING id`)
	missed := tm.id(`INSERT INTO leads (client_id, kind) VALUES ($1, 'missed_call') RETURNING id`, client)
	acq := tm.id(`INSERT INTO leads (client_id, kind) VALUES ($1, 'acquiring') RETURNING id`, client)
	reason := func(ru string) int64 { return tm.id(`SELECT id FROM refusal_reasons WHERE label_ru = $1`, ru) }
	expensive, other := reason("Дорогие тарифы"), reason("Другое")
	at := tm.day.Add(10 * time.Hour)
	for _, r := range []struct {
		lead   any
		reason any
		at     time.Time
	}{
		{missed, expensive, at}, {missed, expensive, at}, {acq, expensive, at}, {acq, other, at},
		{nil, nil, at},                          // a free-text refusal from before the list, no lead
		{missed, other, tm.day.Add(-time.Hour)}, // the day before: outside
	} {
		tm.id(`INSERT INTO outcomes (lead_id, kind, reason_id, reason, recorded_at) VALUES ($1, 'refusal', $2, 'x', $3)
			RETURNING id`, r.lead, r.reason, r.at)
	}
	list, err := reports.New(tm.pool).Refusals(tm.ctx, reports.Period{From: tm.day, To: tm.day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range list {
		got = append(got, fmt.Sprintf("%s/%s/%s=%d", c.LabelRU, c.LabelEN, c.Kind, c.Count))
	}
	want := "[Дорогие тарифы/Tariffs too expensive/acquiring=1 Дорогие тарифы/Tariffs too expensive/missed_call=2 " +
		"Другое/Other/acquiring=1 //=1]"
	if fmt.Sprint(got) != want {
		t.Fatalf("refusals = %v\nwant       %s", got, want)
	}
}

// The manager's landing counts campaigns but not cancelled ones, the queue, today's deliveries and leads per kind in
// a fixed order, kinds without leads included.
func TestManagerFiguresCountCampaignsQueueAndLeads(t *testing.T) {
	tm := newTeam(t)
	for _, status := range []string{"active", "active", "paused", "draft", "cancelled"} {
		tm.id(`INSERT INTO campaigns (name, lead_kind, status) VALUES ('Недозвоны', 'missed_call', $1) RETURNING id`, status)
	}
	for i, state := range []string{"queued", "queued", "sending", "sent", "sent", "failed"} {
		tm.id(`INSERT INTO outbox (channel, bot_id, chat_id, text, state, sent_at) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, 'Здравствуйте', $2,
			CASE WHEN $2 = 'sent' THEN $3::timestamptz END) RETURNING id`, int64(i+1), state, tm.day.Add(10*time.Hour))
	}
	tm.id(`INSERT INTO outbox (channel, bot_id, chat_id, text, state, sent_at) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), 9, 'Вчера', 'sent', $1) RETURNING id`, tm.day.Add(-time.Hour))
	client := tm.id(`INSERT INTO clients (external_id, company_name) VALUES ('c1', 'ООО Ромашка') RETURNING id`)
	for _, kind := range []string{"acquiring", "missed_call", "missed_call"} {
		tm.id(`INSERT INTO leads (client_id, kind) VALUES ($1, $2) RETURNING id`, client, kind)
	}

	o, err := reports.New(tm.pool).ForManager(tm.ctx, tm.day)
	if err != nil {
		t.Fatal(err)
	}
	if o.Campaigns != 4 || o.Active != 2 || o.Queued != 3 || o.SentToday != 2 {
		t.Errorf("overview %+v, want 4 campaigns, 2 active, 3 queued, 2 sent today", o)
	}
	want := []reports.KindCount{{Kind: "missed_call", Count: 2}, {Kind: "follow_up", Count: 0}, {Kind: "acquiring", Count: 1}}
	if len(o.LeadsByKind) != 3 || o.LeadsByKind[0] != want[0] || o.LeadsByKind[1] != want[1] || o.LeadsByKind[2] != want[2] {
		t.Errorf("leads by kind %+v, want %+v", o.LeadsByKind, want)
	}
}
