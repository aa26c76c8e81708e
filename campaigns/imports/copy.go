package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
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
	// For datasets whose new rows go straight into the real table: its columns the import sets, and where each
	// one's value is in a staging row.
	tableCols []string
	tableVals []int
	route     route // for the next batch
}

// route is how a batch's rows reach the real table, for datasets that copy new rows straight into it. Which one
// pays depends on how many rows are new, and a batch is taken to be like the one before.
type route uint8

const (
	copyAll  route = iota // all rows are new, as in a first load: copy them in, look nothing up
	lookUp                // look the keys up, copy the new rows in, stage the others
	stageAll              // few rows are new, as in a daily export loaded again: stage them all
)

// nextRoute: copying new rows in saves more than looking the keys up costs once about a quarter of them are new.
func nextRoute(inserted int64, rows int) route {
	switch {
	case inserted == int64(rows):
		return copyAll
	case inserted*4 >= int64(rows):
		return lookUp
	}
	return stageAll
}

// batchResult is what the database did with a batch's good rows.
type batchResult struct {
	inserted, updated int64
	unknown           []Problem // rows naming a client or application Dozvon does not know
}

// newLoader loads through conn, which close releases.
func newLoader(conn *pgxpool.Conn, s *spec, l layout, dryRun bool) *loader {
	present := s.present(l.mapped)
	ld := &loader{spec: s, conn: conn, cols: s.stagingColumns(), sql: s.statements(present, l.extra), dryRun: dryRun}
	if s.direct() {
		ld.tableCols, _ = s.columns(present, l.extra, true)
		for _, c := range ld.tableCols {
			i := s.index(c)
			if c == s.extra {
				i = len(s.fields)
			}
			ld.tableVals = append(ld.tableVals, i)
		}
	}
	return ld
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
// that are new and updates the others. Where the dataset allows it, the new rows skip the staging table and are
// copied straight into the real one.
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
	rows := b.rows
	if !l.dryRun { // a dry run writes nothing
		if _, err := tx.Exec(ctx, l.sql.lock); err != nil {
			return res, l.fail("wait for other imports", err)
		}
		// A batch's commit need not wait for its WAL to reach the disk: a crash can lose only the last
		// commits, never corrupt anything, and an import is idempotent — run again, it loads what was lost.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return res, l.fail("set synchronous_commit", err)
		}
		if l.sql.existing != "" && l.route != stageAll {
			if res.inserted, rows, err = l.copyNew(ctx, tx, rows, l.route == copyAll); err != nil {
				return res, err
			}
		}
	}
	if len(rows) > 0 {
		staged, err := l.stage(ctx, tx, rows, columns, &res)
		if err != nil {
			return res, err
		}
		var inserted int64
		if l.dryRun {
			inserted, res.updated, err = l.count(ctx, tx)
		} else {
			inserted, res.updated, err = l.write(ctx, tx, staged)
		}
		if err != nil {
			return res, err
		}
		res.inserted += inserted
	}
	if err := tx.Commit(ctx); err != nil { // which empties the staging table
		return res, l.fail("commit", err)
	}
	l.route = nextRoute(res.inserted, len(b.rows))
	return res, nil
}

// stage copies rows to the staging table and reports those naming unknown records; it returns how many rows
// are staged with their references found.
func (l *loader) stage(ctx context.Context, tx pgx.Tx, rows [][]any, columns []string, res *batchResult) (int64, error) {
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{l.spec.staging()}, l.cols, pgx.CopyFromRows(rows)); err != nil {
		return 0, l.fail("copy rows to staging", err)
	}
	if l.sql.missing != "" {
		var err error
		if res.unknown, err = l.unknownReferences(ctx, tx, columns); err != nil {
			return 0, err
		}
	}
	return int64(len(rows) - len(res.unknown)), nil
}

// copyNew copies the rows whose keys the real table does not have straight into it and returns the others, to
// go through the staging table. COPY into the table writes its pages a batch at a time, where INSERT ... SELECT
// from staging wrote every row twice (staging, then the table) and logged each one on its own: a first load of a
// million clients takes half the database time. With all set, it first tries to copy every row in, which fails
// at the first key the table has. If another writer inserts one of the keys meanwhile, the copy fails the same
// way and the whole batch takes the staging way, whose insert handles that race.
func (l *loader) copyNew(ctx context.Context, tx pgx.Tx, rows [][]any, all bool) (int64, [][]any, error) {
	if all {
		n, err := l.copyIn(ctx, tx, rows)
		if !errors.Is(err, errKeyTaken) {
			return n, nil, err
		}
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i], _ = r[0].(string)
	}
	found, err := tx.Query(ctx, l.sql.existing, keys)
	if err != nil {
		return 0, nil, l.fail("look up "+l.spec.table, err)
	}
	existing := map[string]bool{}
	var key string
	_, err = pgx.ForEachRow(found, []any{&key}, func() error {
		existing[key] = true
		return nil
	})
	if err != nil {
		return 0, nil, l.fail("look up "+l.spec.table, err)
	}
	if len(existing) == len(rows) {
		return 0, rows, nil
	}
	fresh := make([][]any, 0, len(rows)-len(existing))
	old := make([][]any, 0, len(existing))
	for i, r := range rows {
		if existing[keys[i]] {
			old = append(old, r)
		} else {
			fresh = append(fresh, r)
		}
	}
	n, err := l.copyIn(ctx, tx, fresh)
	if errors.Is(err, errKeyTaken) {
		return 0, rows, nil
	}
	return n, old, err
}

// errKeyTaken: the table has one of the keys copyIn was to insert.
var errKeyTaken = errors.New("imports: a key is taken")

// copyIn copies rows into the real table, or nothing if one of their keys is taken (errKeyTaken).
func (l *loader) copyIn(ctx context.Context, tx pgx.Tx, rows [][]any) (int64, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return 0, l.fail("savepoint", err)
	}
	n, err := sp.CopyFrom(ctx, pgx.Identifier{l.spec.table}, l.tableCols, &projection{rows: rows, of: l.tableVals})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		if err := sp.Rollback(ctx); err != nil {
			return 0, l.fail("roll back to savepoint", err)
		}
		return 0, errKeyTaken
	}
	if err == nil {
		err = sp.Commit(ctx)
	}
	if err != nil {
		return 0, l.fail("copy rows to "+l.spec.table, err)
	}
	return n, nil
}

// projection gives COPY the real table's columns of staging rows.
type projection struct {
	rows [][]any
	of   []int // staging position of each column
	next int
	vals []any
}

func (p *projection) Next() bool {
	p.next++
	return p.next <= len(p.rows)
}

// Values reuses one slice: COPY encodes a row before it asks for the next.
func (p *projection) Values() ([]any, error) {
	if p.vals == nil {
		p.vals = make([]any, len(p.of))
	}
	row := p.rows[p.next-1]
	for i, j := range p.of {
		p.vals[i] = row[j]
	}
	return p.vals, nil
}

func (p *projection) Err() error { return nil }

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
		p := problemOf(Problem{Field: ref.field, Column: column}, msg.New("imports.unknown_"+ref.noun))
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
