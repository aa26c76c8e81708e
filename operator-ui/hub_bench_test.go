package operatorui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/pg"
	"dozvon/internal/pg/pgtest"
	operatorui "dozvon/operator-ui"
)

// BenchmarkHubLatency measures the time from a client message (dialog.Publish in a transaction, as the dialog
// does for an inbound message, stamped with the time it arrived) to the frame read from an operator's websocket,
// at 200 messages/s with 300 operator sockets connected, for a few seconds. The sockets live in a child process
// (this test binary, running hubBenchClients from TestMain), so the heap figures are the server's alone.
//
//	go test -run XXX -bench HubLatency -benchtime 1x ./operator-ui/
//
// addressed: each message goes to one operator, as a message in an assigned conversation does;
// queue: each message goes to every operator (a queue event), 300 frames per message;
// two-instances: published on instance A, the sockets on instance B, the same database.
// DOZVON_HUB_BENCH_SECONDS changes how long messages are sent (10 s).
func BenchmarkHubLatency(b *testing.B) {
	seconds := 10
	if v, err := strconv.Atoi(os.Getenv("DOZVON_HUB_BENCH_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	for _, tc := range []struct {
		name      string
		queue     bool
		instances int
	}{
		{"addressed", false, 1},
		{"queue", true, 1},
		{"addressed-two-instances", false, 2},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchHub(b, 300, 200, time.Duration(seconds)*time.Second, tc.queue, tc.instances)
		})
	}
}

type benchInstance struct {
	URL  string
	Pool *pgxpool.Pool
}

func startBenchInstance(b *testing.B, dbURL string) benchInstance {
	pool, err := pg.Connect(context.Background(), dbURL, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	users := auth.NewStore(pool)
	users.Cost = bcrypt.MinCost
	ui, err := operatorui.New(operatorui.Deps{
		Log: zerolog.Nop(), Users: users, Sessions: auth.NewSessions(pool, 12*time.Hour, time.Hour, false),
		Ready: pool.Ping, DefaultLocale: "en", Version: "bench", Events: dialog.NewEvents(pool),
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(ui.Handler())
	b.Cleanup(srv.Close)
	runHub(b, ui)
	return benchInstance{URL: srv.URL, Pool: pool}
}

func benchHub(b *testing.B, sockets, rate int, sendFor time.Duration, queue bool, instances int) {
	ctx := context.Background()
	dbURL := pgtest.URL(b)
	a := startBenchInstance(b, dbURL)
	at := a
	if instances == 2 {
		at = startBenchInstance(b, dbURL)
	}

	// One operator per socket, each logged in on the instance the sockets use.
	users := auth.NewStore(a.Pool)
	users.Cost = bcrypt.MinCost
	opIDs := make([]int64, sockets)
	cookies := make([]string, sockets)
	for i := range sockets {
		login := fmt.Sprintf("op%03d", i)
		u, err := users.Create(ctx, auth.NewUser{Login: login, Role: auth.Operator, Password: testPassword, Locale: "en"})
		if err != nil {
			b.Fatal(err)
		}
		opIDs[i] = u.ID
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.PostForm(at.URL+"/login", url.Values{"login": {login}, "password": {testPassword}})
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if ck.Name == auth.SessionCookie {
				cookies[i] = ck.Name + "=" + ck.Value
			}
		}
		if cookies[i] == "" {
			b.Fatalf("login %s: status %d, no session cookie", login, res.StatusCode)
		}
	}

	fillPool(ctx, at.Pool) // so that connections the sockets' checks open do not count as the sockets' memory
	before := serverMemory()
	clients := startBenchClients(b, wsURL(at.URL, fromNow), cookies)
	time.Sleep(time.Second) // every socket has joined the live stream
	after := serverMemory()

	// The client messages: one every 1/rate s, each published by one of 8 workers in its own transaction and
	// stamped with the time it was due, so a publisher falling behind shows in the figures.
	jobs := make(chan int, rate*int(sendFor/time.Second)+1)
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
				var to *int64
				if !queue {
					to = &opIDs[i%sockets]
				}
				// Stamped in "at", as the dialog's messages are: operators get it of queue events too.
				payload := fmt.Appendf(nil, `{"at":%q,"text":"Здравствуйте, хочу открыть счёт"}`, due.Format(time.RFC3339Nano))
				if err := publishIn(ctx, a.Pool, dialog.Event{Kind: dialog.EventMessage, OperatorID: to, Payload: payload}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	b.ResetTimer()
	total := rate * int(sendFor/time.Second)
	for i := range total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	published := time.Since(start)
	expected := total
	if queue {
		expected = total * sockets
	}
	res := clients.wait(expected, 10*time.Second)
	b.StopTimer()

	if failed.Load() > 0 || res.Frames != expected || res.Disorder > 0 {
		b.Errorf("published %d (%d failed), frames %d of %d, %d out of order or repeated",
			total, failed.Load(), res.Frames, expected, res.Disorder)
	}
	b.ReportMetric(float64(total)/published.Seconds(), "msg/s")
	b.ReportMetric(res.P50, "p50-ms")
	b.ReportMetric(res.P99, "p99-ms")
	b.ReportMetric(res.Max, "max-ms")
	b.ReportMetric(float64(after.heap-before.heap)/float64(sockets), "heap-B/socket")
	b.ReportMetric(float64(after.stack-before.stack)/float64(sockets), "stack-B/socket")
}

func publishIn(ctx context.Context, pool *pgxpool.Pool, e dialog.Event) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := dialog.Publish(ctx, tx, e); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// fillPool opens every connection the pool may have.
func fillPool(ctx context.Context, pool *pgxpool.Pool) {
	var held []*pgxpool.Conn
	for {
		actx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		c, err := pool.Acquire(actx)
		cancel()
		if err != nil {
			break
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Release()
	}
}

type memory struct{ heap, stack int64 }

func serverMemory() memory {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{heap: int64(m.HeapAlloc), stack: int64(m.StackInuse)}
}

// benchResult is what the client process reports.
type benchResult struct {
	Frames             int
	Disorder           int // frames whose id was not above the socket's previous one
	P50, P90, P99, Max float64
}

type benchClients struct {
	b      *testing.B
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	result chan benchResult
}

func startBenchClients(b *testing.B, wsURL string, cookies []string) *benchClients {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DOZVON_HUB_BENCH_CLIENTS=1")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &benchClients{b: b, cmd: cmd, stdin: stdin, lines: make(chan string, 16), result: make(chan benchResult, 1)}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "HUBBENCH "); ok {
				c.lines <- v
			}
		}
		close(c.lines)
	}()
	cfg, _ := json.Marshal(map[string]any{"url": wsURL, "cookies": cookies})
	if _, err := fmt.Fprintf(stdin, "%s\n", cfg); err != nil {
		b.Fatal(err)
	}
	select {
	case l := <-c.lines:
		if l != "ready" {
			b.Fatalf("client process: %s", l)
		}
	case <-time.After(2 * time.Minute):
		b.Fatal("client process did not connect its sockets")
	}
	return c
}

// wait lets the clients read until they have want frames or grace passes, then collects their figures.
func (c *benchClients) wait(want int, grace time.Duration) benchResult {
	fmt.Fprintf(c.stdin, "wait %d %d\n", want, grace)
	select {
	case l, ok := <-c.lines:
		var r benchResult
		if !ok || json.Unmarshal([]byte(l), &r) != nil {
			c.b.Fatalf("client process: %q", l)
		}
		return r
	case <-time.After(grace + time.Minute):
		c.b.Fatal("client process did not report")
	}
	return benchResult{}
}

// hubBenchClients is the client side of BenchmarkHubLatency, run in a process of its own: TestMain calls it
// instead of the tests when DOZVON_HUB_BENCH_CLIENTS is set.
func hubBenchClients() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 16<<20)
	var cfg struct {
		URL     string
		Cookies []string
	}
	if !in.Scan() || json.Unmarshal(in.Bytes(), &cfg) != nil {
		fmt.Println("HUBBENCH bad configuration")
		return
	}
	type socketStats struct {
		latencies []float64
		disorder  int
	}
	stats := make([]socketStats, len(cfg.Cookies))
	var frames atomic.Int64
	conns := make([]*websocket.Conn, len(cfg.Cookies))
	var dialErr atomic.Value
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, ck := range cfg.Cookies {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, _, err := websocket.DefaultDialer.Dial(cfg.URL, http.Header{"Cookie": {ck}})
			if err != nil {
				dialErr.Store(err.Error())
				return
			}
			conns[i] = conn
		}()
	}
	wg.Wait()
	if err := dialErr.Load(); err != nil {
		fmt.Println("HUBBENCH dial:", err)
		return
	}
	var mu sync.Mutex
	for i, conn := range conns {
		go func() {
			var f struct {
				ID      int64
				Payload struct{ At time.Time }
			}
			var last int64
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				if json.Unmarshal(b, &f) != nil {
					continue
				}
				mu.Lock()
				st := &stats[i]
				st.latencies = append(st.latencies, float64(now-f.Payload.At.UnixNano())/1e6)
				if f.ID <= last {
					st.disorder++
				}
				mu.Unlock()
				last = f.ID
				frames.Add(1)
			}
		}()
	}
	fmt.Println("HUBBENCH ready")

	var want int64
	var grace time.Duration
	if !in.Scan() {
		return
	}
	if _, err := fmt.Sscanf(in.Text(), "wait %d %d", &want, &grace); err != nil {
		fmt.Println("HUBBENCH bad command")
		return
	}
	for deadline := time.Now().Add(grace); frames.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	var all []float64
	var r benchResult
	for _, st := range stats {
		all = append(all, st.latencies...)
		r.Disorder += st.disorder
	}
	mu.Unlock()
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	r.Frames, r.P50, r.P90, r.P99 = len(all), pct(.50), pct(.90), pct(.99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	out, _ := json.Marshal(r)
	fmt.Printf("HUBBENCH %s\n", out)
}
