package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// TestConsoleOperatorAnswersABroadcastReply is the console's working day in small: two operators are on line, a
// campaign reaches a client, the client answers, and the answer comes to exactly one operator's screen by itself.
// That operator answers with a script, records the client's consent and closes the dialog; the client
// gets the answer and the rating question. What the client typed is shown as text, never run as markup.
func TestConsoleOperatorAnswersABroadcastReply(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data) // no bot token: the simulator plays Telegram

	// The team and the lead, as the bank's data and an administrator leave them.
	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Operators-own-pass-1"
	users := auth.NewStore(pool)
	for _, login := range []string{"irina", "pavel"} {
		if _, err := users.Create(ctx, auth.NewUser{Login: login, DisplayName: strings.ToUpper(login[:1]) + login[1:],
			Role: auth.Operator, Password: password, Locale: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	admin, err := users.ByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(ctx, admin.ID, password, false); err != nil {
		t.Fatal(err)
	}
	var lead int64
	err = pool.QueryRow(ctx, `
		WITH c AS (
		    INSERT INTO clients (external_id, company_name, legal_form, inn, okved, region, timezone, contact_name, phone)
		    VALUES ('con-1', 'Ромашка', 'ООО', '7707083893', '47.91', 'Приморский край', 'Asia/Vladivostok',
		            'Ирина Петровна', '+79031234567')
		    RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dialog.New(pool, zerolog.Nop()).SaveScript(ctx, dialog.Script{Title: "Тариф и встреча", Shortcut: "price",
		Body: "{{.ClientName}}, для {{.Company}} счёт бесплатный первые 3 месяца. Когда удобно встретиться?"}, admin.ID); err != nil {
		t.Fatal(err)
	}
	camp, err := campaigns.NewStore(pool).Create(ctx, campaigns.Campaign{Name: "Недозвон", LeadKind: "missed_call",
		Channels:  []string{"telegram"}, // the simulated Telegram client follows the invitation
		QuietFrom: "00:00", QuietTo: "00:00",
		Template: campaigns.Template{Body: "<b>Здравствуйте</b>, {{.Company}}! Мы не дозвонились по вашей заявке на счёт."}})
	if err != nil {
		t.Fatal(err)
	}

	// A first run invites the lead, who has no chat yet; the client opens the link from the invitations file in the
	// simulator, and the next run reaches them.
	staff := loginClient(t, srv.URL, "admin", password)
	consoleRunCampaign(t, staff, srv.URL, camp.ID)
	link := consoleInvitationLink(t, staff, srv.URL, camp.ID, "+79031234567")
	var created struct{ Client struct{ ID int64 } }
	consoleSimCall(t, staff, srv.URL, "POST", "/sim/api/clients", map[string]string{"first_name": "Ирина", "phone": "+79031234567"}, &created)
	chat := strconv.FormatInt(created.Client.ID, 10)
	consoleSimCall(t, staff, srv.URL, "POST", "/sim/api/chats/"+chat+"/start", map[string]string{"link": link}, nil)
	consoleWait(t, 20*time.Second, "the chat linked to the lead", func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM contact_leads WHERE lead_id = $1`, lead).Scan(&n)
		return n == 1
	})
	consoleRunCampaign(t, staff, srv.URL, camp.ID)
	consoleWait(t, 20*time.Second, "the broadcast in the client's chat", func() bool {
		return consoleBotSaid(t, staff, srv.URL, chat, "Мы не дозвонились по вашей заявке", nil)
	})

	// Two operators, each in their own browser, go on line.
	first := browsertest.New(t)
	second := first.Isolated()
	pages := map[string]*browsertest.Page{"irina": first, "pavel": second}
	for login, page := range pages {
		if status := page.Login(srv.URL, login, password); status != http.StatusOK || page.Path() != "/console" {
			t.Fatalf("%s logs in: status %d, on %s", login, status, page.Path())
		}
		page.WaitText(testid("presence-status"), "Offline") // as stored: nobody is on line by opening the page
		page.Click(testid("presence-online"))
		page.WaitText(testid("presence-status"), "Online")
	}

	// The client answers; the answer comes to one console by itself, without a reload. How fast is the live-events
	// benchmark's to say (docs/BENCHMARKS.md), not this test's.
	const xss = `<img src=x onerror="document.title='pwned'">`
	answer := "Да, интересно " + xss
	consoleSimCall(t, staff, srv.URL, "POST", "/sim/api/chats/"+chat+"/text", map[string]string{"text": answer}, nil)
	var who string
	var page *browsertest.Page
	consoleWait(t, 20*time.Second, "the client's answer on a console", func() bool {
		for login, p := range pages {
			if consoleShows(t, p, testid("dialog-last"), answer) {
				who, page = login, p
			}
		}
		return who != ""
	})
	for login, p := range pages {
		if login != who && consoleShows(t, p, "#console", "Да, интересно") {
			t.Errorf("the answer is on %s's console too", login)
		}
	}

	// The colleague has nothing to take: Alt+N says so.
	for login, p := range pages {
		if login != who {
			consolePress(t, p, "body", `{key: "n", code: "KeyN", altKey: true}`)
			p.WaitText(testid("console-error"), "Nobody is waiting in your queues.")
		}
	}

	// The client waits for an answer: the dialog's SLA clock runs.
	if n := page.Count(`[data-testid=dialog] .sla[data-since]`); n != 1 {
		t.Errorf("%d SLA clocks in the list, want 1", n)
	}

	// The chat opens with the broadcast (as text) and the answer, shown as the text it is.
	page.WaitText(`[data-direction=in] [data-testid=msg-text]`, answer)
	page.WaitText(`.msg-campaign [data-testid=msg-text]`, "Здравствуйте, Ромашка! Мы не дозвонились")
	if n := page.Count("#console img"); n != 0 {
		t.Errorf("the client's text became %d <img> elements", n)
	}
	page.WaitText(testid("card-inn"), "7707083893")
	page.WaitText(testid("card-region"), "Приморский край")

	// The operator types the script's shortcut, which expands into the script filled in for this client, and
	// sends it.
	page.Fill(testid("reply-text"), "/price")
	consolePress(t, page, testid("reply-text"), `{key: "Tab", code: "Tab"}`)
	const scripted = "Ирина Петровна, для Ромашка счёт бесплатный первые 3 месяца. Когда удобно встретиться?"
	consoleWait(t, 10*time.Second, "the script in the reply box", func() bool { return page.Value(testid("reply-text")) == scripted })
	consolePress(t, page, testid("reply-text"), `{key: "Enter", ctrlKey: true}`) // Ctrl+Enter sends
	page.WaitText(`[data-direction=out] [data-testid=msg-text]`, scripted)
	consoleWait(t, 20*time.Second, "the reply in the client's chat", func() bool {
		return consoleBotSaid(t, staff, srv.URL, chat, scripted, nil)
	})
	page.WaitText(`[data-direction=out]:not(.msg-bot) [data-testid=delivery]`, "delivered") // a delivery event

	// Consent to the account, then the close: the client is asked for a rating, 1 to 5.
	page.Click(testid("outcome-open"))
	page.Select(testid("outcome-kind"), "consent")
	page.Select(testid("outcome-product"), "rko")
	page.Click(testid("outcome-save"))
	page.WaitText(testid("console-ok"), "Outcome recorded.")
	page.Click(testid("close-dialog"))
	page.WaitText(testid("close-dialog"), "Click again")
	page.Click(testid("close-dialog"))
	page.WaitText(testid("chat-status"), "closed")
	consoleWait(t, 20*time.Second, "the rating question in the client's chat", func() bool {
		return consoleBotSaid(t, staff, srv.URL, chat, "Оцените", []string{"1", "2", "3", "4", "5"})
	})
	for login, p := range pages {
		if login != who && consoleShows(t, p, "#console", "Да, интересно") {
			t.Errorf("the answer showed up on %s's console later", login)
		}
	}
	if title := consoleTitle(t, page); strings.Contains(title, "pwned") {
		t.Errorf("the client's markup ran in the console: title %q", title)
	}
	var status, outcome string
	if err := pool.QueryRow(ctx, `SELECT l.status, o.product FROM leads l JOIN outcomes o ON o.lead_id = l.id
		WHERE l.id = $1 AND o.kind = 'consent'`, lead).Scan(&status, &outcome); err != nil || status != "consented" || outcome != "rko" {
		t.Errorf("lead %q, consent for %q (%v); want consented, rko", status, outcome, err)
	}
	pool.Close()
	stopCleanly(t, srv, data)
}

// consoleSimCall calls the simulator's page API as staff do from /sim.
func consoleSimCall(t *testing.T, c *http.Client, base, method, path string, body, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, got)
		}
	}
}

// consoleRunCampaign runs a campaign now, as its page's button does.
func consoleRunCampaign(t *testing.T, c *http.Client, base string, id int64) {
	t.Helper()
	res, err := c.PostForm(base+"/campaigns/"+strconv.FormatInt(id, 10)+"/run", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run campaign %d: status %d", id, res.StatusCode)
	}
}

// consoleInvitationLink is the personal link of the phone's invitation in the campaign's file for the SMS system.
func consoleInvitationLink(t *testing.T, c *http.Client, base string, id int64, phone string) string {
	t.Helper()
	res, err := c.Get(base + "/campaigns/" + strconv.FormatInt(id, 10) + "/invitations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := csv.NewReader(res.Body)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || res.StatusCode != http.StatusOK || len(rows) == 0 {
		t.Fatalf("invitations of campaign %d: status %d, %v", id, res.StatusCode, err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[strings.TrimPrefix(name, "\ufeff")] = i
	}
	for _, row := range rows[1:] {
		if strings.Contains(row[col["phone"]], phone) {
			return row[col["link"]]
		}
	}
	t.Fatalf("campaign %d invited no %s: %q", id, phone, rows)
	return ""
}

// consoleBotSaid tells whether the bot said something containing text in the simulated chat, with these buttons.
func consoleBotSaid(t *testing.T, c *http.Client, base, chat, text string, buttons []string) bool {
	t.Helper()
	var got struct {
		Messages []struct {
			FromBot bool   `json:"from_bot"`
			Text    string `json:"text"`
			Buttons [][]struct {
				Text string `json:"text"`
			} `json:"buttons"`
		} `json:"messages"`
	}
	consoleSimCall(t, c, base, "GET", "/sim/api/chats/"+url.PathEscape(chat), nil, &got)
	for _, m := range got.Messages {
		if !m.FromBot || !strings.Contains(m.Text, text) {
			continue
		}
		var labels []string
		for _, row := range m.Buttons {
			for _, b := range row {
				labels = append(labels, b.Text)
			}
		}
		if buttons == nil || strings.Join(labels, " ") == strings.Join(buttons, " ") {
			return true
		}
	}
	return false
}

// consoleShows tells, without waiting, whether an element that selector finds shows text.
func consoleShows(t *testing.T, p *browsertest.Page, selector, text string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, browsertest.StepTimeout)
	defer cancel()
	sel, _ := json.Marshal(selector)
	want, _ := json.Marshal(text)
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).some(e => e.innerText.includes(%s))`, sel, want)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	return err == nil && ok
}

// consolePress dispatches a keydown with these KeyboardEvent options at the element that selector finds, as the
// keyboard does to the focused field.
func consolePress(t *testing.T, p *browsertest.Page, selector, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, browsertest.StepTimeout)
	defer cancel()
	sel, _ := json.Marshal(selector)
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.focus();
		el.dispatchEvent(new KeyboardEvent("keydown", Object.assign({bubbles: true, cancelable: true}, %s))); return true; })()`, sel, key)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatalf("press %s in %s: %v", key, selector, err)
	}
}

func consoleTitle(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, browsertest.StepTimeout)
	defer cancel()
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	return title
}

// consoleWait polls cond until it holds, failing the test after limit.
func consoleWait(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
