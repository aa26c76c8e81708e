package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// mine locks a conversation for a change by its operator.
func mine(ctx context.Context, tx pgx.Tx, convID, operatorID int64) (conv, error) {
	c, err := lockConversation(ctx, tx, convID)
	switch {
	case err != nil:
		return c, err
	case c.Status == "closed":
		return c, ErrClosed
	case c.Status != "assigned" || c.OperatorID == nil || *c.OperatorID != operatorID:
		return c, ErrNotYours
	}
	return c, nil
}

// Reply sends an operator's answer to the client: escaped for Telegram's HTML (what the operator typed is shown as
// typed), queued ahead of broadcasts and linked to the conversation, and kept as the operator wrote it. It stops
// the SLA clock of every client message waiting in the conversation. It returns the message's id.
func (s *Service) Reply(ctx context.Context, convID, operatorID int64, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, msg.In("text", "dialog.message_empty")
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := mine(ctx, tx, convID, operatorID)
		if err != nil {
			return err
		}
		// The answer goes where the client wrote: their chat, on its bot and channel.
		to, err := messenger.ContactAddress(ctx, tx, c.ContactID)
		if err != nil {
			return err
		}
		// Refused, not queued to be cancelled: the operator learns at once that this chat is closed to the bank
		// (Telegram under the foreign-messenger policy deny, say) and why, and reaches the client otherwise.
		policy, err := messenger.LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if why := policy.Refusal(to.Channel); why != nil {
			why.Field = "text"
			return why
		}
		outboxID, err := messenger.EnqueueTx(ctx, tx, messenger.Outgoing{
			Message:        messenger.Message{Address: to, Text: messenger.Escape(text)},
			ConversationID: &c.ID,
			Priority:       messenger.PriorityReply,
		})
		var refused *messenger.PermanentError
		if errors.As(err, &refused) {
			return &InputError{Field: "text", Code: "dialog.refused", Args: []any{refusal(refused)}, Err: err}
		}
		if err != nil {
			return err
		}
		now := s.now()
		err = tx.QueryRow(ctx, `
			INSERT INTO conversation_messages (conversation_id, direction, author_id, text, outbox_id, created_at, delivery)
			VALUES (@conv, 'out', @op, @text, @outbox, @now, 'queued')
			RETURNING id`,
			pgx.NamedArgs{"conv": c.ID, "op": operatorID, "text": text, "outbox": outboxID, "now": now}).Scan(&id)
		if err != nil {
			return err
		}
		if err := answerClock(ctx, tx, c.ID, operatorID, now); err != nil {
			return err
		}
		// Answering is reading: everything up to the reply was on the operator's screen.
		if _, err := tx.Exec(ctx, `
			UPDATE conversations SET last_message_at = $2, read_message_id = greatest(read_message_id, $3)
			WHERE id = $1`, c.ID, now, id); err != nil {
			return err
		}
		return publishMessage(ctx, tx, c, id, "out", &operatorID, text, now)
	})
	if err != nil && !isSentinel(err) {
		return 0, fmt.Errorf("dialog: reply in conversation %d: %w", convID, err)
	}
	return id, err
}

// Note adds an internal note to a conversation: for colleagues and supervisors, never sent to the client.
func (s *Service) Note(ctx context.Context, convID, authorID int64, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, msg.In("text", "dialog.note_empty")
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.QueryRow(ctx, `
			INSERT INTO conversation_messages (conversation_id, direction, author_id, text, created_at)
			VALUES ($1, 'note', $2, $3, $4) RETURNING id`, c.ID, authorID, text, now).Scan(&id); err != nil {
			return err
		}
		return publishMessage(ctx, tx, c, id, "note", &authorID, text, now)
	})
	if err != nil && !isSentinel(err) {
		return 0, fmt.Errorf("dialog: note in conversation %d: %w", convID, err)
	}
	return id, err
}

// MarkRead records that the operator has seen the conversation up to a message; unread counts start after it.
func (s *Service) MarkRead(ctx context.Context, convID, operatorID, upToMessageID int64) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE conversations SET read_message_id = greatest(read_message_id, $3) WHERE id = $1 AND operator_id = $2`,
		convID, operatorID, upToMessageID)
	if err != nil {
		return fmt.Errorf("dialog: mark conversation %d read: %w", convID, err)
	}
	return nil
}

// Close ends an operator's conversation and asks the client to rate it, 1 to 5, with buttons. Client messages
// still unanswered stay so: they count as missed. A client who is no longer reachable (opted out, blocked) is not
// asked.
func (s *Service) Close(ctx context.Context, convID, operatorID int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := mine(ctx, tx, convID, operatorID)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `
			UPDATE conversations SET status = 'closed', closed_at = $2, waiting_since = NULL WHERE id = $1`,
			c.ID, now); err != nil {
			return err
		}
		var to messenger.Address
		var reachable bool
		if err := tx.QueryRow(ctx, `SELECT channel, bot_id, chat_id, status = 'active' FROM contacts WHERE id = $1`,
			c.ContactID).Scan(&to.Channel, &to.BotID, &to.ChatID, &reachable); err != nil {
			return err
		}
		if reachable {
			if _, err := s.botSay(ctx, tx, c.ID, to, textCSATQuestion, csatButtons(c.ID)); err != nil {
				return err
			}
		}
		return publish(ctx, tx, EventClosed, &c.ID, &operatorID, c.QueueID, map[string]any{"csat_asked": reachable})
	})
	if err != nil && !isSentinel(err) {
		return fmt.Errorf("dialog: close conversation %d: %w", convID, err)
	}
	if err == nil {
		s.settle(ctx)
	}
	return err
}
