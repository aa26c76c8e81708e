package dialog_test

import (
	"fmt"
	"testing"

	"dozvon/dialog"
	"dozvon/messenger"
)

func TestARedeliveredUpdateAddsNothingAndSendsNothingTwice(t *testing.T) {
	d := newDesk(t)
	camp := d.campaign(reply("Тарифы", "Тарифы на сайте"))
	c := d.client("Клиент", "missed_call")
	chat := c.chat()
	press := messenger.Inbound{InboxID: 501, Chat: chat, CallbackData: fmt.Sprintf("c:%d:0", camp), At: d.t0}
	text := messenger.Inbound{InboxID: 502, Chat: chat, Text: "а человек есть?", At: d.t0}
	for range 2 {
		d.inbound(press)
		d.inbound(text)
	}
	cv := d.conv(c)
	var got []string
	for _, m := range cv.Messages {
		got = append(got, m.Direction+":"+m.Text)
	}
	if want := "[in:Тарифы out:Тарифы на сайте in:а человек есть?]"; fmt.Sprint(got) != want {
		t.Fatalf("messages = %v, want %s", got, want)
	}
	if n := d.int(`SELECT count(*) FROM outbox`); n != 1 {
		t.Fatalf("%d messages queued, want the one auto-reply", n)
	}
	if n := len(d.events(dialog.EventWaiting)); n != 1 {
		t.Fatalf("%d waiting events, want 1", n)
	}
}

func TestClientTextIsKeptVerbatimAndOperatorRepliesAreEscapedForTelegram(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	xss := `<img src=x onerror="alert(1)">&amp;`
	d.write(c, xss)
	if got := d.conv(c).Messages[0].Text; got != xss {
		t.Fatalf("stored %q, want the client's text verbatim", got)
	}
	if e := d.events(dialog.EventMessage); payload(t, e[0])["text"] != xss {
		t.Fatalf("the message event carries %q", payload(t, e[0])["text"])
	}

	id := d.reply(c, anna, `<b>0 ₽</b> за обслуживание & "кэшбэк"`)
	var text string
	var priority int
	var conv int64
	if err := d.pool.QueryRow(d.ctx, `
		SELECT o.text, o.priority, o.conversation_id FROM outbox o JOIN conversation_messages m ON m.outbox_id = o.id
		WHERE m.id = $1`, id).Scan(&text, &priority, &conv); err != nil {
		t.Fatal(err)
	}
	if text != "&lt;b&gt;0 ₽&lt;/b&gt; за обслуживание &amp; &quot;кэшбэк&quot;" || priority != messenger.PriorityReply ||
		conv != d.conv(c).ID {
		t.Fatalf("queued %q priority %d conversation %d", text, priority, conv)
	}
	if got := d.conv(c).Messages[1]; got.Text != `<b>0 ₽</b> за обслуживание & "кэшбэк"` || got.Delivery != "queued" {
		t.Fatalf("the reply as stored = %+v", got)
	}
}

func TestOnlyTheAssignedOperatorRepliesAndNotesStayInside(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	boris := d.user("boris", "operator")
	c := d.client("Клиент", "missed_call")
	d.write(c, "?")
	id := d.conv(c).ID
	if _, err := d.svc.Reply(d.ctx, id, boris, "я отвечу"); err != dialog.ErrNotYours {
		t.Fatalf("a reply by someone else: %v", err)
	}
	if _, err := d.svc.Reply(d.ctx, id, anna, "   "); err == nil {
		t.Fatal("an empty reply was accepted")
	}
	if _, err := d.svc.Note(d.ctx, id, boris, "клиент звонил вчера"); err != nil {
		t.Fatal(err)
	}
	if n := d.int(`SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("a note was queued to the client (%d messages)", n)
	}
	if cv := d.conv(c); cv.Messages[1].Direction != "note" || cv.WaitingSince == nil {
		t.Fatalf("after a note: %+v, waiting since %v; a note answers nobody", cv.Messages[1], cv.WaitingSince)
	}
	if err := d.svc.Close(d.ctx, id, anna); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Reply(d.ctx, id, anna, "ещё"); err != dialog.ErrClosed {
		t.Fatalf("a reply in a closed conversation: %v", err)
	}
}

func TestAnUnknownOrOutdatedButtonGoesToAPerson(t *testing.T) {
	d := newDesk(t)
	camp := d.campaign(reply("Тарифы", "Тарифы на сайте"))
	for i, data := range []string{fmt.Sprintf("c:%d:7", camp), "c:999999:0", "c:x:y", "something"} {
		c := d.client(fmt.Sprintf("Клиент %d", i), "missed_call")
		d.press(c, data)
		if cv := d.conv(c); cv.Status != "waiting" {
			t.Errorf("%q left the conversation %s, want waiting", data, cv.Status)
		}
	}
	if n := d.int(`SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d auto-replies for buttons the campaign does not have", n)
	}
}

// An operator answers on the messenger the client wrote on: a client in a MAX chat gets the answer, and the
// rating question when the dialog closes, from that MAX bot, and the conversation says MAX.
func TestAnOperatorAnswersOnTheMessengerTheClientWroteOn(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	bot, err := messenger.NewBots(d.pool).Register(d.ctx, messenger.MAX, "9", "dozvon_max_bot")
	if err != nil {
		t.Fatal(err)
	}
	c := d.lead("Клиент в MAX", "missed_call")
	c.ChatID, c.BotID = 5001, bot.ID
	contactID := d.int(`INSERT INTO contacts (channel, bot_id, chat_id, first_name, linked_via)
		VALUES ('max', $1, $2, 'Ирина', 'deep_link') RETURNING id`, bot.ID, c.ChatID)
	d.exec(`INSERT INTO contact_leads (contact_id, lead_id, via) VALUES ($1, $2, 'deep_link')`, contactID, c.LeadID)
	in := messenger.Chat{Address: messenger.Address{Channel: messenger.MAX, BotID: bot.ID, ChatID: c.ChatID}}
	d.inbound(messenger.Inbound{InboxID: 1, Chat: in, Text: "Когда откроют счёт?", At: d.t0})

	d.reply(c, anna, "Завтра")
	conv := d.conv(c)
	if err := d.svc.Close(d.ctx, conv.ID, anna); err != nil {
		t.Fatal(err)
	}
	if conv.To != in.Address || d.str(`SELECT channel FROM conversations WHERE id = $1`, conv.ID) != messenger.MAX {
		t.Fatalf("conversation to %+v, want %+v on MAX", conv.To, in.Address)
	}
	want := fmt.Sprintf("max/%d/5001 max/%d/5001", bot.ID, bot.ID)
	if got := d.str(`SELECT string_agg(format('%s/%s/%s', channel, bot_id, chat_id), ' ' ORDER BY id) FROM outbox`); got != want {
		t.Fatalf("the answer and the rating question went to %s, want %s", got, want)
	}
}
