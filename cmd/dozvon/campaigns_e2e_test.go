package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/browsertest"
)

// TestManagerBuildsRunsAndDeliversACampaign is a campaign manager's first campaign on a demo installation: they
// write it in the browser (a formatted template with a variable and a button, the schedule checked as they type),
// see the preview and the audience, run it, watch the list reach 100%, and a simulated client has the message.
func TestManagerBuildsRunsAndDeliversACampaign(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true") // companies, leads, simulated chats and the team

	// The audience is the follow-ups of the region with the fewest reachable ones: a handful of messages, well
	// inside the simulated bot's flood limit of 30 a second. The demo data says which region and who is in it.
	ctx := context.Background()
	pool := attachDatabase(t, data)
	var region string
	var reachable, needsInvite int
	err := pool.QueryRow(ctx, `
		SELECT c.region, count(ct.id), count(*) - count(ct.id)
		FROM leads l
		JOIN clients c ON c.id = l.client_id
		LEFT JOIN contact_leads cl ON cl.lead_id = l.id
		LEFT JOIN contacts ct ON ct.id = cl.contact_id AND ct.status = 'active'
		WHERE l.kind = 'follow_up' AND l.status IN ('new', 'offered')
		GROUP BY c.region HAVING count(ct.id) BETWEEN 1 AND 3
		ORDER BY count(ct.id) DESC, c.region LIMIT 1`).Scan(&region, &reachable, &needsInvite)
	if err != nil {
		t.Fatalf("the demo data has no region with a few reachable follow-ups: %v", err)
	}
	var chatID int64
	var clientName string
	err = pool.QueryRow(ctx, `
		SELECT ct.chat_id, c.contact_name
		FROM leads l JOIN clients c ON c.id = l.client_id
		JOIN contact_leads cl ON cl.lead_id = l.id JOIN contacts ct ON ct.id = cl.contact_id AND ct.status = 'active'
		WHERE l.kind = 'follow_up' AND l.status IN ('new', 'offered') AND c.region = $1
		ORDER BY ct.chat_id LIMIT 1`, region).Scan(&chatID, &clientName)
	if err != nil {
		t.Fatal(err)
	}
	pool.Close() // the server stops its PostgreSQL at the end; nothing of ours should hold it
	t.Logf("audience: follow-ups in %s, %d reachable, %d to invite; watching chat %d", region, reachable, needsInvite, chatID)

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "manager", srv.DemoPassword); status != http.StatusOK || page.Path() != "/campaigns" {
		t.Fatalf("manager login: status %d, on %s", status, page.Path())
	}
	if status := page.Submit(testid("new-campaign")); status != http.StatusOK || page.Path() != "/campaigns/new" {
		t.Fatalf("new campaign: status %d, on %s", status, page.Path())
	}

	// The campaign: follow-ups of one region, written to at any hour (no quiet hours, no frequency cap) so the
	// test does not depend on the time of day or on the demo campaigns.
	name := "Фоллоу-ап: " + region
	page.Fill(testid("f-name"), name)
	page.Click(`input[name=lead_kind][value=follow_up]`)
	page.Fill(testid("f-regions"), region)
	page.Fill(testid("f-body"), "<b>Добрый день</b>, {{.ClientName}}! Предложение для региона ")
	page.Click(`[data-insert="{{.Region}}"]`) // the variable goes in where the cursor is
	page.Fill(testid("f-button-text-0"), "Написать специалисту")
	page.Select(testid("f-button-action-0"), "route")
	page.Fill(testid("f-quiet-from"), "00:00")
	page.Fill(testid("f-quiet-to"), "00:00")
	page.Fill(testid("f-cap-days"), "0")

	// The schedule is checked as it is typed: a mistake is explained, a good one shows its next five runs.
	page.Fill(testid("f-schedule"), "every day")
	page.WaitText(testid("schedule-error"), "не расписание") // the demo team works in Russian
	page.Fill(testid("f-schedule"), "CRON_TZ=Europe/Moscow 0 10 * * 1-5")
	page.WaitText(testid("next-runs"), "10:00 МСК")
	if n := page.Count(testid("next-runs") + " li"); n != 5 {
		t.Errorf("%d next runs shown, want 5", n)
	}
	if status := page.Submit(testid("save-campaign")); status != http.StatusOK {
		t.Fatalf("save: status %d; %s", status, page.Text("main"))
	}
	campaignPath := page.Path()
	id := strings.TrimPrefix(campaignPath, "/campaigns/")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("after saving the browser is on %s, want the campaign's page", campaignPath)
	}

	// The preview is the message as a lead of the audience gets it; the audience is counted.
	if got := page.Text(testid("preview")); !strings.HasPrefix(got, "Добрый день, ") || !strings.HasSuffix(got, "! Предложение для региона "+region) {
		t.Errorf("preview reads %q", got)
	}
	if n := page.Count(testid("preview") + " strong"); n != 1 {
		t.Errorf("the preview has %d bold parts, want 1", n)
	}
	if got := page.Text(testid("preview-buttons")); got != "Написать специалисту" {
		t.Errorf("preview buttons %q", got)
	}
	if got := page.Text(testid("audience-reachable")); got != strconv.Itoa(reachable) {
		t.Errorf("reachable now %s, want %d", got, reachable)
	}
	if got := page.Text(testid("audience-needs-invite")); got != strconv.Itoa(needsInvite) {
		t.Errorf("needing an invitation %s, want %d", got, needsInvite)
	}

	// Run it by hand, agreeing to the question that names the audience; the run is in the history.
	dialogs := page.AcceptDialogs()
	if status := page.Submit(testid("action-run")); status != http.StatusOK {
		t.Fatalf("run: status %d", status)
	}
	if got := page.Text(testid("run-enqueued")); got != strconv.Itoa(reachable) {
		t.Errorf("the run queued %s, want %d", got, reachable)
	}
	if got := page.Text(testid("run-invited")); got != strconv.Itoa(needsInvite) {
		t.Errorf("the run invited %s, want %d", got, needsInvite)
	}
	wantAsk := fmt.Sprintf("Запустить кампанию сейчас? Сообщение получат %d клиентов в чатах, ещё %d получат приглашение по ссылке.", reachable, needsInvite)
	if got := dialogs.Messages(); len(got) != 1 || got[0] != wantAsk {
		t.Errorf("Run now asked %q, want %q", got, wantAsk)
	}

	// The list's progress, refreshed while the sender works, reaches 100%.
	page.Open(srv.URL + "/campaigns")
	row := `[data-campaign="` + id + `"] `
	page.WaitText(row+testid("campaign-done"), "100%")
	if got := page.Text(row + testid("campaign-sent")); got != strconv.Itoa(reachable) {
		t.Errorf("sent %s, want %d", got, reachable)
	}
	if got := page.Text(row + testid("campaign-status")); got != "Запускалась вручную" {
		t.Errorf("status %q, want Запускалась вручную (a manual run does not activate, and it is no draft now)", got)
	}

	// The list follows what happens elsewhere without a reload: the manager activates the campaign from another
	// computer.
	colleague := loginClient(t, srv.URL, "manager", srv.DemoPassword)
	res, err := colleague.PostForm(srv.URL+campaignPath+"/activate", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != campaignPath {
		t.Fatalf("activate over HTTP: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page.WaitText(row+testid("campaign-status"), "Активна")

	// The simulated client has the message, with its button.
	page.Open(srv.URL + "/sim?client=" + strconv.FormatInt(chatID, 10))
	page.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Добрый день, "+clientName+"! Предложение для региона "+region)
	if got := page.Text(`#sim-log [data-press]`); got != "Написать специалисту" {
		t.Errorf("the message's button reads %q", got)
	}
	stopCleanly(t, srv, data)
}
