package messenger_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/internal/msg"
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
	got := map[int64]string{}
	if err := contacts.Each(ctx, func(c messenger.Contact) error {
		got[c.BotID] = c.Channel + "/" + c.Status
		return nil
	}); err != nil {
		t.Fatal(err)
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
	// The consent trail says where the client came back: their Telegram chat lifted what they said on MAX.
	if err := pool.QueryRow(ctx, `SELECT format('%s/%s -> %s/%s/%s', channel, chat_id, lifted_channel, lifted_bot_id, lifted_chat_id)
		FROM opt_outs`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if want := "max/5001 -> telegram/" + strconv.FormatInt(tg.ID, 10) + "/5001"; row != want {
		t.Fatalf("the lifted opt-out = %s, want %s", row, want)
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
	if err := pool.QueryRow(ctx, `SELECT last_error FROM outbox WHERE id = $1 AND state = 'cancelled'`, offer).Scan(&why); err != nil || why != msg.Record(msg.New("messenger.client_opted_out")) {
		t.Fatalf("the offer: %q, %v", why, err)
	}
}

// The policy says where Dozvon may write and why not: under deny Telegram is refused as a foreign messenger
// whatever else is on; a channel turned off is refused as off.
func TestThePolicyRefusesTelegramUnderDenyAndAChannelTurnedOff(t *testing.T) {
	deny := messenger.Policy{Enabled: messenger.Channels, ForeignMessengers: messenger.ForeignDeny}
	if r := deny.Refusal(messenger.Telegram); r == nil || r.Code != "messenger.foreign_denied" {
		t.Errorf("Telegram under deny: %v", r)
	}
	if got := deny.Filter([]string{messenger.Telegram, messenger.MAX}); !slices.Equal(got, []string{messenger.MAX}) {
		t.Errorf("deny keeps %v of Telegram, MAX", got)
	}
	maxOff := messenger.Policy{Enabled: []string{messenger.Telegram}, ForeignMessengers: messenger.ForeignAllow}
	if r := maxOff.Refusal(messenger.MAX); r == nil || r.Code != "messenger.channel_disabled" {
		t.Errorf("MAX turned off: %v", r)
	}
	if !maxOff.Writable(messenger.Telegram) {
		t.Error("Telegram under allow, turned on: refused")
	}
	bad := messenger.Policy{Enabled: []string{messenger.MAX}, ForeignMessengers: "maybe"}
	if err := bad.Validate(); err == nil || err.Error() != `messenger: foreign_messengers: the foreign-messenger policy is allow or deny, not "maybe"` {
		t.Errorf("policy maybe: %v", err)
	}
}

// The environment's policy holds until an administrator sets one; a restart with another value in the environment
// does not undo the administrator's decision.
func TestTheEnvironmentsPolicyHoldsUntilAnAdministratorSetsOne(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	policies := messenger.NewPolicies(pool)
	if p, err := policies.Get(ctx); err != nil || p.ForeignMessengers != messenger.ForeignAllow || len(p.Enabled) != 2 {
		t.Fatalf("before any start: %+v, %v; want the default", p, err)
	}
	if p, err := policies.FromEnvironment(ctx, messenger.ForeignDeny); err != nil || p.ForeignMessengers != messenger.ForeignDeny || p.UpdatedBy != nil {
		t.Fatalf("started with deny: %+v, %v", p, err)
	}
	var admin int64
	if err := pool.QueryRow(ctx, `INSERT INTO users (login, role, password_hash) VALUES ('admin', 'admin', 'x') RETURNING id`).Scan(&admin); err != nil {
		t.Fatal(err)
	}
	if _, err := policies.Set(ctx, messenger.Policy{Enabled: []string{messenger.MAX, messenger.Telegram}, ForeignMessengers: messenger.ForeignAllow}, admin); err != nil {
		t.Fatal(err)
	}
	p, err := policies.FromEnvironment(ctx, messenger.ForeignDeny)
	if err != nil || p.ForeignMessengers != messenger.ForeignAllow || p.UpdatedBy == nil || *p.UpdatedBy != admin ||
		!slices.Equal(p.Enabled, []string{messenger.Telegram, messenger.MAX}) {
		t.Fatalf("restarted with deny after the administrator chose allow: %+v, %v", p, err)
	}
}
