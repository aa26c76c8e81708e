package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger"
	"dozvon/messenger/max/maxfake"
)

// maxClient is a MAX user at the fake, played over its HTTP control API as another process would (the simulator,
// a load generator): the test touches the fake only through HTTP.
type maxClient struct {
	t      *testing.T
	base   string // the fake's address
	UserID int64  `json:"user_id"`
	ChatID int64  `json:"chat_id"`
}

// maxChatMessage is a message of the client's dialog as the control API shows it.
type maxChatMessage struct {
	Sender *struct {
		IsBot bool `json:"is_bot"`
	} `json:"sender"`
	Body struct {
		Mid         string `json:"mid"`
		Text        string `json:"text"`
		Attachments []struct {
			Type    string `json:"type"`
			Payload struct {
				Buttons [][]maxfake.Button `json:"buttons"`
			} `json:"payload"`
		} `json:"attachments"`
	} `json:"body"`
	Format string `json:"format"`
}

func (m maxChatMessage) fromBot() bool { return m.Sender != nil && m.Sender.IsBot }

// maxControl calls the fake's control API and decodes its answer into out (nil: none).
func maxControl(t *testing.T, base, method, path string, body, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("MAX fake: %s %s: %d %s", method, path, res.StatusCode, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("MAX fake: %s %s: %v in %s", method, path, err, got)
		}
	}
}

// newMaxClient adds a user to the fake.
func newMaxClient(t *testing.T, base, firstName, phone string) *maxClient {
	t.Helper()
	c := &maxClient{t: t, base: base}
	maxControl(t, base, "POST", "/_fake/users", map[string]string{"first_name": firstName, "phone": phone}, c)
	return c
}

func (c *maxClient) do(action string, body any) {
	c.t.Helper()
	maxControl(c.t, c.base, "POST", "/_fake/users/"+strconv.FormatInt(c.UserID, 10)+"/"+action, body, nil)
}

// chat is the client's dialog with the bot, oldest first.
func (c *maxClient) chat() []maxChatMessage {
	c.t.Helper()
	var msgs []maxChatMessage
	maxControl(c.t, c.base, "GET", "/_fake/chats/"+strconv.FormatInt(c.ChatID, 10)+"/messages", nil, &msgs)
	return msgs
}

// botSaid waits for the bot's message whose text contains text, and returns it.
func (c *maxClient) botSaid(what, text string) maxChatMessage {
	c.t.Helper()
	var found maxChatMessage
	waitFor(c.t, 45*time.Second, what, func() bool {
		for _, m := range c.chat() {
			if m.fromBot() && strings.Contains(m.Body.Text, text) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// TestTheWholeLoopOnMAXInTheBrowser is a bank that speaks only MAX, in Chromium. A client who shared her phone
// with the bank's MAX bot is a lead; a manager writes and runs a campaign on MAX in the campaign form, which
// writes to her (formatted, with a button) and invites a lead with no chat by a max.ru link. She presses the
// button and writes; the operator sees the dialog marked MAX, answers twice (the second answer with what looks
// like markup, which she reads as typed) and records her consent; the supervisor finds it under MAX in the
// per-messenger table of /reports. The client is played over the MAX fake's HTTP controls, and every request
// Dozvon made to MAX fits MAX's schema.
func TestTheWholeLoopOnMAXInTheBrowser(t *testing.T) {
	t.Parallel()
	api := startMaxAPI(t, maxfake.Options{BotUsername: "bank_max_bot"})
	data := newDataDir(t)
	srv := startServer(t, data, "MAX_BOT_TOKEN="+api.fake.Token(), "MAX_API_URL="+api.URL)
	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Team-own-pass-1"
	users := auth.NewStore(pool)
	for login, role := range map[string]auth.Role{"marina": auth.Manager, "irina": auth.Operator, "sergey": auth.Supervisor} {
		if _, err := users.Create(ctx, auth.NewUser{Login: login, DisplayName: strings.ToUpper(login[:1]) + login[1:],
			Role: role, Password: password, Locale: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	anna := seedLead(t, pool, "maxb-1", "Ромашка", "+79031230011")
	invited := seedLead(t, pool, "maxb-2", "Лютик", "+79031230012")
	waitFor(t, 45*time.Second, "the MAX poller", func() bool { return api.fake.Calls("GET /updates") > 0 })

	// Anna starts the bank's bot and shares her own number: her MAX chat is linked to her lead.
	client := newMaxClient(t, api.URL, "Анна", "+79031230011")
	client.do("start", map[string]string{"payload": ""})
	client.botSaid("the bot asks for the phone", "")
	client.do("contact", map[string]string{})
	waitFor(t, 45*time.Second, "Anna's chat linked to her lead", func() bool { return linkedLeads(pool, anna) == 1 })

	// The manager writes the campaign for MAX in the form and runs it.
	manager := browsertest.New(t)
	if status := manager.Login(srv.URL, "marina", password); status != http.StatusOK || manager.Path() != "/campaigns" {
		t.Fatalf("manager login: status %d, on %s", status, manager.Path())
	}
	if status := manager.Submit(testid("new-campaign")); status != http.StatusOK || manager.Path() != "/campaigns/new" {
		t.Fatalf("new campaign: status %d, on %s", status, manager.Path())
	}
	manager.Fill(testid("f-name"), "Недозвон в MAX")
	manager.Click(`input[name=lead_kind][value=missed_call]`)
	manager.Fill(testid("f-body"), "<b>Здравствуйте</b>, {{.Company}}! Мы не дозвонились по вашей заявке.")
	manager.Fill(testid("f-button-text-0"), "Поговорить со специалистом")
	manager.Select(testid("f-button-action-0"), "route")
	manager.Fill(testid("f-quiet-from"), "00:00") // any hour: the test does not depend on the time of day
	manager.Fill(testid("f-quiet-to"), "00:00")
	manager.Fill(testid("f-cap-days"), "0")
	manager.Select(testid("f-channel-first"), "max")
	manager.Select(testid("f-channel-then"), "")
	if status := manager.Submit(testid("save-campaign")); status != http.StatusOK {
		t.Fatalf("save: status %d; %s", status, manager.Text("main"))
	}
	campaignPath := manager.Path()
	if _, err := strconv.Atoi(strings.TrimPrefix(campaignPath, "/campaigns/")); err != nil {
		t.Fatalf("after saving the browser is on %s, want the campaign's page", campaignPath)
	}
	if got := manager.Text(testid("preview")); got != "Здравствуйте, Ромашка! Мы не дозвонились по вашей заявке." {
		t.Errorf("the preview reads %q", got)
	}
	dialogs := manager.AcceptDialogs()
	if status := manager.Submit(testid("action-run")); status != http.StatusOK {
		t.Fatalf("run: status %d", status)
	}
	if got := manager.Text(testid("run-enqueued")); got != "1" {
		t.Errorf("the run queued %s messages, want 1 (Anna's)", got)
	}
	if got := manager.Text(testid("run-invited")); got != "1" {
		t.Errorf("the run invited %s leads, want 1 (the lead with no chat)", got)
	}
	if got := dialogs.Messages(); len(got) != 1 {
		t.Errorf("Run now asked %q, want one question", got)
	}

	// Anna has the campaign on MAX, formatted as HTML, with its button.
	campaign := client.botSaid("the campaign in Anna's MAX chat", "Мы не дозвонились")
	if want := "<b>Здравствуйте</b>, Ромашка! Мы не дозвонились по вашей заявке."; campaign.Body.Text != want || campaign.Format != "html" {
		t.Errorf("the campaign reads %q as %q, want %q as html", campaign.Body.Text, campaign.Format, want)
	}
	if len(campaign.Body.Attachments) != 1 || len(campaign.Body.Attachments[0].Payload.Buttons) != 1 {
		t.Fatalf("the campaign's attachments: %+v, want one keyboard with the route button", campaign.Body.Attachments)
	}
	button := campaign.Body.Attachments[0].Payload.Buttons[0][0]
	if button.Text != "Поговорить со специалистом" || button.Type != "callback" {
		t.Errorf("the campaign's button: %+v", button)
	}

	// The lead with no chat follows the max.ru link of the invitations file: MAX hands its token to the bot.
	staff := loginClient(t, srv.URL, "marina", password)
	id, _ := strconv.ParseInt(strings.TrimPrefix(campaignPath, "/campaigns/"), 10, 64)
	link := consoleInvitationLink(t, staff, srv.URL, id, "+79031230012")
	via, bot, token, err := messenger.ParseInviteLink(link)
	if err != nil || via != messenger.MAX || bot != "bank_max_bot" || !strings.HasPrefix(link, "https://max.ru/bank_max_bot?start=") {
		t.Fatalf("the invitation link is %q (%v), want a max.ru link to the bank's MAX bot", link, err)
	}
	boris := newMaxClient(t, api.URL, "Борис", "+79031230012")
	boris.do("start", map[string]string{"payload": token})
	waitFor(t, 45*time.Second, "the invited chat linked to its lead", func() bool { return linkedLeads(pool, invited) == 1 })

	// The operator goes on line; Anna presses the button and writes, and the dialog comes to the console marked MAX.
	console := manager.Isolated()
	if status := console.Login(srv.URL, "irina", password); status != http.StatusOK || console.Path() != "/console" {
		t.Fatalf("operator login: status %d, on %s", status, console.Path())
	}
	console.Click(testid("presence-online"))
	console.WaitText(testid("presence-status"), "Online")
	client.do("press", map[string]string{"mid": campaign.Body.Mid, "payload": button.Payload})
	client.do("text", map[string]string{"text": "Да, расскажите про счёт"})
	console.WaitText(testid("dialog-last"), "Да, расскажите про счёт")
	// Read with WaitText, which finds the element again at each try: the list redraws itself as the dialog changes.
	if got := console.WaitText(testid("dialog")+" "+testid("channel-badge"), "MAX"); got != "MAX" {
		t.Errorf("the dialog's badge in the list reads %q, want MAX", got)
	}
	// The console opens the first dialog of the list by itself.
	if got := console.WaitText(testid("chat-channel"), "MAX"); got != "MAX" {
		t.Errorf("the chat's header reads %q, want MAX", got)
	}
	if got := console.WaitText(testid("reply-channel"), "MAX"); got != "Reply in MAX" {
		t.Errorf("the composer says %q", got)
	}
	console.WaitText(`[data-direction=in] [data-testid=msg-text]`, "Да, расскажите про счёт")

	// Two answers: a plain one, and one with what looks like markup, which the operator typed and Anna reads as
	// typed: nothing in either is formatting, so MAX gets both as plain text, as typed.
	console.Fill(testid("reply-text"), "Здравствуйте, Анна!")
	consolePress(t, console, testid("reply-text"), `{key: "Enter", ctrlKey: true}`)
	console.WaitText(`[data-direction=out] [data-testid=msg-text]`, "Здравствуйте, Анна!")
	const typed = "Откроем счёт <b>завтра</b>, Анна."
	console.Fill(testid("reply-text"), typed)
	console.Click(testid("send"))
	console.WaitText(`[data-direction=out] [data-testid=msg-text]`, typed)
	plain := client.botSaid("the plain answer in Anna's MAX chat", "Здравствуйте, Анна!")
	if plain.Body.Text != "Здравствуйте, Анна!" || plain.Format != "" {
		t.Errorf("the plain answer reads %q as %q", plain.Body.Text, plain.Format)
	}
	marked := client.botSaid("the answer with markup in Anna's MAX chat", "завтра")
	if marked.Body.Text != typed || marked.Format != "" {
		t.Errorf("the answer with markup reads %q as %q, want %q as plain text", marked.Body.Text, marked.Format, typed)
	}
	console.WaitText(`[data-direction=out]:not(.msg-bot) [data-testid=delivery]`, "delivered")

	// Consent to the account.
	console.Click(testid("outcome-open"))
	console.Select(testid("outcome-kind"), "consent")
	console.Select(testid("outcome-product"), "rko")
	console.Click(testid("outcome-save"))
	console.WaitText(testid("console-ok"), "Outcome recorded.")

	// The supervisor's report: the lead written to on MAX replied and consented; nothing on Telegram.
	sup := manager.Isolated()
	if status := sup.Login(srv.URL, "sergey", password); status != http.StatusOK {
		t.Fatalf("supervisor login: status %d", status)
	}
	sup.Open(srv.URL + "/reports")
	maxRow := `[data-testid=reports-channel][data-channel=max] `
	sup.WaitText(maxRow+`.row-label`, "MAX")
	for what, want := range map[string]string{"written": "1", "replied": "1", "consented": "1", "converted": "0"} {
		if got := sup.Text(maxRow + testid(what)); got != want {
			t.Errorf("MAX %s: %q, want %s", what, got, want)
		}
	}
	if got := sup.Text(`[data-testid=reports-channel][data-channel=telegram] [data-testid=written]`); got != "0" {
		t.Errorf("Telegram written: %q, want 0", got)
	}
	api.schemaClean(t)
	pool.Close()
	stopCleanly(t, srv, data)
}
