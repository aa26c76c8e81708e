package reports_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"dozvon/reports"
)

func (tm *team) dialogs(f reports.DialogFilter) []int64 {
	tm.t.Helper()
	page, err := reports.New(tm.pool).Dialogs(tm.ctx, f, 0, 1000)
	if err != nil {
		tm.t.Fatal(err)
	}
	var ids []int64
	for _, d := range page.Rows {
		ids = append(ids, d.ID)
	}
	if page.Total != len(ids) {
		tm.t.Errorf("%+v: total %d, %d rows", f, page.Total, len(ids))
	}
	return ids
}

// The list behind a figure has as many dialogs as the figure counts: the funnel's replies, consents and
// conversions of a kind and of a campaign (one row per lead: a lead with two dialogs shows its latest), an
// operator's dialogs, consents and reviews, the dialogs a client rated 5.
func TestDrillDownListsAsManyDialogsAsTheFigureCounts(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 7)}
	day := from.Add(2*24*time.Hour + 10*time.Hour)
	spring := tm.campaign("Весна", reports.MissedCall)
	autumn := tm.campaign("Осень", reports.FollowUp)
	missed := tm.leads(spring, reports.MissedCall, day, 10, 4, 2, 1, "account_opened")
	tm.leads(autumn, reports.FollowUp, day, 5, 3, 2, 0, "account_opened")
	// A second dialog of the first lead, from another chat: the funnel counts the lead once.
	tm.id(`INSERT INTO conversations (contact_id, channel, lead_id, status)
		VALUES ((SELECT id FROM contacts WHERE chat_id = 1000000 + $1), 'telegram', $1, 'closed') RETURNING id`, missed[0])
	anna := tm.operator("anna", "online")
	olga := tm.id(`INSERT INTO users (login, role, password_hash) VALUES ('olga', 'supervisor', 'x') RETURNING id`)
	var annas []int64
	for i := range 3 {
		conv := tm.replied(tm.lead(reports.MissedCall), anna)
		tm.answer(conv, day, time.Duration(30+i*30)*time.Second, anna) // 30, 60, 90 s: the last one breaches
		tm.closed(conv, day.Add(time.Hour), 5-i)
		annas = append(annas, conv)
	}
	tm.review(annas[0], olga, 95)
	tm.id(`INSERT INTO outcomes (conversation_id, lead_id, kind) SELECT id, lead_id, 'consent' FROM conversations
		WHERE id = $1 RETURNING id`, annas[1])

	conv, err := reports.New(tm.pool).Conversion(tm.ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	written := reports.DialogFilter{Period: p, By: reports.ByWritten, Kind: reports.MissedCall}
	if n := len(tm.dialogs(written)); n != conv.ByKind[0].Replied || n != 4 {
		t.Errorf("missed calls replied: %d listed, the figure %d, want 4", n, conv.ByKind[0].Replied)
	}
	written.Outcome = "consent"
	if n := len(tm.dialogs(written)); n != conv.ByKind[0].Consented || n != 2 {
		t.Errorf("missed calls consented: %d listed, the figure %d, want 2", n, conv.ByKind[0].Consented)
	}
	written.Outcome, written.Converted = "", true
	if n := len(tm.dialogs(written)); n != conv.ByKind[0].Converted || n != 1 {
		t.Errorf("missed calls converted: %d listed, the figure %d, want 1", n, conv.ByKind[0].Converted)
	}
	byCampaign := reports.DialogFilter{Period: p, By: reports.ByWritten, CampaignID: autumn, Outcome: "consent"}
	if n := len(tm.dialogs(byCampaign)); n != 2 {
		t.Errorf("the autumn campaign's consents: %d listed, want 2", n)
	}

	ops, err := reports.New(tm.pool).Operators(tm.ctx, reports.Filter{Period: p})
	if err != nil || len(ops) != 1 {
		t.Fatalf("operators %+v, %v", ops, err)
	}
	worked := reports.DialogFilter{Period: p, OperatorID: anna}
	if got := tm.dialogs(worked); !slices.Equal(got, []int64{annas[2], annas[1], annas[0]}) || len(got) != ops[0].Dialogs {
		t.Errorf("anna's dialogs: %v, the figure %d", got, ops[0].Dialogs)
	}
	worked.Outcome = "consent"
	if got := tm.dialogs(worked); !slices.Equal(got, []int64{annas[1]}) || len(got) != ops[0].Consents {
		t.Errorf("anna's consents: %v, the figure %d", got, ops[0].Consents)
	}
	reviewed := reports.DialogFilter{Period: p, By: reports.ByClosed, OperatorID: anna, QA: "reviewed"}
	if got := tm.dialogs(reviewed); !slices.Equal(got, []int64{annas[0]}) || len(got) != ops[0].Reviews {
		t.Errorf("anna's reviews: %v, the figure %d", got, ops[0].Reviews)
	}
	if got := tm.dialogs(reports.DialogFilter{Period: p, By: reports.ByMessages, SLA: "breached"}); !slices.Equal(got, []int64{annas[2]}) {
		t.Errorf("answered after a minute: %v, want the third", got)
	}
	if got := tm.dialogs(reports.DialogFilter{Period: p, By: reports.ByClosed, CSAT: "5"}); !slices.Equal(got, []int64{annas[0]}) {
		t.Errorf("rated 5: %v, want the first", got)
	}
	if got := tm.dialogs(reports.DialogFilter{Period: reports.Period{From: p.To, To: p.To.AddDate(0, 0, 7)}, OperatorID: anna}); len(got) != 0 {
		t.Errorf("the week after: %v, want none", got)
	}
	if _, err := reports.New(tm.pool).Dialogs(tm.ctx, reports.DialogFilter{Period: p, CSAT: "6"}, 0, 10); !errors.Is(err, reports.ErrFilter) {
		t.Errorf("csat 6: %v, want ErrFilter", err)
	}
}

// The QA sample draws N closed dialogs per operator that nobody has reviewed: the same dialogs on every reload
// of the same period, another draw for another period, and a dialog reviewed leaves the sample for the next one of
// the draw, the others staying.
func TestQASampleIsTheSameOnReloadPerOperatorAndSkipsReviewed(t *testing.T) {
	tm := newTeam(t)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := reports.Period{From: from, To: from.AddDate(0, 0, 7)}
	anna, boris := tm.operator("anna", "online"), tm.operator("boris", "online")
	olga := tm.id(`INSERT INTO users (login, role, password_hash) VALUES ('olga', 'supervisor', 'x') RETURNING id`)
	closedBy := map[int64]int64{}
	for i := range 20 {
		op := anna
		if i%2 == 1 {
			op = boris
		}
		conv := tm.replied(tm.lead(reports.MissedCall), op)
		tm.closed(conv, from.Add(time.Duration(i+1)*time.Hour), 0)
		closedBy[conv] = op
	}
	open := tm.replied(tm.lead(reports.MissedCall), anna) // still open: never drawn
	before := tm.replied(tm.lead(reports.MissedCall), anna)
	tm.closed(before, from.Add(-time.Hour), 0) // closed before the period: never drawn
	already := tm.replied(tm.lead(reports.MissedCall), boris)
	tm.closed(already, from.Add(time.Hour), 0)
	tm.review(already, olga, 100) // reviewed already: never drawn

	f := reports.DialogFilter{Period: p, Sample: 3}
	first := tm.dialogs(f)
	if len(first) != 6 {
		t.Fatalf("sample %v, want 3 per operator", first)
	}
	perOp := map[int64]int{}
	for i, id := range first {
		perOp[closedBy[id]]++
		if id == open || id == before || id == already || closedBy[id] == 0 {
			t.Errorf("drew %d, which is not a closed, unreviewed dialog of the period", id)
		}
		if want := []int64{anna, boris}[i/3]; closedBy[id] != want { // anna's first, then boris's
			t.Errorf("row %d: dialog %d is operator %d's, want %d's", i, id, closedBy[id], want)
		}
	}
	if perOp[anna] != 3 || perOp[boris] != 3 {
		t.Errorf("per operator %v, want 3 each", perOp)
	}
	if again := tm.dialogs(f); !slices.Equal(again, first) {
		t.Errorf("reloaded: %v, first %v", again, first)
	}
	if later := tm.dialogs(reports.DialogFilter{Period: reports.Period{From: p.From, To: p.To.Add(time.Hour)}, Sample: 3}); slices.Equal(later, first) {
		t.Errorf("another period drew the same sample %v", first)
	}
	other := tm.dialogs(reports.DialogFilter{Period: reports.Period{From: p.From, To: p.To.Add(time.Hour)}, Sample: 10})
	if len(other) != 20 {
		t.Errorf("a sample of 10 per operator of 10 each: %d", len(other))
	}

	tm.review(first[1], olga, 80)
	after := tm.dialogs(f)
	if len(after) != 6 || slices.Contains(after, first[1]) || !slices.Contains(after, first[0]) ||
		!slices.Contains(after, first[2]) || !slices.Equal(after[3:], first[3:]) {
		t.Errorf("after reviewing %d: %v (was %v)", first[1], after, first)
	}
	next, err := reports.New(tm.pool).NextDialog(tm.ctx, f, first[1])
	if err != nil || next != after[0] {
		t.Errorf("next after the reviewed dialog: %d (%v), want the sample's first %d", next, err, after[0])
	}
	if next, _ := reports.New(tm.pool).NextDialog(tm.ctx, f, after[0]); next != after[1] {
		t.Errorf("next after %d: %d, want %d", after[0], next, after[1])
	}
}
