package operatorui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/campaigns/campaignstest"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
	operatorui "dozvon/operator-ui"
)

// simChat is the chat as the simulator page reads it.
type simChat struct {
	Client struct {
		ID        int64  `json:"id"`
		FirstName string `json:"first_name"`
		Phone     string `json:"phone"`
		Blocked   bool   `json:"blocked"`
	} `json:"client"`
	Messages []struct {
		ID       int    `json:"id"`
		FromBot  bool   `json:"from_bot"`
		Text     string `json:"text"`
		Phone    string `json:"phone"`
		Entities []struct {
			Type   string `json:"type"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
			URL    string `json:"url"`
		} `json:"entities"`
		Buttons [][]struct {
			Text string `json:"text"`
			Data string `json:"data"`
			URL  string `json:"url"`
		} `json:"buttons"`
	} `json:"messages"`
	Keyboard [][]struct {
		Text           string `json:"text"`
		RequestContact bool   `json:"request_contact"`
	} `json:"keyboard"`
}

// call sends a JSON request as the page's script does (same-origin fetch) and returns the status and raw body.
func (s *site) call(c *http.Client, method, path string, body any) (int, string) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, s.URL+path, rd)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

func decode[T any](t *testing.T, raw string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// newClient creates a simulated client through the page's API and returns its id.
func (s *site) newClient(c *http.Client, first, phone string) int64 {
	s.t.Helper()
	status, raw := s.call(c, http.MethodPost, "/sim/api/clients", map[string]string{"first_name": first, "phone": phone})
	if status != http.StatusCreated {
		s.t.Fatalf("create client %q: %d %s", first, status, raw)
	}
	res := decode[struct {
		Client    struct{ ID int64 }
		NextPhone string `json:"next_phone"`
	}](s.t, raw)
	if _, err := messenger.NormalizePhone(res.NextPhone); err != nil {
		s.t.Errorf("the next made-up phone %q is not a phone: %v", res.NextPhone, err)
	}
	return res.Client.ID
}

// botSays sends a message as the bot, over the simulator's Bot API, as the messenger's sender does.
func (s *site) botSays(params map[string]any) {
	s.t.Helper()
	srv := httptest.NewServer(s.Sim.Handler())
	defer srv.Close()
	b, _ := json.Marshal(params)
	res, err := http.Post(srv.URL+"/bot"+s.Sim.Token()+"/sendMessage", "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("the bot could not send: %d %s", res.StatusCode, raw)
	}
}

// A staff member plays a client: creates them, opens an invitation link, sees the bot's formatted answer with
// its buttons and the "share my phone" keyboard, presses, shares, writes, stops, blocks and unblocks the bot.
func TestSimulatorPlaysAClient(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)

	if res, body := s.get(c, "/sim"); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Telegram simulator — these are not real clients") || !strings.Contains(body, "@dozvon_sim_bot") {
		t.Fatalf("/sim: %d, or the page does not say it is a simulator", res.StatusCode)
	}
	anna := s.newClient(c, "Anna", "8 (916) 123-45-67")
	status, raw := s.call(c, http.MethodGet, "/sim/api/clients", nil)
	if status != http.StatusOK || !strings.Contains(raw, `"first_name":"Anna"`) || !strings.Contains(raw, `"phone":"+79161234567"`) {
		t.Fatalf("client list: %d %s", status, raw)
	}

	// The invitation link is pasted whole; the bot receives /start with its token.
	path := "/sim/api/chats/" + strconv.FormatInt(anna, 10)
	status, raw = s.call(c, http.MethodPost, path+"/start", map[string]string{"link": messenger.InviteLink(messenger.Telegram, "dozvon_sim_bot", "tok_123")})
	if chat := decode[simChat](t, raw); status != http.StatusOK || len(chat.Messages) != 1 || chat.Messages[0].Text != "/start tok_123" {
		t.Fatalf("start with a link: %d %s", status, raw)
	}

	s.botSays(map[string]any{"chat_id": anna, "parse_mode": "HTML",
		"text":         `<b>Hello</b>, see <a href="https://bank.example/rko">the offer</a> or <a href="javascript:alert(1)">this</a>`,
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Interested", "callback_data": "yes"}}}}})
	s.botSays(map[string]any{"chat_id": anna, "text": "Share your phone, please",
		"reply_markup": map[string]any{"keyboard": [][]map[string]any{{{"text": "📱 Share", "request_contact": true}}}, "one_time_keyboard": true}})
	_, raw = s.call(c, http.MethodGet, path, nil)
	chat := decode[simChat](t, raw)
	if len(chat.Messages) != 3 || !chat.Messages[1].FromBot || chat.Messages[1].Text != "Hello, see the offer or this" {
		t.Fatalf("the bot's message reads %+v", chat.Messages)
	}
	var links []string
	for _, e := range chat.Messages[1].Entities {
		if e.Type == "text_link" {
			links = append(links, e.URL)
		}
	}
	if len(links) != 2 || links[0] != "https://bank.example/rko" || links[1] != "" {
		t.Errorf("links %q: want the https one kept and the javascript: one dropped", links)
	}
	if b := chat.Messages[1].Buttons; len(b) != 1 || b[0][0].Text != "Interested" || b[0][0].Data != "yes" {
		t.Errorf("inline buttons %+v", b)
	}
	if len(chat.Keyboard) != 1 || !chat.Keyboard[0][0].RequestContact {
		t.Errorf("reply keyboard %+v, want the share-phone button", chat.Keyboard)
	}

	if status, raw := s.call(c, http.MethodPost, path+"/press", map[string]any{"message_id": chat.Messages[1].ID, "data": "yes"}); status != http.StatusOK {
		t.Errorf("press: %d %s", status, raw)
	}
	if status, _ := s.call(c, http.MethodPost, path+"/press", map[string]any{"message_id": chat.Messages[1].ID, "data": "forged"}); status != http.StatusConflict {
		t.Errorf("pressing a button that is not there: %d, want 409", status)
	}
	status, raw = s.call(c, http.MethodPost, path+"/contact", nil)
	chat = decode[simChat](t, raw)
	if status != http.StatusOK || chat.Messages[len(chat.Messages)-1].Phone != "+79161234567" || chat.Keyboard != nil {
		t.Errorf("share phone: %d %s; want the phone shared and the one-time keyboard gone", status, raw)
	}
	for _, text := range []string{"Hello, bank", "/stop"} {
		status, raw = s.call(c, http.MethodPost, path+"/text", map[string]string{"text": text})
		if chat = decode[simChat](t, raw); status != http.StatusOK || chat.Messages[len(chat.Messages)-1].Text != text {
			t.Errorf("send %q: %d %s", text, status, raw)
		}
	}

	// A client who blocked the bot cannot write to it until they unblock it or press Start.
	if status, raw := s.call(c, http.MethodPost, path+"/block", nil); status != http.StatusOK || !decode[simChat](t, raw).Client.Blocked {
		t.Fatalf("block: %d %s", status, raw)
	}
	if status, raw := s.call(c, http.MethodPost, path+"/text", map[string]string{"text": "hi"}); status != http.StatusConflict ||
		!strings.Contains(raw, "blocked the bot") {
		t.Errorf("writing while blocked: %d %s, want 409 saying why", status, raw)
	}
	if status, raw := s.call(c, http.MethodPost, path+"/unblock", nil); status != http.StatusOK || decode[simChat](t, raw).Client.Blocked {
		t.Errorf("unblock: %d %s", status, raw)
	}
}

// The simulator refuses, in the person's words, what Telegram would not let a client do.
func TestSimulatorRefusesWhatTelegramWould(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	id := s.newClient(c, "Boris", "+7 999 000-00-01")
	path := "/sim/api/chats/" + strconv.FormatInt(id, 10)
	for _, tc := range []struct {
		what, method, path string
		body               any
		status             int
		says               string
	}{
		{"a link to another bot", "POST", path + "/start", map[string]string{"link": "https://t.me/other_bot?start=abc"}, 422, "opens @other_bot, not the simulated bot @dozvon_sim_bot"},
		{"a broken link", "POST", path + "/start", map[string]string{"link": "https://example.com/?start=abc"}, 422, "neither an invitation link nor a token"},
		{"an empty message", "POST", path + "/text", map[string]string{"text": "   "}, 422, "Type a message first"},
		{"a message too long", "POST", path + "/text", map[string]string{"text": strings.Repeat("я", 4097)}, 422, "longer than Telegram allows"},
		{"a client who is not there", "GET", "/sim/api/chats/424242", nil, 404, "no such simulated client"},
		{"a client without a name", "POST", "/sim/api/clients", map[string]string{"first_name": " ", "phone": "+79990000002"}, 422, "first name is required"},
		{"a client without a phone", "POST", "/sim/api/clients", map[string]string{"first_name": "Vera", "phone": "call me"}, 422, "not a phone number"},
		{"a body that is not JSON", "POST", path + "/text", json.RawMessage(`{"text":`), 400, "could not be read"},
	} {
		status, raw := s.callRaw(c, tc.method, tc.path, tc.body)
		if status != tc.status || !strings.Contains(raw, tc.says) {
			t.Errorf("%s: %d %s; want %d saying %q", tc.what, status, raw, tc.status, tc.says)
		}
	}
}

// callRaw is call, but a json.RawMessage body is sent as it is, even when it is not valid JSON.
func (s *site) callRaw(c *http.Client, method, path string, body any) (int, string) {
	s.t.Helper()
	raw, ok := body.(json.RawMessage)
	if !ok {
		return s.call(c, method, path, body)
	}
	r, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	res, err := c.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Whatever a client types — or calls themselves — comes back as text: JSON escapes it, and the page puts it in
// text nodes (checked in the browser test). The contact registry escapes it too.
func TestClientTextIsNeverMarkup(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Admin)
	const payload = `<img src=x onerror=alert(1)>`
	id := s.newClient(c, payload, "+79160000001")
	path := "/sim/api/chats/" + strconv.FormatInt(id, 10)
	s.call(c, http.MethodPost, path+"/text", map[string]string{"text": payload})

	for _, p := range []string{"/sim/api/clients", path} {
		status, raw := s.call(c, http.MethodGet, p, nil)
		if status != http.StatusOK || strings.Contains(raw, "<img") {
			t.Errorf("%s: %d, and the payload is not escaped: %s", p, status, raw)
		}
	}
	_, raw := s.call(c, http.MethodGet, path, nil)
	if chat := decode[simChat](t, raw); chat.Client.FirstName != payload || chat.Messages[0].Text != payload {
		t.Errorf("the payload did not come back as the same text: %+v", chat)
	}

	if _, err := s.Contacts.Seen(context.Background(), messenger.Chat{Address: s.chat(id).Address, UserID: id, FirstName: payload, Username: "x<b>"}); err != nil {
		t.Fatal(err)
	}
	res, body := s.get(c, "/contacts")
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<img src=x") || strings.Contains(body, "x<b>") ||
		!strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("/contacts: %d, the name is not escaped", res.StatusCode)
	}
}

// The simulator's actions are the page's own same-origin requests; another site cannot make a client act.
func TestSimulatorActionsRefuseOtherSites(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	id := s.newClient(c, "Gleb", "+79160000002")
	r, _ := http.NewRequest(http.MethodPost, s.URL+"/sim/api/chats/"+strconv.FormatInt(id, 10)+"/text", strings.NewReader(`{"text":"forged"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || len(s.Sim.Sent(id)) != 0 {
		t.Errorf("cross-site action: %d, %d messages; want 403 and nothing sent", res.StatusCode, len(s.Sim.Sent(id)))
	}
}

// With a real bot token there is nothing to simulate, and the page says so.
func TestSimulatorIsOffWithARealBot(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Sim = nil })
	c := s.loggedIn(auth.Supervisor)
	if res, body := s.get(c, "/sim"); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "The simulator is off") {
		t.Errorf("/sim without a simulator: %d", res.StatusCode)
	}
	if status, raw := s.call(c, http.MethodGet, "/sim/api/clients", nil); status != http.StatusNotFound || !strings.Contains(raw, "simulator is off") {
		t.Errorf("/sim/api/clients without a simulator: %d %s", status, raw)
	}
}

// The registry lists contacts newest first with how they were linked and to which leads, counts each status and
// filters by it.
func TestContactRegistry(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	var lead int64
	err := s.Pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ('c1', 'ООО Ромашка', '+79161112233') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := campaignstest.Invite(t, s.Pool, lead)
	if _, err := s.Contacts.LinkInvitation(ctx, messenger.Chat{Address: s.chat(501).Address, UserID: 501, FirstName: "Anna", Username: "anna_r"}, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Contacts.LinkPhone(ctx, messenger.Chat{Address: s.chat(502).Address, UserID: 502, FirstName: "Boris"}, "+79161112233"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Contacts.Seen(ctx, messenger.Chat{Address: s.chat(503).Address, UserID: 503, FirstName: "Vera"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Contacts.MarkBlocked(ctx, s.chat(503).Address, "test"); err != nil {
		t.Fatal(err)
	}

	c := s.loggedIn(auth.Manager)
	res, body := s.get(c, "/contacts")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/contacts: %d", res.StatusCode)
	}
	// html/template writes the phone's + as &#43;, which the browser shows as +.
	for _, want := range []string{
		`data-testid="count-all">3<`, `data-testid="count-active">2<`, `data-testid="count-blocked">1<`, `data-testid="count-opted_out">0<`,
		`Anna <span class="muted">@anna_r</span>`, `Invitation link`, `Shared phone`, `&#43;79161112233`, `#` + strconv.FormatInt(lead, 10),
		`Blocked the bot`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/contacts lacks %q", want)
		}
	}
	if strings.Index(body, "Vera") > strings.Index(body, ">Anna") {
		t.Error("the newest contact (Vera) is not listed first")
	}
	_, body = s.get(c, "/contacts?status=blocked")
	if !strings.Contains(body, "Vera") || strings.Contains(body, ">Anna") || strings.Contains(body, ">Boris") {
		t.Error("the blocked filter shows other contacts, or not Vera")
	}
}

// The side navigation offers the registry to those who may open it and the simulator to everyone, each with a key.
func TestNavigationOffersContactsAndSimulator(t *testing.T) {
	s := newSite(t)
	for role, wantContacts := range map[auth.Role]bool{auth.Operator: false, auth.Manager: true, auth.Supervisor: true, auth.Admin: true} {
		_, body := s.get(s.loggedIn(role), "/account")
		if got := strings.Contains(body, `href="/contacts" data-key="k"`); got != wantContacts {
			t.Errorf("%s: contacts link shown %v, want %v", role, got, wantContacts)
		}
		if !strings.Contains(body, `href="/sim" data-key="s"`) {
			t.Errorf("%s: no simulator link", role)
		}
	}
}

// In a real browser the chat reads like Telegram's — the bot's bold and links, its buttons — while nothing a
// client typed or a template carried becomes markup or a javascript: link; pressing the bot's buttons reaches
// the bot.
func TestSimulatorPageShowsTheChatSafely(t *testing.T) {
	s := newSite(t)
	page := browsertest.New(t)
	anna := s.Sim.AddUser(tgfake.User{FirstName: "Anna", Phone: "+79161234567"})
	if _, err := s.Sim.Start(anna.ID, ""); err != nil {
		t.Fatal(err)
	}
	const payload = `<img src=x onerror=alert(1)>`
	if _, err := s.Sim.SendText(anna.ID, payload); err != nil {
		t.Fatal(err)
	}
	s.botSays(map[string]any{"chat_id": anna.ID, "parse_mode": "HTML",
		"text":         `<b>Hello</b>, see <a href="https://bank.example/rko">the offer</a> or <a href="javascript:alert(1)">this</a>`,
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Interested", "callback_data": "yes"}}}}})
	s.botSays(map[string]any{"chat_id": anna.ID, "text": "Share your phone, please",
		"reply_markup": map[string]any{"keyboard": [][]map[string]any{{{"text": "Share", "request_contact": true}}}, "one_time_keyboard": true}})

	if status := page.Login(s.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(s.URL + "/sim?client=" + strconv.FormatInt(anna.ID, 10))
	page.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Hello, see the offer or this")
	if got := page.Text(`[data-from=client]:nth-child(2) [data-testid=sim-body]`); got != payload {
		t.Errorf("the client's message reads %q, want the payload as text", got)
	}
	for sel, want := range map[string]int{
		"#sim-log img": 0, "#sim-log strong": 1, `#sim-log a[href="https://bank.example/rko"]`: 1,
		`#sim-log a[href^="javascript"]`: 0, `#sim-log [data-press="yes"]`: 1,
	} {
		if n := page.Count(sel); n != want {
			t.Errorf("%s: %d elements, want %d", sel, n, want)
		}
	}

	page.Click(`#sim-log [data-press="yes"]`)
	page.Click(`[data-testid=sim-keyboard] button`)
	page.WaitText(`[data-from=client] [data-testid=sim-body]`, "Shared the phone +79161234567")
	pressed := func() bool {
		for _, u := range s.Sim.PendingUpdates() {
			if u.CallbackQuery != nil && u.CallbackQuery.Data == "yes" {
				return true
			}
		}
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Sim.WaitUntil(ctx, pressed); err != nil {
		t.Error("pressing the inline button did not reach the bot")
	}
}

// The simulator shows a chat — what the client and the operators wrote — only to those the console would show
// its dialog to: supervisors and administrators every chat; an operator the chats whose dialogs are theirs (not a
// colleague's, not one waiting in a queue); a campaign manager, who has no dialogs, only chats that never reached
// the team. Everyone plays the clients who reached nobody. A hidden chat can be neither read nor written to.
func TestSimulatorShowsEachRoleOnlyTheChatsTheConsoleWould(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	colleague, err := d.Users.Create(ctx, auth.NewUser{Login: "operator2", Role: auth.Operator, Password: testPassword, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	assign := func(c consoleChat, operator int64) {
		conv, _ := d.convOf(c)
		if _, err := d.Pool.Exec(ctx, `UPDATE conversations SET status = 'assigned', operator_id = $2, assigned_at = now()
			WHERE id = $1`, conv, operator); err != nil {
			t.Fatal(err)
		}
	}
	fresh := d.chatWith("ООО Новый") // started the bot, wrote nothing: reached nobody
	mine := d.chatWith("ООО Мой")
	d.write(mine, "Здравствуйте")
	assign(mine, d.ids[auth.Operator])
	theirs := d.chatWith("ООО Чужой")
	d.write(theirs, "Добрый день")
	assign(theirs, colleague.ID)
	waiting := d.chatWith("ООО Ждёт") // in the queue: nobody's yet
	d.write(waiting, "Алло")
	all := []int64{fresh.ChatID, mine.ChatID, theirs.ChatID, waiting.ChatID}

	for role, sees := range map[auth.Role][]int64{
		auth.Operator:   {fresh.ChatID, mine.ChatID},
		auth.Manager:    {fresh.ChatID},
		auth.Supervisor: all,
		auth.Admin:      all,
	} {
		c := d.loggedIn(role)
		status, raw := d.call(c, http.MethodGet, "/sim/api/clients", nil)
		var listed []int64
		for _, cl := range decode[[]struct{ ID int64 }](t, raw) {
			listed = append(listed, cl.ID)
		}
		slices.Sort(listed)
		if status != http.StatusOK || !slices.Equal(listed, sees) {
			t.Errorf("%s lists %v, want %v", role, listed, sees)
		}
		for _, chat := range all {
			path := "/sim/api/chats/" + strconv.FormatInt(chat, 10)
			history := len(d.Sim.Sent(chat))
			readStatus, readRaw := d.call(c, http.MethodGet, path, nil)
			writeStatus, writeRaw := d.call(c, http.MethodPost, path+"/text", map[string]string{"text": "от " + string(role)})
			if slices.Contains(sees, chat) {
				if readStatus != http.StatusOK || writeStatus != http.StatusOK {
					t.Errorf("%s on chat %d: read %d, write %d, want 200", role, chat, readStatus, writeStatus)
				}
				continue
			}
			const refusal = "This client's chat reached a dialog that is not yours: the simulator shows you the clients whose dialogs are yours, and those who have not reached the team."
			if readStatus != http.StatusForbidden || decode[inputErr](t, readRaw).Error != refusal ||
				writeStatus != http.StatusForbidden || decode[inputErr](t, writeRaw).Error != refusal {
				t.Errorf("%s on hidden chat %d: read %d %s, write %d %s, want 403", role, chat, readStatus, readRaw, writeStatus, writeRaw)
			}
			if n := len(d.Sim.Sent(chat)); n != history {
				t.Errorf("%s wrote to hidden chat %d", role, chat)
			}
		}
	}
}
