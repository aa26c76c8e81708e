package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Assignment reasons, as the assignments table records them.
const (
	ReasonAuto       = "auto"
	ReasonTakeNext   = "take_next"
	ReasonTransfer   = "transfer"
	ReasonSupervisor = "supervisor"
	ReasonRequeue    = "requeue"
)

// Assignment is safe with any number of instances because of two locks, always taken in this order:
//   - the conversation, with FOR UPDATE SKIP LOCKED: two instances never hold the same one, so it is never
//     assigned twice;
//   - then the chosen operator's operator_states row, with FOR UPDATE: whoever assigns to an operator holds it,
//     and counts the operator's load again in a statement of its own after getting it (a statement that waited
//     for a lock still sees the snapshot it started with), so no operator goes over capacity.
// Nothing that holds an operator's row waits for a conversation (TakeNext skips locked ones), so these cannot
// deadlock.

// loadOf counts an operator's open conversations.
const loadOf = `(SELECT count(*) FROM conversations a WHERE a.status = 'assigned' AND a.operator_id = o.user_id)`

// pickWaiting is the conversation that has waited longest among those some online operator could take now.
const pickWaiting = `
	SELECT ` + convColumns + `, c.preferred_operator_id, c.passed_by
	FROM conversations c
	WHERE c.status = 'waiting'
	  AND EXISTS (SELECT FROM operator_states o
	              WHERE o.status = 'online' AND (cardinality(o.queues) = 0 OR c.queue_id = ANY (o.queues))
	                AND o.user_id IS DISTINCT FROM c.passed_by AND ` + loadOf + ` < o.capacity)
	ORDER BY coalesce(c.waiting_since, c.queued_at), c.id
	LIMIT 1
	FOR UPDATE OF c SKIP LOCKED`

// pickOperator is who gets it: the operator who spoke to this client before, if they are online and have room,
// else the least loaded, and among equals the one who has waited longest for a conversation. The operator who
// passed it on to the queue is not given it back.
const pickOperator = `
	SELECT o.user_id
	FROM operator_states o
	WHERE o.status = 'online' AND (cardinality(o.queues) = 0 OR @queue = ANY (o.queues))
	  AND o.user_id IS DISTINCT FROM @passed_by AND ` + loadOf + ` < o.capacity
	ORDER BY (o.user_id = @preferred) IS TRUE DESC, ` + loadOf + `, o.last_assigned_at NULLS FIRST, o.user_id
	LIMIT 1
	FOR UPDATE OF o`

// AssignWaiting gives waiting conversations to online operators, oldest first, as long as someone has room. It
// runs after every change that may free or need an operator and on the ticker; it returns how many it assigned.
func (s *Service) AssignWaiting(ctx context.Context) (int, error) {
	assigned, misses := 0, 0
	for misses < 3 { // a miss is another instance's assignment overtaking ours; the next tick catches up
		ok, err := s.assignOne(ctx)
		switch {
		case errors.Is(err, ErrNoneWaiting):
			return assigned, nil
		case err != nil:
			return assigned, fmt.Errorf("dialog: assign waiting conversations: %w", err)
		case ok:
			assigned++
		default:
			misses++
		}
	}
	return assigned, nil
}

func (s *Service) assignOne(ctx context.Context) (bool, error) {
	ok := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var c conv
		var preferred, passedBy *int64
		err := tx.QueryRow(ctx, pickWaiting).Scan(&c.ID, &c.ContactID, &c.ClientID, &c.LeadID, &c.QueueID,
			&c.OperatorID, &c.Status, &c.WaitingSince, &preferred, &passedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoneWaiting
		}
		if err != nil {
			return err
		}
		var op int64
		err = tx.QueryRow(ctx, pickOperator, pgx.NamedArgs{"queue": c.QueueID, "preferred": preferred,
			"passed_by": passedBy}).Scan(&op)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if room, err := hasRoom(ctx, tx, op); err != nil || !room {
			return err
		}
		ok = true
		return s.assignTo(ctx, tx, c, op, ReasonAuto, "", nil)
	})
	return ok, err
}

// hasRoom tells whether an operator whose row this transaction locked is present (online, or away for a
// conversation handed to them by a person) and may take one more conversation. It is a statement of its own so
// that it sees every assignment committed before the lock was granted.
func hasRoom(ctx context.Context, tx pgx.Tx, operatorID int64) (bool, error) {
	var room bool
	err := tx.QueryRow(ctx, `
		SELECT o.status <> 'offline' AND `+loadOf+` < o.capacity FROM operator_states o WHERE o.user_id = $1`,
		operatorID).Scan(&room)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return room, err
}

// assignTo gives a locked conversation to an operator whose row is locked, records why, and tells the operator
// (and the one who had it, if another).
func (s *Service) assignTo(ctx context.Context, tx pgx.Tx, c conv, operatorID int64, reason, note string, by *int64) error {
	now := s.now()
	args := pgx.NamedArgs{"conv": c.ID, "op": operatorID, "now": now, "reason": reason, "note": note, "by": by,
		"queue": c.QueueID}
	if _, err := tx.Exec(ctx, `
		UPDATE conversations SET status = 'assigned', operator_id = @op, assigned_at = @now, passed_by = NULL
		WHERE id = @conv`, args); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE operator_states SET last_assigned_at = @now WHERE user_id = @op`, args); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO assignments (conversation_id, operator_id, queue_id, reason, note, by_user_id, at)
		VALUES (@conv, @op, @queue, @reason, @note, @by, @now)`, args); err != nil {
		return err
	}
	payload := map[string]any{"operator_id": operatorID, "from_operator_id": c.OperatorID, "reason": reason,
		"note": note, "waiting_since": c.WaitingSince}
	if err := publish(ctx, tx, EventAssigned, &c.ID, &operatorID, c.QueueID, payload); err != nil {
		return err
	}
	if c.OperatorID != nil && *c.OperatorID != operatorID {
		return publish(ctx, tx, EventAssigned, &c.ID, c.OperatorID, c.QueueID, payload)
	}
	return nil
}

// TakeNext gives an operator the conversation that has waited longest in their queues, even while auto-assignment
// would have preferred someone else, within their capacity.
func (s *Service) TakeNext(ctx context.Context, operatorID int64) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var queues []int64
		var status string
		err := tx.QueryRow(ctx, `SELECT queues, status FROM operator_states WHERE user_id = $1 FOR UPDATE`,
			operatorID).Scan(&queues, &status)
		if errors.Is(err, pgx.ErrNoRows) || status == Offline {
			return ErrOperatorAbsent
		}
		if err != nil {
			return err
		}
		if room, err := hasRoom(ctx, tx, operatorID); err != nil || !room {
			return cmpErr(err, ErrAtCapacity)
		}
		c, err := scanConv(tx.QueryRow(ctx, `
			SELECT `+convColumns+` FROM conversations c
			WHERE c.status = 'waiting' AND (cardinality(@queues::bigint[]) = 0 OR c.queue_id = ANY (@queues))
			ORDER BY coalesce(c.waiting_since, c.queued_at), c.id
			LIMIT 1
			FOR UPDATE OF c SKIP LOCKED`, pgx.NamedArgs{"queues": queues}))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoneWaiting
		}
		if err != nil {
			return err
		}
		id = c.ID
		return s.assignTo(ctx, tx, c, operatorID, ReasonTakeNext, "", &operatorID)
	})
	if err != nil && !isSentinel(err) {
		return 0, fmt.Errorf("dialog: take next for operator %d: %w", operatorID, err)
	}
	return id, err
}

// Target is where a conversation is handed: exactly one of an operator or a queue.
type Target struct {
	OperatorID int64
	QueueID    int64
}

// Transfer hands an operator's conversation to a colleague (who must be present and have room) or back to a
// queue; the note travels with it.
func (s *Service) Transfer(ctx context.Context, convID int64, to Target, note string, by int64) error {
	return s.handOver(ctx, convID, to, note, by, ReasonTransfer)
}

// Reassign is a supervisor moving any open conversation to an operator or a queue.
func (s *Service) Reassign(ctx context.Context, convID int64, to Target, note string, supervisorID int64) error {
	return s.handOver(ctx, convID, to, note, supervisorID, ReasonSupervisor)
}

func (s *Service) handOver(ctx context.Context, convID int64, to Target, note string, by int64, reason string) error {
	if (to.OperatorID == 0) == (to.QueueID == 0) {
		return msg.In("to", "dialog.route_target")
	}
	note = strings.TrimSpace(note)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		if err := mayHandOver(ctx, tx, c, by, reason); err != nil {
			return err
		}
		if note != "" {
			if _, err := tx.Exec(ctx, `
				INSERT INTO conversation_messages (conversation_id, direction, author_id, text, payload, created_at)
				VALUES ($1, 'note', $2, $3, '{"handover": true}', $4)`, c.ID, by, note, s.now()); err != nil {
				return err
			}
		}
		if to.QueueID != 0 {
			return s.toQueue(ctx, tx, c, to.QueueID, reason, note, by)
		}
		if c.OperatorID != nil && *c.OperatorID == to.OperatorID && c.Status == "assigned" {
			return nil
		}
		var present bool
		err = tx.QueryRow(ctx, `SELECT status <> 'offline' FROM operator_states WHERE user_id = $1 FOR UPDATE`,
			to.OperatorID).Scan(&present)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !present) {
			return ErrOperatorAbsent
		}
		if err != nil {
			return err
		}
		if room, err := hasRoom(ctx, tx, to.OperatorID); err != nil || !room {
			return cmpErr(err, ErrAtCapacity)
		}
		return s.assignTo(ctx, tx, c, to.OperatorID, reason, note, &by)
	})
	if err != nil && !isSentinel(err) {
		return fmt.Errorf("dialog: hand over conversation %d: %w", convID, err)
	}
	if err == nil {
		s.settle(ctx)
	}
	return err
}

// mayHandOver: an operator passes on only what is theirs; a supervisor may move any open conversation.
func mayHandOver(ctx context.Context, tx pgx.Tx, c conv, by int64, reason string) error {
	if c.Status == "closed" {
		return ErrClosed
	}
	if reason == ReasonTransfer {
		if c.Status != "assigned" || c.OperatorID == nil || *c.OperatorID != by {
			return ErrNotYours
		}
		return nil
	}
	return mustBeSupervisor(ctx, tx, by)
}

// mustBeSupervisor refuses anyone but an active supervisor or administrator.
func mustBeSupervisor(ctx context.Context, tx pgx.Tx, userID int64) error {
	var supervisor bool
	err := tx.QueryRow(ctx, `SELECT role IN ('supervisor', 'admin') AND active FROM users WHERE id = $1`, userID).
		Scan(&supervisor)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !supervisor) {
		return ErrNotSupervisor
	}
	return err
}

// toQueue puts a conversation back in a queue. It is not routed back to the operator who had it: they (or their
// supervisor) decided someone else should answer.
func (s *Service) toQueue(ctx context.Context, tx pgx.Tx, c conv, queueID int64, reason, note string, by int64) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM queues WHERE id = $1)`, queueID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return msg.In("to", "dialog.no_queue", queueID)
	}
	now := s.now()
	args := pgx.NamedArgs{"conv": c.ID, "queue": queueID, "now": now, "reason": reason, "note": note, "by": by}
	if _, err := tx.Exec(ctx, `
		UPDATE conversations SET status = 'waiting', operator_id = NULL, assigned_at = NULL, queue_id = @queue,
		       queued_at = @now, preferred_operator_id = NULL, passed_by = operator_id
		WHERE id = @conv`, args); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO assignments (conversation_id, queue_id, reason, note, by_user_id, at)
		VALUES (@conv, @queue, @reason, @note, @by, @now)`, args); err != nil {
		return err
	}
	return publishRequeued(ctx, tx, c.ID, c.OperatorID, queueID, reason, note)
}

// publishRequeued tells the queue a conversation waits in it, and the operator who had it that it left them.
func publishRequeued(ctx context.Context, tx pgx.Tx, convID int64, fromOperator *int64, queueID int64, reason, note string) error {
	payload := map[string]any{"operator_id": nil, "from_operator_id": fromOperator, "reason": reason, "note": note}
	if err := publish(ctx, tx, EventWaiting, &convID, nil, &queueID, payload); err != nil {
		return err
	}
	if fromOperator != nil {
		return publish(ctx, tx, EventAssigned, &convID, fromOperator, &queueID, payload)
	}
	return nil
}

// requeue returns assigned conversations to their queues, recording why.
func (s *Service) requeue(ctx context.Context, tx pgx.Tx, ids []int64, note string) (int, error) {
	rows, err := tx.Query(ctx, `
		WITH gone AS (
		    SELECT id, operator_id FROM conversations WHERE id = ANY (@ids) AND status = 'assigned' FOR UPDATE
		), moved AS (
		    UPDATE conversations c SET status = 'waiting', operator_id = NULL, assigned_at = NULL, queued_at = @now
		    FROM gone WHERE c.id = gone.id
		    RETURNING c.id, gone.operator_id, c.queue_id
		), logged AS (
		    INSERT INTO assignments (conversation_id, queue_id, reason, note, at)
		    SELECT id, queue_id, 'requeue', @note, @now FROM moved
		)
		SELECT id, operator_id, queue_id FROM moved ORDER BY id`,
		pgx.NamedArgs{"ids": ids, "now": s.now(), "note": note})
	if err != nil {
		return 0, err
	}
	type moved struct {
		id, queue int64
		from      *int64
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (moved, error) {
		var m moved
		err := r.Scan(&m.id, &m.from, &m.queue)
		return m, err
	})
	if err != nil {
		return 0, err
	}
	for _, m := range list {
		if err := publishRequeued(ctx, tx, m.id, m.from, m.queue, ReasonRequeue, note); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// RequeueOffline handles operators who left: one whose heartbeat stopped for OfflineGrace is marked offline, and
// the conversations of an operator offline for OfflineGrace that still wait for an answer go back to the queue.
// Conversations with nothing unanswered stay with their operator until the client writes again.
func (s *Service) RequeueOffline(ctx context.Context) (int, error) {
	n := 0
	cutoff := s.now().Add(-s.OfflineGrace)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE operator_states SET status = 'offline', changed_at = last_seen_at
			WHERE status <> 'offline' AND last_seen_at <= $1
			RETURNING user_id, capacity`, cutoff)
		if err != nil {
			return err
		}
		silent, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
			ID       int64
			Capacity int
		}])
		if err != nil {
			return err
		}
		for _, op := range silent {
			if err := publishPresence(ctx, tx, op.ID, Offline, op.Capacity, "no heartbeat"); err != nil {
				return err
			}
		}
		rows, err = tx.Query(ctx, `
			SELECT c.id FROM conversations c JOIN operator_states o ON o.user_id = c.operator_id
			WHERE c.status = 'assigned' AND c.waiting_since IS NOT NULL
			  AND o.status = 'offline' AND o.changed_at <= $1
			FOR UPDATE OF c SKIP LOCKED`, cutoff)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) == 0 {
			return err
		}
		n, err = s.requeue(ctx, tx, ids, "operator offline")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("dialog: requeue offline operators' conversations: %w", err)
	}
	if n > 0 {
		s.settle(ctx)
	}
	return n, nil
}

// isSentinel tells the errors that are answers (not failures) and go back to the caller unwrapped.
func isSentinel(err error) bool {
	var in *InputError
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrClosed) || errors.Is(err, ErrNotYours) ||
		errors.Is(err, ErrNoneWaiting) || errors.Is(err, ErrAtCapacity) || errors.Is(err, ErrOperatorAbsent) ||
		errors.Is(err, ErrNotSupervisor) || errors.Is(err, ErrNoOperator) || errors.Is(err, ErrNoSuchReason) ||
		errors.As(err, &in)
}

// cmpErr returns err, or otherwise the answer that a false check means.
func cmpErr(err, answer error) error {
	if err != nil {
		return err
	}
	return answer
}
