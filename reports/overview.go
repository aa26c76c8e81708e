package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Reports reads figures from the database.
type Reports struct {
	pool *pgxpool.Pool
	Now  func() time.Time
	// FromRaw reads every dashboard panel from the raw tables, not from the rollups (rollup.go): the figures are
	// the same, only slower; the rollups' test compares the two.
	FromRaw bool
}

// New returns Reports on pool.
func New(pool *pgxpool.Pool) *Reports { return &Reports{pool: pool, Now: time.Now} }

// OperatorDay is what an operator sees on arrival: their load and the queues.
type OperatorDay struct {
	OpenDialogs int
	Waiting     int
	// AnsweredIn60 is the share (0-100) of today's client messages this operator answered within 60 s; -1 when
	// there were none. The same rule as the report's operators table: the message counts for who answered it,
	// whoever has the dialog now.
	AnsweredIn60 float64
}

// ForOperator returns an operator's figures for the day that began at since.
func (rp *Reports) ForOperator(ctx context.Context, operatorID int64, since time.Time) (OperatorDay, error) {
	var d OperatorDay
	err := rp.pool.QueryRow(ctx, `
		SELECT
		    (SELECT count(*) FROM conversations WHERE status = 'assigned' AND operator_id = $1),
		    (SELECT count(*) FROM conversations WHERE status = 'waiting'),
		    coalesce((SELECT 100.0 * count(*) FILTER (WHERE m.response_ms <= 60000) / nullif(count(*), 0)
		              FROM conversation_messages m
		              WHERE m.direction = 'in' AND m.answered_at IS NOT NULL AND m.answered_by = $1
		                AND m.created_at >= $2), -1)`,
		operatorID, since).Scan(&d.OpenDialogs, &d.Waiting, &d.AnsweredIn60)
	if err != nil {
		return d, fmt.Errorf("reports: operator %d day: %w", operatorID, err)
	}
	return d, nil
}

// KindCount is a number per lead kind.
type KindCount struct {
	Kind  string
	Count int
}

// CampaignsOverview is what a campaign manager sees on arrival.
type CampaignsOverview struct {
	Campaigns, Active, Queued, SentToday int
	LeadsByKind                          []KindCount
}

// ForManager returns the campaign figures, with "today" starting at since.
func (rp *Reports) ForManager(ctx context.Context, since time.Time) (CampaignsOverview, error) {
	var o CampaignsOverview
	err := rp.pool.QueryRow(ctx, `
		SELECT
		    (SELECT count(*) FROM campaigns WHERE status <> 'cancelled'),
		    (SELECT count(*) FROM campaigns WHERE status = 'active'),
		    (SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')),
		    (SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at >= $1)`,
		since).Scan(&o.Campaigns, &o.Active, &o.Queued, &o.SentToday)
	if err != nil {
		return o, fmt.Errorf("reports: campaigns overview: %w", err)
	}
	rows, err := rp.pool.Query(ctx, `
		SELECT k.kind, count(l.id)
		FROM unnest(ARRAY['missed_call', 'follow_up', 'acquiring']) WITH ORDINALITY AS k(kind, pos)
		LEFT JOIN leads l ON l.kind = k.kind
		GROUP BY k.kind, k.pos ORDER BY k.pos`)
	if err != nil {
		return o, fmt.Errorf("reports: leads by kind: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kc KindCount
		if err := rows.Scan(&kc.Kind, &kc.Count); err != nil {
			return o, fmt.Errorf("reports: leads by kind: %w", err)
		}
		o.LeadsByKind = append(o.LeadsByKind, kc)
	}
	return o, rows.Err()
}

// TeamNow is what a supervisor sees on arrival.
type TeamNow struct {
	Online, Waiting, ConsentsToday int
	AnsweredIn60                   float64 // -1 when no client message was answered today
}

// ForSupervisor returns the team's figures, with "today" starting at since.
func (rp *Reports) ForSupervisor(ctx context.Context, since time.Time) (TeamNow, error) {
	var t TeamNow
	err := rp.pool.QueryRow(ctx, `
		SELECT
		    (SELECT count(*) FROM operator_states WHERE status = 'online'),
		    (SELECT count(*) FROM conversations WHERE status = 'waiting'),
		    (SELECT count(*) FROM outcomes WHERE kind = 'consent' AND recorded_at >= $1),
		    coalesce((SELECT 100.0 * count(*) FILTER (WHERE response_ms <= 60000) / nullif(count(*), 0)
		              FROM conversation_messages
		              WHERE direction = 'in' AND answered_at IS NOT NULL AND created_at >= $1), -1)`,
		since).Scan(&t.Online, &t.Waiting, &t.ConsentsToday, &t.AnsweredIn60)
	if err != nil {
		return t, fmt.Errorf("reports: team now: %w", err)
	}
	return t, nil
}
