package dialog_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns/campaignstest"
	"dozvon/dialog"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// line is the dialog wired to a fake Telegram over real HTTP, as `dozvon serve` wires it: the long poller stores
// updates, the processor hands clients' messages to the dialog, the sender delivers what anyone queued.
type line struct {
	*desk
	fake     *tgfake.Fake
	contacts *messenger.Contacts
	outbox   *messenger.Outbox
	files    *messenger.Files
	bot      messenger.Bot
	receive  func() // starts the poller, the processor, the sender and the file fetcher
}

func newLine(t *testing.T) *line {
	l := newQuietLine(t)
	l.receive()
	return l
}

// newQuietLine is the line before the poller runs: what the fake's clients do waits in Telegram until receive,
// and arrives in one getUpdates batch.
func newQuietLine(t *testing.T) *line {
	t.Helper()
	d := newDesk(t)
	d.svc.Now = time.Now // the fake dates messages by the real clock; nothing here measures the SLA
	fake := tgfake.New(tgfake.Options{Flood: tgfake.FloodLimits{Disabled: true}})
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	client, err := telegram.NewClient(tgfake.DefaultToken, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &line{desk: d, fake: fake, contacts: messenger.NewContacts(d.pool), outbox: messenger.NewOutbox(d.pool),
		files: messenger.NewFiles(d.pool)}
	inbox := messenger.NewInbox(d.pool)
	bot, err := telegram.RegisterBot(context.Background(), d.pool, tgfake.DefaultToken, "dozvon_bot")
	if err != nil {
		t.Fatal(err)
	}
	l.bot = bot
	fetcher := &messenger.Fetcher{Open: client.OpenFile, Bot: bot.ID, Files: l.files, Log: zerolog.Nop(), Idle: 20 * time.Millisecond}
	proc := &messenger.Processor{Bot: bot, Decode: telegram.Decode, Inbox: inbox, Contacts: l.contacts, Outbox: l.outbox,
		Answer: client.AnswerCallback, Inbound: d.svc.HandleInbound, Files: l.files, WakeFetch: fetcher.Wake,
		Log: zerolog.Nop(), Idle: 20 * time.Millisecond}
	poller := &telegram.Poller{Token: tgfake.DefaultToken, APIURL: srv.URL, Bot: bot.ID, Inbox: inbox, Pool: d.pool,
		Wake: proc.Wake, Log: zerolog.Nop(), Timeout: time.Second}
	sender := messenger.NewSender(messenger.SenderConfig{Unlimited: true, Idle: 20 * time.Millisecond,
		BackoffBase: 50 * time.Millisecond}, bot.ID, l.outbox, messenger.NewPacing(d.pool, bot.ID, 0), l.contacts, client,
		zerolog.Nop())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	l.receive = func() {
		for _, run := range []func(context.Context) error{poller.Run, proc.Run, sender.Run, fetcher.Run} {
			wg.Add(1)
			go func() { defer wg.Done(); _ = run(ctx) }()
		}
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return l
}

// telegramClient is a lead whose client followed the invitation link a run of the campaign made for them.
func (l *line) telegramClient(company string, campaignID int64) client {
	l.t.Helper()
	c := l.lead(company, "missed_call")
	token := campaignstest.Invitation(l.t, l.pool, campaignID, c.LeadID)
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	if _, err := l.fake.Start(u.ID, token); err != nil {
		l.t.Fatal(err)
	}
	c.ChatID, c.BotID = u.ID, l.bot.ID
	l.eventually("the chat is linked to the lead", func() bool {
		return l.int(`SELECT count(*) FROM contact_leads cl JOIN contacts ct ON ct.id = cl.contact_id
			WHERE ct.chat_id = $1 AND cl.lead_id = $2 AND cl.campaign_id = $3`, u.ID, c.LeadID, campaignID) == 1
	})
	l.eventually("the client is welcomed", func() bool { return len(l.botMessages(u.ID)) == 1 })
	return c
}

// broadcast sends the client the campaign's message, as a run would queue it, and returns its outbox id and
// Telegram message id.
func (l *line) broadcast(c client, campaignID int64, buttons ...string) (int64, int) {
	l.t.Helper()
	var markup messenger.Markup
	for i, b := range buttons {
		markup = append(markup, []messenger.Button{{Text: b, Data: fmt.Sprintf("c:%d:%d", campaignID, i)}})
	}
	id, err := l.outbox.Enqueue(l.ctx, messenger.Outgoing{
		Message:    messenger.Message{Address: c.chat().Address, Text: "Здравствуйте! Мы не дозвонились по вашей <b>заявке</b>.", Buttons: markup},
		CampaignID: &campaignID, LeadID: &c.LeadID,
	})
	if err != nil {
		l.t.Fatal(err)
	}
	l.eventually("the campaign message is delivered", func() bool {
		return len(l.botMessages(c.ChatID)) == 2 && l.str(`SELECT state FROM outbox WHERE id = $1`, id) == "sent"
	})
	msgs := l.botMessages(c.ChatID)
	return id, msgs[1].MessageID
}

func (l *line) botMessages(chatID int64) []tgfake.Message {
	var out []tgfake.Message
	for _, m := range l.fake.Sent(chatID) {
		if m.FromBot() {
			out = append(out, m)
		}
	}
	return out
}

func (l *line) lastBotMessage(chatID int64) tgfake.Message {
	msgs := l.botMessages(chatID)
	if len(msgs) == 0 {
		return tgfake.Message{}
	}
	return msgs[len(msgs)-1]
}

func (l *line) eventually(what string, cond func() bool) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			l.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (l *line) messages(chatID int64) int64 {
	return l.int(`SELECT count(*) FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id WHERE ct.chat_id = $1`, chatID)
}

func (l *line) pressButton(c client, messageID int, data string) {
	l.t.Helper()
	if _, err := l.fake.PressButton(c.ChatID, messageID, data); err != nil {
		l.t.Fatal(err)
	}
}

func TestAClientAnsweringACampaignTalksToAnOperatorThroughTelegram(t *testing.T) {
	l := newLine(t)
	camp := l.campaign(route("Задать вопрос"))
	c := l.telegramClient("ООО Ромашка", camp)
	outboxID, _ := l.broadcast(c, camp, "Задать вопрос")

	xss := `<script>alert("x")</script> Здравствуйте & добрый день`
	if _, err := l.fake.SendText(c.ChatID, xss); err != nil {
		t.Fatal(err)
	}
	l.eventually("the client's message is in a conversation", func() bool {
		if e := l.str(`SELECT string_agg(error, ';') FROM inbox WHERE error <> ''`); e != "" {
			t.Fatal(e)
		}
		return l.messages(c.ChatID) == 2
	})
	cv := l.conv(c)
	if *cv.CampaignID != camp || *cv.LeadID != c.LeadID || *cv.ClientID != c.ID || cv.Status != "waiting" {
		t.Fatalf("conversation = %+v", cv)
	}
	first, said := cv.Messages[0], cv.Messages[1]
	if first.Direction != "out" || first.Text != "Здравствуйте! Мы не дозвонились по вашей <b>заявке</b>." ||
		first.Delivery != "sent" || l.int(`SELECT outbox_id FROM conversation_messages WHERE id = $1`, first.ID) != outboxID {
		t.Fatalf("the conversation does not start with the campaign message: %+v", first)
	}
	if said.Direction != "in" || said.Text != xss {
		t.Fatalf("the client's message = %q, want it verbatim: %q", said.Text, xss)
	}

	anna := l.operator("anna", 5)
	if l.operatorOf(c) != anna {
		t.Fatal("the waiting client was not given to the operator who came online")
	}
	answer := `<b>Ставка</b> 0% & бонус "первый месяц"`
	msgID := l.reply(c, anna, answer)
	l.eventually("the client gets the answer", func() bool { return l.lastBotMessage(c.ChatID).Text == answer })
	if got := l.lastBotMessage(c.ChatID); len(got.Entities) != 0 {
		t.Fatalf("the operator's text was taken as markup: entities %+v", got.Entities)
	}
	queued := l.str(`SELECT text FROM outbox WHERE id = (SELECT outbox_id FROM conversation_messages WHERE id = $1)`, msgID)
	if queued != "&lt;b&gt;Ставка&lt;/b&gt; 0% &amp; бонус &quot;первый месяц&quot;" {
		t.Fatalf("queued text = %q", queued)
	}
	l.eventually("the reply's delivery is recorded", func() bool {
		return l.str(`SELECT o.state FROM outbox o JOIN conversation_messages m ON m.outbox_id = o.id WHERE m.id = $1`,
			msgID) == "sent"
	})
	if n, err := l.svc.DeliveryTick(l.ctx); err != nil || n != 1 {
		t.Fatalf("DeliveryTick = %d, %v; want the reply's delivery", n, err)
	}
	delivered := l.events(dialog.EventDelivery)
	if len(delivered) != 1 || *delivered[0].OperatorID != anna || payload(t, delivered[0])["state"] != "sent" {
		t.Fatalf("delivery events = %+v", delivered)
	}
	if got := l.conv(c).Messages[2]; got.Delivery != "sent" || got.Text != answer || *got.AuthorID != anna {
		t.Fatalf("the reply as the console shows it = %+v", got)
	}
}

func TestCampaignButtonsAnswerByThemselvesRouteOrAskForACallback(t *testing.T) {
	l := newLine(t)
	anna := l.operator("anna", 5)
	camp := l.campaign(reply("Тарифы", "Тарифы: <от 0 ₽> & без комиссии"), route("Задать вопрос"),
		callback("Перезвоните мне"))
	c := l.telegramClient("ООО Ромашка", camp)
	_, msg := l.broadcast(c, camp, "Тарифы", "Задать вопрос", "Перезвоните мне")

	l.pressButton(c, msg, fmt.Sprintf("c:%d:0", camp))
	l.eventually("the bot answers the button", func() bool {
		return l.lastBotMessage(c.ChatID).Text == "Тарифы: <от 0 ₽> & без комиссии"
	})
	cv := l.conv(c)
	if cv.Status != "bot" || cv.OperatorID != nil || len(cv.Messages) != 3 {
		t.Fatalf("after the auto-reply: %s with operator %v and %d messages; want the bot alone", cv.Status,
			cv.OperatorID, len(cv.Messages))
	}
	if press := cv.Messages[1]; press.Direction != "in" || press.Text != "Тарифы" ||
		l.int(`SELECT count(*) FROM conversation_messages WHERE id = $1 AND NOT sla`, press.ID) != 1 {
		t.Fatalf("the press = %+v; want it recorded without an SLA clock", press)
	}
	if n := len(l.events(dialog.EventWaiting)); n != 0 {
		t.Fatalf("%d waiting events: nobody should be bothered", n)
	}

	l.pressButton(c, msg, fmt.Sprintf("c:%d:1", camp))
	l.eventually("a person is asked for", func() bool { return l.operatorOf(c) == anna })
	if again := l.conv(c); again.ID != cv.ID || again.Messages[3].Text != "Задать вопрос" {
		t.Fatalf("the route press = %+v in conversation %d, want %d", again.Messages[3], again.ID, cv.ID)
	}

	other := l.telegramClient("ИП Петров", camp)
	_, msg2 := l.broadcast(other, camp, "Тарифы", "Задать вопрос", "Перезвоните мне")
	l.pressButton(other, msg2, fmt.Sprintf("c:%d:2", camp))
	l.eventually("the callback request is acknowledged", func() bool {
		return l.lastBotMessage(other.ChatID).Text == l.svc.AckCallback+" Напишите, пожалуйста, номер телефона, по которому удобно позвонить."
	})
	got := l.str(`SELECT kind || '/' || source || '/' || coalesce(due_at::text, 'no time') FROM outcomes
		WHERE conversation_id = $1`, l.conv(other).ID)
	if got != "callback/client/no time" {
		t.Fatalf("outcome = %q, want a client's callback request awaiting a time", got)
	}
	if cv := l.conv(other); cv.Status != "bot" || cv.OperatorID != nil {
		t.Fatalf("the callback request is %s with operator %v; want it with the bot, for the dialer", cv.Status, cv.OperatorID)
	}
}

func TestClosingAsksTheClientToRateTheConversationAndTheirPressIsRecorded(t *testing.T) {
	l := newLine(t)
	anna := l.operator("anna", 5)
	camp := l.campaign(route("Задать вопрос"))
	c := l.telegramClient("ООО Ромашка", camp)
	if _, err := l.fake.SendText(c.ChatID, "Как открыть счёт?"); err != nil {
		t.Fatal(err)
	}
	l.eventually("the client is with anna", func() bool { return l.messages(c.ChatID) > 0 && l.operatorOf(c) == anna })
	l.reply(c, anna, "Оставьте заявку, менеджер приедет")
	id := l.conv(c).ID
	if err := l.svc.Close(l.ctx, id, anna); err != nil {
		t.Fatal(err)
	}

	l.eventually("the rating question arrives", func() bool { return l.lastBotMessage(c.ChatID).ReplyMarkup != nil })
	question := l.lastBotMessage(c.ChatID)
	buttons := question.ReplyMarkup.InlineKeyboard
	if len(buttons) != 1 || len(buttons[0]) != 5 {
		t.Fatalf("rating keyboard = %+v, want one row of five", buttons)
	}
	for i, b := range buttons[0] {
		if want := fmt.Sprintf("csat:%d:%d", id, i+1); b.CallbackData != want || b.Text != fmt.Sprint(i+1) {
			t.Fatalf("button %d = %q %q, want %q", i, b.Text, b.CallbackData, want)
		}
	}
	l.pressButton(c, question.MessageID, fmt.Sprintf("csat:%d:4", id))
	l.eventually("the rating is recorded", func() bool { return l.conv(c).CSAT != nil })
	l.eventually("the client is thanked", func() bool {
		return l.lastBotMessage(c.ChatID).Text == "Спасибо за оценку! Если появятся вопросы — просто напишите сюда."
	})

	l.pressButton(c, question.MessageID, fmt.Sprintf("csat:%d:1", id))
	l.eventually("the second press is processed", func() bool {
		return l.int(`SELECT count(*) FROM inbox WHERE processed_at IS NULL`) == 0 &&
			len(l.fake.CallbackAnswers()) == 2
	})
	if cv := l.conv(c); *cv.CSAT != 4 || cv.Status != "closed" {
		t.Fatalf("csat = %d, status %s; want the first rating, 4, kept", *cv.CSAT, cv.Status)
	}
	if n := l.int(`SELECT count(*) FROM outbox WHERE text LIKE 'Спасибо за оценку%'`); n != 1 {
		t.Fatalf("thanked %d times", n)
	}
	if e := l.events(dialog.EventCSAT); len(e) != 1 || *e[0].OperatorID != anna {
		t.Fatalf("csat events = %+v", e)
	}
}
