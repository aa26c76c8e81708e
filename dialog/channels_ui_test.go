package dialog_test

import (
	"testing"
	"time"

	"dozvon/dialog"
	"dozvon/messenger"
)

// A client linked on both messengers: the card of their MAX dialog lists both chats, this one first, with its bot,
// status and how it was linked; the operator's list and the live board say the channel.
func TestTheCardListsEveryChatOfAClientOnBothMessengers(t *testing.T) {
	d := newDesk(t)
	d.campaign(route("Задать вопрос"))
	anna := d.operator("anna", 5)
	d.presence(anna, "online")
	tg := d.client("ООО Ромашка", "missed_call")
	maxBot := d.int(`INSERT INTO bots (channel, remote_id, username, name) VALUES ('max', '77', 'bank_max_bot', 'Банк в MAX') RETURNING id`)
	maxChat := int64(5_000_001)
	contactID := d.int(`INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, linked_via, linked_at)
		VALUES ('max', $1, $2, $2, 'Ирина', 'contact', $3) RETURNING id`, maxBot, maxChat, d.t0.Add(-time.Hour))
	d.exec(`INSERT INTO contact_leads (contact_id, lead_id, via) VALUES ($1, $2, 'contact')`, contactID, tg.LeadID)
	d.exec(`UPDATE contacts SET linked_at = $1 WHERE bot_id = $2 AND chat_id = $3`, d.t0.Add(-48*time.Hour), tg.BotID, tg.ChatID)
	d.exec(`INSERT INTO opt_outs (channel, bot_id, chat_id, source) VALUES ('telegram', $1, $2, '/stop')`, tg.BotID, tg.ChatID)

	onMAX := messenger.Chat{Address: messenger.Address{Channel: messenger.MAX, BotID: maxBot, ChatID: maxChat}, UserID: maxChat}
	d.inbound(messenger.Inbound{InboxID: d.update.Add(1), Chat: onMAX, Text: "Что по заявке?", At: d.clock.Now()})
	id := d.int(`SELECT cv.id FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id WHERE ct.bot_id = $1`, maxBot)

	card, err := d.svc.ClientCard(d.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if card.Channel != messenger.MAX || len(card.Chats) != 2 {
		t.Fatalf("card on %s lists chats %+v; want the MAX chat and the Telegram one", card.Channel, card.Chats)
	}
	m, g := card.Chats[0], card.Chats[1]
	if m.Channel != messenger.MAX || m.BotName != "Банк в MAX" || m.ChatID != maxChat || m.Status != "active" ||
		m.LinkedVia != "contact" || !m.LinkedAt.Equal(d.t0.Add(-time.Hour)) || !m.Current {
		t.Fatalf("the MAX chat = %+v; want it first, this dialog's, active, linked by phone", m)
	}
	if g.Channel != messenger.Telegram || g.ChatID != tg.ChatID || g.Status != "opted_out" || g.LinkedVia != "deep_link" ||
		!g.LinkedAt.Equal(d.t0.Add(-48*time.Hour)) || g.Current {
		t.Fatalf("the Telegram chat = %+v; want it second, opted out, linked by link", g)
	}

	conv, err := d.svc.Conversation(d.ctx, id)
	if err != nil || conv.To.Channel != messenger.MAX || conv.BotName != "Банк в MAX" {
		t.Fatalf("conversation = %+v, %v; want on MAX with its bot's name", conv.To, err)
	}
	board, err := d.svc.LiveBoard(d.ctx, d.t0.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Channels) != 2 || board.Channels[0] != (dialog.ChannelLoad{Channel: messenger.Telegram}) ||
		board.Channels[1] != (dialog.ChannelLoad{Channel: messenger.MAX, Assigned: 1}) {
		t.Fatalf("the board's channels = %+v; want one dialog with an operator on MAX, none on Telegram", board.Channels)
	}
	list, err := d.svc.OperatorDialogs(d.ctx, anna)
	if err != nil || len(list) != 1 || list[0].Channel != messenger.MAX || list[0].BotName != "Банк в MAX" {
		t.Fatalf("anna's list = %+v, %v; want the MAX dialog with its bot", list, err)
	}
}
