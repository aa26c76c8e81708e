package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"dozvon/internal/browsertest"
)

// TestSupervisorReviewsAClosedDialogOfTheDemo is QA in a real browser: on a fresh demo the supervisor opens a
// dialog of the past that nobody has reviewed, ticks the points the operator got right, and saves; the page shows
// the score the checklist's weights give, and the review is stored.
func TestSupervisorReviewsAClosedDialogOfTheDemo(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")

	ctx := context.Background()
	pool := attachDatabase(t, data)
	var conv int64
	if err := pool.QueryRow(ctx, `
		SELECT c.id FROM conversations c
		WHERE c.status = 'closed' AND NOT EXISTS (SELECT FROM qa_reviews q WHERE q.conversation_id = c.id)
		ORDER BY c.id LIMIT 1`).Scan(&conv); err != nil {
		t.Fatalf("the demo has no closed dialog without a review: %v", err)
	}

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "supervisor", srv.DemoPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	path := "/live/dialogs/" + strconv.FormatInt(conv, 10)
	if status := page.Open(srv.URL + path); status != http.StatusOK {
		t.Fatalf("%s: %d", path, status)
	}
	if !page.Has(testid("qa-none")) {
		t.Fatal("the dialog shows a review it does not have")
	}
	// Nothing is ticked at first: the reviewer ticks what the operator did, all but the greeting (5) and the
	// language (10).
	for _, item := range []string{"answered", "offer", "outcome", "security", "closing"} {
		page.Click(testid("qa-item-" + item))
	}
	page.Fill(testid("qa-comment"), "Не поздоровался, опечатки в тарифе.")
	if status := page.Submit(testid("qa-submit")); status != http.StatusOK || page.Path() != path {
		t.Fatalf("save the review: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("qa-score"), "85")
	var score int
	var comment string
	if err := pool.QueryRow(ctx, `SELECT score, comment FROM qa_reviews WHERE conversation_id = $1`, conv).Scan(&score, &comment); err != nil ||
		score != 85 || comment != "Не поздоровался, опечатки в тарифе." {
		t.Errorf("stored review: %d %q %v", score, comment, err)
	}
}
