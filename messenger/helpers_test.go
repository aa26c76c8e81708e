package messenger_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/messenger"
)

// registerBot registers a bot of channel with the messenger's id remote, as a service does at start.
func registerBot(t testing.TB, pool *pgxpool.Pool, channel, remote string) messenger.Bot {
	t.Helper()
	bot, err := messenger.NewBots(pool).Register(context.Background(), channel, remote, channel+"_"+remote+"_bot")
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

// chatOf is chat id on bot.
func chatOf(bot messenger.Bot, id int64) messenger.Chat {
	return messenger.Chat{Address: messenger.Address{Channel: bot.Channel, BotID: bot.ID, ChatID: id}, UserID: id}
}

// pgxStrings reads a one-column result of text.
func pgxStrings(rows pgx.Rows) ([]string, error) { return pgx.CollectRows(rows, pgx.RowTo[string]) }
