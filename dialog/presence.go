package dialog

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Operator presence: only online operators are given conversations; an away operator keeps theirs until a client
// waits past the SLA target; an offline operator's waiting clients go back to the queue after OfflineGrace.
const (
	Online  = "online"
	Away    = "away"
	Offline = "offline"
)

// SetPresence records that an operator went online, away or offline (it counts as a heartbeat too).
func (s *Service) SetPresence(ctx context.Context, operatorID int64, status string) error {
	if status != Online && status != Away && status != Offline {
		return msg.In("status", "dialog.presence")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		prev := ""
		err := tx.QueryRow(ctx, `SELECT status FROM operator_states WHERE user_id = $1 FOR UPDATE`, operatorID).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var capacity int
		err = tx.QueryRow(ctx, `
			INSERT INTO operator_states AS o (user_id, status, last_seen_at, changed_at)
			VALUES (@op, @status, @now, @now)
			ON CONFLICT (user_id) DO UPDATE
			   SET status = EXCLUDED.status, last_seen_at = EXCLUDED.last_seen_at,
			       changed_at = CASE WHEN o.status = EXCLUDED.status THEN o.changed_at ELSE EXCLUDED.changed_at END
			RETURNING capacity`, pgx.NamedArgs{"op": operatorID, "status": status, "now": now}).Scan(&capacity)
		if err != nil || prev == status {
			return err
		}
		return publishPresence(ctx, tx, operatorID, status, capacity, "")
	})
	if err != nil {
		return fmt.Errorf("dialog: presence of operator %d: %w", operatorID, err)
	}
	if status == Online {
		s.settle(ctx)
	}
	return nil
}

func publishPresence(ctx context.Context, tx pgx.Tx, operatorID int64, status string, capacity int, reason string) error {
	return publish(ctx, tx, EventPresence, nil, &operatorID, nil,
		map[string]any{"operator_id": operatorID, "status": status, "capacity": capacity, "reason": reason})
}

// Touch is an operator screen's heartbeat. It returns the operator's status: an operator whose heartbeat stopped
// for longer than OfflineGrace was marked offline, and their screen should say so rather than pretend.
func (s *Service) Touch(ctx context.Context, operatorID int64) (string, error) {
	status := Offline
	err := s.pool.QueryRow(ctx, `UPDATE operator_states SET last_seen_at = $2 WHERE user_id = $1 RETURNING status`,
		operatorID, s.now()).Scan(&status)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("dialog: heartbeat of operator %d: %w", operatorID, err)
	}
	return status, nil
}

// SetCapacity sets how many open conversations an operator may have at once (1-50). Lowering it below the
// current load takes nothing away; the operator just gets nothing new until they are under it.
func (s *Service) SetCapacity(ctx context.Context, operatorID int64, capacity int) error {
	if capacity < 1 || capacity > 50 {
		return msg.In("capacity", "dialog.capacity", 1, 50)
	}
	return s.changeOperator(ctx, operatorID, `capacity = @capacity`, pgx.NamedArgs{"capacity": capacity})
}

// SetQueues limits the queues an operator is given conversations from; none means every queue.
func (s *Service) SetQueues(ctx context.Context, operatorID int64, queueIDs []int64) error {
	queueIDs = slices.Compact(slices.Sorted(slices.Values(queueIDs)))
	if queueIDs == nil {
		queueIDs = []int64{}
	}
	var known int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM queues WHERE id = ANY ($1)`, queueIDs).Scan(&known); err != nil {
		return fmt.Errorf("dialog: queues of operator %d: %w", operatorID, err)
	}
	if known != len(queueIDs) {
		return msg.In("queues", "dialog.no_such_queue")
	}
	return s.changeOperator(ctx, operatorID, `queues = @queues`, pgx.NamedArgs{"queues": queueIDs})
}

// SendAway is a supervisor marking an operator away or offline: for someone who left their desk with dialogs
// open. Nobody is put on line but by themselves, so online is refused. It is not the operator's heartbeat: their
// last-seen time stays. Offline, their dialogs that wait for an answer go back to the queue after OfflineGrace, as
// for anyone offline; away, they keep them (until a client waits past the SLA target) and get no new ones. An
// operator who is still at their console sees the change there and may go on line again.
func (s *Service) SendAway(ctx context.Context, operatorID int64, status string, supervisorID int64) error {
	if status != Away && status != Offline {
		return msg.In("status", "dialog.presence_away")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mustBeSupervisor(ctx, tx, supervisorID); err != nil {
			return err
		}
		var prev string
		var capacity int
		err := tx.QueryRow(ctx, `SELECT status, capacity FROM operator_states WHERE user_id = $1 FOR UPDATE`,
			operatorID).Scan(&prev, &capacity)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoOperator // never signed in to the console: offline already, with nothing to hand back
		}
		if err != nil || prev == status {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE operator_states SET status = $2, changed_at = $3 WHERE user_id = $1`,
			operatorID, status, s.now()); err != nil {
			return err
		}
		return publishPresence(ctx, tx, operatorID, status, capacity, "supervisor")
	})
	if err != nil && !isSentinel(err) {
		return fmt.Errorf("dialog: send operator %d %s: %w", operatorID, status, err)
	}
	return err
}

// changeOperator upserts one setting of an operator's state, tells the screens, and assigns what now fits.
func (s *Service) changeOperator(ctx context.Context, operatorID int64, set string, args pgx.NamedArgs) error {
	args["op"] = operatorID
	args["now"] = s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var status string
		var capacity int
		if _, err := tx.Exec(ctx, `
			INSERT INTO operator_states (user_id, last_seen_at, changed_at) VALUES (@op, @now, @now)
			ON CONFLICT (user_id) DO NOTHING`, args); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE operator_states SET `+set+` WHERE user_id = @op RETURNING status, capacity`,
			args).Scan(&status, &capacity); err != nil {
			return err
		}
		return publishPresence(ctx, tx, operatorID, status, capacity, "")
	})
	if err != nil {
		return fmt.Errorf("dialog: settings of operator %d: %w", operatorID, err)
	}
	s.settle(ctx)
	return nil
}
