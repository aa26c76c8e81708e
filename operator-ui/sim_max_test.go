package operatorui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/campaigns/campaignstest"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
	operatorui "dozvon/operator-ui"
)

// simMaxBot is the simulated MAX bot's username, as serve names it.
const simMaxBot = "dozvon_sim_max_bot"

// newMaxSimSite is the site with MAX's simulator beside Telegram's, as serve runs it without tokens: the real MAX
// adapter polls the fake over HTTP and hands clients' messages to the dialog core.
func newMaxSimSite(t *testing.T) (*site, *maxfake.Fake) {
	t.Helper()
	fake := maxfake.New(maxfake.Options{BotUsername: simMaxBot, BotFirstName: "Дозвон"})
	apiURL, stopAPI := fake.StartServer()
	t.Cleanup(stopAPI)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s := newSiteWith(t, func(d *operatorui.Deps) {
		svc, err := max.NewService(ctx, max.ServiceConfig{Token: fake.Token(), APIURL: apiURL, Pool: d.ImportsDB,
			Log: d.Log, Inbound: d.Dialog.HandleInbound, PollTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		d.MaxSim, d.MaxBot = fake, svc.Bot
		go func() { defer close(done); _ = svc.Run(ctx) }()
	})
	t.Cleanup(func() { cancel(); <-done })
	return s, fake
}

// maxSimChat is a MAX client's chat as the simulator page reads it.
type maxSimChat struct {
	Client struct {
		ID      int64  `json:"id"`
		Channel string `json:"channel"`
		Blocked bool   `json:"blocked"`
	} `json:"client"`
	Messages []struct {
		ID      int    `json:"id"`
		Mid     string `json:"mid"`
		FromBot bool   `json:"from_bot"`
		Text    string `json:"text"`
		Phone   string `json:"phone"`
		Buttons [][]struct {
			Text           string `json:"text"`
			Data           string `json:"data"`
			URL            string `json:"url"`
			RequestContact bool   `json:"request_contact"`
		} `json:"buttons"`
	} `json:"messages"`
}

// A person plays a client on MAX: creates them on MAX, opens a max.ru invitation link (the lead is linked), reads
// the bot's formatted message with its buttons, presses one, shares the phone, writes (the dialog gets it), and
// stops the bot. The list names each client's messenger.
func TestSimulatorPlaysAClientOnMAX(t *testing.T) {
	s, fake := newMaxSimSite(t)
	ctx := context.Background()
	var lead int64
	if err := s.Pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ('m1', 'ООО Ромашка', '+79161230001') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	token, _ := campaignstest.Invite(t, s.Pool, lead)
	c := s.loggedIn(auth.Supervisor)

	if res, body := s.get(c, "/sim"); res.StatusCode != http.StatusOK || !strings.Contains(body, `data-max-bot="`+simMaxBot+`"`) ||
		!strings.Contains(body, `data-testid="sim-channel-max"`) {
		t.Fatalf("/sim: %d, or the page offers no MAX client", res.StatusCode)
	}
	tg := s.newClient(c, "Anna", "+7 916 123-45-67")
	status, raw := s.call(c, http.MethodPost, "/sim/api/clients?channel=max", map[string]string{"first_name": "Борис", "phone": "+7 916 123-00-01"})
	if status != http.StatusCreated {
		t.Fatalf("create a MAX client: %d %s", status, raw)
	}
	boris := decode[struct{ Client struct{ ID int64 } }](t, raw).Client.ID
	status, raw = s.call(c, http.MethodGet, "/sim/api/clients", nil)
	list := decode[[]struct {
		ID        int64  `json:"id"`
		Channel   string `json:"channel"`
		FirstName string `json:"first_name"`
	}](t, raw)
	if status != http.StatusOK || len(list) != 2 || list[0].ID != tg || list[0].Channel != "telegram" ||
		list[1].ID != boris || list[1].Channel != "max" || list[1].FirstName != "Борис" {
		t.Fatalf("the list of both messengers' clients: %d %s", status, raw)
	}

	// The max.ru link is pasted whole; the bot receives bot_started with its token and links the chat to the lead.
	path := "/sim/api/chats/" + strconv.FormatInt(boris, 10)
	q := "?channel=max"
	if status, raw := s.call(c, http.MethodPost, path+"/start"+q, map[string]string{"link": "https://t.me/dozvon_sim_bot?start=" + token}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(raw, "@dozvon_sim_bot") {
		t.Errorf("a Telegram link opened on MAX: %d %s, want 422 naming the other bot", status, raw)
	}
	if status, raw := s.call(c, http.MethodPost, path+"/start"+q, map[string]string{"link": messenger.InviteLink(messenger.MAX, simMaxBot, token)}); status != http.StatusOK {
		t.Fatalf("start with a max.ru link: %d %s", status, raw)
	}
	waitFor(t, "the MAX chat linked to the lead", func() bool {
		var n int
		_ = s.Pool.QueryRow(ctx, `SELECT count(*) FROM contact_leads cl JOIN contacts ct ON ct.id = cl.contact_id
			WHERE cl.lead_id = $1 AND ct.channel = 'max' AND ct.linked_via = 'deep_link'`, lead).Scan(&n)
		return n == 1
	})

	// The bot writes to Boris on MAX (as the sender does: POST /messages), formatted, with buttons.
	u, _ := fake.User(boris)
	// The bot's welcome after the start goes out through the sender, by itself: it is counted before, not after.
	waitFor(t, "the bot's welcome on MAX", func() bool {
		return slices.ContainsFunc(fake.Sent(u.ChatID), func(m maxfake.Message) bool { return m.FromBot() })
	})
	before := len(fake.Sent(u.ChatID))
	botSaysOnMAX(t, fake, boris, map[string]any{"format": "html",
		"text": `<b>Здравствуйте</b>, Борис &amp; Ко!`,
		"attachments": []map[string]any{{"type": "inline_keyboard", "payload": map[string]any{"buttons": [][]map[string]any{
			{{"type": "callback", "text": "Интересно", "payload": "yes"}},
			{{"type": "request_contact", "text": "📱 Мой номер"}},
			{{"type": "link", "text": "Сайт", "url": "javascript:alert(1)"}}}}}}})
	status, raw = s.call(c, http.MethodGet, path+q, nil)
	chat := decode[maxSimChat](t, raw)
	if status != http.StatusOK || chat.Client.Channel != "max" || len(chat.Messages) != before+1 {
		t.Fatalf("Boris's chat: %d %s", status, raw)
	}
	msg := chat.Messages[before]
	if !msg.FromBot || msg.Text != "Здравствуйте, Борис & Ко!" || msg.Mid == "" || len(msg.Buttons) != 3 ||
		msg.Buttons[0][0].Data != "yes" || !msg.Buttons[1][0].RequestContact || msg.Buttons[2][0].URL != "" {
		t.Fatalf("the bot's MAX message reads %+v", msg)
	}

	if status, raw := s.call(c, http.MethodPost, path+"/press"+q, map[string]any{"mid": msg.Mid, "data": "yes"}); status != http.StatusOK {
		t.Errorf("press: %d %s", status, raw)
	}
	if status, _ := s.call(c, http.MethodPost, path+"/press"+q, map[string]any{"mid": msg.Mid, "data": "forged"}); status != http.StatusConflict {
		t.Errorf("pressing a button that is not there: %d, want 409", status)
	}
	status, raw = s.call(c, http.MethodPost, path+"/contact"+q, nil)
	if chat = decode[maxSimChat](t, raw); status != http.StatusOK || chat.Messages[len(chat.Messages)-1].Phone != "+79161230001" {
		t.Errorf("share phone: %d %s", status, raw)
	}
	status, raw = s.call(c, http.MethodPost, path+"/text"+q, map[string]string{"text": "Расскажите про счёт"})
	if chat = decode[maxSimChat](t, raw); status != http.StatusOK || chat.Messages[len(chat.Messages)-1].Text != "Расскажите про счёт" {
		t.Fatalf("write: %d %s", status, raw)
	}
	waitFor(t, "Boris's message in his dialog", func() bool {
		var n int
		_ = s.Pool.QueryRow(ctx, `SELECT count(*) FROM conversation_messages m JOIN conversations cv ON cv.id = m.conversation_id
			JOIN contacts ct ON ct.id = cv.contact_id
			WHERE ct.channel = 'max' AND ct.chat_id = $1 AND m.direction = 'in' AND m.text = 'Расскажите про счёт'`, u.ChatID).Scan(&n)
		return n == 1
	})

	// As on Telegram, an operator does not play a client whose dialog waits in the queue; the supervisor does.
	op := s.loggedIn(auth.Operator)
	status, raw = s.call(op, http.MethodGet, "/sim/api/clients", nil)
	if status != http.StatusOK || strings.Contains(raw, "Борис") || !strings.Contains(raw, `"first_name":"Anna"`) {
		t.Errorf("the operator's list: %d %s, want Anna without Boris, whose dialog waits in the queue", status, raw)
	}
	if status, _ := s.call(op, http.MethodGet, path+q, nil); status != http.StatusForbidden {
		t.Errorf("the operator reads the queued MAX chat: %d, want 403", status)
	}

	// Stopping the bot is MAX's block: the client cannot write until they start it again.
	if status, raw := s.call(c, http.MethodPost, path+"/block"+q, nil); status != http.StatusOK || !decode[maxSimChat](t, raw).Client.Blocked {
		t.Fatalf("stop the bot: %d %s", status, raw)
	}
	if status, raw := s.call(c, http.MethodPost, path+"/text"+q, map[string]string{"text": "hi"}); status != http.StatusConflict {
		t.Errorf("writing after stopping the bot: %d %s, want 409", status, raw)
	}
	if status, raw := s.call(c, http.MethodPost, path+"/unblock"+q, nil); status != http.StatusOK || decode[maxSimChat](t, raw).Client.Blocked {
		t.Errorf("start again: %d %s", status, raw)
	}
}

// botSaysOnMAX sends a message as the bot over the fake's Bot API, as the MAX sender does.
func botSaysOnMAX(t *testing.T, fake *maxfake.Fake, userID int64, body map[string]any) {
	t.Helper()
	apiURL, stop := fake.StartServer()
	defer stop()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, apiURL+"/messages?user_id="+strconv.FormatInt(userID, 10), bytes.NewReader(b))
	req.Header.Set("Authorization", fake.Token())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the bot could not send on MAX: %d", res.StatusCode)
	}
}

// In the browser, a person picks MAX for a new client, sees the client listed as on MAX, reads the bot's message
// there, presses its button and writes: both reach the MAX bot.
func TestSimulatorPagePlaysAMAXClient(t *testing.T) {
	fake := maxfake.New(maxfake.Options{BotUsername: simMaxBot})
	t.Cleanup(fake.Close)
	s := newSiteWith(t, func(d *operatorui.Deps) { d.MaxSim = fake })
	page := browsertest.New(t)
	if status := page.Login(s.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(s.URL + "/sim")
	page.Click(`[data-testid=sim-channel-max]`)
	page.Fill(`[data-testid=sim-first-name]`, "Вера")
	page.Click(`[data-testid=sim-create]`)
	page.WaitText(`[data-testid=sim-channel-badge]`, "MAX")
	page.WaitText(`[data-testid=sim-clients] [data-testid=sim-client-channel]`, "MAX")
	page.Click(`[data-testid=sim-start]`)
	users := fake.Users()
	if len(users) != 1 || users[0].FirstName != "Вера" {
		t.Fatalf("MAX's users: %+v, want Vera", users)
	}
	vera := users[0]
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.WaitUntil(ctx, func() bool { return !fake.Stopped(vera.UserID) && len(fake.PendingUpdates()) == 1 }); err != nil {
		t.Fatal("Start did not reach the MAX bot")
	}
	botSaysOnMAX(t, fake, vera.UserID, map[string]any{"text": "Здравствуйте, Вера!",
		"attachments": []map[string]any{{"type": "inline_keyboard", "payload": map[string]any{"buttons": [][]map[string]any{
			{{"type": "callback", "text": "Интересно", "payload": "yes"}}}}}}})
	page.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Здравствуйте, Вера!")
	page.Click(`#sim-log [data-press="yes"]`)
	page.Fill(`[data-testid=sim-text]`, "Да")
	page.Click(`[data-testid=sim-send]`)
	page.WaitText(`[data-from=client] [data-testid=sim-body]`, "Да")
	var got []string
	if err := fake.WaitUntil(ctx, func() bool {
		got = got[:0]
		for _, u := range fake.PendingUpdates() {
			got = append(got, u.UpdateType)
		}
		return slices.Equal(got, []string{"bot_started", "message_callback", "message_created"})
	}); err != nil {
		t.Errorf("the MAX bot received %v, want the start, the press and the message", got)
	}
}
