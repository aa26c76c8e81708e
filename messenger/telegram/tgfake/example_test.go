package tgfake_test

import (
	"context"
	"fmt"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"dozvon/messenger/telegram/tgfake"
)

// A bot under test talks to the fake through an unmodified client; the test
// acts as the user and reads the chat as the user would see it.
func Example() {
	fake := tgfake.New(tgfake.Options{})
	url, stop := fake.StartServer()
	defer stop()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bot.New(fake.Token(), bot.WithServerURL(url),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, upd *models.Update) {
			if upd.Message != nil {
				_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: upd.Message.Chat.ID, Text: "You said: " + upd.Message.Text})
			}
		}))
	if err != nil {
		panic(err)
	}
	go b.Start(ctx)

	anna := fake.AddUser(tgfake.User{FirstName: "Anna"})
	if _, err := fake.Start(anna.ID, "promo"); err != nil {
		panic(err)
	}
	history, err := fake.WaitSent(ctx, anna.ID, 1)
	if err != nil {
		panic(err)
	}
	for _, m := range history {
		fmt.Printf("%d %s: %s\n", m.MessageID, m.From.FirstName, m.Text)
	}
	// Output:
	// 1 Anna: /start promo
	// 2 Fake Bot: You said: /start promo
}
