package dialog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"dozvon/messenger"
)

// csatPrefix starts the callback data of the rating buttons sent when a conversation closes:
// "csat:<conversation>:<1-5>".
const csatPrefix = "csat:"

// csatButtons is the rating question's keyboard: one row, 1 to 5.
func csatButtons(convID int64) messenger.Markup {
	row := make([]messenger.Button, 5)
	for i := range row {
		n := strconv.Itoa(i + 1)
		row[i] = messenger.Button{Text: n, Data: csatPrefix + strconv.FormatInt(convID, 10) + ":" + n}
	}
	return messenger.Markup{row}
}

// parseCSAT reads "csat:<conversation>:<n>"; ok is false for anything else, a rating outside 1-5 included.
func parseCSAT(data string) (convID int64, score int, ok bool) {
	parts := strings.Split(strings.TrimPrefix(data, csatPrefix), ":")
	if len(parts) != 2 {
		return 0, 0, false
	}
	convID, err1 := strconv.ParseInt(parts[0], 10, 64)
	score, err2 := strconv.Atoi(parts[1])
	return convID, score, err1 == nil && err2 == nil && score >= 1 && score <= 5
}

// recordCSAT keeps the client's rating of a closed conversation and thanks them. The first press counts: a
// second one, or a press on a button of someone else's conversation, changes nothing.
func (s *Service) recordCSAT(ctx context.Context, in messenger.Inbound) error {
	convID, score, ok := parseCSAT(in.CallbackData)
	if !ok {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		contactID, err := lockContact(ctx, tx, in)
		if err != nil {
			return err
		}
		now := s.now()
		var operatorID, queueID *int64
		err = tx.QueryRow(ctx, `
			UPDATE conversations SET csat = @score, csat_at = @now
			WHERE id = @conv AND csat IS NULL AND contact_id = @contact
			RETURNING operator_id, queue_id`,
			pgx.NamedArgs{"conv": convID, "score": score, "now": now, "contact": contactID}).Scan(&operatorID, &queueID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errDuplicate // nothing to record, and nothing to thank for
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO conversation_messages (conversation_id, direction, text, payload, inbox_id, created_at)
			VALUES (@conv, 'in', @text, @payload, @inbox, @now)`,
			pgx.NamedArgs{"conv": convID, "text": strconv.Itoa(score), "inbox": in.InboxID, "now": now,
				"payload": map[string]any{"callback_data": in.CallbackData, "csat": score}}); err != nil {
			return err
		}
		if _, err := s.botSay(ctx, tx, convID, in.Chat.Address, textCSATThanks, nil); err != nil {
			return err
		}
		return publish(ctx, tx, EventCSAT, &convID, operatorID, queueID, map[string]any{"csat": score})
	})
	if errors.Is(err, errDuplicate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dialog: csat for conversation %d: %w", convID, err)
	}
	return nil
}
