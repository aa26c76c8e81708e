package pg_test

import (
	"context"
	"os"
	"testing"

	"github.com/rs/zerolog"

	"dozvon/internal/pg"
)

// BenchmarkEmbeddedColdStart measures a first start as `dozvon serve` does it on a new machine: initdb, start,
// wait for connections, create the database (production settings, fsync on). Stop is not timed.
func BenchmarkEmbeddedColdStart(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir, _ := os.MkdirTemp("", "dozvon-bench-")
		_ = os.Chmod(dir, 0o755)
		b.StartTimer()
		e, err := pg.StartEmbedded(ctx, pg.EmbeddedOptions{DataDir: dir, Logger: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = e.Stop()
		_ = os.RemoveAll(dir)
		b.StartTimer()
	}
}

// BenchmarkEmbeddedWarmStart measures a restart on an existing data folder: start and wait for connections.
func BenchmarkEmbeddedWarmStart(b *testing.B) {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "dozvon-bench-")
	_ = os.Chmod(dir, 0o755)
	defer os.RemoveAll(dir)
	opts := pg.EmbeddedOptions{DataDir: dir, Logger: zerolog.Nop()}
	e, err := pg.StartEmbedded(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	_ = e.Stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := pg.StartEmbedded(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = e.Stop()
		b.StartTimer()
	}
}
