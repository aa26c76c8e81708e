package reports_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"dozvon/reports"
)

// The helpers below write what campaigns and dialogs leave behind: a lead, the campaign message sent to it, its
// dialog, and the outcomes recorded for it.

func (tm *team) campaign(name, kind string) int64 {
	return tm.id(`INSERT INTO campaigns (name, lead_kind, status) VALUES ($1, $2, 'active') RETURNING id`, name, kind)
}

func (tm *team) lead(kind string) int64 {
	client := tm.id(`INSERT INTO clients (external_id, company_name) VALUES (gen_random_uuid()::text, 'ООО Ромашка') RETURNING id`)
	return tm.id(`INSERT INTO leads (client_id, kind) VALUES ($1, $2) RETURNING id`, client, kind)
}

// sent records a campaign's message to a lead in the given outbox state, sent at `at` when the state is sent.
func (tm *team) sent(campaign, lead int64, at time.Time, state string) {
	tm.id(`INSERT INTO outbox (campaign_id, lead_id, channel, bot_id, chat_id, text, state, sent_at)
		VALUES ($1, $2, 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $2, 'Здравствуйте', $3, CASE WHEN $3 = 'sent' THEN $4::timestamptz END) RETURNING id`,
		campaign, lead, state, at)
}

// replied opens the lead's dialog with operator (none when 0); it returns the conversation.
func (tm *team) replied(lead, operator int64) int64 {
	contact := tm.id(`INSERT INTO contacts (channel, bot_id, chat_id) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), 1000000 + $1) RETURNING id`, lead)
	return tm.id(`INSERT INTO conversations (contact_id, channel, lead_id, status, operator_id)
		VALUES ($1, 'telegram', $2, 'assigned', nullif($3, 0)) RETURNING id`, contact, lead, operator)
}

func (tm *team) outcome(lead int64, kind string, at time.Time) {
	tm.id(`INSERT INTO outcomes (lead_id, kind, recorded_at, source) VALUES ($1, $2, $3, 'import') RETURNING id`, lead, kind, at)
}

// leads writes n leads of a kind through campaign at `at`, the first `replied` of them replying, the first
// `consented` consenting and the first `converted` converting with convertKind a week after the period.
func (tm *team) leads(campaign int64, kind string, at time.Time, n, replied, consented, converted int, convertKind string) []int64 {
	var ids []int64
	for i := range n {
		l := tm.lead(kind)
		ids = append(ids, l)
		tm.sent(campaign, l, at.Add(time.Duration(i)*time.Minute), "sent")
		if i < replied {
			tm.replied(l, 0)
		}
		if i < consented {
			tm.outcome(l, "consent", at.Add(time.Hour))
		}
		if i < converted {
			tm.outcome(l, convertKind, at.Add(30*24*time.Hour))
		}
	}
	return ids
}

func funnelIs(t *testing.T, what string, f reports.Funnel, written, replied, consented, converted int) {
	t.Helper()
	if f.Written != written || f.Replied != replied || f.Consented != consented || f.Converted != converted {
		t.Errorf("%s: %d written, %d replied, %d consented, %d converted; want %d, %d, %d, %d", what,
			f.Written, f.Replied, f.Consented, f.Converted, written, replied, consented, converted)
	}
}

func percentIs(t *testing.T, what string, s reports.Share, want float64) {
	t.Helper()
	got, ok := s.Percent()
	if !ok || math.Abs(got-want) > 1e-9 {
		t.Errorf("%s: %v (%d of %d), want %.1f%%", what, got, s.N, s.Of, want)
	}
}

// The funnel is a cohort of the leads written to in the period: a lead written to before it is left out even
// though it replied and consented, a message that failed or still waits does not count as writing, and an account
// opened a month later still converts a lead written to in the period. Consent is a share of those who replied;
// conversion a share of consents (the bank's base) and of replies (its targets' base) for every kind.
func TestFunnelFollowsTheLeadsWrittenToInThePeriod(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 14)}
	day := from.Add(5*24*time.Hour + 10*time.Hour)

	missed := tm.campaign("Недозвон", reports.MissedCall)
	missedToo := tm.campaign("Недозвон, второй заход", reports.MissedCall)
	follow := tm.campaign("Фоллоу-ап", reports.FollowUp)
	acq := tm.campaign("Эквайринг", reports.Acquiring)

	ids := tm.leads(missed, reports.MissedCall, day, 10, 4, 2, 1, "account_opened")
	tm.sent(missedToo, ids[0], day.Add(24*time.Hour), "sent") // the same lead written to again: one lead of its kind
	tm.leads(follow, reports.FollowUp, day, 5, 4, 3, 2, "account_opened")
	acqIDs := tm.leads(acq, reports.Acquiring, day, 4, 2, 1, 1, "acquiring_connected")
	tm.outcome(acqIDs[1], "account_opened", day) // an account is not acquiring: no conversion for cross-sell

	early := tm.lead(reports.MissedCall) // written to the day before the period
	tm.sent(missed, early, from.Add(-time.Hour), "sent")
	tm.replied(early, 0)
	tm.outcome(early, "consent", day)
	failed := tm.lead(reports.MissedCall)
	tm.sent(missed, failed, day, "failed")
	late := tm.lead(reports.FollowUp) // written to at the period's end: the next period's
	tm.sent(follow, late, p.To, "sent")

	c, err := reports.New(tm.pool).Conversion(tm.ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ByKind) != 3 || c.ByKind[0].Kind != reports.MissedCall || c.ByKind[1].Kind != reports.FollowUp ||
		c.ByKind[2].Kind != reports.Acquiring {
		t.Fatalf("by kind %+v", c.ByKind)
	}
	mc, fu, ac := c.ByKind[0], c.ByKind[1], c.ByKind[2]
	funnelIs(t, "missed calls", mc, 10, 4, 2, 1)
	percentIs(t, "missed calls replied", mc.Reply(), 40)
	percentIs(t, "missed calls consented of replied", mc.Consent(), 50)
	percentIs(t, "missed calls converted of consents", mc.Convert(), 50)
	funnelIs(t, "follow-ups", fu, 5, 4, 3, 2)
	percentIs(t, "follow-ups replied", fu.Reply(), 80)
	percentIs(t, "follow-ups consented of replied", fu.Consent(), 75)
	percentIs(t, "follow-ups converted of consents", fu.Convert(), 2.0/3*100)
	percentIs(t, "follow-ups converted of replied", fu.ConvertOfReplies(), 50)
	funnelIs(t, "acquiring", ac, 4, 2, 1, 1)
	percentIs(t, "acquiring converted of consents", ac.Convert(), 100)
	percentIs(t, "acquiring converted of replied", ac.ConvertOfReplies(), 50)
	funnelIs(t, "total", c.Total, 19, 10, 6, 4)
	percentIs(t, "total converted of consents", c.Total.Convert(), 4.0/6*100)
	percentIs(t, "total converted of replied", c.Total.ConvertOfReplies(), 40)

	var byCampaign []string
	for _, f := range c.ByCampaign {
		byCampaign = append(byCampaign, fmt.Sprintf("%s %s %d/%d/%d/%d", f.Campaign, f.Kind, f.Written, f.Replied, f.Consented, f.Converted))
	}
	want := []string{
		"Недозвон missed_call 10/4/2/1",
		"Недозвон, второй заход missed_call 1/1/1/1",
		"Фоллоу-ап follow_up 5/4/3/2",
		"Эквайринг acquiring 4/2/1/1",
	}
	if fmt.Sprint(byCampaign) != fmt.Sprint(want) {
		t.Errorf("by campaign:\n%q\nwant\n%q", byCampaign, want)
	}

	empty, err := reports.New(tm.pool).Conversion(tm.ctx, reports.Filter{Period: reports.Period{From: p.To.AddDate(0, 1, 0), To: p.To.AddDate(0, 2, 0)}})
	if err != nil || len(empty.ByKind) != 3 || empty.Total.Written != 0 || len(empty.ByCampaign) != 0 {
		t.Fatalf("a month with nothing sent: %+v, %v", empty, err)
	}
	if _, ok := empty.ByKind[0].Reply().Percent(); ok {
		t.Error("a share of no leads has no percentage")
	}
}

// answer records a client's message written at `at` and answered by operator after `in`.
func (tm *team) answer(conv int64, at time.Time, in time.Duration, operator int64) {
	tm.id(`INSERT INTO conversation_messages (conversation_id, direction, created_at, answered_at, answered_by, response_ms, sla)
		VALUES ($1, 'in', $2, $3, $4, $5, true) RETURNING id`, conv, at, at.Add(in), operator, in.Milliseconds())
}

func (tm *team) closed(conv int64, at time.Time, csat int) {
	tm.id(`UPDATE conversations SET status = 'closed', closed_at = $2::timestamptz, csat = nullif($3::int, 0), csat_at = $2::timestamptz + interval '1 minute'
		WHERE id = $1 RETURNING id`, conv, at, csat)
}

// An operator's period counts the dialogs they closed or answered in it, the client messages they answered and how
// fast (a share within 60 s and the median), consents recorded in their dialogs and conversions of their leads, and
// the ratings of the dialogs they closed. An operator who did nothing is listed with zeros.
func TestOperatorsPeriodCountsAnswersDialogsAndRatings(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 7)}
	day := from.Add(2*24*time.Hour + 10*time.Hour)
	anna, boris := tm.operator("anna", "online"), tm.operator("boris", "offline")
	tm.id(`UPDATE users SET display_name = 'Анна Петрова' WHERE id = $1 RETURNING id`, anna)

	rated5 := tm.replied(tm.lead(reports.MissedCall), anna)
	for i, in := range []time.Duration{10 * time.Second, 20 * time.Second, 50 * time.Second, 90 * time.Second} {
		tm.answer(rated5, day.Add(time.Duration(i)*time.Minute), in, anna)
	}
	tm.answer(rated5, from.Add(-time.Hour), 5*time.Minute, anna) // written before the period
	tm.closed(rated5, day.Add(time.Hour), 5)

	consentLead := tm.lead(reports.FollowUp)
	rated3 := tm.replied(consentLead, anna)
	tm.id(`INSERT INTO outcomes (conversation_id, lead_id, kind) VALUES ($1, $2, 'consent') RETURNING id`, rated3, consentLead)
	tm.outcome(consentLead, "account_opened", p.To.Add(48*time.Hour)) // the bank confirms it after the period
	tm.closed(rated3, day.Add(2*time.Hour), 3)

	stillOpen := tm.replied(tm.lead(reports.Acquiring), anna) // answered in the period, closed and rated after it
	tm.answer(stillOpen, day, 30*time.Second, anna)
	tm.closed(stillOpen, p.To.Add(time.Hour), 5)

	ops, err := reports.New(tm.pool).Operators(tm.ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 || ops[0].OperatorID != boris || ops[1].OperatorID != anna { // by name
		t.Fatalf("operators %+v, want boris and Анна Петрова", ops)
	}
	a := ops[1]
	want := reports.OperatorPeriod{OperatorID: anna, Name: "Анна Петрова", Dialogs: 3, Answered: 5, InTime: 4,
		MedianResponse: 30 * time.Second, Consents: 1, Conversions: 1, Ratings: 2, Top: 1, AverageRating: 4}
	if a != want {
		t.Errorf("anna:\n%+v\nwant\n%+v", a, want)
	}
	percentIs(t, "anna within 60 s", a.AnsweredIn60(), 80)
	percentIs(t, "anna top ratings", a.TopCSAT(), 50)
	if b := ops[0]; b != (reports.OperatorPeriod{OperatorID: boris, Name: "boris"}) {
		t.Errorf("boris did nothing: %+v", b)
	}
}

// Days are the bank's days: a message a second before Moscow's midnight is the day's, one at midnight the next
// day's, and ratings are counted on the day they were given.
func TestServiceByDayCutsDaysAtTheBanksMidnight(t *testing.T) {
	tm := newTeam(t)
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	p := reports.Period{From: time.Date(2026, 11, 10, 0, 0, 0, 0, msk), To: time.Date(2026, 11, 12, 0, 0, 0, 0, msk)}
	op := tm.operator("anna", "online")
	conv := tm.replied(tm.lead(reports.MissedCall), op)
	midnight := time.Date(2026, 11, 11, 0, 0, 0, 0, msk) // 21:00 UTC the day before
	tm.answer(conv, midnight.Add(-time.Second), 30*time.Second, op)
	tm.answer(conv, midnight, 2*time.Minute, op)
	tm.answer(conv, p.From.Add(-time.Second), 10*time.Second, op) // the day before the period
	tm.id(`INSERT INTO conversation_messages (conversation_id, direction, created_at, sla) VALUES ($1, 'in', $2, true) RETURNING id`,
		conv, midnight.Add(time.Hour)) // not answered: no response time to count
	other := tm.replied(tm.lead(reports.MissedCall), op)
	tm.id(`UPDATE conversations SET csat = 4, csat_at = $2 WHERE id = $1 RETURNING id`, other, midnight.Add(-time.Minute))
	tm.id(`UPDATE conversations SET csat = 5, csat_at = $2 WHERE id = $1 RETURNING id`, conv, midnight.Add(time.Minute))

	days, err := reports.New(tm.pool).ServiceByDay(tm.ctx, reports.Filter{Period: p}, msk)
	if err != nil {
		t.Fatal(err)
	}
	want := []reports.ServiceDay{
		{Day: time.Date(2026, 11, 10, 0, 0, 0, 0, msk), Answered: 1, InTime: 1, Ratings: 1, Top: 0},
		{Day: midnight, Answered: 1, InTime: 0, Ratings: 1, Top: 1},
	}
	if len(days) != 2 {
		t.Fatalf("days %+v, want two", days)
	}
	for i := range want {
		if !days[i].Day.Equal(want[i].Day) || days[i].Day.Location() != msk || days[i].Answered != want[i].Answered ||
			days[i].InTime != want[i].InTime || days[i].Ratings != want[i].Ratings || days[i].Top != want[i].Top {
			t.Errorf("day %d: %+v, want %+v", i, days[i], want[i])
		}
	}
	total := reports.ServiceTotal(days)
	percentIs(t, "two days within 60 s", total.AnsweredIn60(), 50)
	percentIs(t, "two days top ratings", total.TopCSAT(), 50)
}
