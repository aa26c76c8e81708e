package reports_test

import (
	"fmt"
	"testing"
	"time"

	"dozvon/reports"
)

// rollupFortnight is two weeks of a team's work in every dimension a filter has: three kinds, four campaigns (two
// of missed calls), two operators, two messengers; leads written to twice (by both missed-call campaigns in one
// hour, by a second step days later, on both messengers), dialogs answered over several hours and by two
// operators, closed, rated and reviewed, consents and conversions.
type rollupFortnight struct {
	*team
	msk                  *time.Location
	from                 time.Time
	anna, boris, olga    int64
	mc1, mc2, fu, acq    int64
	leads, conversations []int64
}

func newRollupFortnight(t *testing.T) rollupFortnight {
	tm := newTeam(t)
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	d := rollupFortnight{team: tm, msk: msk, from: time.Date(2026, 11, 2, 0, 0, 0, 0, msk)}
	d.anna, d.boris = tm.operator("anna", "online"), tm.operator("boris", "online")
	d.olga = tm.id(`INSERT INTO users (login, role, password_hash) VALUES ('olga', 'supervisor', 'x') RETURNING id`)
	d.mc1, d.mc2 = tm.campaign("Недозвон 1", reports.MissedCall), tm.campaign("Недозвон 2", reports.MissedCall)
	d.fu, d.acq = tm.campaign("Дожим", reports.FollowUp), tm.campaign("Эквайринг", reports.Acquiring)
	maxBot := tm.id(`INSERT INTO bots (channel, remote_id, username, name) VALUES ('max', '77', 'bank_bot', 'Банк') RETURNING id`)
	send := func(campaign, lead int64, step int, channel string, at time.Time) {
		tm.id(`INSERT INTO outbox (campaign_id, step, lead_id, channel, bot_id, chat_id, text, state, sent_at)
			VALUES ($1, $2, $3, $4, CASE $4 WHEN 'max' THEN $6 ELSE (SELECT min(id) FROM bots WHERE channel = 'telegram') END,
			        $3, 'Здравствуйте', 'sent', $5) RETURNING id`, campaign, step, lead, channel, at, maxBot)
	}
	ops := []int64{d.anna, d.boris, 0}
	for i := range 36 {
		kind, campaign := []string{reports.MissedCall, reports.FollowUp, reports.Acquiring}[i%3], []int64{d.mc1, d.fu, d.acq}[i%3]
		lead := tm.lead(kind)
		d.leads = append(d.leads, lead)
		at := d.from.Add(time.Duration(i)*9*time.Hour + time.Duration(i)*7*time.Minute)
		channel := []string{"telegram", "telegram", "max"}[i%4%3]
		send(campaign, lead, 1, channel, at)
		if i%4 == 0 && kind == reports.MissedCall { // the other missed-call campaign in the same hour
			send(d.mc2, lead, 1, channel, at.Add(5*time.Minute))
		}
		if i%5 == 0 { // a second step two days later, on the other messenger for some
			send(campaign, lead, 2, []string{"telegram", "max"}[i%2], at.Add(49*time.Hour))
		}
		if i%2 == 1 {
			continue
		}
		op := ops[i/2%3]
		contact := tm.id(`INSERT INTO contacts (channel, bot_id, chat_id) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), 1000000 + $1) RETURNING id`, lead)
		conv := tm.id(`INSERT INTO conversations (contact_id, channel, lead_id, campaign_id, status, operator_id, opened_at)
			VALUES ($1, $2, $3, $4, 'assigned', nullif($5, 0), $6) RETURNING id`, contact, channel, lead, campaign, op, at.Add(time.Hour))
		d.conversations = append(d.conversations, conv)
		answerer := op
		if answerer == 0 {
			answerer = d.anna
		}
		for k, in := range []time.Duration{10 * time.Second, time.Duration(40+i) * time.Second, 61 * time.Second, 7 * time.Minute} {
			if k == 3 && i%3 == 0 {
				answerer = d.boris // a second operator in the dialog
			}
			tm.answer(conv, at.Add(time.Hour+time.Duration(k)*50*time.Minute), in, answerer)
		}
		if i%6 != 4 {
			tm.closed(conv, at.Add(26*time.Hour), []int{5, 4, 5, 2, 0}[i%5])
			if i%4 == 0 {
				tm.review(conv, d.olga, 60+i)
			}
		}
		if i%4 == 0 {
			tm.id(`INSERT INTO outcomes (conversation_id, lead_id, kind, recorded_at) VALUES ($1, $2, 'consent', $3) RETURNING id`,
				conv, lead, at.Add(2*time.Hour))
		}
		if i%8 == 0 {
			tm.outcome(lead, map[string]string{reports.Acquiring: "acquiring_connected"}[kind]+
				map[bool]string{true: "account_opened"}[kind != reports.Acquiring], at.Add(5*24*time.Hour))
		}
	}
	return d
}

// filters are the periods and filters compared: the fortnight and three days inside it (leads written before them
// and again in them), by Moscow's days, with no filter and each value of each filter, and two together.
func (d rollupFortnight) filters() []reports.Filter {
	var out []reports.Filter
	for _, p := range []reports.Period{
		{From: d.from, To: d.from.AddDate(0, 0, 14)},
		{From: d.from.AddDate(0, 0, 2), To: d.from.AddDate(0, 0, 5)},
	} {
		out = append(out, reports.Filter{Period: p})
		for _, k := range reports.Kinds {
			out = append(out, reports.Filter{Period: p, Kind: k})
		}
		for _, c := range []int64{d.mc1, d.mc2, d.fu, d.acq} {
			out = append(out, reports.Filter{Period: p, CampaignID: c})
		}
		for _, o := range []int64{d.anna, d.boris} {
			out = append(out, reports.Filter{Period: p, OperatorID: o})
		}
		for _, ch := range reports.Channels {
			out = append(out, reports.Filter{Period: p, Channel: ch})
		}
		out = append(out, reports.Filter{Period: p, Kind: reports.MissedCall, Channel: reports.ChannelMAX},
			reports.Filter{Period: p, CampaignID: d.mc1, OperatorID: d.boris})
	}
	return out
}

// everyPanel reads every panel of /reports under f, one line each.
func (d rollupFortnight) everyPanel(t *testing.T, rp *reports.Reports, f reports.Filter) []string {
	t.Helper()
	var out []string
	add := func(what string, v any, err error) {
		if err != nil {
			t.Fatalf("%s %v: %v", what, f, err)
		}
		out = append(out, fmt.Sprintf("%s %+v", what, v))
	}
	conv, err := rp.Conversion(d.ctx, f)
	add("funnel", conv, err)
	days, err := rp.FunnelTrend(d.ctx, f, reports.Days(f.Period, d.msk))
	add("trend by day", days, err)
	weeks, err := rp.FunnelTrend(d.ctx, f, reports.Weeks(f.Period, d.msk))
	add("trend by week", weeks, err)
	ops, err := rp.Operators(d.ctx, f)
	add("operators", ops, err)
	service, err := rp.ServiceByDay(d.ctx, f, d.msk)
	add("service", service, err)
	shape, err := rp.Shape(d.ctx, f, d.msk)
	add("shape", shape, err)
	qa, err := rp.QATrend(d.ctx, f, reports.Days(f.Period, d.msk))
	add("qa", qa, err)
	team, err := rp.TeamQA(d.ctx, f)
	add("team qa", team, err)
	channels, err := rp.ByChannel(d.ctx, f, d.msk)
	add("channels", channels, err)
	return out
}

// sameAsRaw compares every panel under every filter read as the page reads it and from the raw tables.
func (d rollupFortnight) sameAsRaw(t *testing.T, when string) {
	t.Helper()
	rolled, raw := reports.New(d.pool), reports.New(d.pool)
	raw.FromRaw = true
	for _, f := range d.filters() {
		got, want := d.everyPanel(t, rolled, f), d.everyPanel(t, raw, f)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s, %v:\n rollup %s\n raw    %s", when, f, got[i], want[i])
			}
		}
	}
}

func (d rollupFortnight) count(sql string) int {
	return int(d.id(sql))
}

// Every panel reads the same figures from the rollup as from the raw tables, under every filter: before the first
// refresh (the hours the migration and the writes recorded read raw), after it (every hour from the rollup), and
// after late changes to hours already rolled up (a conversion imported days later, a consent, a late answer, a
// dialog moved to another operator, a QA review, a campaign message recorded late), both before the next refresh
// and after it.
func TestEveryPanelFromTheRollupEqualsTheRawTables(t *testing.T) {
	d := newRollupFortnight(t)
	rp := reports.New(d.pool)
	if n := d.count(`SELECT count(DISTINCT hour) FROM report_changes`); n < 50 {
		t.Fatalf("%d hours recorded as changed by the writes, want every hour with data", n)
	}
	d.sameAsRaw(t, "before the first refresh")

	n, err := rp.RefreshRollup(d.ctx)
	if err != nil || n < 50 {
		t.Fatalf("refreshed %d hours (%v)", n, err)
	}
	for _, table := range []string{"report_answers", "report_ratings", "report_qa", "report_sends", "report_dialogs"} {
		if d.count(`SELECT count(*) FROM `+table) == 0 {
			t.Errorf("%s is empty after the refresh", table)
		}
	}
	if n := d.count(`SELECT count(*) FROM report_changes`); n != 0 {
		t.Fatalf("%d changes left after the refresh", n)
	}
	d.sameAsRaw(t, "from the rollup")

	raw := reports.New(d.pool)
	raw.FromRaw = true
	fortnight := reports.Filter{Period: reports.Period{From: d.from, To: d.from.AddDate(0, 0, 14)}}
	before, err := raw.Conversion(d.ctx, fortnight)
	if err != nil {
		t.Fatal(err)
	}
	old := d.conversations[1] // lead 2's dialog, written to on the first day
	// A campaign message as the sender records it: queued, claimed, then marked sent in a batch (one statement);
	// its hour was rolled up already.
	late := d.lead(reports.MissedCall)
	for _, sql := range []string{
		`INSERT INTO outbox (campaign_id, step, lead_id, channel, bot_id, chat_id, text, state)
		 SELECT ` + fmt.Sprint(d.mc2) + `, 1, ` + fmt.Sprint(late) + `, 'telegram', min(id), 2, 'Здравствуйте', 'sending'
		 FROM bots WHERE channel = 'telegram'`,
		`UPDATE outbox SET state = 'sent', sent_at = '` + d.from.Add(5*24*time.Hour+40*time.Minute).Format(time.RFC3339) + `'
		 WHERE lead_id = ` + fmt.Sprint(late) + ` AND state = 'sending'`,
		`INSERT INTO outcomes (lead_id, kind, source, recorded_at) SELECT lead_id, 'account_opened', 'import', now()
		 FROM conversations WHERE id = ` + fmt.Sprint(d.conversations[2]), // lead 4, a missed call
		`INSERT INTO outcomes (conversation_id, lead_id, kind, recorded_at) SELECT id, lead_id, 'consent', now()
		 FROM conversations WHERE id = ` + fmt.Sprint(old),
		`UPDATE conversation_messages SET answered_at = created_at + interval '20 hours', response_ms = 72000000
		 WHERE id = (SELECT min(id) FROM conversation_messages WHERE conversation_id = ` + fmt.Sprint(d.conversations[3]) + `)`,
		`UPDATE conversations SET operator_id = ` + fmt.Sprint(d.boris) + ` WHERE id = ` + fmt.Sprint(d.conversations[4]),
		`INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, reviewed_at)
		 VALUES (` + fmt.Sprint(old) + `, ` + fmt.Sprint(d.olga) + `, 55, '{}', now())`,
		`INSERT INTO outbox (campaign_id, step, lead_id, channel, bot_id, chat_id, text, state, sent_at)
		 SELECT ` + fmt.Sprint(d.fu) + `, 3, ` + fmt.Sprint(d.leads[7]) + `, 'telegram', min(id), 1, 'Здравствуйте', 'sent',
		        '` + d.from.Add(30*time.Minute).Format(time.RFC3339) + `' FROM bots WHERE channel = 'telegram'`,
	} {
		if _, err := d.pool.Exec(d.ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	after, err := raw.Conversion(d.ctx, fortnight)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total.Converted != before.Total.Converted+1 || after.Total.Consented != before.Total.Consented+1 ||
		after.Total.Written != before.Total.Written+1 {
		t.Fatalf("the late changes did not change the raw funnel: %+v then %+v", before.Total, after.Total)
	}
	if n := d.count(`SELECT count(DISTINCT hour) FROM report_changes`); n == 0 {
		t.Fatal("the late changes recorded no hour")
	}
	d.sameAsRaw(t, "after late changes, before the refresh")
	if _, err := rp.RefreshRollup(d.ctx); err != nil {
		t.Fatal(err)
	}
	d.sameAsRaw(t, "after late changes and the refresh")

	// And the panels do read the rollup: a figure changed in it alone shows.
	if _, err := d.pool.Exec(d.ctx, `UPDATE report_sends SET leads = leads + 100 WHERE hour = (SELECT min(hour) FROM report_sends)`); err != nil {
		t.Fatal(err)
	}
	got, err := rp.Conversion(d.ctx, fortnight)
	if err != nil || got.Total.Written < after.Total.Written+100 {
		t.Errorf("the funnel did not read the rollup: %+v (%v)", got.Total, err)
	}
}

// Two instances refresh one database: one holding the refresh leaves the other nothing to do, and it finds the
// changes still there when it gets its turn.
func TestARefreshUnderWayLeavesAnotherInstanceNothingToDo(t *testing.T) {
	d := newRollupFortnight(t)
	rp := reports.New(d.pool)
	holder, err := d.pool.Acquire(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(d.ctx, `SELECT pg_advisory_lock(hashtext('dozvon.report_rollup'))`); err != nil {
		t.Fatal(err)
	}
	if n, err := rp.RefreshRollup(d.ctx); n != 0 || err != nil {
		t.Errorf("a refresh while another holds it: %d hours (%v), want none", n, err)
	}
	if _, err := holder.Exec(d.ctx, `SELECT pg_advisory_unlock(hashtext('dozvon.report_rollup'))`); err != nil {
		t.Fatal(err)
	}
	holder.Release()
	if n, err := rp.RefreshRollup(d.ctx); n == 0 || err != nil {
		t.Errorf("the refresh after: %d hours (%v)", n, err)
	}
	if n, err := rp.RefreshRollup(d.ctx); n != 0 || err != nil {
		t.Errorf("a second refresh with nothing changed: %d hours (%v)", n, err)
	}
	if n := d.count(`SELECT count(*) FROM report_changes`); n != 0 {
		t.Errorf("%d changes left", n)
	}
}
