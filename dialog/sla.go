package dialog

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The SLA clock runs on every client message an operator is expected to answer: from when it arrived until an
// operator first writes back in that conversation. A conversation's waiting_since is its oldest unanswered client
// message; the time from it to now is what the queue's warning and target are measured against. One value of
// waiting_since is one waiting episode, and each episode is announced at most once as a warning and once as a
// breach (sla_warned_since, sla_breached_since remember which episode was announced).

// answerClock stops the clock of every client message the conversation's operator has not answered yet.
func answerClock(ctx context.Context, tx pgx.Tx, convID, operatorID int64, at time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE conversation_messages
		SET answered_at = @at, answered_by = @op,
		    response_ms = round(extract(epoch FROM @at::timestamptz - created_at) * 1000)
		WHERE conversation_id = @conv AND sla AND answered_at IS NULL`,
		pgx.NamedArgs{"conv": convID, "op": operatorID, "at": at})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE conversations SET waiting_since = NULL WHERE id = $1`, convID)
	return err
}

// slaDue lists the conversations whose current episode reached a threshold and was not announced yet, and marks
// it announced, in one statement. A breach also counts as the warning: a warning after the breach is noise.
const slaDue = `
	WITH due AS (
	    SELECT c.id FROM conversations c JOIN queues q ON q.id = c.queue_id
	    WHERE c.status IN ('waiting', 'assigned') AND c.waiting_since IS NOT NULL
	      AND CASE WHEN @breach
	               THEN c.waiting_since <= @now::timestamptz - q.sla_target
	                    AND c.sla_breached_since IS DISTINCT FROM c.waiting_since
	               ELSE c.waiting_since <= @now::timestamptz - q.sla_warning
	                    AND c.waiting_since > @now::timestamptz - q.sla_target
	                    AND c.sla_warned_since IS DISTINCT FROM c.waiting_since
	          END
	    FOR UPDATE OF c SKIP LOCKED
	)
	UPDATE conversations c
	SET sla_warned_since = c.waiting_since,
	    sla_breached_since = CASE WHEN @breach THEN c.waiting_since ELSE c.sla_breached_since END
	FROM due WHERE c.id = due.id
	RETURNING c.id, c.status, c.operator_id, c.queue_id, c.waiting_since,
	          (SELECT o.status FROM operator_states o WHERE o.user_id = c.operator_id)`

type slaHit struct {
	ID           int64
	Status       string
	OperatorID   *int64
	QueueID      *int64
	WaitingSince time.Time
	Presence     *string
}

// SLATick announces waiting episodes that reached the queue's warning or target, each once, and sends back to the
// queue a breached conversation whose operator is away or offline: someone present should answer. It returns how
// many warnings and breaches it published.
func (s *Service) SLATick(ctx context.Context) (warnings, breaches int, err error) {
	now := s.now()
	var rerouted int
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		for _, breach := range []bool{true, false} {
			rows, err := tx.Query(ctx, slaDue, pgx.NamedArgs{"now": now, "breach": breach})
			if err != nil {
				return err
			}
			hits, err := pgx.CollectRows(rows, pgx.RowToStructByPos[slaHit])
			if err != nil {
				return err
			}
			var absent []int64
			for _, h := range hits {
				kind := EventSLAWarning
				if breach {
					kind = EventSLABreach
				}
				to := h.OperatorID
				if h.Status != "assigned" {
					to = nil
				}
				if err := publish(ctx, tx, kind, &h.ID, to, h.QueueID, map[string]any{
					"waiting_since": h.WaitingSince, "waited_ms": now.Sub(h.WaitingSince).Milliseconds()}); err != nil {
					return err
				}
				if breach && h.Status == "assigned" && h.Presence != nil && *h.Presence != Online {
					absent = append(absent, h.ID)
				}
			}
			if breach {
				breaches = len(hits)
				if len(absent) > 0 {
					if rerouted, err = s.requeue(ctx, tx, absent, "sla breach, operator away"); err != nil {
						return err
					}
				}
			} else {
				warnings = len(hits)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("dialog: sla tick: %w", err)
	}
	if rerouted > 0 {
		s.settle(ctx)
	}
	return warnings, breaches, nil
}

// SLAFigure is how many client messages were answered within their queue's target, of those decided: answered,
// or unanswered for longer than the target (a miss whatever happens next). Messages still within the target and
// unanswered are not counted yet.
type SLAFigure struct {
	Messages int
	InTarget int
}

// Percent is the share answered in time, 0-100; 0 when there were none (check Messages).
func (f SLAFigure) Percent() float64 {
	if f.Messages == 0 {
		return 0
	}
	return 100 * float64(f.InTarget) / float64(f.Messages)
}

// OperatorSLA is one operator's figure: the messages they answered, and those that waited past the target while
// the conversation was theirs and still are unanswered.
type OperatorSLA struct {
	OperatorID int64
	Name       string
	SLAFigure
}

// SLAStats is the "answered in the first minute" figure since a time, overall and per operator.
type SLAStats struct {
	Overall     SLAFigure
	PerOperator []OperatorSLA
}

// SLAStats returns the share of client messages since since answered within their queue's target.
func (s *Service) SLAStats(ctx context.Context, since time.Time) (SLAStats, error) {
	var st SLAStats
	rows, err := s.pool.Query(ctx, `
		WITH decided AS (
		    SELECT coalesce(m.answered_by, c.operator_id) AS operator_id,
		           m.answered_at IS NOT NULL AND m.response_ms <= extract(epoch FROM q.sla_target) * 1000 AS in_target
		    FROM conversation_messages m
		    JOIN conversations c ON c.id = m.conversation_id
		    JOIN queues q ON q.id = c.queue_id
		    WHERE m.sla AND m.created_at >= @since
		      AND (m.answered_at IS NOT NULL OR m.created_at <= @now::timestamptz - q.sla_target)
		)
		SELECT GROUPING(d.operator_id) = 1, d.operator_id, coalesce(nullif(u.display_name, ''), u.login, ''),
		       count(*), count(*) FILTER (WHERE d.in_target)
		FROM decided d LEFT JOIN users u ON u.id = d.operator_id
		GROUP BY GROUPING SETS ((d.operator_id, u.display_name, u.login), ())
		ORDER BY d.operator_id NULLS FIRST`,
		pgx.NamedArgs{"since": since, "now": s.now()})
	if err != nil {
		return st, fmt.Errorf("dialog: sla stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var total bool
		var op *int64
		var o OperatorSLA
		if err := rows.Scan(&total, &op, &o.Name, &o.Messages, &o.InTarget); err != nil {
			return st, fmt.Errorf("dialog: sla stats: %w", err)
		}
		switch {
		case total:
			st.Overall = o.SLAFigure
			continue
		case op == nil: // never with an operator: in the overall figure only
			continue
		}
		o.OperatorID = *op
		st.PerOperator = append(st.PerOperator, o)
	}
	return st, rows.Err()
}
