package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
)

// Job is one import as the history shows it, running or finished.
type Job struct {
	ID           int64      `json:"id"`
	Dataset      Dataset    `json:"dataset"`
	Source       string     `json:"source"` // "file" or "api"
	FileName     string     `json:"file_name,omitempty"`
	UserID       *int64     `json:"user_id,omitempty"`
	TokenID      *int64     `json:"token_id,omitempty"`
	DryRun       bool       `json:"dry_run"`
	Status       string     `json:"status"` // running, done, failed
	RowsDone     int64      `json:"rows_done"`
	BytesDone    int64      `json:"bytes_done"`
	Inserted     int64      `json:"inserted"`
	Updated      int64      `json:"updated"`
	Unchanged    int64      `json:"unchanged"`
	Rejected     int64      `json:"rejected"`
	ProblemCount int64      `json:"problem_count"`
	Problems     []Problem  `json:"problems,omitempty"` // GetJob only
	Error        string     `json:"error,omitempty"`    // in English
	ErrorMsg     *msg.Error `json:"-"`                  // the same for a person, in their language; nil if uncoded
	StartedAt    time.Time  `json:"started_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
}

// Job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ErrJobNotFound is returned by GetJob for an id the history does not have.
var ErrJobNotFound = msg.New("imports.no_import")

func startJob(ctx context.Context, pool *pgxpool.Pool, d Dataset, source string, opts Options) (int64, error) {
	var id int64
	err := pool.QueryRow(ctx, `
		INSERT INTO imports (dataset, source, file_name, user_id, token_id, dry_run)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		d, source, opts.FileName, nullID(opts.UserID), nullID(opts.TokenID), opts.DryRun).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("imports: %s: record the import: %w", d, err)
	}
	return id, nil
}

// jobLocks is the advisory lock space of running imports (key 1; key 2 is the import's id). An import holds its
// lock on its connection while it runs. A process that dies (killed, out of memory, the machine gone) cannot
// record how its imports ended, but its connections close and the locks go with them; reapDeadJobs then
// records those imports as failed, so the history does not show a dead import as running forever.
const jobLocks = 0x494d50 // "IMP"

// lockJob takes the running import's lock on the connection it loads through.
func lockJob(ctx context.Context, conn *pgxpool.Conn, id int64) error {
	_, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, ($2::bigint & 2147483647)::int)`, jobLocks, id)
	if err != nil {
		return fmt.Errorf("imports: lock import %d: %w", id, err)
	}
	return nil
}

// unlockJob lets the lock go before the connection goes back to the pool. If that fails the connection is
// closed instead: a pooled connection that kept the lock would make a dead import look alive.
func unlockJob(ctx context.Context, conn *pgxpool.Conn, id int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, ($2::bigint & 2147483647)::int)`, jobLocks, id); err != nil {
		_ = conn.Conn().Close(ctx)
	}
}

// deadJobGrace covers the moment between recording an import and taking its lock.
const deadJobGrace = time.Minute

// reapDeadJobs records as failed the imports that say they are running but whose lock nobody holds.
func reapDeadJobs(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
		UPDATE imports i
		SET status = 'failed', error = 'stopped: the Dozvon instance running it went away',
		    updated_at = now(), finished_at = now()
		WHERE i.status = 'running' AND i.started_at < now() - $2::interval
		  AND NOT EXISTS (
		      SELECT 1 FROM pg_locks l
		      WHERE l.locktype = 'advisory' AND l.granted
		        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		        AND l.classid = $1::int::oid AND l.objid = (i.id & 2147483647)::oid AND l.objsubid = 2)`,
		jobLocks, deadJobGrace)
	if err != nil {
		return fmt.Errorf("imports: record dead imports: %w", err)
	}
	return nil
}

func progressJob(ctx context.Context, conn *pgxpool.Conn, id int64, rep *Report, bytes int64) error {
	_, err := conn.Exec(ctx, `
		UPDATE imports
		SET rows_done = $2, bytes_done = $3, inserted = $4, updated = $5, unchanged = $6, rejected = $7,
		    problem_count = $8, updated_at = now()
		WHERE id = $1`,
		id, rep.Rows, bytes, rep.Inserted, rep.Updated, rep.Unchanged, rep.Rejected, rep.ProblemCount)
	if err != nil {
		return fmt.Errorf("imports: record progress of import %d: %w", id, err)
	}
	return nil
}

// finishJob records the outcome. It runs even when the import's context was cancelled: the history must not
// show a dead import as running.
func finishJob(ctx context.Context, pool *pgxpool.Pool, id int64, rep *Report, bytes int64, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	status, message := JobDone, ""
	if cause != nil {
		status, message = JobFailed, cause.Error()
		if m, ok := msg.As(cause); ok { // kept as its code and arguments, to be read in any language
			raw, _ := json.Marshal(m)
			message = string(raw)
		}
	}
	problems := rep.Problems
	if problems == nil {
		problems = []Problem{}
	}
	_, err := pool.Exec(ctx, `
		UPDATE imports
		SET status = $2, error = $3, rows_done = $4, bytes_done = $5, inserted = $6, updated = $7, unchanged = $8,
		    rejected = $9, problem_count = $10, problems = $11, updated_at = now(), finished_at = now()
		WHERE id = $1`,
		id, status, message, rep.Rows, bytes, rep.Inserted, rep.Updated, rep.Unchanged, rep.Rejected,
		rep.ProblemCount, problems)
	if err != nil {
		return fmt.Errorf("imports: record the end of import %d: %w", id, err)
	}
	return nil
}

const jobColumns = `id, dataset, source, file_name, user_id, token_id, dry_run, status, rows_done, bytes_done,
	inserted, updated, unchanged, rejected, problem_count, error, started_at, updated_at, finished_at`

func scanJob(row pgx.Row, extra ...any) (Job, error) {
	var j Job
	dest := []any{&j.ID, &j.Dataset, &j.Source, &j.FileName, &j.UserID, &j.TokenID, &j.DryRun, &j.Status,
		&j.RowsDone, &j.BytesDone, &j.Inserted, &j.Updated, &j.Unchanged, &j.Rejected, &j.ProblemCount, &j.Error,
		&j.StartedAt, &j.UpdatedAt, &j.FinishedAt}
	err := row.Scan(append(dest, extra...)...)
	if m := new(msg.Error); strings.HasPrefix(j.Error, `{"code"`) && json.Unmarshal([]byte(j.Error), m) == nil {
		j.Error, j.ErrorMsg = m.Error(), m
	}
	return j, err
}

// ListJobs returns the newest imports first, without their problems.
func ListJobs(ctx context.Context, pool *pgxpool.Pool, limit int) ([]Job, error) {
	if err := reapDeadJobs(ctx, pool); err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT `+jobColumns+` FROM imports ORDER BY started_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("imports: list imports: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Job, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("imports: list imports: %w", err)
	}
	return jobs, nil
}

// GetJob returns one import with the problems it kept. A page showing a running import's progress polls it.
func GetJob(ctx context.Context, pool *pgxpool.Pool, id int64) (Job, error) {
	if err := reapDeadJobs(ctx, pool); err != nil {
		return Job{}, err
	}
	var problems []Problem
	j, err := scanJob(pool.QueryRow(ctx, `SELECT `+jobColumns+`, problems FROM imports WHERE id = $1`, id), &problems)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, ErrJobNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("imports: import %d: %w", id, err)
	}
	j.Problems = problems
	return j, nil
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
