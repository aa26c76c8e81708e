package dialog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pruneBatch bounds one tick's deletion, so that a first prune of a long history does not hold a long
// transaction; the next ticks take the rest.
const pruneBatch = 5000

// PruneEvents deletes events older than EventRetention. Events exist for screens that follow them live and for
// a socket that reconnects after a blip; reports read the tables the events describe, never the events, so old
// ones are of no use and would grow the table by every message forever.
func (s *Service) PruneEvents(ctx context.Context) (int, error) {
	if s.EventRetention <= 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM events
		WHERE id IN (SELECT id FROM events WHERE created_at < @cutoff ORDER BY created_at LIMIT @batch)`,
		pgx.NamedArgs{"cutoff": s.now().Add(-s.EventRetention), "batch": pruneBatch})
	if err != nil {
		return 0, fmt.Errorf("dialog: prune events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
