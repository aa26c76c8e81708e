package pg

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/rs/zerolog"
)

// minPoolSize is the smallest pool Connect opens unless the connection string says otherwise.
const minPoolSize = 16

// ServingConns is how many connections `dozvon serve` keeps open when idle: a broadcast's first second, or a
// burst of clients, does not wait for connections to be opened (each a TCP connection and a SCRAM
// authentication, a few milliseconds of CPU on both sides, tens on a loaded machine). A cold pool cost the first
// second of a paid broadcast 1-2 % of its rate with two busy loops beside it.
const ServingConns = 8

// Connect opens a pool and checks that the server answers. It keeps at least minConns connections open (opened in
// the background), unless the connection string sets pool_min_conns.
func Connect(ctx context.Context, url string, minConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pg: parse connection string: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "dozvon"
	// pgxpool's default, max(4, CPUs), is too small for serve: some connections are held for good (the
	// messenger's and the event hub's LISTEN), and the inbox processor keeps a
	// transaction open while its handler uses the pool. With 4 on a 2-CPU machine that deadlocks. A size in the
	// URL (pool_max_conns) still wins.
	if !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < minPoolSize {
		cfg.MaxConns = minPoolSize
	}
	if !strings.Contains(url, "pool_min_conns") {
		cfg.MinConns = min(minConns, cfg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pg: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pg: connect: %w", err)
	}
	return pool, nil
}

// Migrate applies every migration in fsys that the database has not seen, each in its own transaction, and records
// them in goose's version table. It is safe to run from several processes at once: goose takes a session lock.
func Migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, log zerolog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrate(ctx, db, fsys, log)
}

func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, log zerolog.Logger) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("pg: migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("pg: migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("pg: migrate: %w", err)
	}
	for _, r := range results {
		log.Info().Int64("version", r.Source.Version).Str("file", r.Source.Path).
			Dur("took", r.Duration).Msg("migration applied")
	}
	return nil
}

// Version reports the newest applied migration.
func Version(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) (int64, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		return 0, fmt.Errorf("pg: migrations: %w", err)
	}
	return provider.GetDBVersion(ctx)
}
