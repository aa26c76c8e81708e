package dialog

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Run keeps the dialog moving until ctx ends: every Tick it sends back the conversations of operators who left,
// announces SLA warnings and breaches, raises and clears the live board's alarms, assigns what waits, publishes delivery changes of messages sent from
// conversations, closes conversations only the bot had, and prunes old events. Every instance may run it: each
// step is one transaction whose row locks make it happen once.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for {
		s.tick(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Service) tick(ctx context.Context) {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"requeue offline", func(ctx context.Context) error { _, err := s.RequeueOffline(ctx); return err }},
		{"sla", func(ctx context.Context) error { _, _, err := s.SLATick(ctx); return err }},
		{"alarms", func(ctx context.Context) error { _, _, err := s.AlarmTick(ctx); return err }},
		{"assign", func(ctx context.Context) error { _, err := s.AssignWaiting(ctx); return err }},
		{"delivery", func(ctx context.Context) error { _, err := s.DeliveryTick(ctx); return err }},
		{"close idle", func(ctx context.Context) error { _, err := s.CloseIdleBots(ctx); return err }},
		{"prune events", func(ctx context.Context) error { _, err := s.PruneEvents(ctx); return err }},
	}
	for _, step := range steps {
		if err := step.run(ctx); err != nil && ctx.Err() == nil {
			s.log.Error().Err(err).Str("step", step.name).Msg("dialog tick")
		}
	}
}

// DeliveryTick publishes a delivery event for every message sent from a conversation whose outbox row settled
// (sent, failed, cancelled) since the last look; the messenger does not know about conversations, so the dialog
// follows the outbox rather than the other way round.
func (s *Service) DeliveryTick(ctx context.Context) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH changed AS (
			    UPDATE conversation_messages m SET delivery = o.state
			    FROM outbox o
			    WHERE o.id = m.outbox_id AND m.delivery IN ('queued', 'sending')
			      AND o.state NOT IN ('queued', 'sending')
			    RETURNING m.id, m.conversation_id, o.state, o.last_error
			)
			SELECT ch.id, ch.conversation_id, c.status, c.operator_id, c.queue_id, ch.state, ch.last_error
			FROM changed ch JOIN conversations c ON c.id = ch.conversation_id
			ORDER BY ch.id`)
		if err != nil {
			return err
		}
		type change struct {
			ID, ConversationID int64
			Status             string
			OperatorID         *int64
			QueueID            *int64
			State, Error       string
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[change])
		if err != nil {
			return err
		}
		for _, ch := range list {
			to := ch.OperatorID
			if ch.Status != "assigned" {
				to = nil
			}
			if err := publish(ctx, tx, EventDelivery, &ch.ConversationID, to, ch.QueueID,
				map[string]any{"message_id": ch.ID, "state": ch.State, "error": ch.Error}); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("dialog: delivery tick: %w", err)
	}
	return n, nil
}

// CloseIdleBots closes conversations that only the bot handled and that have been quiet for BotIdle. An open
// conversation keeps its client out of campaign audiences, and nobody would ever close these by hand.
func (s *Service) CloseIdleBots(ctx context.Context) (int, error) {
	n := 0
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH idle AS (
			    SELECT id FROM conversations
			    WHERE status = 'bot' AND last_message_at <= @cutoff
			    FOR UPDATE SKIP LOCKED
			)
			UPDATE conversations c SET status = 'closed', closed_at = @now
			FROM idle WHERE c.id = idle.id
			RETURNING c.id, c.queue_id`, pgx.NamedArgs{"now": now, "cutoff": now.Add(-s.BotIdle)})
		if err != nil {
			return err
		}
		type closed struct {
			ID      int64
			QueueID *int64
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[closed])
		if err != nil {
			return err
		}
		for _, c := range list {
			if err := publish(ctx, tx, EventClosed, &c.ID, nil, c.QueueID, map[string]any{"reason": "bot idle"}); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("dialog: close idle bot conversations: %w", err)
	}
	return n, nil
}
