package pg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/pg"
	"dozvon/migrations"
)

func tempDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dozvon-pg-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func TestMissingServerBinariesSaysHowToFix(t *testing.T) {
	_, err := pg.StartEmbedded(context.Background(), pg.EmbeddedOptions{DataDir: t.TempDir(), BinDir: t.TempDir()})
	if !errors.Is(err, pg.ErrNoServerBinaries) {
		t.Fatalf("err = %v, want ErrNoServerBinaries", err)
	}
	msg := err.Error()
	for _, want := range []string{"apt-get install postgresql", "DATABASE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message must be one line: %q", msg)
	}
}

// A cold start runs initdb; a warm start reuses the folder and its data; a crash's stale postmaster.pid (naming
// a pid that is not postgres) does not prevent the next start; Stop leaves no server behind.
func TestEmbeddedColdWarmAndStalePid(t *testing.T) {
	ctx := context.Background()
	dir := tempDataDir(t)
	opts := pg.EmbeddedOptions{DataDir: dir, Database: "dozvon", Fast: true, Logger: zerolog.Nop()}

	e, err := pg.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Initialized {
		t.Error("first start should run initdb")
	}
	pool, err := pg.Connect(ctx, e.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.Migrate(ctx, pool, migrations.FS, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO queues (name) VALUES ('kept across restarts')`); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := postgresProcessesFor(e.DataDir()); n != 0 {
		t.Fatalf("%d postgres processes left after Stop", n)
	}

	// A crash leaves postmaster.pid behind; pid 1 is alive but is not postgres.
	pidFile := filepath.Join(e.DataDir(), "postmaster.pid")
	if err := os.WriteFile(pidFile, []byte("1\n"+e.DataDir()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	e2, err := pg.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatalf("restart after a stale postmaster.pid: %v", err)
	}
	defer e2.Stop()
	if e2.Initialized {
		t.Error("second start must reuse the cluster, not run initdb")
	}
	pool2, err := pg.Connect(ctx, e2.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool2.Close()
	var n int
	if err := pool2.QueryRow(ctx, `SELECT count(*) FROM queues WHERE name = 'kept across restarts'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("row written before the restart: count=%d err=%v", n, err)
	}
	v, err := pg.Version(ctx, pool2, migrations.FS)
	if err != nil || v < 4 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
}

// postgresProcessesFor counts live postgres processes whose command line names the data folder, giving those on
// their way out up to half a minute.
func postgresProcessesFor(dataDir string) int {
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		entries, _ := os.ReadDir("/proc")
		for _, ent := range entries {
			if _, err := strconv.Atoi(ent.Name()); err != nil {
				continue
			}
			cmdline, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
			if err == nil && strings.Contains(string(cmdline), dataDir) {
				n++
			}
		}
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}
