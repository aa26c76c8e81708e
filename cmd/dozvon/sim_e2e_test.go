package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/campaigns/campaignstest"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/internal/pg"
	"dozvon/messenger"
)

// TestSimulatorLinksAnInvitedLead is the simulator as a team uses it before going live: a lead was invited, a
// staff member plays the client in /sim, opens the personal link, sees the bot greet them, and finds the chat in
// the contact registry linked to the lead. After a restart the simulated client is still there and the bot still
// reaches them.
func TestSimulatorLinksAnInvitedLead(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data) // no TELEGRAM_BOT_TOKEN: the simulator stands in

	// A lead a campaign has invited, and an administrator who chose a password.
	ctx := context.Background()
	pool := attachDatabase(t, data)
	var lead int64
	err := pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ('sim-1', 'ИП Петрова', '+79031234567') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := campaignstest.Invite(t, pool, lead)
	const password = "Admin-chose-this-1"
	users := auth.NewStore(pool)
	admin, err := users.ByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(ctx, admin.ID, password, false); err != nil {
		t.Fatal(err)
	}
	pool.Close() // the server stops its PostgreSQL below; nothing of ours should hold it

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "admin", password); status != http.StatusOK {
		t.Fatalf("login: status %d", status)
	}
	if status := page.Open(srv.URL + "/sim"); status != http.StatusOK {
		t.Fatalf("/sim: status %d", status)
	}
	if banner := page.Text(testid("sim-banner")); !strings.Contains(banner, "these are not real clients") {
		t.Errorf("the simulator is not labelled as one: %q", banner)
	}

	// A new client, with the made-up phone the form offers.
	page.Fill(testid("sim-first-name"), "Irina")
	page.Fill(testid("sim-last-name"), "Petrova")
	page.Click(testid("sim-create"))
	page.WaitText(testid("sim-name"), "Irina Petrova")
	page.WaitText(testid("sim-clients"), "Irina Petrova")

	// The client opens the personal link; the bot links the chat to the lead and greets them.
	page.Fill(testid("sim-link"), messenger.InviteLink(messenger.Telegram, "dozvon_sim_bot", token))
	page.Click(testid("sim-start"))
	page.WaitText(`[data-from=client] [data-testid=sim-body]`, "/start "+token)
	welcome := page.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Вы на связи с банком")
	if strings.Contains(welcome, "поделитесь") {
		t.Errorf("the bot asked for the phone, so it did not recognise the invitation: %q", welcome)
	}

	// Whatever the client types is shown as text, not markup; Enter sends it.
	const payload = `<img src=x onerror=alert(1)>`
	page.Fill(testid("sim-text"), payload+"\n")
	page.WaitText(`[data-from=client] [data-testid=sim-body]`, payload)
	if n := page.Count(testid("sim-chat") + " img"); n != 0 {
		t.Errorf("the client's text became %d <img> elements", n)
	}

	// The registry shows the chat, linked by the invitation to the lead.
	if status := page.Open(srv.URL + "/contacts"); status != http.StatusOK {
		t.Fatalf("/contacts: status %d", status)
	}
	row := `[data-testid=contact]:first-child `
	if name := page.Text(row + testid("contact-name")); name != "Irina" {
		t.Errorf("newest contact is %q, want Irina", name)
	}
	if via := page.Text(row + testid("contact-via")); via != "Invitation link" {
		t.Errorf("linked via %q, want Invitation link", via)
	}
	if leads := page.Text(row + testid("contact-leads")); !strings.HasPrefix(leads, "#"+strconv.FormatInt(lead, 10)+" ") {
		t.Errorf("linked leads %q, want #%d", leads, lead)
	}
	if got := page.Text(testid("count-active")); got != "1" {
		t.Errorf("active count %q, want 1", got)
	}

	// A restart empties the simulator's memory, but the registry brings the client back, and the bot can still
	// write to them: /stop gets its confirmation.
	stopCleanly(t, srv, data)
	srv = startServer(t, data)
	page = browsertest.New(t) // a fresh browser, as a person coming back after the restart
	if status := page.Login(srv.URL, "admin", password); status != http.StatusOK {
		t.Fatalf("login after restart: status %d", status)
	}
	page.Open(srv.URL + "/sim")
	page.WaitText(testid("sim-clients"), "Irina")
	page.Click(testid("sim-clients") + " button")
	page.WaitText(testid("sim-name"), "Irina")
	page.Click(testid("sim-stop"))
	page.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Вы отписались от сообщений банка")
	page.Open(srv.URL + "/contacts?status=opted_out")
	if name := page.Text(`[data-testid=contact]:first-child ` + testid("contact-name")); name != "Irina" {
		t.Errorf("opted-out contact %q, want Irina", name)
	}
	stopCleanly(t, srv, data)
}

// attachDatabase connects to the PostgreSQL that a running `dozvon serve` started on the data folder, as the
// CLI's user commands do.
func attachDatabase(t *testing.T, data string) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := pg.StartEmbedded(ctx, pg.EmbeddedOptions{DataDir: data, Database: "dozvon", Attach: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("attach to the server's PostgreSQL: %v", err)
	}
	pool, err := pg.Connect(ctx, e.URL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
