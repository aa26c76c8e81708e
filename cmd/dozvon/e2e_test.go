package main

// End-to-end tests of the dozvon binary as an administrator meets it: built once, started on an empty folder
// with the embedded PostgreSQL, used through Chromium and the shell, stopped with Ctrl-C (SIGINT).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/internal/browsertest"
	"dozvon/internal/logx/logxtest"
)

// dozvonBin is the binary under test, built once by TestMain.
var dozvonBin string

const (
	// startTimeout covers a cold start: initdb, PostgreSQL, migrations.
	startTimeout = 90 * time.Second
	// stopTimeout is when a test gives up waiting for Ctrl-C to end the process (drain HTTP, close the pool, stop
	// PostgreSQL) and kills it: a bound for a hung process, not a figure the stop must meet.
	stopTimeout = 2 * time.Minute
	// commandTimeout bounds one CLI command, which may start and stop its own PostgreSQL.
	commandTimeout = 90 * time.Second
)

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "dozvon-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	dozvonBin = filepath.Join(dir, "dozvon")
	args := []string{"build", "-o", dozvonBin, "-ldflags", "-X main.version=e2e"}
	if raceEnabled() {
		// The binary gets the race detector too; a race it finds makes it exit 66, which the tests see.
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build dozvon:", err)
		return 1
	}
	return m.Run()
}

// goTool is the go command: from PATH, or else the toolchain this test was built with (make GO=...).
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := runtime.GOROOT(); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestFreshStartLoginRestartAndCleanStop is the first day with Dozvon: start on an empty folder, read the
// administrator's one-time password from the terminal, log in, choose a password, stop with Ctrl-C, start again.
func TestFreshStartLoginRestartAndCleanStop(t *testing.T) {
	t.Parallel()
	page := browsertest.New(t)
	data := newDataDir(t)

	// First start: the folder is empty, so Dozvon creates the cluster and an administrator, and prints the
	// administrator's one-time password on the terminal.
	srv := startServer(t, data)
	if srv.AdminLogin != "admin" || srv.AdminPassword == "" {
		t.Fatalf("first start printed no administrator login and password; stdout:\n%s", srv.Stdout())
	}
	oneTime := srv.AdminPassword

	// A wrong password is refused on the login page, which says why.
	if status := page.Login(srv.URL, "admin", "not-the-password"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", status)
	}
	if got := page.Text(testid("login-error")); got != "Wrong login or password." {
		t.Errorf("wrong password: error %q", got)
	}
	if path := page.Path(); path != "/login" {
		t.Errorf("wrong password: landed on %s, want to stay on /login", path)
	}

	// The printed password lets the administrator in, straight to the account page: it is temporary.
	if status := page.Login(srv.URL, "admin", srv.AdminPassword); status != http.StatusOK {
		t.Fatalf("printed password: status %d, want 200", status)
	}
	if path := page.Path(); path != "/account" {
		t.Fatalf("printed password: landed on %s, want /account", path)
	}
	if !page.Has(testid("must-change")) {
		t.Error("the account page does not say the password must be changed")
	}

	// The administrator chooses a password and lands on their own start page.
	const newPassword = "Admin-chose-this-1"
	page.Fill(`input[name=current]`, srv.AdminPassword)
	page.Fill(`input[name=new]`, newPassword)
	page.Fill(`input[name=confirm]`, newPassword)
	if status := page.Submit(testid("save-password")); status != http.StatusOK {
		t.Errorf("change password: status %d, want 200", status)
	}
	if path := page.Path(); path != "/admin/users" {
		t.Fatalf("after changing the password: landed on %s, want /admin/users", path)
	}
	if role := page.Text(testid("role")); role != "Administrator" {
		t.Errorf("role badge reads %q, want %q (DOZVON_LOCALE=en)", role, "Administrator")
	}

	// The session belongs to this browser: another one is sent to the login page.
	other := page.Isolated()
	other.Open(srv.URL + "/admin/users")
	if path := other.Path(); path != "/login" {
		t.Errorf("a browser without the session landed on %s, want /login", path)
	}

	// Ctrl-C: Dozvon drains, stops its PostgreSQL and exits 0; nothing is left running.
	stopCleanly(t, srv, data)

	// The log (stderr, JSON) never shows a password in clear; only the terminal banner (stdout) did.
	checkLog(t, srv.Stderr(), oneTime, newPassword)

	// Second start on the same folder: the data is reused, so no administrator is created and nothing printed.
	srv = startServer(t, data)
	if srv.AdminPassword != "" || strings.Contains(srv.Stdout(), "password") {
		t.Errorf("restart printed a password again; stdout:\n%s", srv.Stdout())
	}
	// The administrator's own password works, and goes straight to the start page; the one-time one is dead.
	if status, where := httpLogin(t, srv.URL, "admin", newPassword); status != http.StatusSeeOther || where != "/admin/users" {
		t.Errorf("after restart, login with the chosen password: %d → %q, want 303 → /admin/users", status, where)
	}
	if status, _ := httpLogin(t, srv.URL, "admin", oneTime); status != http.StatusUnauthorized {
		t.Errorf("after restart, the one-time password still works (status %d)", status)
	}
	stopCleanly(t, srv, data)
	checkLog(t, srv.Stderr(), oneTime, newPassword)
}

// TestRoleDeniedInBrowser: an operator added from the shell while the server runs logs in, sets a password,
// works in the console, and is refused the administrators' pages.
func TestRoleDeniedInBrowser(t *testing.T) {
	t.Parallel()
	page := browsertest.New(t)
	data := newDataDir(t)
	srv := startServer(t, data)

	// The CLI attaches to the running server's PostgreSQL rather than starting a second one.
	add := dozvon(t, data, nil, "user", "add", "ivanova", "operator", "Irina", "Ivanova")
	if add.code != 0 {
		t.Fatalf("user add: exit %d\n%s", add.code, add.stderr)
	}
	temp := submatch(t, add.stdout, `user ivanova \(operator\) created; temporary password: (\S+)`)
	if strings.Contains(add.stderr, temp) {
		t.Error("user add logged the temporary password on stderr")
	}
	if pids := postgresProcesses(data); len(pids) != 1 {
		t.Errorf("while serving, after the CLI: %d postmasters for the folder (pids %v), want 1", len(pids), pids)
	}

	if status := page.Login(srv.URL, "ivanova", temp); status != http.StatusOK {
		t.Fatalf("operator login: status %d", status)
	}
	if path := page.Path(); path != "/account" || !page.Has(testid("must-change")) {
		t.Fatalf("operator with a temporary password landed on %s (must-change shown: %v), want /account",
			path, page.Has(testid("must-change")))
	}
	const operatorPassword = "Irina-own-pass-7"
	page.Fill(`input[name=current]`, temp)
	page.Fill(`input[name=new]`, operatorPassword)
	page.Fill(`input[name=confirm]`, operatorPassword)
	page.Submit(testid("save-password"))
	if path := page.Path(); path != "/console" {
		t.Fatalf("operator after changing the password landed on %s, want /console", path)
	}
	if role := page.Text(testid("role")); role != "Operator" {
		t.Errorf("role badge reads %q, want Operator", role)
	}
	if page.Has(`nav a[href="/admin/users"]`) {
		t.Error("the operator's navigation links to /admin/users")
	}

	// Typing the address of an administrators' page gets the 403 page, not the page.
	if status := page.Open(srv.URL + "/admin/users"); status != http.StatusForbidden {
		t.Errorf("operator opening /admin/users: status %d, want 403", status)
	}
	if !page.Has(testid("error-page")) {
		t.Error("operator opening /admin/users: no error page shown")
	}
	if page.Has(`form[action="/admin/users"]`) {
		t.Error("operator opening /admin/users: the user form is on the page")
	}

	// The same refusal for a client that is not a browser.
	client := loginClient(t, srv.URL, "ivanova", operatorPassword)
	resp, err := client.Get(srv.URL + "/admin/users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /admin/users as operator over HTTP: %d, want 403", resp.StatusCode)
	}

	stopCleanly(t, srv, data)
	checkLog(t, srv.Stderr(), temp, operatorPassword)
}

// TestBadConfigurationIsReportedAndNothingStarts: every bad setting is named at once, and nothing is started.
func TestBadConfigurationIsReportedAndNothingStarts(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	r := dozvon(t, data, []string{"DOZVON_HTTP_ADDR=8080", "DOZVON_SESSION_IDLE=forever"})
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{`DOZVON_HTTP_ADDR="8080" is not host:port`, `DOZVON_SESSION_IDLE="forever" is not a duration`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %s:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout should be empty, got:\n%s", r.stdout)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("the data folder was written to: %v", entries)
	}
}

// TestMissingPostgresBinariesIsOneClearLine: without PostgreSQL installed, one line says how to fix it.
func TestMissingPostgresBinariesIsOneClearLine(t *testing.T) {
	t.Parallel()
	r := dozvon(t, t.TempDir(), []string{"DOZVON_PG_BINDIR=" + t.TempDir()}, "serve")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "apt-get install postgresql") || !strings.Contains(lines[0], "DATABASE_URL") {
		t.Errorf("stderr should be one line naming apt-get install postgresql and DATABASE_URL, got %d lines:\n%s",
			len(lines), r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout should be empty, got:\n%s", r.stdout)
	}
}

// TestUserCommands: with no server running, each user command starts and stops its own PostgreSQL.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)

	add := dozvon(t, data, nil, "user", "add", "petrov", "manager", "Pyotr", "Petrov")
	if add.code != 0 {
		t.Fatalf("user add: exit %d\n%s", add.code, add.stderr)
	}
	first := submatch(t, add.stdout, `^user petrov \(manager\) created; temporary password: (\S+)\n$`)
	noPostgresLeft(t, data, "after user add")

	list := dozvon(t, data, nil, "user", "list")
	if list.code != 0 {
		t.Fatalf("user list: exit %d\n%s", list.code, list.stderr)
	}
	if !hasRow(list.stdout, "petrov", "manager", "Pyotr", "Petrov", "true", "never") {
		t.Errorf("user list does not show petrov as an active manager who never logged in:\n%s", list.stdout)
	}

	passwd := dozvon(t, data, nil, "user", "passwd", "petrov")
	if passwd.code != 0 {
		t.Fatalf("user passwd: exit %d\n%s", passwd.code, passwd.stderr)
	}
	second := submatch(t, passwd.stdout, `^new temporary password for petrov: (\S+)\n$`)
	if second == first {
		t.Error("user passwd printed the same password again")
	}

	bad := dozvon(t, data, nil, "user", "add", "sidorov", "boss")
	if bad.code != 1 || !strings.Contains(bad.stderr, "role: must be one of [operator manager supervisor admin]") {
		t.Errorf("user add with role boss: exit %d, want 1 and the list of roles; stderr:\n%s", bad.code, bad.stderr)
	}
	if list := dozvon(t, data, nil, "user", "list"); strings.Contains(list.stdout, "sidorov") {
		t.Errorf("a user with a bad role was created:\n%s", list.stdout)
	}
	for _, r := range []result{add, list, passwd, bad} {
		checkLog(t, r.stderr, first, second)
	}
	noPostgresLeft(t, data, "after the user commands")

	// The password user passwd printed is the one that works now, and still only as a temporary one.
	srv := startServer(t, data)
	if status, where := httpLogin(t, srv.URL, "petrov", second); status != http.StatusSeeOther || where != "/account" {
		t.Errorf("login with the new temporary password: %d → %q, want 303 → /account", status, where)
	}
	if status, _ := httpLogin(t, srv.URL, "petrov", first); status != http.StatusUnauthorized {
		t.Errorf("login with the replaced password: status %d, want 401", status)
	}
	stopCleanly(t, srv, data)
}

// --- the server process ---

// server is a running "dozvon serve".
type server struct {
	t                         *testing.T
	cmd                       *exec.Cmd
	URL                       string // from the "Dozvon is ready: URL" line
	AdminLogin, AdminPassword string // from the first-start banner; empty when the data was reused
	DemoPassword              string // the demo team's, printed when DOZVON_DEMO seeded it
	stdout, stderr            logxtest.Lines
	done                      chan struct{} // closed when the process has exited
	exitCode                  int
	stopped                   bool
}

var (
	bannerLogin    = regexp.MustCompile(`(?m)^  login:    (\S+)$`)
	bannerPassword = regexp.MustCompile(`(?m)^  password: (\S+)$`)
	demoPassword   = regexp.MustCompile(`(?m)^Demo team \(sign in with password (\S+);`)
)

// startServer runs "dozvon serve" on the data folder and a free local port, with the extra settings (NAME=value),
// and waits until it says it is ready. The process is stopped when the test ends, if the test has not stopped it.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	s := &server{t: t, done: make(chan struct{})}
	s.cmd = exec.Command(dozvonBin, "serve")
	s.cmd.Env = dozvonEnv(data, append([]string{"DOZVON_HTTP_ADDR=127.0.0.1:" + freePort(t)}, extra...)...)
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&s.stdout, line)
			if u, ok := strings.CutPrefix(line, "Dozvon is ready: "); ok {
				select {
				case ready <- u:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = s.cmd.Wait()
		s.exitCode = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() {
		if !s.stopped {
			if code, took := s.Stop(); code != 0 {
				t.Logf("dozvon serve (stopped at cleanup) exited %d after %s", code, took)
			}
		}
	})
	select {
	case s.URL = <-ready:
	case <-s.done:
		t.Fatalf("dozvon serve exited %d before it was ready\nstdout:\n%s\nstderr:\n%s", s.exitCode, s.Stdout(), s.Stderr())
	case <-time.After(startTimeout):
		t.Fatalf("dozvon serve was not ready within %s\nstdout:\n%s\nstderr:\n%s", startTimeout, s.Stdout(), s.Stderr())
	}
	if m := bannerLogin.FindStringSubmatch(s.Stdout()); m != nil {
		s.AdminLogin = m[1]
	}
	if m := bannerPassword.FindStringSubmatch(s.Stdout()); m != nil {
		s.AdminPassword = m[1]
	}
	if m := demoPassword.FindStringSubmatch(s.Stdout()); m != nil {
		s.DemoPassword = m[1]
	}
	return s
}

// Stop sends SIGINT, as Ctrl-C in a terminal does, and waits for the process to exit. After stopTimeout it kills
// the process. It returns the exit code (-1 when killed) and how long the stop took.
func (s *server) Stop() (code int, took time.Duration) {
	s.stopped = true
	began := time.Now()
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return s.exitCode, time.Since(began)
	case <-time.After(stopTimeout):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return -1, time.Since(began)
}

func (s *server) Stdout() string { return s.stdout.String() }
func (s *server) Stderr() string { return s.stderr.String() }

// stopCleanly stops the server with SIGINT and checks that it exited 0 and left no PostgreSQL running.
func stopCleanly(t *testing.T, s *server, data string) {
	t.Helper()
	code, took := s.Stop()
	t.Logf("SIGINT → exit %d in %s", code, took.Round(time.Millisecond))
	if code != 0 {
		t.Errorf("after SIGINT dozvon exited %d, want 0; stderr:\n%s", code, s.Stderr())
	}
	noPostgresLeft(t, data, "after SIGINT")
}

// --- one-shot commands ---

type result struct {
	stdout, stderr string
	code           int
}

// dozvon runs the binary with args on the data folder, with the extra environment settings (NAME=value),
// and waits for it.
func dozvon(t *testing.T, data string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, dozvonBin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = dozvonEnv(data, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("dozvon %s did not finish within %s\nstderr:\n%s", strings.Join(args, " "), commandTimeout, stderr.String())
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run dozvon %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// dozvonEnv is this process's environment without any Dozvon setting (so a developer's own settings do not
// leak in), plus the data folder, English, JSON logs, no demo data (tests build what they need; pass
// DOZVON_DEMO=true in extra for the demo) and extra, which wins over all of these.
func dozvonEnv(data string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || strings.HasPrefix(k, "DOZVON_") || strings.HasPrefix(k, "TELEGRAM_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "DOZVON_DATA_DIR="+data, "DOZVON_LOCALE=en", "DOZVON_LOG_FORMAT=json", "DOZVON_DEMO=false")
	return append(env, extra...)
}

// --- the data folder and PostgreSQL processes ---

// newDataDir makes an empty data folder that the postgres OS user can reach when the tests run as root
// (t.TempDir is 0700). When the test ends, any PostgreSQL still running on it is reported and stopped, and
// the folder is removed.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dozvon-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if pids := postgresProcesses(dir); len(pids) > 0 {
			t.Errorf("PostgreSQL still running on %s at the end of the test (pids %v); stopping it", dir, pids)
			for _, pid := range pids {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Signal(os.Kill)
				}
			}
		}
		_ = os.RemoveAll(dir)
	})
	return dir
}

// postgresProcesses lists the PostgreSQL processes whose command line names the data folder.
func postgresProcesses(data string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(data)) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		if strings.HasPrefix(string(comm), "postgres") || filepath.Base(string(argv0)) == "postgres" {
			pids = append(pids, pid)
		}
	}
	return pids
}

func noPostgresLeft(t *testing.T, data, when string) {
	t.Helper()
	if pids := postgresProcesses(data); len(pids) > 0 {
		t.Errorf("%s: PostgreSQL processes for %s are still running: %v", when, data, pids)
	}
}

// --- HTTP without a browser ---

// httpLogin posts the login form and returns the status and the redirect target, without following it.
func httpLogin(t *testing.T, base, login, password string) (status int, location string) {
	t.Helper()
	resp := postLogin(t, newClient(t), base, login, password)
	return resp.StatusCode, resp.Header.Get("Location")
}

// loginClient returns an HTTP client holding a logged-in session.
func loginClient(t *testing.T, base, login, password string) *http.Client {
	t.Helper()
	c := newClient(t)
	if resp := postLogin(t, c, base, login, password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s over HTTP: status %d, want 303", login, resp.StatusCode)
	}
	return c
}

func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A bound for giving up, not a speed to meet: under -race each bcrypt round of a login or password change
	// takes about 0.7 s on a quiet machine and several seconds on a loaded one.
	return &http.Client{Jar: jar, Timeout: 45 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func postLogin(t *testing.T, c *http.Client, base, login, password string) *http.Response {
	t.Helper()
	resp, err := c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// --- small helpers ---

func testid(id string) string { return "[data-testid=" + id + "]" }

// freePort asks the kernel for a free local port and hands it over; the server binds it right after.
// freePort is a port free now for a `dozvon serve` to listen on seconds later, once it has migrated and seeded.
// It is taken below Linux's ephemeral range (32768–60999), where the kernel hands out the ports of every ":0"
// listener and outgoing connection meanwhile (the fakes, the browser, PostgreSQL's clients): a port from that range
// was taken by one of those before serve bound it.
func freePort(t *testing.T) string {
	t.Helper()
	for range 200 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port below the ephemeral range")
	return ""
}

func submatch(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)` + pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("output does not match %s:\n%s", pattern, s)
	}
	return m[1]
}

// hasRow tells whether some line of a table has exactly these whitespace-separated fields.
func hasRow(table string, fields ...string) bool {
	for _, line := range strings.Split(table, "\n") {
		if strings.Join(strings.Fields(line), " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}

// checkLog checks that every line of a JSON log is a JSON object, but for the final "dozvon: error" line,
// and that no secret appears in it.
func checkLog(t *testing.T, log string, secrets ...string) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" || strings.HasPrefix(line, "dozvon: ") { // the command's own error report is plain text
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Errorf("log line %d is not a JSON object (%v): %s", i+1, err, line)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the log contains a password in clear (%q)", s)
		}
	}
}
