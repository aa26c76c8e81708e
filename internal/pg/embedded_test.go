package pg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	pool, err := pg.Connect(ctx, e.URL(), 0)
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
	pool2, err := pg.Connect(ctx, e2.URL(), 0)
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

// The embedded server is no one else's: its folders and socket are private, pg_hba.conf trusts nobody, and a
// connection without the password in the data folder is refused.
func TestEmbeddedServerLetsInOnlyWithThePassword(t *testing.T) {
	ctx := context.Background()
	dir := tempDataDir(t)
	e, err := pg.StartEmbedded(ctx, pg.EmbeddedOptions{DataDir: dir, Database: "dozvon", Fast: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	checkPrivate(t, e, dir)
	conn, err := pgx.Connect(ctx, e.URL())
	if err != nil {
		t.Fatalf("with the password: %v", err)
	}
	conn.Close(ctx)
}

// A cluster made by an older Dozvon (initdb --auth=trust, a superuser without a password, folders and log open to
// all) starts as before, keeps its data, and comes out private.
func TestAnOlderTrustClusterIsSecuredInPlace(t *testing.T) {
	ctx := context.Background()
	dir := tempDataDir(t)
	opts := pg.EmbeddedOptions{DataDir: dir, Database: "dozvon", Fast: true, Logger: zerolog.Nop()}
	e, err := pg.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, e.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`CREATE TABLE kept (note text)`, `INSERT INTO kept VALUES ('written before the upgrade')`,
		`ALTER ROLE postgres PASSWORD NULL`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	// What an older version left behind.
	oldHBA := "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
	if err := os.WriteFile(filepath.Join(e.DataDir(), "pg_hba.conf"), []byte(oldHBA), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(dir, pg.PasswordFile), filepath.Join(e.DataDir(), "dozvon_password.sha256")} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o755}, {filepath.Join(dir, "postgres.log"), 0o644}} {
		if err := os.Chmod(p.path, p.mode); err != nil {
			t.Fatal(err)
		}
	}

	e2, err := pg.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatalf("start on the older cluster: %v", err)
	}
	defer e2.Stop()
	if e2.Initialized {
		t.Fatal("the older cluster was replaced by a new one")
	}
	checkPrivate(t, e2, dir)
	conn, err = pgx.Connect(ctx, e2.URL())
	if err != nil {
		t.Fatalf("with the new password: %v", err)
	}
	defer conn.Close(ctx)
	var note string
	if err := conn.QueryRow(ctx, `SELECT note FROM kept`).Scan(&note); err != nil || note != "written before the upgrade" {
		t.Fatalf("data after the upgrade: %q, %v", note, err)
	}
}

func checkPrivate(t *testing.T, e *pg.Embedded, dataDir string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(e.URL())
	if err != nil {
		t.Fatal(err)
	}
	sockDir := cfg.Host
	hba, err := os.ReadFile(filepath.Join(e.DataDir(), "pg_hba.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, line := range strings.Split(string(hba), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			rules = append(rules, strings.Join(strings.Fields(line), " "))
		}
	}
	if !slices.Equal(rules, []string{"local all all scram-sha-256"}) {
		t.Errorf("pg_hba.conf rules %q, want only password logins on the socket", rules)
	}
	for _, p := range []struct {
		path string
		want os.FileMode
	}{
		{dataDir, 0o700}, {e.DataDir(), 0o700}, {sockDir, 0o700},
		{filepath.Join(sockDir, ".s.PGSQL.5432"), 0o700}, {filepath.Join(sockDir, "postgres.log"), 0o600},
		{filepath.Join(dataDir, pg.PasswordFile), 0o600},
	} {
		st, err := os.Stat(p.path)
		if err != nil {
			t.Errorf("%s: %v", p.path, err)
			continue
		}
		if st.Mode().Perm() != p.want {
			t.Errorf("%s is %o, want %o", p.path, st.Mode().Perm(), p.want)
		}
	}
	for name, password := range map[string]string{"no password": "", "a wrong password": "postgres"} {
		c := cfg.Copy()
		c.Password = password
		if conn, err := pgx.ConnectConfig(ctx, c); err == nil {
			conn.Close(ctx)
			t.Errorf("connected with %s", name)
		} else if !strings.Contains(err.Error(), "password") {
			t.Errorf("with %s: %v, want a password failure", name, err)
		}
	}
}
