package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// TestSupervisorDrillsFromAFigureToTheDialogsBehindIt: on a fresh demo the supervisor clicks the missed calls'
// consents on the report, lands on the list of as many dialogs, with the same period, and opens the first.
func TestSupervisorDrillsFromAFigureToTheDialogsBehindIt(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "supervisor", srv.DemoPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(srv.URL + "/reports")
	page.Submit(testid("reports-quick-30")) // a link: Submit waits for the page it loads, charts and all
	page.WaitText(`a[aria-current=true]`, "30")
	figure := `[data-testid=reports-kind][data-kind=missed_call] [data-testid=consented] a`
	consents := page.Text(figure)
	if consents == "" || consents == "0" {
		t.Fatalf("the demo's missed calls have %q consents", consents)
	}
	if status := page.Submit(figure); status != http.StatusOK || page.Path() != "/reports/dialogs" {
		t.Fatalf("the figure's link: %d, on %s", status, page.Path())
	}
	q := page.URL().Query()
	if q.Get("kind") != "missed_call" || q.Get("outcome") != "consent" || q.Get("by") != "written" || q.Get("from") == "" {
		t.Errorf("the list's filters %v", q)
	}
	if total := page.Text(testid("dialogs-total")); !strings.HasSuffix(total, ": "+consents) {
		t.Errorf("the list says %q, the figure %s", total, consents)
	}
	id := page.Text(testid("dialogs-row") + ":first-child " + testid("dialogs-open"))
	if status := page.Submit(testid("dialogs-open")); status != http.StatusOK || page.Path() != "/live/dialogs/"+strings.TrimPrefix(id, "#") {
		t.Fatalf("open the dialog %s: %d, on %s", id, status, page.Path())
	}
	page.WaitText(testid("dialog-title"), strings.TrimPrefix(id, "#"))
	if n := page.Count(testid("dialog-outcome")); n == 0 {
		t.Error("the consented dialog shows no outcome")
	}
	if !page.Has(testid("dialog-list-back")) {
		t.Error("the dialog has no way back to its list")
	}
}

// TestSupervisorReviewsADialogFromTheSampleAndGetsWhatSheTicked: from the QA panel the supervisor opens the sample
// of closed dialogs nobody has reviewed, opens the first, where nothing is ticked and the preview says 0, ticks
// every point but the greeting (95), saves, and the review is 95; "Next dialog" leads to another unreviewed one.
func TestSupervisorReviewsADialogFromTheSampleAndGetsWhatSheTicked(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")
	pool := attachDatabase(t, data)

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "supervisor", srv.DemoPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(srv.URL + "/reports")
	page.Submit(testid("reports-quick-30"))
	page.WaitText(`a[aria-current=true]`, "30")
	if status := page.Submit(testid("reports-qa-sample")); status != http.StatusOK || page.Path() != "/reports/dialogs" {
		t.Fatalf("the sample: %d, on %s", status, page.Path())
	}
	rows := page.Count(testid("dialogs-row"))
	if rows == 0 || rows > 9 {
		t.Fatalf("the sample has %d dialogs, want up to 3 for each of the demo's 3 operators", rows)
	}
	if n := page.Count(testid("dialogs-qa") + ":not(:empty)"); page.Text(testid("dialogs-row")+":first-child "+testid("dialogs-qa")) != "—" || n != rows {
		t.Error("the sample lists a reviewed dialog")
	}
	first := strings.TrimPrefix(page.Text(testid("dialogs-row")+":first-child "+testid("dialogs-open")), "#")
	if status := page.Submit(testid("dialogs-open")); status != http.StatusOK || page.Path() != "/live/dialogs/"+first {
		t.Fatalf("open the first: %d, on %s", status, page.Path())
	}
	if n := page.Count(testid("qa-form") + " input[type=checkbox]:checked"); n != 0 {
		t.Fatalf("%d items ticked before the reviewer ticked any", n)
	}
	page.WaitText(testid("qa-preview"), "0")
	for _, item := range []string{"answered", "offer", "outcome", "language", "security", "closing"} {
		page.Click(testid("qa-item-" + item))
	}
	page.WaitText(testid("qa-preview"), "95")
	if status := page.Submit(testid("qa-submit")); status != http.StatusOK || page.Path() != "/live/dialogs/"+first {
		t.Fatalf("save: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("qa-score"), "95")
	conv, _ := strconv.ParseInt(first, 10, 64)
	var score int
	if err := pool.QueryRow(context.Background(), `SELECT score FROM qa_reviews WHERE conversation_id = $1`, conv).Scan(&score); err != nil || score != 95 {
		t.Fatalf("stored score %d (%v), want 95", score, err)
	}
	if status := page.Submit(testid("dialog-next")); status != http.StatusOK || page.Path() == "/live/dialogs/"+first ||
		!strings.HasPrefix(page.Path(), "/live/dialogs/") {
		t.Fatalf("next: %d, on %s", status, page.Path())
	}
	if !page.Has(testid("qa-none")) {
		t.Error("the next dialog of the sample is reviewed already")
	}
}

// TestTheLiveBoardAlarmsWhenAClientWaitsWithNobodyOnline: a client waits in a queue and no operator is online;
// the supervisor's board shows the alarm without a reload, sounds once she has clicked on the page, and after she
// acknowledges it says who did.
func TestTheLiveBoardAlarmsWhenAClientWaitsWithNobodyOnline(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data)
	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Supervisor-chose-1"
	sveta, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Login: "sveta", DisplayName: "Svetlana", Role: auth.Supervisor,
		Password: password, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "sveta", password); status != http.StatusOK || page.Path() != "/live" {
		t.Fatalf("login: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("live-updated"), "Updated live")
	if page.Count(testid("live-alarm")) != 0 {
		t.Fatal("an alarm on an empty board")
	}
	page.Click(testid("live-sound")) // the click that lets the page play sound
	page.WaitText(testid("live-sound"), "Sound on")

	if _, err := pool.Exec(ctx, `
		WITH ct AS (INSERT INTO contacts (channel, bot_id, chat_id, first_name)
			SELECT 'telegram', min(id), 77001, 'Irina' FROM bots WHERE channel = 'telegram' RETURNING id)
		INSERT INTO conversations (contact_id, channel, queue_id, status, waiting_since, queued_at)
		SELECT ct.id, 'telegram', (SELECT id FROM queues WHERE name = 'general'), 'waiting', now(), now() FROM ct`); err != nil {
		t.Fatal(err)
	}
	page.WaitText(testid("live-alarm-text"), "A client is waiting and no operator is online (waiting: 1)")
	waitJS(t, page, `document.querySelector("[data-testid=live]").getAttribute("data-beeps") === "1"`, "the alarm's sound")

	page.Click(testid("live-alarm-ack"))
	page.WaitText(testid("live-alarm-acked"), "Acknowledged by Svetlana at ")
	if page.Count(testid("live-alarm-ack")) != 0 {
		t.Error("the acknowledged alarm still asks to be acknowledged")
	}
	var by int64
	if err := pool.QueryRow(ctx, `SELECT acknowledged_by FROM live_alarms WHERE kind = 'no_operator'`).Scan(&by); err != nil || by != sveta.ID {
		t.Errorf("acknowledged by %d (%v), want sveta %d", by, err, sveta.ID)
	}
}
