package reports_test

import (
	"testing"
	"time"

	"dozvon/reports"
)

// moveToMAX makes a lead's campaign messages, chat and dialogs MAX's, as if the campaign had written to it there.
func (tm *team) moveToMAX(lead int64) {
	bot := tm.id(`INSERT INTO bots (channel, remote_id, username, name) VALUES ('max', '77', 'bank_bot', 'Банк')
		ON CONFLICT (channel, remote_id) DO UPDATE SET name = excluded.name RETURNING id`)
	tm.id(`UPDATE outbox SET channel = 'max', bot_id = $2 WHERE lead_id = $1 RETURNING 1`, lead, bot)
	for _, sql := range []string{
		`UPDATE contacts SET channel = 'max', bot_id = $2 WHERE id IN (SELECT contact_id FROM conversations WHERE lead_id = $1)`,
		`UPDATE conversations SET channel = 'max' WHERE lead_id = $1 AND $2::bigint > 0`,
	} {
		if _, err := tm.pool.Exec(tm.ctx, sql, lead, bot); err != nil {
			tm.t.Fatalf("%s: %v", sql, err)
		}
	}
}

// The funnel and the service per messenger: five leads written to on Telegram (two replied, one consented), three
// on MAX (all replied, two consented, one converted); on MAX one client message answered in 20 s and one in 2 min,
// one rating of 5; on Telegram one answered in 30 s and a rating of 3. Each channel counts only its own, and the
// figures of a channel are those the filter shows with that channel chosen.
func TestTheFunnelAndServiceArePerMessenger(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 7)}
	day := from.Add(33 * time.Hour)
	anna := tm.operator("anna", "online")
	camp := tm.campaign("Недозвон", reports.MissedCall)

	tg := tm.leads(camp, reports.MissedCall, day, 5, 0, 1, 0, "account_opened")
	for _, l := range tg[:2] {
		tm.replied(l, anna)
	}
	tgConv := tm.id(`SELECT id FROM conversations WHERE lead_id = $1`, tg[0])
	tm.answer(tgConv, day.Add(time.Hour), 30*time.Second, anna)
	tm.closed(tgConv, day.Add(2*time.Hour), 3)

	mx := tm.leads(camp, reports.MissedCall, day, 3, 0, 2, 1, "account_opened")
	var maxConv int64
	for i, l := range mx {
		c := tm.replied(l, anna)
		if i == 0 {
			maxConv = c
		}
		tm.moveToMAX(l)
	}
	tm.answer(maxConv, day.Add(time.Hour), 20*time.Second, anna)
	tm.answer(maxConv, day.Add(90*time.Minute), 2*time.Minute, anna)
	tm.closed(maxConv, day.Add(2*time.Hour), 5)

	rp := reports.New(tm.pool)
	got, err := rp.ByChannel(tm.ctx, reports.Filter{Period: p}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Channel != reports.ChannelTelegram || got[1].Channel != reports.ChannelMAX {
		t.Fatalf("channels = %+v; want Telegram then MAX", got)
	}
	funnelIs(t, "Telegram", got[0].Funnel, 5, 2, 1, 0)
	funnelIs(t, "MAX", got[1].Funnel, 3, 3, 2, 1)
	if s := got[0].Service; s != (reports.ServiceDay{Answered: 1, InTime: 1, Ratings: 1, Top: 0}) {
		t.Errorf("Telegram's service = %+v; want 1 answered in time, one rating, not a 5", s)
	}
	if s := got[1].Service; s != (reports.ServiceDay{Answered: 2, InTime: 1, Ratings: 1, Top: 1}) {
		t.Errorf("MAX's service = %+v; want 2 answered, 1 in time, one 5", s)
	}

	only, err := rp.ByChannel(tm.ctx, reports.Filter{Period: p, Channel: reports.ChannelMAX}, time.UTC)
	if err != nil || len(only) != 1 || only[0] != got[1] {
		t.Fatalf("with the filter on MAX: %+v, %v; want MAX's figures alone, %+v", only, err, got[1])
	}
}
