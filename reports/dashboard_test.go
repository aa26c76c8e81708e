package reports_test

import (
	"fmt"
	"testing"
	"time"

	"dozvon/reports"
)

// dashboardTeam is a week with two campaigns of two kinds worked by two operators: missed calls by anna (4
// written, 2 replied, 1 consent, converted; her answers 10 s and 90 s, rated 5, QA 100) and acquiring by boris (3
// written, 1 replied; his answer 30 s, rated 2, QA 80).
type dashboardTeam struct {
	*team
	p                    reports.Period
	day                  time.Time
	anna, boris, mc, acq int64
}

func newDashboardTeam(t *testing.T) dashboardTeam {
	tm := newTeam(t)
	from := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday
	d := dashboardTeam{team: tm, p: reports.Period{From: from, To: from.AddDate(0, 0, 7)}, day: from.Add(24*time.Hour + 9*time.Hour)}
	d.anna, d.boris = tm.operator("anna", "online"), tm.operator("boris", "online")
	olga := tm.id(`INSERT INTO users (login, role, password_hash) VALUES ('olga', 'supervisor', 'x') RETURNING id`)
	d.mc, d.acq = tm.campaign("Недозвон", reports.MissedCall), tm.campaign("Эквайринг", reports.Acquiring)

	mcLeads := tm.leads(d.mc, reports.MissedCall, d.day, 4, 0, 1, 1, "account_opened")
	for i, l := range mcLeads[:2] {
		conv := tm.replied(l, d.anna)
		tm.id(`UPDATE conversations SET campaign_id = $2 WHERE id = $1 RETURNING id`, conv, d.mc)
		if i == 0 {
			tm.answer(conv, d.day, 10*time.Second, d.anna)
			tm.answer(conv, d.day.Add(time.Hour), 90*time.Second, d.anna)
			tm.closed(conv, d.day.Add(2*time.Hour), 5)
			tm.review(conv, olga, 100)
		}
	}
	acqLeads := tm.leads(d.acq, reports.Acquiring, d.day.Add(48*time.Hour), 3, 0, 0, 0, "")
	conv := tm.replied(acqLeads[0], d.boris)
	tm.id(`UPDATE conversations SET campaign_id = $2 WHERE id = $1 RETURNING id`, conv, d.acq)
	tm.answer(conv, d.day.Add(48*time.Hour+3*time.Hour), 30*time.Second, d.boris)
	tm.closed(conv, d.day.Add(48*time.Hour+4*time.Hour), 2)
	tm.review(conv, olga, 80)
	return d
}

// panels reads every panel under a filter as one line each, so a test compares what changed.
func (d dashboardTeam) panels(t *testing.T, f reports.Filter) []string {
	t.Helper()
	rp := reports.New(d.pool)
	c, err := rp.Conversion(d.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{fmt.Sprintf("total %d/%d/%d/%d campaigns %d", c.Total.Written, c.Total.Replied, c.Total.Consented,
		c.Total.Converted, len(c.ByCampaign))}
	trend, err := rp.FunnelTrend(d.ctx, f, reports.Days(f.Period, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	line := "days"
	for _, p := range trend {
		line += fmt.Sprintf(" %d", p.Written)
	}
	out = append(out, line)
	ops, err := rp.Operators(d.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	line = "operators"
	for _, o := range ops {
		line += fmt.Sprintf(" %s:%d/%d", o.Name, o.Answered, o.InTime)
	}
	out = append(out, line)
	days, err := rp.ServiceByDay(d.ctx, f, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s := reports.ServiceTotal(days)
	out = append(out, fmt.Sprintf("service %d/%d rated %d", s.Answered, s.InTime, s.Ratings))
	shape, err := rp.Shape(d.ctx, f, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("responses %v csat %v", shape.Responses, shape.CSAT))
	qa, err := rp.TeamQA(d.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, fmt.Sprintf("qa %d %.0f", qa.Reviews, qa.Score))
}

// Every panel follows the filter: a lead kind or a campaign keeps its dialogs only, an operator keeps the answers
// they gave and the dialogs they held (the funnel keeps every lead written to, but counts replies from that
// operator's dialogs only), and the channel Telegram keeps everything, since every message goes through it today.
func TestEveryPanelFollowsTheFilter(t *testing.T) {
	d := newDashboardTeam(t)
	all := []string{
		"total 7/3/1/1 campaigns 2",
		"days 0 4 0 3 0 0 0",
		"operators anna:2/1 boris:1/1",
		"service 3/2 rated 2",
		"responses [1 1 0 1 0 0 0] csat [0 1 0 0 1]",
		"qa 2 90",
	}
	missedCalls := []string{
		"total 4/2/1/1 campaigns 1",
		"days 0 4 0 0 0 0 0",
		"operators anna:2/1 boris:0/0",
		"service 2/1 rated 1",
		"responses [1 0 0 1 0 0 0] csat [0 0 0 0 1]",
		"qa 1 100",
	}
	boris := []string{
		"total 7/1/0/0 campaigns 2",
		"days 0 4 0 3 0 0 0",
		"operators boris:1/1",
		"service 1/1 rated 1",
		"responses [0 1 0 0 0 0 0] csat [0 1 0 0 0]",
		"qa 1 80",
	}
	for _, c := range []struct {
		name string
		f    reports.Filter
		want []string
	}{
		{"nothing", reports.Filter{Period: d.p}, all},
		{"telegram", reports.Filter{Period: d.p, Channel: reports.ChannelTelegram}, all},
		{"missed calls", reports.Filter{Period: d.p, Kind: reports.MissedCall}, missedCalls},
		{"their campaign", reports.Filter{Period: d.p, CampaignID: d.mc}, missedCalls},
		{"boris", reports.Filter{Period: d.p, OperatorID: d.boris}, boris},
	} {
		got := d.panels(t, c.f)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("filtered by %s:\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
}

// The service's shape: the hour of the day is the bank's (Moscow, UTC+3), the response bins include their upper
// limit (60 s is in "up to a minute", 61 s is not), and ratings count by mark.
func TestShapeSpreadsAnswersByHourOfTheBanksDayAndByResponseTime(t *testing.T) {
	tm := newTeam(t)
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	p := reports.Period{From: time.Date(2026, 11, 10, 0, 0, 0, 0, msk), To: time.Date(2026, 11, 11, 0, 0, 0, 0, msk)}
	op := tm.operator("anna", "online")
	conv := tm.replied(tm.lead(reports.MissedCall), op)
	nine := time.Date(2026, 11, 10, 9, 30, 0, 0, msk) // 06:30 UTC
	for _, in := range []time.Duration{15 * time.Second, 16 * time.Second, 60 * time.Second, 61 * time.Second, 11 * time.Minute} {
		tm.answer(conv, nine, in, op)
	}
	tm.answer(conv, nine.Add(14*time.Hour), 5*time.Second, op) // 23:30 in Moscow
	s, err := reports.New(tm.pool).Shape(tm.ctx, reports.Filter{Period: p}, msk)
	if err != nil {
		t.Fatal(err)
	}
	if s.ByHour[9] != (reports.HourSLA{Answered: 5, InTime: 3}) || s.ByHour[23] != (reports.HourSLA{Answered: 1, InTime: 1}) {
		t.Errorf("by hour: 9 → %+v, 23 → %+v; want 5 answered (3 in time) and 1 (1)", s.ByHour[9], s.ByHour[23])
	}
	var others int
	for h, x := range s.ByHour {
		if h != 9 && h != 23 {
			others += x.Answered
		}
	}
	if others != 0 {
		t.Errorf("%d answers in other hours", others)
	}
	if fmt.Sprint(s.Responses) != "[2 1 1 1 0 0 1]" {
		t.Errorf("responses %v, want [2 1 1 1 0 0 1] (≤15 s, ≤30 s, ≤60 s, ≤2 min, ≤5 min, ≤10 min, more)", s.Responses)
	}
}

// The trend's buckets are the bank's days and Monday-to-Sunday weeks, the first and last cut to the period.
func TestDaysAndWeeksCutThePeriodInTheBanksZone(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	p := reports.Period{From: time.Date(2026, 11, 5, 0, 0, 0, 0, msk), To: time.Date(2026, 11, 19, 0, 0, 0, 0, msk)} // Thu to Wed
	days, weeks := reports.Days(p, msk), reports.Weeks(p, msk)
	if len(days) != 14 || !days[13].To.Equal(p.To) {
		t.Errorf("%d days, the last ending %v", len(days), days[len(days)-1].To)
	}
	var got []string
	for _, w := range weeks {
		got = append(got, w.From.Format("01-02")+".."+w.To.Format("01-02"))
	}
	if fmt.Sprint(got) != "[11-05..11-09 11-09..11-16 11-16..11-19]" {
		t.Errorf("weeks %v", got)
	}
}
