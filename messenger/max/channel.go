package max

import (
	"context"
	"hash/fnv"

	"dozvon/messenger"
)

// Channel is the messenger.Channel of one MAX bot. A message's ChatID is the dialog's chat_id, as every update
// names it: the same id sends and shows "typing…" (POST /chats/{chatId}/actions takes no user).
type Channel struct {
	Client *Client
}

// Send sends m to its chat and returns MessageNumber of MAX's message id (see the package comment).
func (ch Channel) Send(ctx context.Context, m messenger.Message) (int64, error) {
	mid, err := ch.send(ctx, m)
	return MessageNumber(mid), err
}

// send is Send with MAX's own message id.
func (ch Channel) send(ctx context.Context, m messenger.Message) (string, error) {
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

// MessageNumber is a stable positive number for a MAX message id: FNV-1a's 64 bits without the sign. Two mids
// share one with a chance of one in 2^63 per pair; 0 stays 0 (no message).
func MessageNumber(mid string) int64 {
	if mid == "" {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(mid))
	return int64(h.Sum64() >> 1)
}
