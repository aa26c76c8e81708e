package operatorui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger"
)

// In a real Chromium, in Russian: a client linked on Telegram and on MAX writes on MAX. The operator sees the
// dialog marked MAX (with the bot, there being two bots) in the list and the header, the composer says the
// answer goes to MAX, and the card lists both chats. The supervisor sees the dialog on MAX on the live board and
// the funnel per messenger on /reports; the administrator renames the MAX bot and switches it off.
func TestChannelsAreShownToOperatorsSupervisorsAndAdministrators(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	opID := d.ids[auth.Operator]
	c := d.chatWith("ООО «Север»")
	var maxBot int64
	if err := d.Pool.QueryRow(ctx, `INSERT INTO bots (channel, remote_id, username, name)
		VALUES ('max', '77', 'bank_max_bot', 'Банк в MAX') RETURNING id`).Scan(&maxBot); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `
		WITH ct AS (
		    INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, linked_via)
		    VALUES ('max', $1, 5000001, 5000001, 'Ирина', 'contact') RETURNING id
		)
		INSERT INTO contact_leads (contact_id, lead_id, via) SELECT id, $2, 'contact' FROM ct`, maxBot, c.LeadID); err != nil {
		t.Fatal(err)
	}
	d.online(opID)
	if err := d.Dialog.HandleInbound(ctx, messenger.Inbound{InboxID: d.update.Add(1), Text: "Здравствуйте, я теперь в MAX",
		At: time.Now(), Chat: messenger.Chat{Address: messenger.Address{Channel: messenger.MAX, BotID: maxBot, ChatID: 5000001},
			UserID: 5000001}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{opID, d.ids[auth.Supervisor], d.ids[auth.Admin]} {
		if err := d.Users.SetLocale(ctx, id, "ru"); err != nil {
			t.Fatal(err)
		}
	}

	page := browsertest.New(t)
	if status := page.Login(d.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(d.URL + "/console")
	if got := page.WaitText(testidSel("dialog")+" "+testidSel("channel-badge"), "MAX"); got != "MAX · Банк в MAX" {
		t.Errorf("the dialog's badge in the list reads %q; want the channel and the bot", got)
	}
	if got := page.WaitText(testidSel("chat-channel"), "MAX"); got != "MAX · Банк в MAX" {
		t.Errorf("the header's badge reads %q", got)
	}
	if got := page.WaitText(testidSel("reply-channel"), "MAX"); got != "Ответ в MAX" {
		t.Errorf("the composer says %q; want where the answer goes", got)
	}
	page.WaitText(testidSel("card-chats"), "Telegram")
	chats := page.Text(testidSel("card-chats"))
	for _, want := range []string{"Чаты клиента", "MAX · бот Банк в MAX · активен · привязан по номеру телефона", "этот диалог",
		"Telegram · бот dozvon_sim_bot · активен · привязан по ссылке-приглашению"} {
		if !strings.Contains(chats, want) {
			t.Errorf("the card's chats lack %q:\n%s", want, chats)
		}
	}
	if strings.Contains(chats, "telegram") || strings.Contains(chats, "max ") || strings.Contains(chats, "deep_link") {
		t.Errorf("a raw code on the card's chats:\n%s", chats)
	}
	if n := strings.Count(chats, "· бот "); n != 2 {
		t.Errorf("the card lists %d chats; want the client's two:\n%s", n, chats)
	}

	// The supervisor: the live board counts the dialog on MAX; the reports show the funnel per messenger.
	camp, err := d.Campaigns.Create(ctx, campaigns.Campaign{Name: "Недозвоны", LeadKind: "missed_call",
		Template: campaigns.Template{Body: "Здравствуйте!"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO outbox (campaign_id, step, lead_id, channel, bot_id, chat_id, text, state, sent_at)
		SELECT $1, CASE ct.channel WHEN 'telegram' THEN 1 ELSE 2 END, $2, ct.channel, ct.bot_id, ct.chat_id, 'Здравствуйте!',
		       'sent', now() - interval '1 hour'
		FROM contacts ct WHERE ct.id IN (SELECT contact_id FROM contact_leads WHERE lead_id = $2)`, camp.ID, c.LeadID); err != nil {
		t.Fatal(err)
	}
	sup := page.Isolated()
	if status := sup.Login(d.URL, "supervisor1", testPassword); status != http.StatusOK {
		t.Fatalf("supervisor login: %d", status)
	}
	sup.Open(d.URL + "/live")
	if got := sup.Text(`[data-testid=live-channel][data-channel=max]`); !strings.HasPrefix(got, "MAX") {
		t.Errorf("the live board's MAX row reads %q", got)
	}
	if got := sup.Text(`[data-testid=live-channel][data-channel=max] [data-testid=live-channel-open]`); got != "1" {
		t.Errorf("open dialogs on MAX: %q; want 1", got)
	}
	if got := sup.Text(`[data-testid=live-channel][data-channel=telegram] [data-testid=live-channel-open]`); got != "0" {
		t.Errorf("open dialogs on Telegram: %q; want 0", got)
	}
	sup.Open(d.URL + "/reports")
	sup.WaitText(testidSel("reports-channels"), "MAX")
	for _, ch := range []string{"telegram", "max"} {
		row := `[data-testid=reports-channel][data-channel=` + ch + `]`
		if got := sup.Text(row + ` [data-testid=written]`); got != "1" {
			t.Errorf("leads written to on %s: %q; want 1", ch, got)
		}
	}
	if got := sup.Text(`[data-testid=reports-channel][data-channel=max] [data-testid=replied]`); got != "1" {
		t.Errorf("leads written to on MAX that replied: %q; want 1", got)
	}
	if labels := sup.Text(testidSel("reports-channels")); !strings.Contains(strings.ToLower(labels), "мессенджер") || strings.Contains(labels, "telegram") {
		t.Errorf("the per-messenger table:\n%s", labels)
	}
	if !sup.Has(`[data-testid=chart-channels] svg`) {
		t.Error("no chart of the messengers")
	}

	// The administrator renames the MAX bot and switches it off; both are in the audit log.
	adm := page.Isolated()
	if status := adm.Login(d.URL, "admin1", testPassword); status != http.StatusOK {
		t.Fatalf("admin login: %d", status)
	}
	adm.Open(d.URL + "/admin/bots")
	row := `[data-testid=bot][data-channel=max]`
	if got := adm.Text(row + ` [data-testid=bot-token]`); got != "переменная окружения MAX_BOT_TOKEN" {
		t.Errorf("the MAX bot's token comes from %q", got)
	}
	adm.Fill(row+` [data-testid=bot-name]`, "Бизнес-бот, Сибирь")
	if status := adm.Submit(row + ` [data-testid=bot-rename]`); status != http.StatusOK {
		t.Fatalf("rename: %d", status)
	}
	if got := adm.Value(row + ` [data-testid=bot-name]`); got != "Бизнес-бот, Сибирь" {
		t.Errorf("the bot's name after renaming: %q", got)
	}
	if status := adm.Submit(row + ` [data-testid=bot-switch]`); status != http.StatusOK {
		t.Fatalf("disable: %d", status)
	}
	if got := adm.Text(row + ` [data-testid=bot-state]`); got != "выключен" {
		t.Errorf("the bot's state after switching it off: %q", got)
	}
	var name string
	var enabled bool
	if err := d.Pool.QueryRow(ctx, `SELECT name, enabled FROM bots WHERE id = $1`, maxBot).Scan(&name, &enabled); err != nil ||
		name != "Бизнес-бот, Сибирь" || enabled {
		t.Errorf("the bot is %q, enabled %v (%v); want renamed and off", name, enabled, err)
	}
	var actions string
	if err := d.Pool.QueryRow(ctx, `SELECT string_agg(action || ' ' || object, ', ' ORDER BY id) FROM audit_log
		WHERE action LIKE 'bot.%'`).Scan(&actions); err != nil || actions != "bot.rename max @bank_max_bot, bot.disable max @bank_max_bot" {
		t.Errorf("audit log: %q (%v); want the rename and the switch", actions, err)
	}
}
