package messenger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rs/zerolog"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

// The flows of a client's chat are the messenger layer's, whatever adapter decoded the update: here a MAX bot
// whose updates are messenger.Events as JSON. A deep-link start links the chat and is welcomed on that bot, the
// client's words reach the dialog with where to answer, and a stop is confirmed in MAX's words.
func TestProcessorRunsTheClientsFlowsOnAnyMessenger(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	bot := registerBot(t, pool, messenger.MAX, "9")
	var lead int64
	if err := pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name) VALUES ('c1', 'ООО Ромашка') RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO invitations (token, lead_id, channel) VALUES ('tok', $1, 'max')`, lead); err != nil {
		t.Fatal(err)
	}
	var got []messenger.Inbound
	inbox := messenger.NewInbox(pool)
	proc := &messenger.Processor{Bot: bot, Inbox: inbox, Contacts: messenger.NewContacts(pool),
		Outbox: messenger.NewOutbox(pool), Log: zerolog.Nop(),
		Decode:  func(p []byte) (ev messenger.Event, err error) { return ev, json.Unmarshal(p, &ev) },
		Inbound: func(_ context.Context, in messenger.Inbound) error { got = append(got, in); return nil }}
	chat := messenger.Chat{Address: messenger.Address{ChatID: 5001}, UserID: 77, FirstName: "Анна"}
	for i, ev := range []messenger.Event{
		{Kind: messenger.EventStarted, Chat: chat, Payload: "tok"},
		{Kind: messenger.EventMessage, Chat: chat, Text: "Когда откроют счёт?"},
		{Kind: messenger.EventStopped, Chat: chat},
	} {
		payload, _ := json.Marshal(ev)
		if _, err := inbox.Store(ctx, bot.ID, []string{fmt.Sprint("mid.", i)}, []json.RawMessage{payload}); err != nil {
			t.Fatal(err)
		}
		if _, err := inbox.ProcessNext(ctx, bot.ID, proc.Handle); err != nil {
			t.Fatal(err)
		}
	}

	where := messenger.Address{Channel: messenger.MAX, BotID: bot.ID, ChatID: 5001}
	if len(got) != 1 || got[0].Chat.Address != where || got[0].Text != "Когда откроют счёт?" || got[0].InboxID == 0 {
		t.Fatalf("the dialog got %+v, want the question from %+v", got, where)
	}
	var linked int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM contact_leads cl JOIN contacts ct ON ct.id = cl.contact_id
		WHERE ct.channel = 'max' AND ct.bot_id = $1 AND ct.chat_id = 5001 AND cl.lead_id = $2`, bot.ID, lead).Scan(&linked); err != nil || linked != 1 {
		t.Fatalf("the chat is linked to the lead %d times (%v), want once", linked, err)
	}
	rows, err := pool.Query(ctx, `SELECT format('%s/%s/%s: %s', channel, bot_id, chat_id, text) FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	said, err := pgxStrings(rows)
	if err != nil {
		t.Fatal(err)
	}
	texts := messenger.TextsFor(messenger.MAX)
	prefix := fmt.Sprintf("max/%d/5001: ", bot.ID)
	if len(said) != 2 || said[0] != prefix+texts.WelcomeLinked || said[1] != prefix+texts.OptedOut {
		t.Fatalf("the bot said %q, want the welcome and MAX's opt-out confirmation", said)
	}
	if texts.OptedOut == messenger.TextsFor(messenger.Telegram).OptedOut {
		t.Error("MAX's opt-out confirmation tells the client to send /start, as Telegram's does")
	}
}
