package messenger_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

// A chat gets one message at a time: while one is in flight under a live lease, the chat's other messages wait,
// and when the lease runs out without a word the message is claimed again, counting the new attempt.
func TestClaimKeepsOneMessagePerChatInFlightAndTakesBackExpiredLeases(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	outbox := messenger.NewOutbox(pool)
	bot := registerBot(t, pool, messenger.Telegram, "1")
	enqueue := func(chat int64, text string) int64 {
		id, err := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: chatOf(bot, chat).Address, Text: text,
			Buttons: messenger.Markup{{{Text: "Ответить", Data: "reply"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	claim := func(lease time.Duration) []messenger.Item {
		items, err := outbox.Claim(ctx, bot.ID, "test", 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(items, func(a, b messenger.Item) int { return int(a.ID - b.ID) })
		return items
	}
	first, second := enqueue(1, "первое"), enqueue(1, "второе")
	other := enqueue(2, "другому")

	got := claim(time.Minute)
	if len(got) != 3 || got[0].ID != first || got[1].ID != second || got[2].ID != other {
		t.Fatalf("first claim = %+v, want both chats' messages", got)
	}
	// One claim may pick two messages of a chat, since neither was in flight; the sender sends the first and puts
	// the other back.
	if err := outbox.Retry(ctx, got[1].Lease, time.Now(), "", false); err != nil {
		t.Fatal(err)
	}
	if got := claim(time.Minute); len(got) != 0 {
		t.Fatalf("claim while chat 1 and 2 have messages in flight = %+v, want none", got)
	}

	// The sender dies without a word; its leases run out (moved into the past, which is what time would do).
	if _, err := pool.Exec(ctx, `UPDATE outbox SET lease_until = now() - interval '1 second' WHERE state = 'sending'`); err != nil {
		t.Fatal(err)
	}
	got = claim(time.Minute)
	if len(got) != 3 || got[0].ID != first || got[0].Attempts != 2 || got[2].ID != other || got[2].Attempts != 2 {
		t.Fatalf("claim after the leases ran out = %+v, want them taken back on their second attempt", got)
	}
	if got[0].Buttons[0][0].Data != "reply" || got[2].Buttons[0][0].Text != "Ответить" {
		t.Fatalf("buttons = %+v", got)
	}
}

// Telegram allows a chat one message a second: a delivery moves the chat's next queued message a second later.
func TestMarkSentRecordsTheDeliveryAndSpacesTheChatsNextMessage(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	outbox := messenger.NewOutbox(pool)
	bot := registerBot(t, pool, messenger.Telegram, "1")
	to := chatOf(bot, 1).Address
	a, _ := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: to, Text: "первое"}})
	items, err := outbox.Claim(ctx, bot.ID, "test", 1, time.Minute)
	if err != nil || len(items) != 1 || items[0].ID != a {
		t.Fatalf("claim = %+v, %v", items, err)
	}
	b, _ := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: to, Text: "второе"}})
	at := time.Now().Truncate(time.Microsecond) // as Telegram dates the delivery
	if lost, err := outbox.MarkSent(ctx, []messenger.Delivered{{Lease: items[0].Lease, Ref: "77", At: at}}); err != nil || lost != nil {
		t.Fatalf("lost %v, %v", lost, err)
	}
	var state string
	var ref string
	var sentAt, notBefore time.Time
	if err := pool.QueryRow(ctx, `SELECT state, message_ref, sent_at FROM outbox WHERE id = $1`, a).
		Scan(&state, &ref, &sentAt); err != nil || state != "sent" || ref != "77" || !sentAt.Equal(at) {
		t.Fatalf("delivered message: %s, ref %q, sent at %v (%v); want sent, 77, %v", state, ref, sentAt, err, at)
	}
	if err := pool.QueryRow(ctx, `SELECT not_before FROM outbox WHERE id = $1`, b).Scan(&notBefore); err != nil ||
		!notBefore.Equal(at.Add(time.Second)) {
		t.Fatalf("the chat's next message is due at %v (%v), want a second after the delivery at %v", notBefore, err, at)
	}
	// The second passes (moved by hand, as for the leases above): the message is claimed then.
	if _, err := pool.Exec(ctx, `UPDATE outbox SET not_before = not_before - interval '1 second' WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	if items, err := outbox.Claim(ctx, bot.ID, "test", 1, time.Minute); err != nil || len(items) != 1 || items[0].ID != b {
		t.Fatalf("claim after that second = %+v, %v; want the chat's next message", items, err)
	}
}
