package messenger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

// A bot the administrator switched off sends nothing: its messages wait queued, and go once it is switched on.
// The other bot of the channel goes on sending.
func TestADisabledBotsSenderClaimsNothingUntilItIsEnabledAgain(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	outbox, bots := messenger.NewOutbox(pool), messenger.NewBots(pool)
	north, south := registerBot(t, pool, messenger.MAX, "7"), registerBot(t, pool, messenger.MAX, "8")
	enqueue := func(bot messenger.Bot) int64 {
		id, err := outbox.Enqueue(ctx, messenger.Outgoing{Message: messenger.Message{Address: chatOf(bot, 42).Address, Text: "Здравствуйте"}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	toNorth, toSouth := enqueue(north), enqueue(south)
	if err := bots.SetEnabled(ctx, north.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, err := outbox.Claim(ctx, north.ID, "north", 10, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("a disabled bot's claim = %+v, %v; want nothing", got, err)
	}
	if got, err := outbox.Claim(ctx, south.ID, "south", 10, time.Minute); err != nil || len(got) != 1 || got[0].ID != toSouth {
		t.Fatalf("the enabled bot's claim = %+v, %v; want its message %d", got, err, toSouth)
	}
	var state string
	if err := pool.QueryRow(ctx, `SELECT state FROM outbox WHERE id = $1`, toNorth).Scan(&state); err != nil || state != "queued" {
		t.Fatalf("the disabled bot's message is %q, %v; want it queued", state, err)
	}
	if err := bots.SetEnabled(ctx, north.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := outbox.Claim(ctx, north.ID, "north", 10, time.Minute); err != nil || len(got) != 1 || got[0].ID != toNorth {
		t.Fatalf("the bot switched on again claims %+v, %v; want its message %d", got, err, toNorth)
	}
}

// An administrator renames a bot; a bot that does not exist is ErrNoBot. The activity says when a bot last heard
// from a client and last delivered a message, nothing for a bot that did neither.
func TestBotsRenameAndActivity(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	bots := messenger.NewBots(pool)
	tg, max := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.MAX, "9")
	if err := bots.Rename(ctx, max.ID, "Бизнес-бот, Сибирь"); err != nil {
		t.Fatal(err)
	}
	if err := bots.Rename(ctx, 999, "x"); !errors.Is(err, messenger.ErrNoBot) {
		t.Fatalf("renaming a bot that does not exist: %v; want ErrNoBot", err)
	}
	received := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sent := received.Add(time.Hour)
	if _, err := pool.Exec(ctx, `INSERT INTO inbox (bot_id, key, payload, received_at) VALUES ($1, 'u1', '{}', $2)`, max.ID, received); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (channel, bot_id, chat_id, text, state, sent_at) VALUES ('max', $1, 5, 'Добрый день', 'sent', $2)`, max.ID, sent); err != nil {
		t.Fatal(err)
	}
	list, err := bots.Activity(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("activity = %+v, %v; want both bots", list, err)
	}
	if a := list[0]; a.ID != tg.ID || a.LastReceived != nil || a.LastSent != nil {
		t.Fatalf("the Telegram bot's activity = %+v; want it first, with none", a)
	}
	a := list[1]
	if a.ID != max.ID || a.Name != "Бизнес-бот, Сибирь" || !a.Enabled || a.LastReceived == nil || !a.LastReceived.Equal(received) ||
		a.LastSent == nil || !a.LastSent.Equal(sent) {
		t.Fatalf("the MAX bot's activity = %+v; want renamed, received %v, sent %v", a, received, sent)
	}
}
