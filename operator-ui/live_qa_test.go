package operatorui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// closedDialog is a client's dialog, closed; it returns the conversation.
func (s *supervised) closedDialog(company string) int64 {
	s.t.Helper()
	conv := s.write(s.chat(company, "", ""), "Здравствуйте")
	if _, err := s.Pool.Exec(context.Background(), `UPDATE conversations SET status = 'closed', closed_at = now()
		WHERE id = $1`, conv); err != nil {
		s.t.Fatal(err)
	}
	return conv
}

// qaPost is the review form with the given items ticked.
func qaPost(comment string, passed ...string) url.Values {
	v := url.Values{"comment": {comment}}
	for _, key := range passed {
		v.Set("qa_"+key, "pass")
	}
	return v
}

var everyItem = []string{"greeting", "answered", "offer", "outcome", "language", "security", "closing"}

// Only supervisors and administrators review: an operator or a manager gets 403 and nothing is stored.
func TestQAReviewIsClosedToOperatorsAndManagers(t *testing.T) {
	s := newSupervisedSite(t)
	conv := s.closedDialog("ООО Ромашка")
	for _, role := range []auth.Role{auth.Operator, auth.Manager} {
		res := s.post(s.loggedIn(role), fmt.Sprintf("/live/dialogs/%d/qa", conv), qaPost("", everyItem...))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("review as %s: %d, want 403", role, res.StatusCode)
		}
	}
	var n int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM qa_reviews`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d reviews after refused posts (%v)", n, err)
	}
}

// A supervisor opens a closed dialog, nothing ticked, ticks what the operator did and saves: the page shows the score, who
// reviewed, and the form as saved; the review is in the audit log. A second save replaces it. An open dialog has no
// form, and a comment too long is explained next to the field with the ticks kept.
func TestSupervisorReviewsAClosedDialogOnItsPage(t *testing.T) {
	s := newSupervisedSite(t)
	conv := s.closedDialog("ООО Ромашка")
	page := fmt.Sprintf("/live/dialogs/%d", conv)
	c := s.loggedIn(auth.Supervisor)

	_, body := s.get(c, page)
	if !strings.Contains(body, `data-testid="qa-none"`) || strings.Count(body, ` checked data-weight=`) != 0 ||
		!strings.Contains(body, `<strong data-qa-total>0</strong>`) {
		t.Fatalf("a dialog not reviewed yet: no empty review, or an item ticked before the reviewer ticked it")
	}
	res := s.post(c, page+"/qa", qaPost("Не уточнил оборот.", "greeting", "answered", "offer", "outcome", "security", "closing"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.get(c, page)
	if !strings.Contains(body, "QA score: 90 of 100") || !strings.Contains(body, "Не уточнил оборот.") ||
		strings.Contains(body, `value="pass" checked data-weight="10" data-testid="qa-item-language"`) ||
		!strings.Contains(body, `value="pass" checked data-weight="20" data-testid="qa-item-security"`) ||
		!strings.Contains(body, `<strong data-qa-total>90</strong>`) {
		t.Errorf("the page after the review does not show 90 with language unticked")
	}
	if strings.Contains(body, "[qa.") {
		t.Error("an untranslated qa key")
	}
	ctx := context.Background()
	var audit string
	if err := s.Pool.QueryRow(ctx, `SELECT action || ' ' || object || ' ' || (detail->>'score') FROM audit_log
		WHERE action = 'dialog.qa_review'`).Scan(&audit); err != nil || audit != fmt.Sprintf("dialog.qa_review conversation %d 90", conv) {
		t.Errorf("audit %q, %v", audit, err)
	}

	admin := s.loggedIn(auth.Admin)
	if res := s.post(admin, page+"/qa", qaPost("", everyItem[1:]...)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.StatusCode)
	}
	var score int
	var reviewer string
	if err := s.Pool.QueryRow(ctx, `SELECT q.score, u.login FROM qa_reviews q JOIN users u ON u.id = q.reviewer_id`).
		Scan(&score, &reviewer); err != nil || score != 95 || reviewer != "admin1" {
		t.Errorf("after the second review: %d by %s (%v), want 95 by admin1", score, reviewer, err)
	}

	res, err := c.PostForm(s.URL+page+"/qa", qaPost(strings.Repeat("я", 1001), "greeting"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	body = string(raw)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="qa-comment-error"`) ||
		!strings.Contains(body, ` checked data-weight="5" data-testid="qa-item-greeting"`) ||
		strings.Contains(body, ` checked data-weight="20" data-testid="qa-item-answered"`) || !strings.Contains(body, "QA score: 95 of 100") {
		t.Errorf("a comment too long: %d, want 422 with the field's error, the ticks kept and the stored score", res.StatusCode)
	}

	open := s.write(s.chat("ООО Лютик", "", ""), "Алло")
	if _, body := s.get(c, fmt.Sprintf("/live/dialogs/%d", open)); strings.Contains(body, `data-testid="dialog-qa"`) {
		t.Error("an open dialog shows the review form")
	}
	if res := s.post(c, fmt.Sprintf("/live/dialogs/%d/qa", open), qaPost("", everyItem...)); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a review of an open dialog: %d, want 422", res.StatusCode)
	}
}
