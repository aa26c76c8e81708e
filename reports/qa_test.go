package reports_test

import (
	"math"
	"testing"
	"time"

	"dozvon/reports"
)

// review records a supervisor's QA review of a conversation with a score.
func (tm *team) review(conv, reviewer int64, score int) {
	tm.id(`INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, reviewed_at)
		VALUES ($1, $2, $3, '{}', now()) RETURNING conversation_id`, conv, reviewer, score)
}

// QA counts the reviews of the dialogs closed in the period, each for the operator who closed it: a dialog closed
// before the period is left out even if reviewed in it, one answered by someone else counts for who closed it,
// and the team's figure takes every reviewed dialog closed in the period.
func TestQACountsReviewsOfTheDialogsClosedInThePeriod(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 7)}
	day := from.Add(2*24*time.Hour + 10*time.Hour)
	anna, boris := tm.operator("anna", "online"), tm.operator("boris", "online")
	olga := tm.id(`INSERT INTO users (login, role, password_hash) VALUES ('olga', 'supervisor', 'x') RETURNING id`)

	for i, score := range []int{100, 95, 90} {
		conv := tm.replied(tm.lead(reports.MissedCall), anna)
		tm.closed(conv, day.Add(time.Duration(i)*time.Hour), 5)
		tm.review(conv, olga, score)
	}
	notReviewed := tm.replied(tm.lead(reports.MissedCall), anna)
	tm.closed(notReviewed, day, 0)
	before := tm.replied(tm.lead(reports.MissedCall), anna) // closed the day before the period
	tm.closed(before, from.Add(-24*time.Hour), 0)
	tm.review(before, olga, 40)

	helped := tm.replied(tm.lead(reports.FollowUp), boris) // anna answered in it, boris closed it
	tm.answer(helped, day, 30*time.Second, anna)
	tm.closed(helped, day.Add(time.Hour), 0)
	tm.review(helped, olga, 80)

	ops, err := reports.New(tm.pool).Operators(tm.ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 || ops[0].OperatorID != anna || ops[1].OperatorID != boris {
		t.Fatalf("operators %+v", ops)
	}
	if a := ops[0]; a.Reviews != 3 || math.Abs(a.QAScore-95) > 1e-9 {
		t.Errorf("anna: %d reviews, score %v; want 3 with 95", a.Reviews, a.QAScore)
	}
	if b := ops[1]; b.Reviews != 1 || math.Abs(b.QAScore-80) > 1e-9 {
		t.Errorf("boris: %d reviews, score %v; want 1 with 80", b.Reviews, b.QAScore)
	}

	qa, err := reports.New(tm.pool).TeamQA(tm.ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if qa.Reviews != 4 || math.Abs(qa.Score-91.25) > 1e-9 || qa.MeetsTarget() {
		t.Errorf("team QA %+v, want 4 reviews averaging 91.25, under the target", qa)
	}
	if !(reports.QA{Reviews: 10, Score: 97}).MeetsTarget() || (reports.QA{}).MeetsTarget() {
		t.Error("97 meets the target; no reviews meet nothing")
	}
	empty, err := reports.New(tm.pool).TeamQA(tm.ctx, reports.Filter{Period: reports.Period{From: p.To, To: p.To.AddDate(0, 0, 7)}})
	if err != nil || empty != (reports.QA{}) {
		t.Errorf("a week with no reviews: %+v, %v", empty, err)
	}
}
