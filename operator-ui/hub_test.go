package operatorui_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/internal/pg"
	operatorui "dozvon/operator-ui"
)

// runHub runs a UI's hub as serve does, until the test ends.
func runHub(t testing.TB, ui *operatorui.UI) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = ui.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// instance is a second Dozvon process on the site's database: its own pool, hub and HTTP server.
type instance struct {
	URL  string
	UI   *operatorui.UI
	Pool *pgxpool.Pool
	Stop func() // stops the hub, as serve does at shutdown
}

func (s *site) secondInstance(opt operatorui.HubOptions) *instance {
	t := s.t
	t.Helper()
	pool, err := pg.Connect(context.Background(), s.Pool.Config().ConnString(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	users := auth.NewStore(pool)
	ui, err := operatorui.New(operatorui.Deps{
		Log: zerolog.Nop(), Users: users, Sessions: auth.NewSessions(pool, 12*time.Hour, time.Hour, false),
		Ready: pool.Ping, DefaultLocale: "en", Version: "test", Events: dialog.NewEvents(pool), Hub: opt,
		ImportsDB: pool,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	return &instance{URL: srv.URL, UI: ui, Pool: pool, Stop: runHub(t, ui)}
}

// addOperator creates another operator, who logs in as login with testPassword.
func (s *site) addOperator(login string) int64 {
	s.t.Helper()
	u, err := s.Users.Create(context.Background(), auth.NewUser{Login: login, Role: auth.Operator, Password: testPassword, Locale: "en"})
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

func (s *site) loginAs(base, login string) *http.Client {
	s.t.Helper()
	c := s.client()
	res, err := c.PostForm(base+"/login", map[string][]string{"login": {login}, "password": {testPassword}})
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login as %s: status %d", login, res.StatusCode)
	}
	return c
}

// fromNow, as the after of a dial, asks for live events only.
const fromNow = -1

func wsURL(base string, after int64) string {
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	if after >= 0 {
		u += fmt.Sprintf("?after=%d", after)
	}
	return u
}

func dialWS(base string, c *http.Client, after int64, header http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{Jar: c.Jar, HandshakeTimeout: 10 * time.Second}
	return d.Dial(wsURL(base, after), header)
}

// socket is a test's end of a websocket: frames as they come, and how it ended.
type socket struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan frame
	ended  chan error // receives the read error when the server closes
}

type frame struct {
	ID             int64           `json:"id"`
	Kind           string          `json:"kind"`
	ConversationID *int64          `json:"conversation_id"`
	Payload        json.RawMessage `json:"payload"`
}

// open dials /ws and starts reading unless paused (then Read starts it: a socket that reads nothing yet).
func (s *site) open(base string, c *http.Client, after int64, paused bool) *socket {
	s.t.Helper()
	conn, res, err := dialWS(base, c, after, nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		s.t.Fatalf("dial %s: %v (status %d)", wsURL(base, after), err, status)
	}
	ws := &socket{t: s.t, conn: conn, frames: make(chan frame, 100000), ended: make(chan error, 1)}
	s.t.Cleanup(func() { conn.Close() })
	if !paused {
		ws.Read()
	}
	return ws
}

// Read starts reading frames.
func (ws *socket) Read() {
	go func() {
		for {
			_, b, err := ws.conn.ReadMessage()
			if err != nil {
				ws.ended <- err
				close(ws.frames)
				return
			}
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				ws.ended <- fmt.Errorf("frame %q: %w", b, err)
				close(ws.frames)
				return
			}
			ws.frames <- f
		}
	}()
}

// Next returns the next n frames, failing the test if they do not come within a while.
func (ws *socket) Next(n int) []frame {
	ws.t.Helper()
	var out []frame
	timeout := time.After(20 * time.Second)
	for len(out) < n {
		select {
		case f, ok := <-ws.frames:
			if !ok {
				ws.t.Fatalf("socket ended after %d of %d frames: %v", len(out), n, <-ws.ended)
			}
			out = append(out, f)
		case <-timeout:
			ws.t.Fatalf("got %d of %d frames: %v", len(out), n, ids(out))
		}
	}
	return out
}

// Quiet checks that no frame comes for d.
func (ws *socket) Quiet(d time.Duration) {
	ws.t.Helper()
	select {
	case f, ok := <-ws.frames:
		if ok {
			ws.t.Fatalf("unexpected frame %d %s", f.ID, f.Kind)
		}
	case <-time.After(d):
	}
}

// Ended waits for the server to close the socket and returns the close code (1006 when it just went away).
func (ws *socket) Ended(within time.Duration) int {
	ws.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-ws.frames:
			if ok {
				continue
			}
			var ce *websocket.CloseError
			if err := <-ws.ended; errors.As(err, &ce) {
				return ce.Code
			}
			return websocket.CloseAbnormalClosure
		case <-deadline:
			ws.t.Fatalf("socket still open after %v", within)
		}
	}
}

func ids(fs []frame) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// publish records an event in its own transaction, as the dialog does with the change it reports.
func publish(t testing.TB, pool *pgxpool.Pool, e dialog.Event) int64 {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	id, err := dialog.Publish(ctx, tx, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return id
}

func message(operatorID *int64, text string) dialog.Event {
	p, _ := json.Marshal(map[string]string{"text": text})
	return dialog.Event{Kind: dialog.EventMessage, OperatorID: operatorID, Payload: p}
}

func queueEvent(queueID int64) dialog.Event {
	return dialog.Event{Kind: dialog.EventWaiting, QueueID: &queueID, Payload: json.RawMessage(`{"waiting":1}`)}
}

func padded(operatorID *int64, size int) dialog.Event {
	p, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", size)})
	return dialog.Event{Kind: dialog.EventMessage, OperatorID: operatorID, Payload: p}
}

func (s *site) metric(base, name string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := s.client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func ptr(v int64) *int64 { return &v }

func TestWebsocketNeedsASessionAnOperatorRoleAndThisSite(t *testing.T) {
	s := newSite(t)
	cases := []struct {
		name   string
		client *http.Client
		header http.Header
		want   int
	}{
		{"no session", s.client(), nil, http.StatusUnauthorized},
		{"campaign manager", s.loggedIn(auth.Manager), nil, http.StatusForbidden},
		{"operator on another site's page", s.loggedIn(auth.Operator), http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
	}
	for _, tc := range cases {
		conn, res, err := dialWS(s.URL, tc.client, 0, tc.header)
		if err == nil {
			conn.Close()
			t.Errorf("%s: upgraded", tc.name)
			continue
		}
		if res == nil || res.StatusCode != tc.want {
			t.Errorf("%s: %v, want status %d and no upgrade", tc.name, err, tc.want)
		}
	}
	for _, role := range []auth.Role{auth.Operator, auth.Supervisor, auth.Admin} {
		s.open(s.URL, s.loggedIn(role), fromNow, false)
	}
	// A socket is counted once its writer runs, which may be just after the upgrade answered.
	waitFor(t, "dozvon_ws_sockets = 3", func() bool { return s.metric(s.URL, "dozvon_ws_sockets") == "3" })
	// The same origin is welcome: the pages' own script sends it.
	conn, _, err := dialWS(s.URL, s.loggedIn(auth.Operator), 0, http.Header{"Origin": {s.URL}})
	if err != nil {
		t.Fatalf("same origin: %v", err)
	}
	conn.Close()
}

func TestOperatorSeesOwnAndQueueEventsNeverAnotherOperatorsSupervisorSeesAll(t *testing.T) {
	s := newSite(t)
	a, b := s.ids[auth.Operator], s.addOperator("operator2")
	wsA := s.open(s.URL, s.loggedIn(auth.Operator), fromNow, false)
	wsB := s.open(s.URL, s.loginAs(s.URL, "operator2"), fromNow, false)
	sup := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)
	adm := s.open(s.URL, s.loggedIn(auth.Admin), fromNow, false)

	toA := publish(t, s.Pool, message(&a, "for A"))
	toB := publish(t, s.Pool, message(&b, "for B: a phone and a name A must not see"))
	queue := publish(t, s.Pool, queueEvent(1))
	global := publish(t, s.Pool, dialog.Event{Kind: dialog.EventPresence})
	toA2 := publish(t, s.Pool, message(&a, "for A again"))

	check := func(name string, ws *socket, want ...int64) {
		t.Helper()
		got := ids(ws.Next(len(want)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s got %v, want %v", name, got, want)
		}
	}
	// Ids arrive in order, so B's event after A's last would have come before it.
	check("operator A", wsA, toA, queue, global, toA2)
	check("operator B", wsB, toB, queue, global)
	check("supervisor", sup, toA, toB, queue, global, toA2)
	check("admin", adm, toA, toB, queue, global, toA2)
	wsA.Quiet(200 * time.Millisecond)

	// The backlog follows the same rule.
	late := s.open(s.URL, s.loggedIn(auth.Operator), toA-1, false)
	check("operator A resuming", late, toA, queue, global, toA2)
}

func TestFrameCarriesIdKindConversationAndPayload(t *testing.T) {
	s := newSite(t)
	ws := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)
	id := publish(t, s.Pool, message(nil, `<b>"quoted"</b>`))
	f := ws.Next(1)[0]
	var p struct{ Text string }
	if err := json.Unmarshal(f.Payload, &p); err != nil || f.ID != id || f.Kind != dialog.EventMessage ||
		f.ConversationID != nil || p.Text != `<b>"quoted"</b>` {
		t.Fatalf("frame %+v payload %s", f, f.Payload)
	}
}

func TestResumeAfterReconnectLosesNothingAndRepeatsNothing(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.PageSize = 50 })
	ctx := context.Background()
	op, other := s.ids[auth.Operator], s.addOperator("operator2")
	c := s.loggedIn(auth.Operator)

	ws := s.open(s.URL, c, 0, false)
	var first []int64
	for i := 0; i < 5; i++ {
		first = append(first, publish(t, s.Pool, message(&op, fmt.Sprint("before ", i))))
	}
	got := ws.Next(5)
	if fmt.Sprint(ids(got)) != fmt.Sprint(first) {
		t.Fatalf("first read %v, want %v", ids(got), first)
	}
	k := got[4].ID
	ws.conn.Close()

	// While the operator is away: several pages of events, big enough that sending them fills the connection,
	// some of them for another operator.
	for i := 0; i < 300; i++ {
		to := &op
		switch i % 3 {
		case 1:
			to = nil
		case 2:
			to = &other
		}
		publish(t, s.Pool, padded(to, 64<<10))
	}
	// Back with after=k, but reading nothing yet: the hub is stuck sending the backlog while four writers publish
	// more, in transactions that commit out of id order.
	back := s.open(s.URL, c, k, true)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				tx, err := s.Pool.Begin(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				to := &op
				if i%4 == 3 {
					to = &other
				}
				if _, err := dialog.Publish(ctx, tx, message(to, fmt.Sprintf("during %d/%d", w, i))); err != nil {
					t.Error(err)
				}
				time.Sleep(time.Duration(i%3) * time.Millisecond)
				if err := tx.Commit(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	back.Read()

	var want []int64
	rows, err := s.Pool.Query(ctx, `SELECT id FROM events WHERE id > $1 AND (operator_id IS NULL OR operator_id = $2) ORDER BY id`, k, op)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		want = append(want, id)
	}
	if rows.Err() != nil || len(want) != 200+4*30 {
		t.Fatalf("expected %d events for the operator: %v", len(want), rows.Err())
	}
	got = back.Next(len(want))
	for i := range want {
		if got[i].ID != want[i] {
			t.Fatalf("frame %d is event %d, want %d (got %v...)", i, got[i].ID, want[i], ids(got[max(0, i-3):i+1]))
		}
	}
	back.Quiet(300 * time.Millisecond) // and nothing twice
}

func TestEventsCommittedOutOfOrderArriveInIdOrder(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ws := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)
	begin := func() (int64, func(commit bool)) {
		tx, err := s.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id, err := dialog.Publish(ctx, tx, message(nil, "x"))
		if err != nil {
			t.Fatal(err)
		}
		return id, func(commit bool) {
			if commit {
				err = tx.Commit(ctx)
			} else {
				err = tx.Rollback(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	first, endFirst := begin()
	second, endSecond := begin()
	endSecond(true)
	ws.Quiet(500 * time.Millisecond) // the second waits for the first
	endFirst(true)
	if got := ids(ws.Next(2)); got[0] != first || got[1] != second {
		t.Fatalf("got %v, want [%d %d]", got, first, second)
	}

	// A rolled-back id holds nothing up for longer than its transaction.
	_, rollBack := begin()
	fourth, endFourth := begin()
	endFourth(true)
	ws.Quiet(300 * time.Millisecond)
	rollBack(false)
	if got := ws.Next(1)[0].ID; got != fourth {
		t.Fatalf("after the rollback got %d, want %d", got, fourth)
	}
}

func TestEventPublishedOnOneInstanceReachesSocketsOnAnother(t *testing.T) {
	s := newSite(t)
	b := s.secondInstance(operatorui.HubOptions{})
	op := s.ids[auth.Operator]
	onB := s.open(b.URL, s.loginAs(b.URL, "operator1"), fromNow, false)
	supOnA := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)

	first := publish(t, s.Pool, message(&op, "published through A"))
	second := publish(t, b.Pool, message(&op, "published through B"))
	for name, ws := range map[string]*socket{"operator on B": onB, "supervisor on A": supOnA} {
		if got := ids(ws.Next(2)); got[0] != first || got[1] != second {
			t.Errorf("%s got %v, want [%d %d]", name, got, first, second)
		}
	}
	// A client that saw the first on A resumes on B with exactly the rest.
	third := publish(t, s.Pool, message(nil, "queue"))
	moved := s.open(b.URL, s.loginAs(b.URL, "operator1"), first, false)
	if got := ids(moved.Next(2)); got[0] != second || got[1] != third {
		t.Errorf("resumed on B: %v, want [%d %d]", got, second, third)
	}
}

func TestSlowSocketIsDroppedWhileOthersKeepReceiving(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.SendBuffer = 8 })
	fast := s.open(s.URL, s.loggedIn(auth.Operator), fromNow, false)
	slow := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, true) // never reads
	var sent []int64
	for i := 0; ; i++ {
		if i == 1000 {
			t.Fatal("the slow socket was never dropped")
		}
		sent = append(sent, publish(t, s.Pool, padded(nil, 64<<10)))
		if got := fast.Next(1)[0].ID; got != sent[i] { // the fast one is never held up
			t.Fatalf("fast socket got %d, want %d", got, sent[i])
		}
		if i%10 == 0 && s.metric(s.URL, "dozvon_ws_dropped_slow_total") == "1" {
			break
		}
	}
	slow.Read()
	if code := slow.Ended(10 * time.Second); code != websocket.CloseAbnormalClosure {
		t.Errorf("slow socket ended with %d", code)
	}
	waitFor(t, "one socket left", func() bool { return s.metric(s.URL, "dozvon_ws_sockets") == "1" })
	last := publish(t, s.Pool, message(nil, "still here"))
	if got := fast.Next(1)[0].ID; got != last {
		t.Fatalf("fast socket got %d after the drop, want %d", got, last)
	}
}

func TestDeactivationRoleChangeAndLogoutCloseTheSocket(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.RecheckEvery = 50 * time.Millisecond })
	ctx := context.Background()

	deactivated := s.addOperator("leaver")
	ws := s.open(s.URL, s.loginAs(s.URL, "leaver"), fromNow, false)
	if err := s.Users.Update(ctx, deactivated, auth.Operator, "", false); err != nil {
		t.Fatal(err)
	}
	if code := ws.Ended(5 * time.Second); code != 4401 {
		t.Errorf("deactivated: close code %d, want 4401", code)
	}

	moved := s.addOperator("mover")
	ws = s.open(s.URL, s.loginAs(s.URL, "mover"), fromNow, false)
	if err := s.Users.Update(ctx, moved, auth.Manager, "", true); err != nil {
		t.Fatal(err)
	}
	if code := ws.Ended(5 * time.Second); code != 4401 {
		t.Errorf("became a manager: close code %d, want 4401", code)
	}

	waitFor(t, "no sockets", func() bool { return s.metric(s.URL, "dozvon_ws_sockets") == "0" })
	if _, err := s.Pool.Exec(ctx, `DELETE FROM sessions`); err != nil {
		t.Fatal(err)
	}
	c := s.loggedIn(auth.Operator)
	ws = s.open(s.URL, c, fromNow, false)
	if res := s.post(c, "/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if code := ws.Ended(5 * time.Second); code != 4401 {
		t.Errorf("logged out: close code %d, want 4401", code)
	}
	// The socket's end must not write the session back.
	waitFor(t, "no sockets", func() bool { return s.metric(s.URL, "dozvon_ws_sockets") == "0" })
	var sessions int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Fatalf("%d sessions after logout (%v)", sessions, err)
	}
	if conn, res, err := dialWS(s.URL, c, 0, nil); err == nil || res.StatusCode != http.StatusUnauthorized {
		if conn != nil {
			conn.Close()
		}
		t.Fatalf("the old cookie opened a socket: %v", err)
	}
}

func TestListenerReconnectsAndCatchesUp(t *testing.T) {
	// No polling: only the listener can bring the events.
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.PollEvery = time.Hour })
	ctx := context.Background()
	ws := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)
	first := publish(t, s.Pool, message(nil, "before"))
	if got := ws.Next(1)[0].ID; got != first {
		t.Fatalf("got %d, want %d", got, first)
	}
	tag, err := s.Pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+dialog.EventsChannel+`'`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the listener: %v (%d rows)", err, tag.RowsAffected())
	}
	// Publish until one arrives: those published before LISTEN is back in place come with the first after it.
	var sent []int64
	var got []frame
	for len(got) == 0 {
		if len(sent) == 100 {
			t.Fatal("no event arrived after the listener's connection was lost")
		}
		sent = append(sent, publish(t, s.Pool, message(nil, "after")))
		select {
		case f := <-ws.frames:
			got = append(got, f)
		case <-time.After(100 * time.Millisecond):
		}
	}
	got = append(got, ws.Next(len(sent)-1)...)
	if fmt.Sprint(ids(got)) != fmt.Sprint(sent) {
		t.Fatalf("got %v, want %v", ids(got), sent)
	}
	if v := s.metric(s.URL, "dozvon_ws_listener_restarts_total"); v == "0" || v == "" {
		t.Errorf("listener restarts = %q", v)
	}
}

func TestStoppingTheHubClosesSocketsGoingAway(t *testing.T) {
	s := newSite(t)
	b := s.secondInstance(operatorui.HubOptions{})
	ws := s.open(b.URL, s.loginAs(b.URL, "operator1"), fromNow, false)
	b.Stop() // returns once every socket is closed
	if code := ws.Ended(10 * time.Second); code != websocket.CloseGoingAway {
		t.Errorf("close code %d, want %d", code, websocket.CloseGoingAway)
	}
}

func TestVisibleTo(t *testing.T) {
	op := auth.User{ID: 7, Role: auth.Operator, Active: true}
	other := int64(8)
	queue := int64(1)
	mine := dialog.Event{OperatorID: ptr(7), QueueID: &queue}
	theirs := dialog.Event{OperatorID: &other, QueueID: &queue}
	queued := dialog.Event{QueueID: &queue}
	global := dialog.Event{}
	with := func(u auth.User, change func(*auth.User)) auth.User { change(&u); return u }
	cases := []struct {
		name  string
		user  auth.User
		event dialog.Event
		want  bool
	}{
		{"operator, own event", op, mine, true},
		{"operator, another operator's event", op, theirs, false},
		{"operator, queue event", op, queued, true},
		{"operator, global event", op, global, true},
		{"supervisor, an operator's event", with(op, func(u *auth.User) { u.Role = auth.Supervisor }), theirs, true},
		{"admin, an operator's event", with(op, func(u *auth.User) { u.Role = auth.Admin }), theirs, true},
		{"manager, global event", with(op, func(u *auth.User) { u.Role = auth.Manager }), global, false},
		{"deactivated operator, own event", with(op, func(u *auth.User) { u.Active = false }), mine, false},
		{"deactivated supervisor", with(op, func(u *auth.User) { u.Role, u.Active = auth.Supervisor, false }), global, false},
		{"unknown role", with(op, func(u *auth.User) { u.Role = "auditor" }), global, false},
	}
	for _, tc := range cases {
		if got := operatorui.VisibleTo(tc.event, tc.user); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// In a real browser, live.js gets the events in order, resumes after a dropped socket without losing or repeating
// any, and goes to the login page when its user is deactivated.
func TestLiveScriptResumesAfterADropAndLeavesWhenTheUserEnds(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.RecheckEvery = 100 * time.Millisecond })
	page := browsertest.New(t)
	if status := page.Login(s.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	last, err := dialog.NewEvents(s.Pool).Last(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Watch the sockets the script opens, then load it as a page would, with the page's state as of last.
	evalJS[bool](t, page, fmt.Sprintf(`(() => {
		window.__urls = []; window.__sockets = []; window.__events = [];
		const Native = window.WebSocket;
		window.WebSocket = function (url) {
			const ws = new Native(url); window.__urls.push(url); window.__sockets.push(ws); return ws;
		};
		document.body.dataset.lastEvent = "%d";
		const script = document.createElement("script");
		script.src = "/static/live.js";
		script.onload = () => DozvonLive.onEvent(e => window.__events.push(e.id));
		document.head.appendChild(script);
		return true;
	})()`, last))
	received := func(n int) []int64 {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			got := evalJS[[]int64](t, page, `window.__events || []`)
			if len(got) >= n || time.Now().After(deadline) {
				return got
			}
		}
	}

	op := s.ids[auth.Operator]
	var want []int64
	for i := 0; i < 3; i++ {
		want = append(want, publish(t, s.Pool, message(&op, "before the drop")))
	}
	if got := received(3); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("before the drop: %v, want %v", got, want)
	}
	evalJS[bool](t, page, `(window.__sockets[0].close(), true)`)
	for i := 0; i < 3; i++ {
		want = append(want, publish(t, s.Pool, message(nil, "while away")))
	}
	if got := received(6); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the drop: %v, want %v", got, want)
	}
	urls := evalJS[[]string](t, page, `window.__urls`)
	if len(urls) != 2 || !strings.HasSuffix(urls[1], fmt.Sprintf("/ws?after=%d", want[2])) {
		t.Errorf("sockets opened: %v, want a second one after %d", urls, want[2])
	}

	if err := s.Users.Update(context.Background(), op, auth.Operator, "", false); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); page.Path() != "/login"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still on %s after the user was deactivated", page.Path())
		}
	}
}

func evalJS[T any](t *testing.T, page *browsertest.Page, js string) T {
	t.Helper()
	v, err := chromedp.Run(page.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func TestFrameFormat(t *testing.T) {
	conv := int64(42)
	for _, tc := range []struct {
		event dialog.Event
		want  string
	}{
		{dialog.Event{ID: 7, Kind: dialog.EventMessage, ConversationID: &conv, Payload: json.RawMessage(`{"text": "<b>\"hi\"</b>"}`)},
			`{"id":7,"kind":"message","conversation_id":42,"payload":{"text": "<b>\"hi\"</b>"}}`},
		{dialog.Event{ID: 8, Kind: `odd "kind"`},
			`{"id":8,"kind":"odd \"kind\"","conversation_id":null,"payload":{}}`},
	} {
		got := operatorui.EncodeFrame(tc.event)
		if string(got) != tc.want || !json.Valid(got) {
			t.Errorf("frame of %d: %s, want %s", tc.event.ID, got, tc.want)
		}
	}
}

// A socket that answers no ping is closed once PongWait passes; one that answers stays open however long it
// lives. PongWait is generous here (an answering client that is three seconds late is not what this tests), and
// the answering socket shows it outlived it by the pings it answered, not by a sleep.
func TestSocketThatStopsAnsweringPingsIsClosed(t *testing.T) {
	const pingEvery, pongWait = 250 * time.Millisecond, 3 * time.Second
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Hub.PingEvery, d.Hub.PongWait = pingEvery, pongWait })
	alive := s.open(s.URL, s.loggedIn(auth.Operator), fromNow, true)
	var pings atomic.Int64
	alive.conn.SetPingHandler(func(data string) error { // the default handler's answer, counted
		pings.Add(1)
		return alive.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	alive.Read()
	s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, true) // reads nothing, answers nothing
	waitFor(t, "the silent socket closed", func() bool { return s.metric(s.URL, "dozvon_ws_sockets") == "1" })
	// More pings than fit in one pong wait: without its answers the socket would have been closed by now.
	answered := pings.Load() + int64(pongWait/pingEvery) + 2
	waitFor(t, "the open socket answered a pong wait's worth of pings", func() bool { return pings.Load() >= answered })
	id := publish(t, s.Pool, message(nil, "still there?"))
	if got := alive.Next(1)[0].ID; got != id {
		t.Fatalf("got %d, want %d", got, id)
	}
	if got := s.metric(s.URL, "dozvon_ws_sockets"); got != "1" {
		t.Errorf("dozvon_ws_sockets = %q, want the answering socket", got)
	}
}

// While a dialog waits in a queue every operator learns that it waits — to refresh the queue and take the next —
// but only a supervisor reads what the client wrote; once the dialog is an operator's, they alone read it.
func TestOperatorsLearnThatAClientWaitsButNotWhatTheyWrote(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	a := s.ids[auth.Operator]
	s.addOperator("operator2")
	wsA := s.open(s.URL, s.loggedIn(auth.Operator), fromNow, false)
	wsB := s.open(s.URL, s.loginAs(s.URL, "operator2"), fromNow, false)
	sup := s.open(s.URL, s.loggedIn(auth.Supervisor), fromNow, false)

	secret := "Мой телефон +79031234567, паспорт 4510 123456"
	chat := s.chat("ООО Ромашка", "", "")
	conv := s.write(chat, secret) // nobody is online: it waits in the queue
	if status, _, _ := s.statusOf(conv); status != "waiting" {
		t.Fatalf("the dialog is %s, want waiting", status)
	}
	raw := func(f frame) string { b, _ := json.Marshal(f); return string(b) }
	for name, ws := range map[string]*socket{"operator A": wsA, "operator B": wsB} {
		got := ws.Next(2)
		if got[0].Kind != dialog.EventMessage || got[1].Kind != dialog.EventWaiting ||
			got[0].ConversationID == nil || *got[0].ConversationID != conv {
			t.Fatalf("%s got %s, %s; want the message and the wait of dialog %d", name, raw(got[0]), raw(got[1]), conv)
		}
		for _, f := range got {
			if strings.Contains(raw(f), "79031234567") || strings.Contains(raw(f), `"text"`) {
				t.Errorf("%s read the waiting client's words: %s", name, raw(f))
			}
		}
		var p struct {
			Direction string    `json:"direction"`
			At        time.Time `json:"at"`
		}
		if err := json.Unmarshal(got[0].Payload, &p); err != nil || p.Direction != "in" || p.At.IsZero() {
			t.Errorf("%s: the message frame %s should still say a client wrote, and when", name, got[0].Payload)
		}
	}
	got := sup.Next(2)
	var p struct{ Text string }
	if err := json.Unmarshal(got[0].Payload, &p); err != nil || got[0].Kind != dialog.EventMessage || p.Text != secret {
		t.Fatalf("the supervisor got %s, want the client's text", raw(got[0]))
	}

	// A takes it; what the client writes next is A's to read, and B hears nothing of it.
	if err := s.svc.SetPresence(ctx, a, dialog.Online); err != nil {
		t.Fatal(err)
	}
	if _, op, _ := s.statusOf(conv); op == nil || *op != a {
		t.Fatalf("the dialog went to %v, want operator %d", op, a)
	}
	s.write(chat, "Второе сообщение")
	var mine frame
	for mine.Kind != dialog.EventMessage {
		mine = wsA.Next(1)[0]
	}
	if err := json.Unmarshal(mine.Payload, &p); err != nil || p.Text != "Второе сообщение" {
		t.Errorf("operator A got %s of their own dialog, want the text", raw(mine))
	}
	for f := range drain(wsB, 300*time.Millisecond) {
		if f.ConversationID != nil && *f.ConversationID == conv && f.Kind == dialog.EventMessage {
			t.Errorf("operator B got %s of A's dialog", raw(f))
		}
	}
}

// drain yields the frames that come until none has come for quiet.
func drain(ws *socket, quiet time.Duration) func(func(frame) bool) {
	return func(yield func(frame) bool) {
		for {
			select {
			case f, ok := <-ws.frames:
				if !ok || !yield(f) {
					return
				}
			case <-time.After(quiet):
				return
			}
		}
	}
}

func TestQueueFrameKeepsWhenAndWhereNotWhatWasWritten(t *testing.T) {
	conv, queue := int64(5), int64(1)
	op := auth.User{ID: 7, Role: auth.Operator, Active: true}
	sup := auth.User{ID: 9, Role: auth.Supervisor, Active: true}
	requeued := dialog.Event{ID: 3, Kind: dialog.EventWaiting, ConversationID: &conv, QueueID: &queue,
		Payload: json.RawMessage(`{"operator_id":null,"from_operator_id":8,"reason":"transfer","note":"клиент просил скидку"}`)}
	if got, want := string(operatorui.FrameFor(requeued, op)),
		`{"id":3,"kind":"waiting","conversation_id":5,"payload":{"from_operator_id":8,"operator_id":null,"reason":"transfer"}}`; got != want {
		t.Errorf("operator's frame of a requeue:\n%s\nwant\n%s", got, want)
	}
	if got := string(operatorui.FrameFor(requeued, sup)); got != string(operatorui.EncodeFrame(requeued)) {
		t.Errorf("supervisor's frame of a requeue: %s", got)
	}
	// An operator's own event is theirs whole; a payload that is not an object leaves an empty one.
	own := dialog.Event{ID: 4, Kind: dialog.EventAssigned, ConversationID: &conv, OperatorID: &op.ID, QueueID: &queue,
		Payload: requeued.Payload}
	if got := string(operatorui.FrameFor(own, op)); got != string(operatorui.EncodeFrame(own)) {
		t.Errorf("operator's own event: %s", got)
	}
	odd := dialog.Event{ID: 6, Kind: dialog.EventMessage, Payload: json.RawMessage(`"a bare string"`)}
	if got := string(operatorui.FrameFor(odd, op)); got != `{"id":6,"kind":"message","conversation_id":null,"payload":{}}` {
		t.Errorf("operator's frame of an odd payload: %s", got)
	}
}
