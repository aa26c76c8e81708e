package messenger_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

// The environment's Telegram bot takes over the placeholder the chats of before channels belong to; starting
// again keeps its id; another bot, or the same id on MAX, is another bot.
func TestBotsRegisterAdoptsThePlaceholderAndKeepsIDs(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	bots := messenger.NewBots(pool)
	var placeholder int64
	if err := pool.QueryRow(ctx, `SELECT id FROM bots WHERE remote_id IS NULL`).Scan(&placeholder); err != nil {
		t.Fatal(err)
	}
	first, err := bots.Register(ctx, messenger.Telegram, "123456", "dozvon_bot")
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != placeholder || first.RemoteID != "123456" || first.Username != "dozvon_bot" || first.Name != "dozvon_bot" || !first.Enabled {
		t.Fatalf("first bot = %+v, want the placeholder %d adopted", first, placeholder)
	}
	again, err := bots.Register(ctx, messenger.Telegram, "123456", "dozvon_renamed_bot")
	if err != nil || again.ID != first.ID || again.Username != "dozvon_renamed_bot" {
		t.Fatalf("the same bot again = %+v, %v; want id %d with its new username", again, err, first.ID)
	}
	second := registerBot(t, pool, messenger.Telegram, "654321")
	onMAX := registerBot(t, pool, messenger.MAX, "123456")
	if second.ID == first.ID || onMAX.ID == first.ID || onMAX.ID == second.ID || onMAX.Channel != messenger.MAX {
		t.Fatalf("bots %+v, %+v, %+v: want three", first, second, onMAX)
	}
	list, err := bots.List(ctx)
	if err != nil || len(list) != 3 || list[0].ID != first.ID || list[2].ID != onMAX.ID {
		t.Fatalf("List = %+v, %v; want the three bots, Telegram first", list, err)
	}
}

// A chat is a chat of a bot: the same Telegram user talking to two bots is two contacts, and blocking one bot
// leaves the other chat as it was.
func TestTheSameChatIDOnTwoBotsIsTwoContacts(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	contacts := messenger.NewContacts(pool)
	brandA, brandB := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.Telegram, "2")
	a, err := contacts.Seen(ctx, chatOf(brandA, 777))
	if err != nil {
		t.Fatal(err)
	}
	b, err := contacts.Seen(ctx, chatOf(brandB, 777))
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("one contact %d for two bots' chats", a)
	}
	if err := contacts.MarkBlocked(ctx, chatOf(brandA, 777).Address, "test"); err != nil {
		t.Fatal(err)
	}
	list, err := contacts.List(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, c := range list {
		got[c.BotID] = c.Channel + "/" + c.Status
	}
	if got[brandA.ID] != "telegram/blocked" || got[brandB.ID] != "telegram/active" || len(got) != 2 {
		t.Fatalf("contacts by bot = %v, want A blocked and B active", got)
	}
	addr, err := messenger.ContactAddress(ctx, pool, b)
	if err != nil || addr != chatOf(brandB, 777).Address {
		t.Fatalf("ContactAddress(%d) = %+v, %v", b, addr, err)
	}
}

// Opting out in a MAX chat puts the client on the do-not-contact list, saying where; it is lifted when the client
// starts a bot again, on either messenger.
func TestAnOptOutOnOneMessengerIsRecordedWithItsChannelAndLiftedByAStartOnTheOther(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	contacts := messenger.NewContacts(pool)
	tg, max := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.MAX, "9")
	var lead int64
	if err := pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, phone) VALUES ('c1', 'ООО Ромашка', '+79990000001') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO invitations (token, lead_id, channel) VALUES ('maxtok', $1, 'max')`, lead); err != nil {
		t.Fatal(err)
	}
	onMAX, onTelegram := chatOf(max, 5001), chatOf(tg, 5001)
	if _, err := contacts.LinkInvitation(ctx, onMAX, "maxtok"); err != nil {
		t.Fatal(err)
	}
	if err := contacts.OptOut(ctx, onMAX, "button"); err != nil {
		t.Fatal(err)
	}
	var row string
	if err := pool.QueryRow(ctx, `SELECT format('%s/%s/%s/%s/%s', channel, bot_id, chat_id, client_id, source) FROM opt_outs
		WHERE lifted_at IS NULL`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if want := "max/" + strconv.FormatInt(max.ID, 10) + "/5001/1/button"; row != want {
		t.Fatalf("opt-out = %s, want %s", row, want)
	}
	// The client starts the Telegram bot and links the same phone: that is coming back of their own accord.
	if _, err := contacts.LinkPhone(ctx, onTelegram, "+79990000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := contacts.Resubscribe(ctx, onTelegram); err != nil {
		t.Fatal(err)
	}
	var open int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM opt_outs WHERE lifted_at IS NULL`).Scan(&open); err != nil || open != 0 {
		t.Fatalf("%d opt-outs still in force (%v), want the MAX one lifted", open, err)
	}
}

// Each bot's sender claims its own bot's messages, and a chat in flight on one bot holds back only that bot's
// messages to it.
func TestEachBotClaimsOnlyItsOwnMessages(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	outbox := messenger.NewOutbox(pool)
	tg, max := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.MAX, "9")
	enqueue := func(bot messenger.Bot, chat int64) int64 {
		id, err := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: chatOf(bot, chat).Address, Text: "Здравствуйте"}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	toTelegram, toMAX := enqueue(tg, 42), enqueue(max, 42)
	got, err := outbox.Claim(ctx, tg.ID, "tg", 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != toTelegram || got[0].Address != chatOf(tg, 42).Address {
		t.Fatalf("Telegram's claim = %+v, %v; want its one message", got, err)
	}
	got, err = outbox.Claim(ctx, max.ID, "max", 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != toMAX || got[0].Channel != messenger.MAX {
		t.Fatalf("MAX's claim = %+v, %v; want its one message, though chat 42 of Telegram is in flight", got, err)
	}
}

// A message is checked against its own messenger's limits.
func TestValidateUsesTheChannelsLimits(t *testing.T) {
	tg := messenger.Message{Address: messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: 1},
		Text: strings.Repeat("я", 4050)}
	onMAX := tg
	onMAX.Channel = messenger.MAX
	if err := tg.Validate(); err != nil {
		t.Errorf("4050 characters on Telegram: %v", err)
	}
	if err := onMAX.Validate(); err == nil || err.Error() != "messenger: refused: the text is 4050 characters, MAX allows 4000" {
		t.Errorf("4050 characters on MAX: %v", err)
	}
	tg.Text, onMAX.Text = "Счёт", "Счёт"
	tg.Buttons = messenger.Markup{{{Text: "Да", Data: strings.Repeat("x", 100)}}}
	onMAX.Buttons = tg.Buttons
	if err := tg.Validate(); err == nil || err.Error() != `messenger: refused: button "Да" carries 100 bytes of data, Telegram allows 64` {
		t.Errorf("100 bytes of data on Telegram: %v", err)
	}
	if err := onMAX.Validate(); err != nil {
		t.Errorf("100 bytes of data on MAX: %v", err)
	}
}

// A campaign message queued to a client's Telegram chat is not sent once the client opted out in their MAX chat
// meanwhile; an operator's answer in the Telegram chat still goes.
func TestACampaignMessageIsCancelledWhenTheClientOptedOutOnAnotherMessenger(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	outbox, contacts := messenger.NewOutbox(pool), messenger.NewContacts(pool)
	tg, max := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.MAX, "9")
	var lead int64
	if err := pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name) VALUES ('c1', 'ООО Ромашка') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []messenger.Chat{chatOf(tg, 11), chatOf(max, 22)} {
		id, err := contacts.Seen(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO contact_leads (contact_id, lead_id, via) VALUES ($1, $2, 'deep_link')`, id, lead); err != nil {
			t.Fatal(err)
		}
	}
	campaign := int64(7)
	offer, err := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: chatOf(tg, 11).Address, Text: "Предложение"},
		CampaignID: &campaign, LeadID: &lead})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: chatOf(tg, 11).Address, Text: "Ответ"},
		Priority: messenger.PriorityReply})
	if err != nil {
		t.Fatal(err)
	}
	if err := contacts.OptOut(ctx, chatOf(max, 22), "/stop"); err != nil {
		t.Fatal(err)
	}
	cancelled, err := outbox.CancelUnreachable(ctx, []int64{offer, answer})
	if err != nil || len(cancelled) != 1 || !cancelled[offer] {
		t.Fatalf("cancelled %v, %v; want the campaign's offer only", cancelled, err)
	}
	var why string
	if err := pool.QueryRow(ctx, `SELECT last_error FROM outbox WHERE id = $1 AND state = 'cancelled'`, offer).Scan(&why); err != nil || why != "the client opted out" {
		t.Fatalf("the offer: %q, %v", why, err)
	}
}
