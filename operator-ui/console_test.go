package operatorui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
	operatorui "dozvon/operator-ui"
)

// consoleDesk is the console's site: the UI with the dialog core, and typing indicators going to the simulator over the
// Bot API, as serve wires them.
type consoleDesk struct {
	*site
	Dialog *dialog.Service
	Files  *messenger.Files
	update atomic.Int64
}

func newConsoleDesk(t *testing.T) *consoleDesk {
	t.Helper()
	var svc *dialog.Service
	var files *messenger.Files
	s := newSiteWith(t, func(d *operatorui.Deps) {
		svc = dialog.New(d.ImportsDB, zerolog.Nop()) // ImportsDB is the test's database
		d.Dialog = svc
		files = messenger.NewFiles(d.ImportsDB)
		d.Files = files
		bot := httptest.NewServer(d.Sim.Handler())
		t.Cleanup(bot.Close)
		client, err := telegram.NewClient(d.Sim.Token(), bot.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Typing = client
	})
	return &consoleDesk{site: s, Dialog: svc, Files: files}
}

// consoleChat is a simulated client who started the bot, linked to a missed-call lead of a company.
type consoleChat struct {
	ChatID, LeadID int64
}

func (d *consoleDesk) chatWith(company string) consoleChat {
	t := d.t
	t.Helper()
	ctx := context.Background()
	u := d.Sim.AddUser(tgfake.User{FirstName: "Ирина", Phone: "+79031234567", LanguageCode: "ru"})
	if _, err := d.Sim.Start(u.ID, ""); err != nil { // the chat exists in Telegram once the client pressed Start
		t.Fatal(err)
	}
	var c consoleChat
	c.ChatID = u.ID
	err := d.Pool.QueryRow(ctx, `
		WITH cl AS (
		    INSERT INTO clients (external_id, company_name, legal_form, inn, okved, region, timezone, contact_name)
		    VALUES ($1, $1, 'ООО', '7707083893', '47.91', 'Приморский край', 'Asia/Vladivostok', 'Ирина Петровна')
		    RETURNING id
		), ld AS (
		    INSERT INTO leads (client_id, kind, status) SELECT id, 'missed_call', 'offered' FROM cl RETURNING id
		), ct AS (
		    INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, linked_via)
		    VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $2, $2, 'Ирина', 'deep_link')
		    RETURNING id
		), link AS (
		    INSERT INTO contact_leads (contact_id, lead_id, via) SELECT ct.id, ld.id, 'deep_link' FROM ct, ld
		)
		SELECT id FROM ld`, company, c.ChatID).Scan(&c.LeadID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// write is the client writing to the bot, as the messenger hands it to the dialog.
func (d *consoleDesk) write(c consoleChat, text string) {
	d.t.Helper()
	err := d.Dialog.HandleInbound(context.Background(), messenger.Inbound{InboxID: d.update.Add(1),
		Chat: d.chat(c.ChatID), Text: text, At: time.Now()})
	if err != nil {
		d.t.Fatal(err)
	}
}

func (d *consoleDesk) online(id int64) {
	d.t.Helper()
	if err := d.Dialog.SetPresence(context.Background(), id, dialog.Online); err != nil {
		d.t.Fatal(err)
	}
}

// convOf is the client's open conversation and who has it.
func (d *consoleDesk) convOf(c consoleChat) (id int64, operator int64) {
	d.t.Helper()
	var op *int64
	err := d.Pool.QueryRow(context.Background(), `
		SELECT cv.id, cv.operator_id FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id
		WHERE ct.chat_id = $1 ORDER BY cv.id DESC LIMIT 1`, c.ChatID).Scan(&id, &op)
	if err != nil {
		d.t.Fatal(err)
	}
	if op != nil {
		operator = *op
	}
	return id, operator
}

type consoleErr struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

type consoleMsg struct {
	ID            int64    `json:"id"`
	Direction     string   `json:"direction"`
	Author        string   `json:"author"`
	Bot           bool     `json:"bot"`
	Campaign      bool     `json:"campaign"`
	Text          string   `json:"text"`
	Buttons       []string `json:"buttons"`
	Delivery      string   `json:"delivery"`
	DeliveryError string   `json:"delivery_error"`
}

type consoleConv struct {
	ID       int64        `json:"id"`
	Status   string       `json:"status"`
	Mine     bool         `json:"mine"`
	Messages []consoleMsg `json:"messages"`
}

type consoleStateJSON struct {
	Presence string `json:"presence"`
	Dialogs  []struct {
		ID           int64      `json:"id"`
		Company      string     `json:"company"`
		LeadKind     string     `json:"lead_kind"`
		LastMessage  string     `json:"last_message"`
		Unread       int        `json:"unread"`
		WaitingSince *time.Time `json:"waiting_since"`
		SLATargetMS  int64      `json:"sla_target_ms"`
	} `json:"dialogs"`
	Queues []struct {
		Name    string `json:"name"`
		Waiting int    `json:"waiting"`
	} `json:"queues"`
}

// An operator works a dialog end to end over the console's API: their list, the chat with the client's text as
// data, a reply, a note, the typing indicator, a consent, and the close that asks the client for a rating.
func TestConsoleOperatorWorksADialog(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	opID := d.ids[auth.Operator]

	// On arrival the operator is offline, as stored: nothing is assigned until they go online.
	if code, raw := d.call(op, "GET", "/console/api/state", nil); code != 200 || decode[consoleStateJSON](t, raw).Presence != "offline" {
		t.Fatalf("state on arrival: %d %s", code, raw)
	}
	c := d.chatWith("ООО Ромашка")
	const xss = `<img src=x onerror=alert(1)> & "quotes"`
	d.write(c, xss)
	if code, raw := d.call(op, "POST", "/console/api/presence", map[string]string{"status": "online"}); code != 200 {
		t.Fatalf("go online: %d %s", code, raw)
	}
	convID, holder := d.convOf(c)
	if holder != opID {
		t.Fatalf("the conversation went to %d, want the operator %d who went online", holder, opID)
	}

	code, raw := d.call(op, "GET", "/console/api/state", nil)
	st := decode[consoleStateJSON](t, raw)
	if code != 200 || st.Presence != "online" || len(st.Dialogs) != 1 {
		t.Fatalf("state: %d %s", code, raw)
	}
	if dl := st.Dialogs[0]; dl.ID != convID || dl.Company != "ООО Ромашка" || dl.LeadKind != "missed_call" ||
		dl.LastMessage != xss || dl.Unread != 1 || dl.WaitingSince == nil || dl.SLATargetMS != 60000 {
		t.Errorf("dialog line = %+v", dl)
	}

	// The client's text comes back as the data it is, never as markup: the JSON string is the raw text.
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)
	code, raw = d.call(op, "GET", path, nil)
	if code != 200 || !strings.Contains(raw, `"text":"\u003cimg src=x onerror=alert(1)\u003e \u0026 \"quotes\""`) {
		t.Fatalf("conversation: %d %s", code, raw)
	}
	conv := decode[consoleConv](t, raw)
	if !conv.Mine || conv.Status != "assigned" || len(conv.Messages) != 1 || conv.Messages[0].Direction != "in" {
		t.Fatalf("conversation = %+v", conv)
	}

	// Reading it clears the unread count.
	if code, raw := d.call(op, "POST", path+"/read", map[string]int64{"up_to": conv.Messages[0].ID}); code != 204 {
		t.Fatalf("read: %d %s", code, raw)
	}
	if st := decode[consoleStateJSON](t, d.mustGet(op, "/console/api/state")); st.Dialogs[0].Unread != 0 {
		t.Errorf("unread after reading = %d", st.Dialogs[0].Unread)
	}

	// Typing shows "typing…" in the client's chat, once per few seconds however often the page asks.
	for range 3 {
		if code, raw := d.call(op, "POST", path+"/typing", nil); code != 200 {
			t.Fatalf("typing: %d %s", code, raw)
		}
	}
	if got := d.Sim.ChatActions(c.ChatID); len(got) != 1 || got[0].Action != "typing" {
		t.Errorf("chat actions = %+v, want one typing", got)
	}

	// A reply is queued for the client, a note stays inside.
	if code, raw := d.call(op, "POST", path+"/reply", map[string]string{"text": "Здравствуйте! <b>Счёт</b> откроем завтра."}); code != 201 {
		t.Fatalf("reply: %d %s", code, raw)
	}
	if code, raw := d.call(op, "POST", path+"/note", map[string]string{"text": "Клиент просит звонить после 15:00"}); code != 201 {
		t.Fatalf("note: %d %s", code, raw)
	}
	conv = decode[consoleConv](t, d.mustGet(op, path))
	if n := len(conv.Messages); n != 3 {
		t.Fatalf("%d messages, want 3: %+v", n, conv.Messages)
	}
	if m := conv.Messages[1]; m.Direction != "out" || m.Text != "Здравствуйте! <b>Счёт</b> откроем завтра." || m.Delivery != "queued" || m.Author != "operator1" {
		t.Errorf("reply = %+v", m)
	}
	if m := conv.Messages[2]; m.Direction != "note" || m.Delivery != "" {
		t.Errorf("note = %+v", m)
	}

	// The card tells who the client is; scripts fill in their details.
	sc, err := d.Dialog.SaveScript(context.Background(), dialog.Script{Title: "Цена", Shortcut: "price",
		Body: "{{.ClientName}}, для {{.Company}} обслуживание 0 ₽ первые 3 месяца."}, d.ids[auth.Supervisor])
	if err != nil {
		t.Fatal(err)
	}
	card := decode[struct {
		Card struct {
			Company, INN, OKVED, Region, TimeZone string
			LocalTime                             time.Time
		} `json:"card"`
		Zone    string `json:"zone"`
		Scripts []struct {
			ID       int64  `json:"id"`
			Shortcut string `json:"shortcut"`
		} `json:"scripts"`
		Offers []struct {
			ID          int64
			Title, Text string
		} `json:"offers"`
	}](t, d.mustGet(op, path+"/card"))
	if card.Card.Company != "ООО Ромашка" || card.Card.INN != "7707083893" || card.Card.OKVED != "47.91" ||
		card.Card.Region != "Приморский край" || card.Card.TimeZone != "Asia/Vladivostok" {
		t.Errorf("card = %+v", card.Card)
	}
	if _, off := card.Card.LocalTime.Zone(); off != 10*3600 {
		t.Errorf("the client's local time %v is not Vladivostok's", card.Card.LocalTime)
	}
	if card.Zone != "Vladivostok (UTC+10)" { // the zone in words, not its IANA name
		t.Errorf("the client's zone reads %q", card.Zone)
	}
	if len(card.Scripts) != 1 || card.Scripts[0].Shortcut != "price" || len(card.Offers) != 3 ||
		card.Offers[0].Title != "РКО: тариф «Старт»" {
		t.Errorf("scripts %+v, offers %+v", card.Scripts, card.Offers)
	}
	filled := decode[map[string]string](t, d.mustGet(op, fmt.Sprintf("%s/scripts/%d", path, sc.ID)))
	if filled["text"] != "Ирина Петровна, для ООО Ромашка обслуживание 0 ₽ первые 3 месяца." {
		t.Errorf("filled script %q", filled["text"])
	}

	// An offer goes out as the operator's message.
	if code, raw := d.call(op, "POST", fmt.Sprintf("%s/offers/%d", path, card.Offers[0].ID), nil); code != 201 {
		t.Fatalf("offer: %d %s", code, raw)
	}

	// A consent, then the close: the client is asked to rate, with five buttons.
	if code, raw := d.call(op, "POST", path+"/outcome", map[string]string{"kind": "consent", "product": "rko"}); code != 201 {
		t.Fatalf("consent: %d %s", code, raw)
	}
	var leadStatus string
	if err := d.Pool.QueryRow(context.Background(), `SELECT status FROM leads WHERE id = $1`, c.LeadID).Scan(&leadStatus); err != nil || leadStatus != "consented" {
		t.Errorf("lead status %q (%v), want consented", leadStatus, err)
	}
	if code, raw := d.call(op, "POST", path+"/close", nil); code != 204 {
		t.Fatalf("close: %d %s", code, raw)
	}
	conv = decode[consoleConv](t, d.mustGet(op, path))
	last := conv.Messages[len(conv.Messages)-1]
	if conv.Status != "closed" || conv.Mine || !last.Bot || !strings.Contains(last.Text, "Оцените") ||
		strings.Join(last.Buttons, " ") != "1 2 3 4 5" {
		t.Errorf("after closing: status %s, last message %+v", conv.Status, last)
	}
	// Closed, it is still the operator's to read, but not to answer.
	if code, raw := d.call(op, "POST", path+"/reply", map[string]string{"text": "ещё"}); code != 409 || decode[consoleErr](t, raw).Error != "The dialog is already closed." {
		t.Errorf("reply after closing: %d %s", code, raw)
	}
}

// Who may touch whose dialog: a manager nothing, another operator neither reads nor answers, a supervisor reads.
func TestConsoleDialogsAreTheirOperators(t *testing.T) {
	d := newConsoleDesk(t)
	owner := d.loggedIn(auth.Operator)
	d.addOperator("colleague")
	colleague := d.loginAs(d.URL, "colleague")
	c := d.chatWith("ИП Петрова")
	d.write(c, "Здравствуйте")
	d.online(d.ids[auth.Operator])
	convID, holder := d.convOf(c)
	if holder != d.ids[auth.Operator] {
		t.Fatalf("assigned to %d", holder)
	}
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)

	manager := d.loggedIn(auth.Manager)
	for _, req := range []struct{ method, path string }{
		{"GET", "/console/api/state"}, {"GET", path}, {"POST", path + "/reply"}, {"POST", "/console/api/take-next"},
	} {
		if code, raw := d.call(manager, req.method, req.path, map[string]string{"text": "x"}); code != 403 ||
			decode[consoleErr](t, raw).Error == "" {
			t.Errorf("manager %s %s: %d %s, want 403 with a reason", req.method, req.path, code, raw)
		}
	}

	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil}, {"GET", path + "/card", nil}, {"POST", path + "/reply", map[string]string{"text": "чужой"}},
		{"POST", path + "/note", map[string]string{"text": "чужой"}}, {"POST", path + "/typing", nil},
		{"POST", path + "/outcome", map[string]any{"kind": "refusal", "reason_id": 1, "reason": "x"}}, {"POST", path + "/close", nil},
		{"POST", path + "/transfer", map[string]any{"queue_id": 1}}, {"POST", path + "/read", map[string]int{"up_to": 1 << 30}},
	} {
		code, raw := d.call(colleague, req.method, req.path, req.body)
		if code != 403 || decode[consoleErr](t, raw).Error != "This dialog is not assigned to you." {
			t.Errorf("colleague %s %s: %d %s, want 403", req.method, req.path, code, raw)
		}
	}
	conv := decode[consoleConv](t, d.mustGet(owner, path))
	if len(conv.Messages) != 1 {
		t.Errorf("the colleague's attempts left %d messages, want the client's 1", len(conv.Messages))
	}
	if code, _ := d.call(colleague, "GET", "/console/api/dialogs/999999", nil); code != 404 {
		t.Errorf("a dialog that does not exist: %d, want 404", code)
	}

	// A supervisor reads any dialog, but answers only their own.
	sup := d.loggedIn(auth.Supervisor)
	if code, raw := d.call(sup, "GET", path, nil); code != 200 || decode[consoleConv](t, raw).Mine {
		t.Errorf("supervisor reads: %d %s", code, raw)
	}
	if code, _ := d.call(sup, "POST", path+"/reply", map[string]string{"text": "x"}); code != 403 {
		t.Errorf("supervisor replies: %d, want 403", code)
	}
}

// What an operator enters wrong comes back as 422 with the field and a reason they can act on.
func TestConsoleValidationErrors(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Лютик")
	d.write(c, "Интересно")
	d.online(d.ids[auth.Operator])
	convID, _ := d.convOf(c)
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)
	for _, tc := range []struct {
		path  string
		body  any
		field string
		text  string
	}{
		{path + "/reply", map[string]string{"text": "   "}, "text", "Message: the message is empty"},
		{path + "/note", map[string]string{"text": ""}, "text", "Message: the note is empty"},
		{path + "/outcome", map[string]string{"kind": "consent"}, "product", "Product: say which product the client agreed to"},
		{path + "/outcome", map[string]string{"kind": "refusal", "reason": "дорого"}, "reason_id", "Reason for the refusal: say why the client refused"},
		{path + "/outcome", map[string]string{"kind": "callback", "due_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, "due_at", "Call back at: the time must be in the future"},
		{path + "/outcome", map[string]string{"kind": "meeting", "due_at": "tomorrow"}, "due_at", "Call back at: not a date and time"},
		{path + "/outcome", map[string]string{"kind": "lunch"}, "kind", `Outcome: unknown outcome "lunch"`},
		{path + "/transfer", map[string]any{}, "to", "Transfer to: choose an operator or a queue"},
		{"/console/api/presence", map[string]string{"status": "asleep"}, "status", "Status: must be online, away or offline"},
	} {
		code, raw := d.call(op, "POST", tc.path, tc.body)
		got := decode[consoleErr](t, raw)
		if code != 422 || got.Field != tc.field || got.Error != tc.text {
			t.Errorf("%s %v: %d %s, want 422 %s %q", tc.path, tc.body, code, raw, tc.field, tc.text)
		}
	}
	// A callback in the future is fine, and moves nothing else.
	due := time.Now().Add(26 * time.Hour).UTC().Format(time.RFC3339)
	if code, raw := d.call(op, "POST", path+"/outcome", map[string]string{"kind": "callback", "due_at": due}); code != 201 {
		t.Errorf("callback: %d %s", code, raw)
	}
	// Nobody waits: Take next says so.
	if code, raw := d.call(op, "POST", "/console/api/take-next", nil); code != 409 || decode[consoleErr](t, raw).Error != "Nobody is waiting in your queues." {
		t.Errorf("take next with an empty queue: %d %s", code, raw)
	}
	// A malformed body is 400, not a crash.
	if code, _ := d.call(op, "POST", path+"/reply", "not an object"); code != 400 {
		t.Errorf("malformed body: %d, want 400", code)
	}
}

// A campaign broadcast is Telegram HTML; the console shows it as the text the client read.
func TestConsoleShowsBroadcastsAsText(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Астра")
	camp, err := d.Campaigns.Create(context.Background(), campaigns.Campaign{Name: "Недозвон",
		LeadKind: "missed_call", Template: campaigns.Template{Body: "<b>Здравствуйте</b>, {{.Company}}!"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(context.Background(), `
		INSERT INTO outbox (channel, bot_id, chat_id, text, campaign_id, lead_id, state, sent_at)
		VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, $2, $3, $4, 'sent', now())`, c.ChatID, `<b>Здравствуйте</b>, ООО &lt;Астра&gt;! <a href="javascript:alert(1)">тут</a>`, camp.ID, c.LeadID); err != nil {
		t.Fatal(err)
	}
	d.write(c, "Да, интересно")
	d.online(d.ids[auth.Operator])
	convID, _ := d.convOf(c)
	conv := decode[consoleConv](t, d.mustGet(op, fmt.Sprintf("/console/api/dialogs/%d", convID)))
	if len(conv.Messages) != 2 {
		t.Fatalf("messages %+v", conv.Messages)
	}
	if m := conv.Messages[0]; !m.Campaign || m.Text != "Здравствуйте, ООО <Астра>! тут" {
		t.Errorf("broadcast as shown: %+v", m)
	}
}

// Every text the console's script asks for exists in both languages.
func TestConsoleScriptTextsAreInTheCatalog(t *testing.T) {
	b, err := os.ReadFile("static/console.js")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`t\("(console\.[a-z_0-9]+)"\)`).FindAllStringSubmatch(string(b), -1)
	if len(keys) < 20 {
		t.Fatalf("found only %d texts in console.js", len(keys))
	}
	// Keys built at run time, with every value they take.
	for _, prefix := range []string{"console.status_", "console.presence_hint_", "console.sla_", "console.conv_"} {
		suffixes := map[string][]string{
			"console.status_": {"online", "away", "offline"}, "console.presence_hint_": {"away", "offline"},
			"console.sla_": {"ok", "warning", "breached"}, "console.conv_": {"bot", "waiting", "assigned", "closed"},
		}[prefix]
		for _, s := range suffixes {
			keys = append(keys, []string{"", prefix + s})
		}
	}
	for _, s := range []string{"queued", "sending", "sent", "failed", "cancelled", "held"} {
		keys = append(keys, []string{"", "console.delivery_" + s})
	}
	for _, k := range keys {
		en, ru := operatorui.T("en", k[1]), operatorui.T("ru", k[1])
		if strings.HasPrefix(en, "[") || strings.HasPrefix(ru, "[") || en == "" || ru == "" {
			t.Errorf("%s has no text in both languages", k[1])
		}
	}
}

func (d *consoleDesk) mustGet(c *http.Client, path string) string {
	d.t.Helper()
	code, raw := d.call(c, "GET", path, nil)
	if code != 200 {
		d.t.Fatalf("GET %s: %d %s", path, code, raw)
	}
	return raw
}

// The console page starts its live stream where its HTML was rendered, and carries its script's texts in the
// user's language.
func TestConsolePageStartsAtTheLastEvent(t *testing.T) {
	d := newConsoleDesk(t)
	c := d.chatWith("ООО Вектор")
	d.write(c, "Добрый день") // events happen before the page is opened
	last, err := dialog.NewEvents(d.Pool).Last(context.Background())
	if err != nil || last == 0 {
		t.Fatalf("last event %d, %v", last, err)
	}
	res, body := d.get(d.loggedIn(auth.Operator), "/console")
	if res.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`data-last-event="%d"`, last)) {
		t.Fatalf("console: %d, no data-last-event=%d in the page", res.StatusCode, last)
	}
	m := regexp.MustCompile(`data-strings="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no data-strings")
	}
	var texts map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &texts); err != nil {
		t.Fatalf("data-strings is not JSON: %v", err)
	}
	if texts["console.send"] != "Send" || texts["kind.missed_call"] != "Missed calls" {
		t.Errorf("texts: send %q, missed_call %q", texts["console.send"], texts["kind.missed_call"])
	}
}
