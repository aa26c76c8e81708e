package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/pg"
	"dozvon/migrations"
)

// Durable starts an embedded PostgreSQL of its own with the settings `dozvon serve` uses (fsync and synchronous
// commit on, unlike the shared test cluster, and the connections serve keeps open), migrated, for a benchmark that must measure what production runs.
// It is stopped and removed when tb ends; with DOZVON_BENCH_DATA set, the cluster is kept in that folder instead, and
// started again from it by the next run (a benchmark whose data takes long to load checks for it and loads once).
func Durable(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	ctx := context.Background()
	dir, keep := os.LookupEnv("DOZVON_BENCH_DATA")
	if !keep {
		var err error
		if dir, err = os.MkdirTemp("", "dozvon-bench-"); err != nil {
			tb.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755) // the postgres user must reach it when tests run as root
	e, err := pg.StartEmbedded(ctx, pg.EmbeddedOptions{DataDir: dir, Database: "dozvon", Logger: zerolog.Nop()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = e.Stop()
		if !keep {
			_ = os.RemoveAll(dir)
		}
	})
	pool, err := pg.Connect(ctx, e.URL(), pg.ServingConns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if err := pg.Migrate(ctx, pool, migrations.FS, zerolog.Nop()); err != nil {
		tb.Fatal(err)
	}
	return pool
}
