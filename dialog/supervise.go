package dialog

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/messenger"
)

// LiveBoard is what a supervisor keeps on a second screen: the queues, the team with presence and load, the
// first-minute SLA of the day so far, and every conversation whose client waits past the queue's warning now.
type LiveBoard struct {
	At        time.Time // the service clock when the board was read: timers count from here
	Queues    []QueueState
	Operators []OperatorLive
	// SLA is today's figure (see SLAStats); Breaches are the client messages of the day that missed the target.
	SLA      SLAFigure
	Breaches int
	// Alerts are the conversations waiting past their queue's warning now, the longest wait first (at most 100).
	Alerts []SLAAlert
	// Callbacks is how many callback tasks are open (see OpenCallbacks).
	Callbacks int
	// Channels are the conversations waiting and open on each messenger, in messenger.Channels order, every
	// channel listed.
	Channels []ChannelLoad
}

// ChannelLoad is what waits and what is being answered on one messenger now.
type ChannelLoad struct {
	Channel  string
	Waiting  int // in a queue
	Assigned int // with an operator
}

// Waiting is how many conversations wait in all queues.
func (b LiveBoard) Waiting() int {
	n := 0
	for _, q := range b.Queues {
		n += q.Waiting
	}
	return n
}

// Online is how many operators are online.
func (b LiveBoard) Online() int {
	n := 0
	for _, o := range b.Operators {
		if o.Status == Online {
			n++
		}
	}
	return n
}

// OperatorLive is one member of the team on the live board. An operator who never signed in to the console is
// offline, with the default capacity and no last-seen time.
type OperatorLive struct {
	OperatorID int64
	Name       string
	Status     string // online, away, offline
	Load       int    // open conversations
	Capacity   int
	Queues     []int64 // the queues they are given conversations from; none means every queue
	LastSeenAt *time.Time
	ChangedAt  *time.Time
	SLA        SLAFigure // today's, for the messages this operator answered or let wait
}

// SLAAlert is a conversation whose client has waited past the queue's warning and is still unanswered.
type SLAAlert struct {
	ConversationID int64
	Company        string
	ClientName     string // the chat's first name in the messenger
	Channel        string // the messenger the client waits on
	Status         string // waiting (in a queue) or assigned
	OperatorID     *int64
	OperatorName   string
	QueueID        int64
	QueueName      string
	WaitingSince   time.Time
	SLAWarning     time.Duration
	SLATarget      time.Duration
	Breached       bool // past the target, not only the warning
}

// LiveBoard reads the live board, with "today" beginning at since.
func (s *Service) LiveBoard(ctx context.Context, since time.Time) (LiveBoard, error) {
	b := LiveBoard{At: s.now()}
	snap, err := s.QueueSnapshot(ctx)
	if err != nil {
		return b, err
	}
	b.Queues = snap.Queues
	if b.Operators, err = s.liveOperators(ctx); err != nil {
		return b, fmt.Errorf("dialog: live board operators: %w", err)
	}
	stats, err := s.SLAStats(ctx, since)
	if err != nil {
		return b, err
	}
	b.SLA, b.Breaches = stats.Overall, stats.Overall.Messages-stats.Overall.InTarget
	byOperator := map[int64]SLAFigure{}
	for _, o := range stats.PerOperator {
		byOperator[o.OperatorID] = o.SLAFigure
	}
	for i := range b.Operators {
		b.Operators[i].SLA = byOperator[b.Operators[i].OperatorID]
	}
	if b.Alerts, err = s.slaAlerts(ctx, b.At); err != nil {
		return b, fmt.Errorf("dialog: live board alerts: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outcomes WHERE kind = 'callback' AND done_at IS NULL`).
		Scan(&b.Callbacks); err != nil {
		return b, fmt.Errorf("dialog: live board callbacks: %w", err)
	}
	if b.Channels, err = s.channelLoad(ctx); err != nil {
		return b, fmt.Errorf("dialog: live board channels: %w", err)
	}
	return b, nil
}

// channelLoad counts the open conversations per messenger; a messenger with none is listed too.
func (s *Service) channelLoad(ctx context.Context) ([]ChannelLoad, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT ch, count(c.id) FILTER (WHERE c.status = 'waiting'), count(c.id) FILTER (WHERE c.status = 'assigned')
		FROM unnest($1::text[]) WITH ORDINALITY AS k(ch, n)
		LEFT JOIN conversations c ON c.channel = k.ch AND c.status IN ('waiting', 'assigned')
		GROUP BY ch, n ORDER BY n`, messenger.Channels)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ChannelLoad])
}

func (s *Service) liveOperators(ctx context.Context) ([]OperatorLive, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT u.id, coalesce(nullif(u.display_name, ''), u.login), coalesce(o.status, 'offline'),
		       (SELECT count(*) FROM conversations a WHERE a.status = 'assigned' AND a.operator_id = u.id),
		       coalesce(o.capacity, 5), coalesce(o.queues, '{}'), o.last_seen_at, o.changed_at
		FROM users u LEFT JOIN operator_states o ON o.user_id = u.id
		WHERE u.active AND (u.role = 'operator' OR o.user_id IS NOT NULL)
		ORDER BY coalesce(o.status, 'offline') = 'online' DESC, coalesce(o.status, 'offline') = 'away' DESC, u.login`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OperatorLive, error) {
		var o OperatorLive
		err := r.Scan(&o.OperatorID, &o.Name, &o.Status, &o.Load, &o.Capacity, &o.Queues, &o.LastSeenAt, &o.ChangedAt)
		return o, err
	})
}

func (s *Service) slaAlerts(ctx context.Context, now time.Time) ([]SLAAlert, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id, coalesce(cl.company_name, ''), ct.first_name, c.channel, c.status, c.operator_id,
		       coalesce(nullif(u.display_name, ''), u.login, ''), q.id, q.name, c.waiting_since,
		       q.sla_warning, q.sla_target, c.waiting_since <= @now::timestamptz - q.sla_target
		FROM conversations c
		JOIN queues q ON q.id = c.queue_id
		JOIN contacts ct ON ct.id = c.contact_id
		LEFT JOIN clients cl ON cl.id = c.client_id
		LEFT JOIN users u ON u.id = c.operator_id
		WHERE c.status IN ('waiting', 'assigned') AND c.waiting_since IS NOT NULL
		  AND c.waiting_since <= @now::timestamptz - q.sla_warning
		ORDER BY c.waiting_since, c.id
		LIMIT 100`, pgx.NamedArgs{"now": now})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[SLAAlert])
}

// Operators returns the team a conversation can be handed to, as the live board lists it.
func (s *Service) Operators(ctx context.Context) ([]OperatorLive, error) {
	list, err := s.liveOperators(ctx)
	if err != nil {
		return nil, fmt.Errorf("dialog: operators: %w", err)
	}
	return list, nil
}
