package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/config"
	"dozvon/internal/logx"
	"dozvon/internal/pg"
	"dozvon/migrations"
)

// database is an open, migrated database and, when Dozvon started its own server, that server.
type database struct {
	Pool     *pgxpool.Pool
	embedded *pg.Embedded
}

// Close closes the pool and stops the embedded server, if this process started it.
func (d *database) Close() {
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.embedded != nil {
		_ = d.embedded.Stop()
		d.embedded = nil // serve closes early and again on return; a second Stop would wait 25 s for nothing
	}
}

// openDatabase connects to DATABASE_URL, or starts the embedded server under the data folder, and migrates.
// attach lets a command use an embedded server that a serving process already runs.
func openDatabase(ctx context.Context, cfg *config.Config, log zerolog.Logger, attach bool) (*database, error) {
	d := &database{}
	url := cfg.DatabaseURL
	if cfg.Embedded() {
		began := time.Now()
		e, err := pg.StartEmbedded(ctx, pg.EmbeddedOptions{
			DataDir: filepath.Join(cfg.DataDir), OSUser: cfg.PGUser, BinDir: cfg.PGBinDir,
			Database: "dozvon", Logger: log, Attach: attach,
		})
		if err != nil {
			return nil, err
		}
		d.embedded = e
		url = e.URL()
		log.Info().Str("cluster", e.DataDir()).Bool("initdb", e.Initialized).Dur("took", time.Since(began)).
			Msg("embedded PostgreSQL is up")
	}
	// Only serve (the one command that does not attach) keeps connections open: a command's work is done before
	// they would be.
	var keep int32
	if !attach {
		keep = pg.ServingConns
	}
	pool, err := pg.Connect(ctx, url, keep)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Pool = pool
	if err := pg.Migrate(ctx, pool, migrations.FS, log); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func newLogger(cfg *config.Config, stderr io.Writer) zerolog.Logger {
	l := logx.New(stderr, cfg.LogLevel, cfg.LogFormat)
	logx.RouteStandardLog(l)
	return l
}

func migrate(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := pg.Version(ctx, db.Pool, migrations.FS)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema is at version %d\n", v)
	return nil
}
