package max

import (
	"context"

	"dozvon/messenger"
)

// Channel is the messenger.Channel of one MAX bot. A message's ChatID is the dialog's chat_id, as every update
// names it: the same id sends and shows "typing…" (POST /chats/{chatId}/actions takes no user).
type Channel struct {
	Client *Client
}

// Send sends m to its chat and returns MAX's message id (mid).
func (ch Channel) Send(ctx context.Context, m messenger.Message) (string, error) {
	if m.ChatID == 0 {
		return "", &messenger.PermanentError{Reason: "no chat"}
	}
	body, err := Body(m)
	if err != nil {
		return "", err
	}
	return ch.Client.SendMessage(ctx, Recipient{ChatID: m.ChatID}, body)
}

// Typing shows "typing…" in the chat.
func (ch Channel) Typing(ctx context.Context, chatID int64) error {
	return ch.Client.TypingOn(ctx, chatID)
}
