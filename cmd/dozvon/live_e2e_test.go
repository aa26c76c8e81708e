package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dozvon/campaigns/campaignstest"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger"
)

// TestLiveBoardFollowsANewConversationAndOpensItReadOnly is a supervisor's second screen: the live board is open
// when a client answers an invitation in the simulator; the missed-call queue's count goes up on the page without
// a reload, and the supervisor opens the dialog read-only — the client's text shown as text — and sends it to the
// general queue with a note.
func TestLiveBoardFollowsANewConversationAndOpensItReadOnly(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data) // no TELEGRAM_BOT_TOKEN: the simulator stands in

	ctx := context.Background()
	pool := attachDatabase(t, data)
	var lead, missed, general int64
	err := pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ('live-1', 'ООО Ромашка', '+79031234500') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT (SELECT id FROM queues WHERE name = 'missed_call'),
		(SELECT id FROM queues WHERE name = 'general')`).Scan(&missed, &general); err != nil {
		t.Fatal(err)
	}
	token, _ := campaignstest.Invite(t, pool, lead) // a campaign's run invited the lead
	const password = "Supervisor-chose-1"
	if _, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Login: "sveta", DisplayName: "Svetlana", Role: auth.Supervisor,
		Password: password, Locale: "en"}); err != nil {
		t.Fatal(err)
	}

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "sveta", password); status != http.StatusOK || page.Path() != "/live" {
		t.Fatalf("supervisor login: status %d, on %s", status, page.Path())
	}
	page.WaitText(testid("live-updated"), "Updated live") // the label says the socket is connected
	waiting := `[data-testid=live-queue][data-queue="` + strconv.FormatInt(missed, 10) + `"] [data-testid=live-queue-waiting]`
	if n := page.Text(waiting); n != "0" {
		t.Fatalf("missed-call queue before: %q, want 0", n)
	}
	if _, err := chromedp.Run(page.Ctx, chromedp.Evaluate[chromedp.Void](`window.dozvonSamePage = true`)); err != nil {
		t.Fatal(err)
	}

	// The client, played through the simulator's API: starts the bot with the invitation, then writes.
	sim := loginClient(t, srv.URL, "sveta", password)
	simPost := func(path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		res, err := sim.Post(srv.URL+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode >= 300 {
			t.Fatalf("%s: status %d", path, res.StatusCode)
		}
		if out != nil {
			if err := json.NewDecoder(res.Body).Decode(out); err != nil {
				t.Fatal(err)
			}
		}
	}
	var created struct {
		Client struct {
			ID int64 `json:"id"`
		} `json:"client"`
	}
	simPost("/sim/api/clients", map[string]string{"first_name": "Irina", "phone": "+79031234500"}, &created)
	chat := "/sim/api/chats/" + strconv.FormatInt(created.Client.ID, 10)
	simPost(chat+"/start", map[string]string{"link": messenger.InviteLink(messenger.Telegram, "dozvon_sim_bot", token)}, nil)
	const payload = `<img src=x onerror=alert(1)> When can you call?`
	simPost(chat+"/text", map[string]string{"text": payload}, nil)

	page.WaitText(waiting, "1")
	page.WaitText(testid("live-waiting"), "1")
	same, err := chromedp.Run(page.Ctx, chromedp.Evaluate[bool](`window.dozvonSamePage === true`))
	if err != nil || !same {
		t.Fatalf("the page was reloaded to show the change (%v)", err)
	}

	// The client waits past the target (the clock moved on, as far as the database can tell): the SLA ticker
	// announces the breach, the board flashes its banner and lists the dialog as a breach.
	if _, err := pool.Exec(ctx, `UPDATE conversations SET waiting_since = waiting_since - interval '70 seconds'
		WHERE lead_id = $1`, lead); err != nil {
		t.Fatal(err)
	}
	waitJS(t, page, `!document.querySelector("[data-testid=live-breach-banner]").hidden`, "the breach banner")
	page.WaitText(testid("live-alert"), "ООО Ромашка")
	if state := page.Text(testid("live-alert") + " td:nth-child(6)"); state != "Breach" {
		t.Errorf("the alert says %q, want Breach", state)
	}

	// The dialog, read-only, from the alert.
	var conv int64
	if err := pool.QueryRow(ctx, `SELECT id FROM conversations WHERE lead_id = $1`, lead).Scan(&conv); err != nil {
		t.Fatal(err)
	}
	path := "/live/dialogs/" + strconv.FormatInt(conv, 10)
	if status := page.Submit(testid("live-alert-open")); status != http.StatusOK || page.Path() != path {
		t.Fatalf("open the alert's dialog: status %d, on %s", status, page.Path())
	}
	page.WaitText(`[data-from=in] [data-testid=dialog-message-body]`, payload)
	if n := page.Count(testid("dialog-history") + " img"); n != 0 {
		t.Errorf("the client's text became %d <img> elements", n)
	}
	if status := page.Text(testid("dialog-status")); status != "Waiting in a queue" {
		t.Errorf("status %q", status)
	}
	if n := page.Count("textarea[name=text], [data-testid=reply]"); n != 0 {
		t.Errorf("the read-only page has %d reply boxes", n)
	}

	// Sent to the general queue with a note; the board shows it there.
	page.Select(testid("reassign-to"), "queue:"+strconv.FormatInt(general, 10))
	page.Fill(testid("reassign-note"), "Asks about acquiring")
	if status := page.Submit(testid("reassign-submit")); status != http.StatusOK || page.Path() != path {
		t.Fatalf("reassign: status %d, on %s", status, page.Path())
	}
	page.WaitText(testid("flash"), "reassigned")
	page.WaitText(`[data-from=note] [data-testid=dialog-message-body]`, "Asks about acquiring")
	if q := page.Text(testid("dialog-queue")); !strings.Contains(q, "General") {
		t.Errorf("queue after reassigning: %q", q)
	}
	page.Open(srv.URL + "/live")
	page.WaitText(`[data-testid=live-queue][data-queue="`+strconv.FormatInt(general, 10)+`"] [data-testid=live-queue-waiting]`, "1")
}

// waitJS waits until the expression is true in the page, failing the test after browsertest.StepTimeout.
func waitJS(t *testing.T, page *browsertest.Page, expr, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(page.Ctx, browsertest.StepTimeout)
	defer cancel()
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waited %s for %s", browsertest.StepTimeout, what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
