package pg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
)

// ErrNoServerBinaries is returned when neither pg_config, /usr/lib/postgresql nor PATH has initdb and postgres.
var ErrNoServerBinaries = errors.New("pg: no PostgreSQL server binaries (initdb, postgres) found: " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to use an existing server")

// EmbeddedOptions says where a private cluster lives and how it runs.
type EmbeddedOptions struct {
	// DataDir holds the cluster ("pgdata") and its unix socket. It is created if missing.
	DataDir string
	// OSUser runs PostgreSQL when this process is root, since postgres refuses to run as root.
	// Empty means "postgres", then "nobody".
	OSUser string
	// Database is created on first start; the connection string points at it.
	Database string
	// Fast trades durability for speed (fsync off); only for tests and benchmarks.
	Fast bool
	// BinDir overrides the search for server binaries.
	BinDir string
	// Attach makes a start that finds the cluster already running use it rather than take it over: the CLI's
	// user and migrate commands run beside a serving process.
	Attach bool
	Logger zerolog.Logger
}

// Embedded is a PostgreSQL server started by this process and stopped by Stop.
type Embedded struct {
	opts    EmbeddedOptions
	binDir  string
	pgdata  string
	sockDir string
	dataDir string
	// password is the server's superuser password, from the data folder's pg_password.
	password string
	cred     *syscall.Credential
	cmd      *exec.Cmd
	exited   chan error
	stop     sync.Once
	stopErr  error
	// Initialized reports whether this start ran initdb (a cold start).
	Initialized bool
}

const port = 5432

// FindServerBinaries looks for a directory holding both initdb and postgres: pg_config --bindir first (it names the
// installed server's version), then the newest /usr/lib/postgresql/*/bin, then PATH.
func FindServerBinaries() (string, error) {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versions, func(i, j int) bool { return pgVersion(versions[i]) > pgVersion(versions[j]) })
	candidates = append(candidates, versions...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", ErrNoServerBinaries
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// StartEmbedded initialises the cluster if needed and starts it, listening only on a unix socket.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (*Embedded, error) {
	if opts.Database == "" {
		opts.Database = "dozvon"
	}
	binDir := opts.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindServerBinaries(); err != nil {
			return nil, err
		}
	} else if !isExecutable(filepath.Join(binDir, "postgres")) {
		return nil, ErrNoServerBinaries
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("pg: data dir %q: %w", opts.DataDir, err)
	}
	e := &Embedded{opts: opts, binDir: binDir, dataDir: dataDir, exited: make(chan error, 1)}
	if os.Geteuid() == 0 {
		if e.cred, err = unprivilegedCredential(opts.OSUser); err != nil {
			return nil, err
		}
	}
	e.pgdata, e.sockDir = e.placeCluster(dataDir)
	if err := e.prepareDirs(); err != nil {
		return nil, err
	}
	if e.password, err = loadPassword(filepath.Join(dataDir, PasswordFile)); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(e.pgdata, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := e.initdb(ctx); err != nil {
			return nil, err
		}
		e.Initialized = true
	}
	if opts.Attach && e.running(ctx) {
		return e, e.ensureDatabase(ctx, opts.Database)
	}
	if err := e.clearStalePid(); err != nil {
		return nil, err
	}
	if err := e.secure(ctx); err != nil {
		return nil, err
	}
	if err := e.start(ctx); err != nil {
		return nil, err
	}
	if err := e.ensureDatabase(ctx, opts.Database); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

// placeCluster keeps the cluster inside the data folder when the PostgreSQL user can reach it. A checkout under a
// private home folder (/root/...) is not reachable by the postgres user; rather than loosen permissions on the
// user's home, the cluster then lives in a folder of its own under /var/lib/dozvon, named after the data folder so
// that restarts find it again. A cluster found where an earlier start put it stays there.
func (e *Embedded) placeCluster(dataDir string) (pgdata, sockDir string) {
	pgdata = filepath.Join(dataDir, "pgdata")
	sum := sha256.Sum256([]byte(dataDir))
	name := hex.EncodeToString(sum[:6])
	home := filepath.Join("/var/lib/dozvon", name)
	// The data folder itself is handed to the PostgreSQL user (prepareDirs); the folders above it must let it through.
	if e.cred == nil || exists(filepath.Join(pgdata, "PG_VERSION")) ||
		!exists(filepath.Join(home, "pgdata", "PG_VERSION")) && reachableBy(filepath.Dir(dataDir), e.cred) {
		// A unix socket path is limited to 107 bytes; a deep checkout gets a short socket folder in /tmp.
		if len(dataDir)+len("/.s.PGSQL.5432") > 100 {
			return pgdata, filepath.Join(os.TempDir(), "dozvon-"+name)
		}
		return pgdata, dataDir
	}
	e.opts.Logger.Info().Str("data_dir", dataDir).Str("cluster_dir", home).
		Msg("the PostgreSQL user cannot reach the data folder; keeping the cluster in a folder of its own")
	_ = os.WriteFile(filepath.Join(dataDir, "CLUSTER_LOCATION"), []byte(home+"\n"), 0o644)
	return filepath.Join(home, "pgdata"), home
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// reachableBy tells whether every ancestor of dir grants search (x) permission to the credential.
func reachableBy(dir string, cred *syscall.Credential) bool {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return false
		}
		sys := st.Sys().(*syscall.Stat_t)
		mode := st.Mode().Perm()
		switch {
		case sys.Uid == cred.Uid:
			if mode&0o100 == 0 {
				return false
			}
		case sys.Gid == cred.Gid:
			if mode&0o010 == 0 {
				return false
			}
		default:
			if mode&0o001 == 0 {
				return false
			}
		}
		if d == "/" || d == filepath.Dir(d) {
			return true
		}
	}
}

func unprivilegedCredential(name string) (*syscall.Credential, error) {
	names := []string{name}
	if name == "" {
		names = []string{"postgres", "nobody"}
	}
	for _, n := range names {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid == 0 {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, fmt.Errorf("pg: running as root, and no unprivileged OS user %v exists to run PostgreSQL: "+
		"create one (useradd -r postgres) or set DOZVON_PG_USER", names)
}

// prepareDirs makes the folders of the cluster and its socket private: a local user who could enter them could
// read the cluster's files or try the socket. The data folder, the cluster's folder and the socket's folder are
// 0700, owned by the user PostgreSQL runs as; Dozvon is that user, or root.
func (e *Embedded) prepareDirs() error {
	uid, gid := os.Geteuid(), os.Getegid()
	if e.cred != nil {
		uid, gid = int(e.cred.Uid), int(e.cred.Gid)
	}
	clusterDir := filepath.Dir(e.pgdata)
	if clusterDir != e.dataDir { // moved under /var/lib/dozvon: the data folder stays Dozvon's own
		if err := os.MkdirAll(filepath.Dir(clusterDir), 0o755); err != nil {
			return fmt.Errorf("pg: create %s: %w", filepath.Dir(clusterDir), err)
		}
		if err := privateDir(e.dataDir, os.Geteuid(), os.Getegid()); err != nil {
			return err
		}
	}
	for _, d := range []string{clusterDir, e.sockDir} {
		if err := privateDir(d, uid, gid); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(e.pgdata, 0o700); err != nil {
		return fmt.Errorf("pg: create %s: %w", e.pgdata, err)
	}
	if e.cred == nil {
		return nil
	}
	// The socket folder and the cluster must belong to the user PostgreSQL runs as.
	for _, d := range []string{e.sockDir, e.pgdata} {
		if err := chownTree(d, uid, gid); err != nil {
			return fmt.Errorf("pg: hand %s to the PostgreSQL user: %w", d, err)
		}
	}
	return nil
}

// privateDir makes dir a folder only uid may enter. As root it takes over a folder someone else made (the socket
// folder's name under /tmp is predictable); otherwise such a folder is refused.
func privateDir(dir string, uid, gid int) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pg: create %s: %w", dir, err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("pg: %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("pg: %s is not a folder", dir)
	}
	if owner := int(st.Sys().(*syscall.Stat_t).Uid); owner != uid {
		if os.Geteuid() != 0 {
			return fmt.Errorf("pg: %s belongs to another user (uid %d); remove it or choose another DOZVON_DATA_DIR", dir, owner)
		}
		if err := os.Lchown(dir, uid, gid); err != nil {
			return fmt.Errorf("pg: hand %s to uid %d: %w", dir, uid, err)
		}
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("pg: make %s private: %w", dir, err)
		}
	}
	return nil
}

func chownTree(root string, uid, gid int) error {
	return filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == uid && int(st.Gid) == gid {
			return nil
		}
		return os.Lchown(path, uid, gid)
	})
}

func (e *Embedded) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(e.binDir, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "TZ=UTC")
	// Its own process group: a terminal's Ctrl-C must reach dozvon only, which then stops PostgreSQL after
	// the HTTP server has drained, not before.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: e.cred}
	cmd.Dir = "/"
	return cmd
}

func (e *Embedded) initdb(ctx context.Context) error {
	// Text sorts by code point either way: glibc's C.UTF-8 collation is code point order, which is what C gives
	// on UTF-8 bytes. But PostgreSQL compares only under C with memcmp; under C.UTF-8 every comparison copies both
	// strings and calls strcoll, which cost a sixth of the server's time loading clients into indexes on text
	// (external_id, inn, phone). Character classes and case (LC_CTYPE) stay C.UTF-8, so upper(), lower(),
	// ILIKE and regular expressions still know Cyrillic.
	// Nobody may connect until secure has set the superuser's password and written Dozvon's pg_hba.conf.
	cmd := e.command(ctx, "initdb", "-D", e.pgdata, "-U", "postgres", "--auth=reject",
		"--encoding=UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-instructions")
	if e.opts.Fast {
		cmd.Args = append(cmd.Args, "--no-sync")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg: initdb %s: %w\n%s", e.pgdata, err, out)
	}
	return nil
}

// clearStalePid handles a postmaster.pid left by a crash. If the recorded process is a live postgres on this
// cluster (dozvon was killed with -9 and its server survived), it is shut down so that this process owns the
// server; a pid that is dead or reused by another program is simply removed.
func (e *Embedded) clearStalePid() error {
	pidFile := filepath.Join(e.pgdata, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pg: read %s: %w", pidFile, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0]))
	if pid > 0 && isPostgres(pid) {
		e.opts.Logger.Warn().Int("pid", pid).Msg("a PostgreSQL from an earlier run is still up; stopping it")
		_ = syscall.Kill(pid, syscall.SIGINT)
		deadline := time.Now().Add(15 * time.Second)
		for isPostgres(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if isPostgres(pid) {
			_ = syscall.Kill(pid, syscall.SIGQUIT)
			time.Sleep(500 * time.Millisecond)
		}
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pg: remove stale %s: %w", pidFile, err)
	}
	return nil
}

func isPostgres(pid int) bool {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return false
	}
	return strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres")
}

func (e *Embedded) start(ctx context.Context) error {
	args := []string{"-D", e.pgdata, "-k", e.sockDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "unix_socket_permissions=0700",
		"-c", "max_connections=200", "-c", "shared_buffers=128MB"}
	if e.opts.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logPath := filepath.Join(e.sockDir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pg: open %s: %w", logPath, err)
	}
	defer logFile.Close()
	if err := logFile.Chmod(0o600); err != nil { // an older version's log was readable by everyone
		return fmt.Errorf("pg: %s: %w", logPath, err)
	}
	// The child must not outlive this process: PR_SET_PDEATHSIG fires when the creating OS thread exits, so the
	// thread that starts postgres stays locked and waits for it until the end.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		cmd := e.command(context.Background(), "postgres", args...)
		cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		e.cmd = cmd
		started <- nil
		e.exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pg: start postgres: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, e.ConnString("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case exitErr := <-e.exited:
			e.exited <- exitErr
			tail, _ := os.ReadFile(logPath)
			return fmt.Errorf("pg: postgres exited during start-up (%v); log %s:\n%s", exitErr, logPath, lastLines(tail, 15))
		case <-ctx.Done():
			_ = e.Stop()
			return ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = e.Stop()
			return fmt.Errorf("pg: postgres did not accept connections within 30s: %w (log: %s)", err, logPath)
		}
	}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// running tells whether a server already accepts connections on this cluster's socket.
func (e *Embedded) running(ctx context.Context) bool {
	if _, err := os.Stat(filepath.Join(e.pgdata, "postmaster.pid")); err != nil {
		return false
	}
	conn, err := pgx.Connect(ctx, e.ConnString("postgres"))
	if err != nil {
		return false
	}
	conn.Close(ctx)
	return true
}

func (e *Embedded) ensureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, e.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("pg: connect to embedded server: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pg: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("pg: create database %s: %w", name, err)
	}
	return nil
}

// ConnString is a libpq URL for a database of this server over its unix socket, with the superuser's password.
func (e *Embedded) ConnString(database string) string {
	return fmt.Sprintf("postgres://postgres:%s@/%s?host=%s&port=%d&sslmode=disable", e.password, database, e.sockDir, port)
}

// URL is the connection string of the database named in the options.
func (e *Embedded) URL() string { return e.ConnString(e.opts.Database) }

// DataDir is where the cluster's files are.
func (e *Embedded) DataDir() string { return e.pgdata }

// Stop asks for a fast shutdown (clients disconnected, a clean checkpoint) and waits for the server to exit.
// Calling it again returns the first call's result.
func (e *Embedded) Stop() error {
	if e == nil || e.cmd == nil || e.cmd.Process == nil {
		return nil
	}
	e.stop.Do(func() { e.stopErr = e.shutdown() })
	return e.stopErr
}

func (e *Embedded) shutdown() error {
	_ = e.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-e.exited:
		return nil
	case <-time.After(20 * time.Second):
	}
	_ = e.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-e.exited:
		return nil
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		return errors.New("pg: postgres did not stop within 25s; killed")
	}
}
