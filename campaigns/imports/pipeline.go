package imports

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// batch is a run of rows read together: the good rows as staging rows, and the problems of the others.
type batch struct {
	rows     [][]any
	read     int64 // rows read, good or not
	merged   int64 // good rows that repeated an earlier row's key in this batch, which they replaced
	rejected int64
	problems []Problem
	bytes    int64 // of the file, read so far
}

// load reads and checks rows in one goroutine while another sends the previous batch to PostgreSQL, so that
// parsing and the database work side by side. An import holds one connection: a second one, tried, made a
// million-row import slower, the two backends contending for the same index pages and table extension.
func load(ctx context.Context, pool *pgxpool.Pool, p *parser, src inputs, opts Options, rep *Report) error {
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("imports: %s: connect: %w", p.spec.dataset, err)
	}
	l := newLoader(conn, p.spec, p.layout, opts.DryRun)
	defer l.close()
	if err := lockJob(ctx, conn, rep.JobID); err != nil {
		return err
	}
	defer unlockJob(ctx, conn, rep.JobID)
	if err := l.createStaging(ctx); err != nil {
		return err
	}
	batches := make(chan *batch, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		return produce(gctx, p, src, size, batches)
	})
	g.Go(func() error {
		for b := range batches {
			res, err := l.load(gctx, b, p.layout.columns)
			if err != nil {
				return err
			}
			rep.add(b, res)
			// Through the import's own connection, which is free between batches: the pool may have none to
			// spare. Progress is for people watching; a failure to record it must not fail the import.
			_ = progressJob(gctx, l.conn, rep.JobID, rep, b.bytes)
			if opts.Progress != nil {
				opts.Progress(rep.Rows, b.bytes)
			}
		}
		return nil
	})
	return g.Wait()
}

// produce reads, checks and batches rows until the source ends.
func produce(ctx context.Context, p *parser, src inputs, size int, out chan<- *batch) error {
	b := &batch{rows: make([][]any, 0, size)}
	seen := map[string]int{} // key → 1 + its index in b.rows
	send := func() error {
		b.bytes = src.bytesRead()
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = &batch{rows: make([][]any, 0, size)}
		clear(seen)
		return nil
	}
	in := &input{values: make([]string, len(p.spec.fields))}
	for {
		err := src.next(in)
		var unreadable *readError
		switch {
		case errors.Is(err, io.EOF):
			return send()
		case errors.As(err, &unreadable):
			b.problems = append(b.problems, problemOf(Problem{Line: unreadable.line}, unreadable.stopped()))
			return send()
		case err != nil:
			return err
		}
		b.read++
		vals, problems := p.check(in)
		if problems != nil {
			b.rejected++
			b.problems = append(b.problems, problems...)
		} else if key := p.spec.key(vals); seen[key] > 0 {
			// One statement cannot write a row twice; the later line is the newer truth.
			b.rows[seen[key]-1] = vals
			b.merged++
		} else {
			b.rows = append(b.rows, vals)
			seen[key] = len(b.rows)
		}
		if b.read >= int64(size) {
			if err := send(); err != nil {
				return err
			}
		}
	}
}
