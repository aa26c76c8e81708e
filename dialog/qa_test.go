package dialog_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"dozvon/dialog"
)

// allPassed is a checklist with every item passed except those named.
func allPassed(failed ...string) map[string]bool {
	answers := map[string]bool{}
	for _, item := range dialog.QAChecklist {
		answers[item.Key] = true
	}
	for _, key := range failed {
		answers[key] = false
	}
	return answers
}

// closedDialog is a client's dialog that anna answered and closed.
func (d *desk) closedDialog(company string) int64 {
	d.t.Helper()
	anna := d.int(`SELECT max(id) FROM users WHERE login = 'anna'`)
	if anna == 0 {
		anna = d.operator("anna", 5)
	}
	c := d.client(company, "missed_call")
	d.write(c, "Здравствуйте, что нужно для счёта?")
	d.reply(c, anna, "Паспорт и устав.")
	id := d.conv(c).ID
	if err := d.svc.Close(d.ctx, id, anna); err != nil {
		d.t.Fatal(err)
	}
	return id
}

func TestQAChecklistWeighsAHundred(t *testing.T) {
	total := 0
	for _, item := range dialog.QAChecklist {
		total += item.Weight
	}
	if total != 100 {
		t.Fatalf("the checklist weighs %d, want 100", total)
	}
	for _, tc := range []struct {
		failed []string
		want   int
	}{
		{nil, 100},
		{[]string{"greeting"}, 95},
		{[]string{"language"}, 90},
		{[]string{"security", "answered"}, 60},
		{[]string{"greeting", "answered", "offer", "outcome", "language", "security", "closing"}, 0},
	} {
		if got := dialog.QAScore(allPassed(tc.failed...)); got != tc.want {
			t.Errorf("failed %v: score %d, want %d", tc.failed, got, tc.want)
		}
	}
}

func TestSupervisorReviewsAClosedDialogAndASecondReviewReplacesTheFirst(t *testing.T) {
	d := newDesk(t)
	olga := d.user("olga", "supervisor")
	pavel := d.user("pavel", "admin")
	id := d.closedDialog("Ромашка")

	if r, err := d.svc.Review(d.ctx, id); err != nil || r != nil {
		t.Fatalf("before any review: %+v, %v", r, err)
	}
	got, err := d.svc.ReviewDialog(d.ctx, id, olga, allPassed("language"), "  Опечатки в тарифе.  ")
	if err != nil {
		t.Fatal(err)
	}
	if got.Score != 90 || got.ReviewerID != olga || got.Reviewer != "olga" || got.Comment != "Опечатки в тарифе." ||
		!got.ReviewedAt.Equal(d.t0) || got.Answers["language"] || !got.Answers["security"] {
		t.Fatalf("review %+v", got)
	}

	d.clock.Add(time.Hour)
	if _, err := d.svc.ReviewDialog(d.ctx, id, pavel, allPassed("greeting"), ""); err != nil {
		t.Fatal(err)
	}
	r, err := d.svc.Review(d.ctx, id)
	if err != nil || r == nil {
		t.Fatalf("review: %+v, %v", r, err)
	}
	if r.Score != 95 || r.ReviewerID != pavel || r.Comment != "" || !r.ReviewedAt.Equal(d.t0.Add(time.Hour)) ||
		r.Answers["greeting"] || !r.Answers["language"] {
		t.Fatalf("the second review %+v, want pavel's 95 of an hour later", r)
	}
	if n := d.int(`SELECT count(*) FROM qa_reviews`); n != 1 {
		t.Fatalf("%d reviews of one dialog", n)
	}
}

func TestQAReviewsAreValidatedAndOnlyClosedDialogsAreReviewed(t *testing.T) {
	d := newDesk(t)
	olga := d.user("olga", "supervisor")
	id := d.closedDialog("Ромашка")

	missing := allPassed()
	delete(missing, "closing")
	unknown := allPassed()
	unknown["smiled"] = true
	for _, tc := range []struct {
		what    string
		answers map[string]bool
		comment string
		field   string
	}{
		{"no answers", nil, "", "answers"},
		{"an item unanswered", missing, "", "answers"},
		{"an item not on the checklist", unknown, "", "answers"},
		{"a comment too long", allPassed(), strings.Repeat("я", dialog.MaxQAComment+1), "comment"},
	} {
		_, err := d.svc.ReviewDialog(d.ctx, id, olga, tc.answers, tc.comment)
		var in *dialog.InputError
		if !errors.As(err, &in) || in.Field != tc.field {
			t.Errorf("%s: %v, want a problem with %s", tc.what, err, tc.field)
		}
	}
	if _, err := d.svc.ReviewDialog(d.ctx, id, olga, allPassed(), strings.Repeat("я", dialog.MaxQAComment)); err != nil {
		t.Errorf("a comment of exactly %d characters: %v", dialog.MaxQAComment, err)
	}
	d.exec(`DELETE FROM qa_reviews`)

	anna := d.int(`SELECT max(id) FROM users WHERE login = 'anna'`)
	if _, err := d.svc.ReviewDialog(d.ctx, id, anna, allPassed(), ""); !errors.Is(err, dialog.ErrNotSupervisor) {
		t.Errorf("an operator's review: %v", err)
	}
	if _, err := d.svc.ReviewDialog(d.ctx, 999999, olga, allPassed(), ""); !errors.Is(err, dialog.ErrNotFound) {
		t.Errorf("a review of no dialog: %v", err)
	}
	open := d.client("Лютик", "missed_call")
	d.write(open, "Алло?")
	if _, err := d.svc.ReviewDialog(d.ctx, d.conv(open).ID, olga, allPassed(), ""); !errors.Is(err, dialog.ErrStillOpen) {
		t.Errorf("a review of an open dialog: %v", err)
	}
	if n := d.int(`SELECT count(*) FROM qa_reviews`); n != 0 {
		t.Fatalf("%d refused reviews were recorded", n)
	}
}
