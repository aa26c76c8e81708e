package reports

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// RefusalCount is how many refusals in a period gave one reason, for leads of one kind ("" for a dialog no lead
// started). A refusal recorded before the list of reasons existed has no reason: ReasonID is nil.
type RefusalCount struct {
	ReasonID *int64
	LabelRU  string
	LabelEN  string
	Kind     string
	Count    int
}

// Refusals counts the refusals recorded in p by reason and lead kind, reasons in the supervisors' order (those
// without one last).
func (rp *Reports) Refusals(ctx context.Context, p Period) ([]RefusalCount, error) {
	rows, err := rp.pool.Query(ctx, `
		SELECT o.reason_id, coalesce(r.label_ru, ''), coalesce(r.label_en, ''), coalesce(l.kind, ''), count(*)
		FROM outcomes o
		LEFT JOIN refusal_reasons r ON r.id = o.reason_id
		LEFT JOIN leads l ON l.id = o.lead_id
		WHERE o.kind = 'refusal' AND o.recorded_at >= $1 AND o.recorded_at < $2
		GROUP BY o.reason_id, r.label_ru, r.label_en, r.position, l.kind
		ORDER BY r.position NULLS LAST, o.reason_id, l.kind`, p.From, p.To)
	if err != nil {
		return nil, fmt.Errorf("reports: refusals: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RefusalCount])
	if err != nil {
		return nil, fmt.Errorf("reports: refusals: %w", err)
	}
	return list, nil
}
