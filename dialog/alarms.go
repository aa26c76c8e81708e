package dialog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// The live board's alarms: what a supervisor must act on now, raised and cleared by AlarmTick from what the tables
// say, kept in live_alarms so that every instance shows the same, and acknowledged by a supervisor. An alarm lasts
// as long as its condition; when a new cause comes after the acknowledgement (another client waiting with nobody
// online, another message past the SLA) the acknowledged alarm ends and a new one is raised, which sounds again.

// The alarms' kinds.
const (
	AlarmNoOperator = "no_operator" // a client waits in a queue and no operator is online
	AlarmSLABreach  = "sla_breach"  // a client message has waited past its queue's SLA target, unanswered
	AlarmQueueOver  = "queue_over"  // a queue holds at least its alarm threshold of waiting clients
)

// EventAlarm tells supervisors' screens that an alarm was raised, acknowledged or cleared.
const EventAlarm = "alarm"

// ErrNoAlarm is an acknowledgement of an alarm that is over, or was acknowledged already.
var ErrNoAlarm = errors.New("dialog: no such alarm open and unacknowledged")

// Alarm is one alarm, open or over.
type Alarm struct {
	ID        int64
	Kind      string
	QueueID   *int64
	QueueName string
	Since     time.Time // when its condition began
	RaisedAt  time.Time
	Count     int // clients waiting, dialogs in breach, or the queue's length
	// AcknowledgedBy is the supervisor's display name (else login); empty while unacknowledged.
	AcknowledgedBy string
	AcknowledgedAt *time.Time
}

// alarmCondition is an alarm's condition holding now.
type alarmCondition struct {
	Kind          string
	QueueID       *int64
	Since, Latest time.Time
	Count         int
}

// alarmConditionsSQL reads every condition that holds at @now: one row per kind (per queue for queue_over).
// Since is when it began as far as the data tells (nobody online: the later of the oldest wait and the last
// operator's leaving; a queue: when the threshold's client came); Latest is the newest cause.
const alarmConditionsSQL = `
	SELECT 'no_operator', NULL::bigint,
	       greatest(min(coalesce(c.waiting_since, c.queued_at, c.opened_at)),
	                (SELECT max(o.changed_at) FROM operator_states o)),
	       max(coalesce(c.waiting_since, c.queued_at, c.opened_at)), count(*)::int
	FROM conversations c
	WHERE c.status = 'waiting' AND NOT EXISTS (SELECT FROM operator_states o WHERE o.status = 'online')
	HAVING count(*) > 0
	UNION ALL
	SELECT 'sla_breach', NULL, min(c.waiting_since + q.sla_target), max(c.waiting_since + q.sla_target), count(*)::int
	FROM conversations c JOIN queues q ON q.id = c.queue_id
	WHERE c.status IN ('waiting', 'assigned') AND c.waiting_since IS NOT NULL
	  AND c.waiting_since <= @now::timestamptz - q.sla_target
	HAVING count(*) > 0
	UNION ALL
	SELECT 'queue_over', q.id,
	       (array_agg(coalesce(c.waiting_since, c.queued_at, c.opened_at) ORDER BY coalesce(c.waiting_since, c.queued_at, c.opened_at)))[q.alarm_threshold],
	       (array_agg(coalesce(c.waiting_since, c.queued_at, c.opened_at) ORDER BY coalesce(c.waiting_since, c.queued_at, c.opened_at)))[q.alarm_threshold],
	       count(*)::int
	FROM queues q JOIN conversations c ON c.queue_id = q.id AND c.status = 'waiting'
	GROUP BY q.id HAVING count(*) >= q.alarm_threshold`

// AlarmTick raises an alarm for each condition that holds and has none open, clears the open alarms whose
// condition ended, and raises again an acknowledged one whose condition has a cause newer than the
// acknowledgement. Instances take turns through an advisory lock: one that finds it taken does nothing this tick.
func (s *Service) AlarmTick(ctx context.Context) (raised, cleared int, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtext('dozvon.live_alarms'))`).Scan(&mine); err != nil || !mine {
			return err
		}
		rows, err := tx.Query(ctx, alarmConditionsSQL, pgx.NamedArgs{"now": now})
		if err != nil {
			return err
		}
		conds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[alarmCondition])
		if err != nil {
			return err
		}
		type open struct {
			ID             int64
			Kind           string
			QueueID        *int64
			AcknowledgedAt *time.Time
		}
		rows, err = tx.Query(ctx, `SELECT id, kind, queue_id, acknowledged_at FROM live_alarms WHERE cleared_at IS NULL`)
		if err != nil {
			return err
		}
		opened, err := pgx.CollectRows(rows, pgx.RowToStructByPos[open])
		if err != nil {
			return err
		}
		key := func(kind string, q *int64) string {
			if q == nil {
				return kind
			}
			return fmt.Sprintf("%s/%d", kind, *q)
		}
		holding := map[string]alarmCondition{}
		for _, c := range conds {
			holding[key(c.Kind, c.QueueID)] = c
		}
		for _, a := range opened {
			c, ok := holding[key(a.Kind, a.QueueID)]
			renewed := ok && a.AcknowledgedAt != nil && c.Latest.After(*a.AcknowledgedAt)
			if ok && !renewed {
				if _, err := tx.Exec(ctx, `UPDATE live_alarms SET count = $2, latest = $3 WHERE id = $1`, a.ID, c.Count, c.Latest); err != nil {
					return err
				}
				delete(holding, key(a.Kind, a.QueueID))
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE live_alarms SET cleared_at = $2 WHERE id = $1`, a.ID, now); err != nil {
				return err
			}
			if err := publish(ctx, tx, EventAlarm, nil, nil, nil, map[string]any{"alarm_id": a.ID, "kind": a.Kind, "state": "cleared"}); err != nil {
				return err
			}
			cleared++
			if renewed { // the new cause is the new alarm's beginning
				c.Since = c.Latest
				holding[key(a.Kind, a.QueueID)] = c
			}
		}
		for _, c := range conds {
			c, ok := holding[key(c.Kind, c.QueueID)]
			if !ok {
				continue
			}
			var id int64
			if err := tx.QueryRow(ctx, `
				INSERT INTO live_alarms (kind, queue_id, since, raised_at, latest, count) VALUES ($1, $2, $3, $4, $5, $6)
				RETURNING id`, c.Kind, c.QueueID, c.Since, now, c.Latest, c.Count).Scan(&id); err != nil {
				return err
			}
			if err := publish(ctx, tx, EventAlarm, nil, nil, nil, map[string]any{"alarm_id": id, "kind": c.Kind, "state": "raised"}); err != nil {
				return err
			}
			raised++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("dialog: alarm tick: %w", err)
	}
	return raised, cleared, nil
}

// Alarms returns the open alarms, the oldest first.
func (s *Service) Alarms(ctx context.Context) ([]Alarm, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT a.id, a.kind, a.queue_id, coalesce(q.name, ''), a.since, a.raised_at, a.count,
		       coalesce(nullif(u.display_name, ''), u.login, ''), a.acknowledged_at
		FROM live_alarms a LEFT JOIN queues q ON q.id = a.queue_id LEFT JOIN users u ON u.id = a.acknowledged_by
		WHERE a.cleared_at IS NULL
		ORDER BY a.raised_at, a.id`)
	if err != nil {
		return nil, fmt.Errorf("dialog: alarms: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Alarm])
	if err != nil {
		return nil, fmt.Errorf("dialog: alarms: %w", err)
	}
	return list, nil
}

// AcknowledgeAlarm records that a supervisor (or an administrator) has seen an open alarm.
func (s *Service) AcknowledgeAlarm(ctx context.Context, alarmID, by int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mustBeSupervisor(ctx, tx, by); err != nil {
			return err
		}
		var kind string
		err := tx.QueryRow(ctx, `
			UPDATE live_alarms SET acknowledged_by = $2, acknowledged_at = $3
			WHERE id = $1 AND cleared_at IS NULL AND acknowledged_at IS NULL RETURNING kind`, alarmID, by, s.now()).Scan(&kind)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoAlarm
		}
		if err != nil {
			return err
		}
		return publish(ctx, tx, EventAlarm, nil, nil, nil, map[string]any{"alarm_id": alarmID, "kind": kind, "state": "acknowledged"})
	})
	if err != nil && !errors.Is(err, ErrNoAlarm) && !errors.Is(err, ErrNotSupervisor) {
		return fmt.Errorf("dialog: acknowledge alarm %d: %w", alarmID, err)
	}
	return err
}

// MaxAlarmThreshold is the largest queue length an alarm may wait for.
const MaxAlarmThreshold = 10000

// AlarmThresholds returns each queue's alarm threshold.
func (s *Service) AlarmThresholds(ctx context.Context) (map[int64]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, alarm_threshold FROM queues`)
	if err != nil {
		return nil, fmt.Errorf("dialog: alarm thresholds: %w", err)
	}
	out := map[int64]int{}
	var id int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("dialog: alarm thresholds: %w", err)
	}
	return out, nil
}

// SetAlarmThreshold sets how many waiting clients raise a queue's alarm; a supervisor's (or an administrator's)
// decision.
func (s *Service) SetAlarmThreshold(ctx context.Context, queueID int64, n int, by int64) error {
	if n < 1 || n > MaxAlarmThreshold {
		return msg.In("threshold", "dialog.alarm_threshold", 1, MaxAlarmThreshold)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mustBeSupervisor(ctx, tx, by); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE queues SET alarm_threshold = $2 WHERE id = $1`, queueID, n)
		if err == nil && tag.RowsAffected() == 0 {
			return msg.In("queue", "dialog.no_such_queue")
		}
		return err
	})
	var in *InputError
	if err != nil && !errors.As(err, &in) && !errors.Is(err, ErrNotSupervisor) {
		return fmt.Errorf("dialog: alarm threshold of queue %d: %w", queueID, err)
	}
	return err
}
