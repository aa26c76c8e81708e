package telegram

import (
	"time"

	"dozvon/messenger"
)

// SetWebhookHeartbeat makes instances with a public URL check webhook mode every d until the test ends.
func SetWebhookHeartbeat(d time.Duration) (restore func()) {
	was := webhookHeartbeat
	webhookHeartbeat = d
	return func() { webhookHeartbeat = was }
}

// chatAt is a chat of the bot with id 1 in messenger.Bots, where the first Telegram bot of a test database is.
func chatAt(id int64) messenger.Address {
	return messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: id}
}
