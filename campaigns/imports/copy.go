package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// loader moves batches into PostgreSQL over one connection, which holds the session's staging table. Each batch
// commits on its own: an import is idempotent, so one that stops half-way is finished by running it again, and
// no long transaction holds locks on clients that campaigns are working with. A dry run stages and counts each
// batch the same way, and writes nothing.
type loader struct {
	spec   *spec
	conn   *pgxpool.Conn
	cols   []string
	sql    statements
	dryRun bool
}

// batchResult is what the database did with a batch's good rows.
type batchResult struct {
	inserted, updated int64
	unknown           []Problem // rows naming a client or application Dozvon does not know
}

// newLoader loads through conn, which close releases.
func newLoader(conn *pgxpool.Conn, s *spec, l layout, dryRun bool) *loader {
	return &loader{spec: s, conn: conn, cols: s.stagingColumns(), sql: s.statements(s.present(l.mapped), l.extra),
		dryRun: dryRun}
}

// createStaging creates the session's staging table, dropping one an import that died may have left on the
// connection.
func (l *loader) createStaging(ctx context.Context) error {
	_, err := l.conn.Exec(ctx, "DROP TABLE IF EXISTS pg_temp."+l.spec.staging()+"; "+l.spec.stagingDDL())
	if err != nil {
		return l.fail("create the staging table", err)
	}
	return nil
}

// load copies a batch's good rows to the staging table, finds those with unknown references, inserts the rows
// that are new and updates the others.
func (l *loader) load(ctx context.Context, b *batch, columns []string) (batchResult, error) {
	var res batchResult
	if len(b.rows) == 0 {
		return res, nil
	}
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return res, l.fail("begin", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // after Commit, a no-op
	if _, err := tx.Exec(ctx, l.sql.plan); err != nil {
		return res, l.fail("plan", err)
	}
	if !l.dryRun { // a dry run writes nothing
		if _, err := tx.Exec(ctx, l.sql.lock); err != nil {
			return res, l.fail("wait for other imports", err)
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{l.spec.staging()}, l.cols, pgx.CopyFromRows(b.rows)); err != nil {
		return res, l.fail("copy rows to staging", err)
	}
	if l.sql.missing != "" {
		if res.unknown, err = l.unknownReferences(ctx, tx, columns); err != nil {
			return res, err
		}
	}
	staged := int64(len(b.rows) - len(res.unknown))
	if l.dryRun {
		res.inserted, res.updated, err = l.count(ctx, tx)
	} else {
		res.inserted, res.updated, err = l.write(ctx, tx, staged)
	}
	if err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil { // which empties the staging table
		return res, l.fail("commit", err)
	}
	return res, nil
}

// write inserts the new rows, then updates the existing rows that changed — unless all staged rows were new, as
// in a first load, where the update would only look up, row by row, keys that are not there. (The rows just
// inserted are the same as staged, so the update passes them over.)
func (l *loader) write(ctx context.Context, tx pgx.Tx, staged int64) (inserted, updated int64, err error) {
	if inserted, err = l.insert(ctx, tx); err != nil || inserted == staged {
		return inserted, 0, err
	}
	tag, err := tx.Exec(ctx, l.sql.update)
	if err != nil {
		return 0, 0, l.fail("update "+l.spec.table, err)
	}
	return inserted, tag.RowsAffected(), nil
}

// count says what write would do.
func (l *loader) count(ctx context.Context, tx pgx.Tx) (inserted, updated int64, err error) {
	if err := tx.QueryRow(ctx, l.sql.countUpdate).Scan(&updated); err != nil {
		return 0, 0, l.fail("count updates", err)
	}
	for _, q := range l.sql.countInsert {
		var n int64
		if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
			return 0, 0, l.fail("count inserts", err)
		}
		inserted += n
	}
	return inserted, updated, nil
}

// insert adds the new rows. Imports do not race each other (they hold their dataset's lock), but another writer
// may insert one of the keys while the statement runs: then the batch's rows are inserted where they are still
// new, and the update that follows takes care of the rest.
func (l *loader) insert(ctx context.Context, tx pgx.Tx) (int64, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return 0, l.fail("savepoint", err)
	}
	tag, err := sp.Exec(ctx, l.sql.insert[0])
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		_ = sp.Rollback(ctx)
		tag, err = tx.Exec(ctx, l.sql.conflict)
	} else if err == nil {
		err = sp.Commit(ctx)
	}
	if err != nil {
		return 0, l.fail("insert into "+l.spec.table, err)
	}
	inserted := tag.RowsAffected()
	// Events without an external_id: no unique key to race on.
	for _, stmt := range l.sql.insert[1:] {
		if tag, err = tx.Exec(ctx, stmt); err != nil {
			return 0, l.fail("insert into "+l.spec.table, err)
		}
		inserted += tag.RowsAffected()
	}
	return inserted, nil
}

const uniqueViolation = "23505"

func (l *loader) fail(what string, err error) error {
	return fmt.Errorf("imports: %s: %s: %w", l.spec.dataset, what, err)
}

func (l *loader) unknownReferences(ctx context.Context, tx pgx.Tx, columns []string) ([]Problem, error) {
	ref := l.spec.ref
	column := columns[l.spec.index(ref.field)]
	rows, err := tx.Query(ctx, l.sql.missing)
	if err != nil {
		return nil, fmt.Errorf("imports: %s: look up %ss: %w", l.spec.dataset, ref.noun, err)
	}
	problems, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Problem, error) {
		p := Problem{Field: ref.field, Column: column, Reason: "is not a known " + ref.noun}
		err := r.Scan(&p.Line, &p.Value)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("imports: %s: look up %ss: %w", l.spec.dataset, ref.noun, err)
	}
	return problems, nil
}

// close drops the staging table, even when the import's context is cancelled.
func (l *loader) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = l.conn.Exec(ctx, "DROP TABLE IF EXISTS pg_temp."+l.spec.staging())
	l.conn.Release()
}
