// Package pgtest gives tests a real PostgreSQL: one embedded cluster per test process, and a fresh database per
// test cloned from a migrated template, so tests are isolated from each other and cost one CREATE DATABASE each.
//
// A package that uses it declares
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// so the cluster is stopped and its folder removed when the tests end.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/internal/pg"
	"dozvon/migrations"
)

const template = "dozvon_template"

var (
	once     sync.Once
	cluster  *pg.Embedded
	root     string
	startErr error
	// CREATE DATABASE ... TEMPLATE fails if another clone of the same template is in progress.
	createMu sync.Mutex
	counter  atomic.Int64
)

// Main runs the package's tests and then stops the cluster, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		_ = cluster.Stop()
	}
	if root != "" {
		_ = os.RemoveAll(root)
	}
	os.Exit(code)
}

func start() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Under /tmp, not the checkout: when tests run as root the postgres user must reach the folder.
	root, startErr = os.MkdirTemp("", "dozvon-test-")
	if startErr != nil {
		return
	}
	if startErr = os.Chmod(root, 0o755); startErr != nil {
		return
	}
	cluster, startErr = pg.StartEmbedded(ctx, pg.EmbeddedOptions{
		DataDir: root, Database: template, Fast: true, Logger: zerolog.Nop(),
	})
	if startErr != nil {
		return
	}
	pool, err := pg.Connect(ctx, cluster.URL(), 0)
	if err != nil {
		startErr = err
		return
	}
	defer pool.Close()
	startErr = pg.Migrate(ctx, pool, migrations.FS, zerolog.Nop())
}

// Cluster returns the test process's embedded server, starting it on first use.
func Cluster(t testing.TB) *pg.Embedded {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("pgtest: start PostgreSQL: %v", startErr)
	}
	return cluster
}

// URL creates a fresh, migrated database for this test and returns its connection string.
func URL(t testing.TB) string {
	t.Helper()
	c := Cluster(t)
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	createMu.Lock()
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize()))
	createMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	return c.ConnString(name)
}

// NewDB creates a fresh, migrated database for this test and returns a pool on it, closed when the test ends.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pg.Connect(context.Background(), URL(t), 0)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
