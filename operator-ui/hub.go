package operatorui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// The websocket hub: GET /ws?after=ID streams the events a user may see, oldest first, from the one after ID.
//
// One LISTEN connection per process wakes the hub; the hub reads the new events once and fans them out to its
// sockets, so an event published on any instance reaches every instance's sockets. The hub delivers events in id
// order and only once every smaller id is settled (visible, or rolled back: ids are taken at insert but become
// visible at commit, not always in id order), so a client that remembers the last id it saw and resumes after it,
// here or on another instance, loses nothing and gets nothing twice.

// HubOptions tunes the websocket hub; a zero field takes its default.
type HubOptions struct {
	PongWait     time.Duration // a socket that answers no ping for this long is closed (60 s)
	PingEvery    time.Duration // how often sockets are pinged (50 s)
	WriteWait    time.Duration // longest one frame may take to write (10 s)
	SendBuffer   int           // frames waiting per socket; a socket that has this many waiting is dropped (1024)
	RecheckEvery time.Duration // how old the check of a socket's user and session may be when a frame goes out (10 s)
	PollEvery    time.Duration // read new events even without a notification, in case one was missed (1 s)
	PageSize     int           // events read per query (500)
	GapWait      time.Duration // longest wait for the transactions that may hold a missing event id (10 s)
}

func (o HubOptions) withDefaults() HubOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PongWait, 60*time.Second)
	def(&o.PingEvery, 50*time.Second)
	def(&o.WriteWait, 10*time.Second)
	def(&o.RecheckEvery, 10*time.Second)
	def(&o.PollEvery, time.Second)
	def(&o.GapWait, 10*time.Second)
	if o.SendBuffer <= 0 {
		o.SendBuffer = 1024
	}
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	return o
}

// liveEvents is the role table's row for /ws: the people who work or watch conversations. It is an API route: a
// socket without a session gets 401, not the login page.
var liveEvents = Access{Roles: operators.Roles, API: true}

// closeSessionEnded tells live.js that the user or the session is gone: it goes to the login page rather than
// reconnecting.
const closeSessionEnded = 4401

// visibleTo is the one rule for who sees an event: supervisors and admins see everything; an operator sees events
// addressed to them, to a queue (no operator) and to everyone, never another operator's — and of those addressed
// to no operator only what queueFields allows (frameFor).
func visibleTo(e dialog.Event, u auth.User) bool {
	if !u.Active {
		return false
	}
	switch u.Role {
	case auth.Supervisor, auth.Admin:
		return true
	case auth.Operator:
		return e.Kind != dialog.EventAlarm && (e.OperatorID == nil || *e.OperatorID == u.ID) // alarms: supervisors'
	}
	return false
}

// queueFields are what an operator receives of an event addressed to no operator — a conversation waiting in a
// queue, or news for everyone: that something happened, in which conversation and when, so the screen refreshes
// its queue and the operator can take the next, but nothing anyone wrote. A client's text, a colleague's note or
// a delivery error reaches an operator only once the conversation is theirs (and then from the console's API).
// An allowlist, so that a field added to a payload later stays with supervisors until someone decides otherwise.
var queueFields = map[string]bool{
	"message_id": true, "direction": true, "at": true, "since": true, "waiting_since": true, "waited_ms": true,
	"operator_id": true, "from_operator_id": true, "reason": true, "state": true, "kind": true, "source": true,
	"outcome_id": true, "csat": true, "csat_asked": true, "status": true, "capacity": true,
}

// seesWhole tells whether u gets an event visibleTo lets them see as it is: supervisors and admins always, an
// operator their own events; of the others an operator gets the queue frame.
func seesWhole(e dialog.Event, u auth.User) bool {
	return u.Role != auth.Operator || e.OperatorID != nil
}

// frameFor is the frame u receives of an event visibleTo lets them see.
func frameFor(e dialog.Event, u auth.User) []byte {
	if seesWhole(e, u) {
		return encodeFrame(e)
	}
	return queueFrame(e)
}

// queueFrame is an event's frame with only the queueFields of its payload.
func queueFrame(e dialog.Event) []byte {
	var all map[string]json.RawMessage
	kept := map[string]json.RawMessage{}
	if json.Unmarshal(e.Payload, &all) == nil {
		for k, v := range all {
			if queueFields[k] {
				kept[k] = v
			}
		}
	}
	e.Payload, _ = json.Marshal(kept)
	return encodeFrame(e)
}

// encodeFrame writes what a socket receives for an event: {"id","kind","conversation_id","payload"}. The payload
// is put in as it is: it comes from a jsonb column, so it is valid JSON, and re-encoding a large one for nothing
// would cost more than all the rest.
func encodeFrame(e dialog.Event) []byte {
	kind, _ := json.Marshal(e.Kind)
	payload := []byte(e.Payload)
	if len(payload) == 0 {
		payload = []byte(`{}`)
	}
	b := make([]byte, 0, 64+len(kind)+len(payload))
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"kind":`...)
	b = append(b, kind...)
	b = append(b, `,"conversation_id":`...)
	if e.ConversationID != nil {
		b = strconv.AppendInt(b, *e.ConversationID, 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"payload":`...)
	b = append(b, payload...)
	return append(b, '}')
}

type hub struct {
	opt      HubOptions
	events   *dialog.Events
	log      zerolog.Logger
	upgrader websocket.Upgrader
	wake     chan struct{}
	ready    chan struct{} // closed when settled has its first value

	mu      sync.Mutex
	settled int64                // every id up to here has been handed to the live sockets, or never will exist
	sockets map[*socket]struct{} // every open socket
	live    map[*socket]struct{} // the sockets that caught up and get events from the hub
	closing bool
	open    sync.WaitGroup // the goroutines of open sockets

	connected   prometheus.Gauge
	droppedSlow prometheus.Counter
	restarts    prometheus.Counter
}

func newHub(events *dialog.Events, opt HubOptions, log zerolog.Logger, reg prometheus.Registerer) *hub {
	h := &hub{
		opt: opt.withDefaults(), events: events, log: log.With().Str("part", "hub").Logger(),
		wake: make(chan struct{}, 1), ready: make(chan struct{}),
		sockets: map[*socket]struct{}{}, live: map[*socket]struct{}{},
		// The default CheckOrigin refuses an Origin other than the request's host: another site's page cannot open
		// a socket with the user's cookie. Clients send only pongs and a close, so a small read buffer will do;
		// write buffers are held only while writing. Both keep an idle socket's memory small.
		upgrader: websocket.Upgrader{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 256, WriteBufferPool: &sync.Pool{}},
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dozvon_ws_sockets", Help: "Connected websockets.",
		}),
		droppedSlow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozvon_ws_dropped_slow_total", Help: "Websockets closed because they did not keep up.",
		}),
		restarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozvon_ws_listener_restarts_total", Help: "Times the event listener lost its connection.",
		}),
	}
	reg.MustRegister(h.connected, h.droppedSlow, h.restarts)
	return h
}

// Run follows the events every instance publishes and feeds the websockets, until ctx ends; then it closes the
// sockets (clients reconnect, to another instance if this one is going away) and waits for them.
func (ui *UI) Run(ctx context.Context) error {
	if ui.hub == nil {
		return nil
	}
	return ui.hub.run(ctx)
}

func (h *hub) run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.listen(ctx) }()
	if h.start(ctx) {
		close(h.ready)
		h.pump(ctx)
	}
	wg.Wait()
	h.closeAll()
	return nil
}

// start finds where the live stream begins: the newest id, once every transaction that may hold a smaller one has
// ended. It retries until the database answers or ctx ends.
func (h *hub) start(ctx context.Context) bool {
	b := backoff{min: 100 * time.Millisecond, max: 10 * time.Second}
	for {
		last, err := h.events.Last(ctx)
		if err == nil {
			err = h.awaitWriters(ctx)
		}
		if err == nil {
			h.mu.Lock()
			h.settled = last
			h.mu.Unlock()
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		h.log.Warn().Err(err).Msg("read the newest event")
		if !b.sleep(ctx) {
			return false
		}
	}
}

// listen keeps one LISTEN connection, reconnecting with backoff; after a reconnect the pump catches up from the
// last settled id, and the periodic poll covers the moment before LISTEN is in place again.
func (h *hub) listen(ctx context.Context) {
	b := backoff{min: 100 * time.Millisecond, max: 10 * time.Second}
	for ctx.Err() == nil {
		began := time.Now()
		err := h.events.Listen(ctx, func(int64) { h.poke() })
		if ctx.Err() != nil {
			return
		}
		h.restarts.Inc()
		if time.Since(began) > time.Minute {
			b.reset()
		}
		h.log.Warn().Err(err).Msg("event listener lost its connection; reconnecting")
		if !b.sleep(ctx) {
			return
		}
		h.poke()
	}
}

func (h *hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hub) pump(ctx context.Context) {
	poll := time.NewTicker(h.opt.PollEvery)
	defer poll.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-poll.C:
		}
		// On a failure the next notification or poll tries again; one line when it starts, one when it ends.
		err := h.advance(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			h.log.Warn().Err(err).Msg("cannot read new events; retrying")
		case err == nil && failing:
			h.log.Info().Msg("reading new events again")
		}
		failing = err != nil
	}
}

// advance reads the events after the settled id and hands them to the live sockets. Where an id is missing, it
// first waits for the transactions that may still commit it, so that no socket gets an event before a smaller one.
func (h *hub) advance(ctx context.Context) error {
	for {
		h.mu.Lock()
		from := h.settled
		h.mu.Unlock()
		page, err := h.events.After(ctx, from, h.opt.PageSize)
		if err != nil || len(page) == 0 {
			return err
		}
		more := len(page) == h.opt.PageSize
		upTo := page[len(page)-1].ID
		if n := contiguous(from, page); n > 0 && n < len(page) {
			page, upTo, more = page[:n], page[n-1].ID, true // the run before the gap goes now
		} else if n == 0 {
			if err := h.awaitWriters(ctx); err != nil {
				return err
			}
			// Every id up to upTo is settled now: re-read them, with those that were missing and committed since.
			if page, err = h.events.After(ctx, from, h.opt.PageSize); err != nil {
				return err
			}
			page = slices.DeleteFunc(page, func(e dialog.Event) bool { return e.ID > upTo })
			if len(page) == h.opt.PageSize && page[len(page)-1].ID < upTo {
				upTo = page[len(page)-1].ID
			}
			more = true
		}
		h.fanOut(page, upTo)
		if !more {
			return nil
		}
	}
}

// contiguous counts the events at the start of page whose ids follow from without a gap.
func contiguous(from int64, page []dialog.Event) int {
	for i, e := range page {
		if e.ID != from+int64(i)+1 {
			return i
		}
	}
	return len(page)
}

// awaitWriters waits until every transaction that holds the events table's write lock now has ended, so that an
// id missing now is either visible or gone for good. A transaction that stays open past GapWait is given up on,
// with a warning: the stream goes on, and should it commit later its event reaches only screens that reload.
func (h *hub) awaitWriters(ctx context.Context) error {
	writers, err := h.events.Writers(ctx)
	if err != nil || len(writers) == 0 {
		return err
	}
	deadline := time.Now().Add(h.opt.GapWait)
	b := backoff{min: 2 * time.Millisecond, max: 50 * time.Millisecond}
	for {
		if !b.sleep(ctx) {
			return ctx.Err()
		}
		now, err := h.events.Writers(ctx)
		if err != nil {
			return err
		}
		writers = slices.DeleteFunc(writers, func(w string) bool { return !slices.Contains(now, w) })
		if len(writers) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			h.log.Warn().Strs("transactions", writers).Dur("waited", h.opt.GapWait).
				Msg("gave up waiting for transactions that may hold an event id")
			return nil
		}
	}
}

// fanOut queues page for every live socket that may see each event, and moves the settled id to upTo. A socket
// whose queue is full is dropped, not waited for: one slow browser must not hold up the others.
func (h *hub) fanOut(page []dialog.Event, upTo int64) {
	frames := make([][]byte, len(page))
	partial := make([][]byte, len(page)) // operators' frames of the events addressed to no operator
	for i, e := range page {
		frames[i] = encodeFrame(e)
		if e.OperatorID == nil {
			partial[i] = queueFrame(e)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.live {
		queued, full := 0, false
		s.qmu.Lock()
		for i, e := range page {
			if e.ID <= s.sent || !visibleTo(e, s.user) {
				continue
			}
			if len(s.queue) >= h.opt.SendBuffer {
				full = true
				break
			}
			f := frames[i]
			if !seesWhole(e, s.user) {
				f = partial[i]
			}
			s.queue = append(s.queue, f)
			queued++
		}
		s.qmu.Unlock()
		s.sent = max(s.sent, upTo)
		switch {
		case full:
			h.dropLocked(s)
		case queued > 0:
			select {
			case s.queued <- struct{}{}:
			default: // the writer has been told already
			}
		}
	}
	h.settled = max(h.settled, upTo)
}

func (h *hub) dropLocked(s *socket) {
	delete(h.live, s)
	s.dropped = true
	h.droppedSlow.Inc()
	_ = s.conn.Close() // unblocks a write in progress; the handler cleans up
	s.end()
}

func (h *hub) add(s *socket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.sockets[s] = struct{}{}
	h.open.Add(1)
	h.connected.Inc()
	return true
}

func (h *hub) remove(s *socket) {
	h.mu.Lock()
	delete(h.sockets, s)
	delete(h.live, s)
	h.mu.Unlock()
	h.connected.Dec()
	h.open.Done()
}

func (h *hub) closeAll() {
	h.mu.Lock()
	h.closing = true
	for s := range h.sockets {
		s.goingAway = true
		s.end()
	}
	h.mu.Unlock()
	h.open.Wait()
}

// socket is one connected browser tab.
type socket struct {
	conn    *websocket.Conn
	done    chan struct{} // closed when the socket must end: its reader stopped, the hub dropped it or is stopping
	endOnce sync.Once
	queued  chan struct{} // (capacity 1) frames are waiting in queue

	qmu   sync.Mutex
	queue [][]byte // frames the hub handed over and the writer has not taken yet

	// guarded by hub.mu
	user      auth.User
	sent      int64 // the newest id handed to this socket (or skipped as not for it); nothing at or below it again
	dropped   bool
	goingAway bool
}

func (s *socket) end() { s.endOnce.Do(func() { close(s.done) }) }

// take returns the waiting frames and leaves spare, emptied, as the new queue: two slices per socket, reused.
func (s *socket) take(spare [][]byte) [][]byte {
	clear(spare)
	s.qmu.Lock()
	defer s.qmu.Unlock()
	out := s.queue
	s.queue = spare[:0]
	return out
}

// serveEvents is GET /ws: it upgrades the request, sends the backlog after ?after= and then the live events.
func (ui *UI) serveEvents(w http.ResponseWriter, r *http.Request) {
	h, u := ui.hub, currentUser(r)
	if h == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "live events are not available")
		return
	}
	if u.MustChangePassword {
		writeJSONError(w, http.StatusForbidden, "change your temporary password first")
		return
	}
	after, err := parseAfter(r.URL.Query().Get("after"))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, errBadAfter.Error())
		return
	}
	select {
	case <-h.ready:
	case <-r.Context().Done():
		return
	case <-time.After(10 * time.Second):
		writeJSONError(w, http.StatusServiceUnavailable, "live events are starting, try again")
		return
	}
	if after < 0 { // from now: decided before the handshake ends, so an event published after it is sent
		h.mu.Lock()
		after = h.settled
		h.mu.Unlock()
	}
	token := ui.Sessions.Token(r.Context())
	conn, err := h.upgrader.Upgrade(hijackable{w}, r, nil)
	if err != nil {
		return // the upgrader has answered (400, or 403 for a foreign Origin)
	}
	markSwitched(w)
	s := &socket{conn: conn, done: make(chan struct{}), queued: make(chan struct{}, 1), user: u, sent: after}
	if !h.add(s) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""),
			time.Now().Add(time.Second))
		_ = conn.Close()
		return
	}
	// The handler returns now, so the HTTP server lets go of the request and its buffers (and scs commits the
	// session now, as for any request, not when the socket ends hours later, which could bring back a session
	// that was logged out meanwhile); the socket lives on in its own two goroutines.
	go h.serve(s, &checker{ui: ui, token: token, userID: u.ID, checked: time.Now()})
}

// serve runs a socket until it ends: the backlog, then the live events.
func (h *hub) serve(s *socket, c *checker) {
	defer h.remove(s)
	readerDone := make(chan struct{})
	go func() { defer close(readerDone); h.read(s) }()
	defer func() { _ = s.conn.Close(); <-readerDone }()
	if err := h.catchUp(s, c); err != nil {
		h.finish(s, err)
		return
	}
	h.finish(s, h.write(s, c))
}

// parseAfter reads ?after=: the id of the last event the client saw, in decimal digits as the server wrote it,
// or -1 when absent (only events from now on). Anything else ("+5", " 5", "-1", an id past int64) is refused.
func parseAfter(v string) (int64, error) {
	if v == "" {
		return -1, nil
	}
	if strings.Trim(v, "0123456789") != "" {
		return 0, errBadAfter
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errBadAfter
	}
	return n, nil
}

var errBadAfter = errors.New("after must be an event id")

var (
	errSessionEnded = errors.New("the user or the session ended")
	errSocketEnded  = errors.New("socket ended")
	errDatabase     = errors.New("database")
)

// catchUp sends the events after s.sent straight from the database, up to the hub's settled id, and then, in one
// step under the hub's lock, joins the live sockets: from there on the hub queues what it settles, so nothing falls
// between the backlog and the live stream and nothing comes twice (s.sent is the newest id handed over).
func (h *hub) catchUp(s *socket, c *checker) error {
	for {
		h.mu.Lock()
		settled, u := h.settled, s.user
		if s.sent >= settled {
			h.live[s] = struct{}{}
			h.mu.Unlock()
			return nil
		}
		h.mu.Unlock()
		select {
		case <-s.done:
			return errSocketEnded
		default:
		}
		if err := c.recheck(h, s, false); err != nil {
			return err
		}
		page, err := h.events.After(context.Background(), s.sent, h.opt.PageSize)
		if err != nil {
			return fmt.Errorf("%w: backlog: %w", errDatabase, err)
		}
		var frames [][]byte
		for _, e := range page {
			if e.ID > settled {
				break
			}
			if visibleTo(e, u) {
				frames = append(frames, frameFor(e, u))
			}
			s.sent = e.ID
		}
		if err := h.writeFrames(s, frames); err != nil {
			return err
		}
		// Everything up to settled is in the table; a page that was not full, or went past it, has read it all.
		if len(page) < h.opt.PageSize || page[len(page)-1].ID >= settled {
			s.sent = max(s.sent, settled)
		}
	}
}

// write sends what the hub queues, pings, and re-checks the user, until the socket ends.
func (h *hub) write(s *socket, c *checker) error {
	ping := time.NewTicker(h.opt.PingEvery)
	defer ping.Stop()
	recheck := time.NewTicker(h.opt.RecheckEvery)
	defer recheck.Stop()
	var batch [][]byte
	for {
		select {
		case <-s.done:
			return errSocketEnded
		case <-s.queued:
			if err := c.recheck(h, s, false); err != nil {
				return err
			}
			batch = s.take(batch)
			if err := h.writeFrames(s, batch); err != nil {
				return err
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.opt.WriteWait)); err != nil {
				return err
			}
		case <-recheck.C:
			if err := c.recheck(h, s, true); err != nil {
				return err
			}
		}
	}
}

// writeFrames sends frames, several of them in one write to the network: a socket that fell behind, or a
// backlog, costs one system call per batch rather than per frame.
func (h *hub) writeFrames(s *socket, frames [][]byte) error {
	if len(frames) == 0 {
		return nil
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(h.opt.WriteWait))
	cc, _ := s.conn.NetConn().(*corkConn)
	if cc == nil || len(frames) == 1 {
		for _, f := range frames {
			if err := s.conn.WriteMessage(websocket.TextMessage, f); err != nil {
				return err
			}
		}
		return nil
	}
	cc.cork()
	for _, f := range frames {
		if err := s.conn.WriteMessage(websocket.TextMessage, f); err != nil {
			_ = cc.uncork()
			return err
		}
	}
	return cc.uncork()
}

// read handles pongs and the client's close; clients send nothing else that matters.
func (h *hub) read(s *socket) {
	defer s.end()
	s.conn.SetReadLimit(512)
	_ = s.conn.SetReadDeadline(time.Now().Add(h.opt.PongWait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(h.opt.PongWait)) })
	for {
		if _, _, err := s.conn.ReadMessage(); err != nil {
			return
		}
	}
}

// finish says goodbye where there is someone to say it to.
func (h *hub) finish(s *socket, err error) {
	h.mu.Lock()
	goingAway, dropped := s.goingAway, s.dropped
	h.mu.Unlock()
	code, text := 0, ""
	switch {
	case dropped:
	case errors.Is(err, errSessionEnded):
		code, text = closeSessionEnded, "session ended"
	case goingAway:
		code, text = websocket.CloseGoingAway, "server stopping"
	case errors.Is(err, errDatabase):
		h.log.Warn().Err(err).Msg("websocket closed")
		code = websocket.CloseInternalServerErr
	default: // the network: the browser went away or stopped reading
		h.log.Debug().Err(err).Msg("websocket closed")
	}
	if code != 0 {
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text),
			time.Now().Add(time.Second))
	}
}

// checker re-reads a socket's user and session, so that a deactivation, a role change or a logout reaches open
// sockets within RecheckEvery, as it reaches pages on their next request.
type checker struct {
	ui      *UI
	token   string
	userID  int64
	checked time.Time
}

func (c *checker) recheck(h *hub, s *socket, force bool) error {
	if !force && time.Since(c.checked) < h.opt.RecheckEvery {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.WriteWait)
	defer cancel()
	u, err := c.ui.Users.ByID(ctx, c.userID)
	if errors.Is(err, auth.ErrNotFound) || err == nil && (!u.Active || !liveEvents.allows(u.Role)) {
		return errSessionEnded
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errDatabase, err)
	}
	if found, err := sessionExists(ctx, c.ui.Sessions, c.token); err != nil {
		return fmt.Errorf("%w: session: %w", errDatabase, err)
	} else if !found {
		return errSessionEnded
	}
	h.mu.Lock()
	s.user = u
	h.mu.Unlock()
	c.checked = time.Now()
	return nil
}

func sessionExists(ctx context.Context, sm *scs.SessionManager, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	if cs, ok := sm.Store.(scs.CtxStore); ok {
		_, found, err := cs.FindCtx(ctx, token)
		return found, err
	}
	_, found, err := sm.Store.Find(token)
	return found, err
}

// hijackable reaches the connection through the middleware's response writers (they all have Unwrap); the
// upgrader asks for an http.Hijacker.
type hijackable struct{ http.ResponseWriter }

func (h hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &corkConn{Conn: conn}, rw, nil
}

// corkConn lets the writer send several frames in one write: while corked, writes collect in a buffer, and
// uncork sends them together. The websocket library writes each frame whole, so frames are never split.
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	buf    *[]byte
}

var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.corked {
		if c.buf == nil {
			c.buf = corkBuffers.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *corkConn) uncork() error {
	c.mu.Lock()
	buf := c.buf
	c.corked, c.buf = false, nil
	c.mu.Unlock()
	if buf == nil {
		return nil
	}
	_, err := c.Conn.Write(*buf)
	if cap(*buf) <= 256<<10 { // a buffer grown by a big backlog is left to the collector
		*buf = (*buf)[:0]
		corkBuffers.Put(buf)
	}
	return err
}

// markSwitched records 101 for the access log and metrics, which would otherwise say 200.
func markSwitched(w http.ResponseWriter) {
	for {
		if sw, ok := w.(*statusWriter); ok {
			sw.status = http.StatusSwitchingProtocols
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// backoff is capped exponential backoff with jitter.
type backoff struct{ min, max, cur time.Duration }

func (b *backoff) reset() { b.cur = 0 }

// sleep waits the next interval; false when ctx ended first.
func (b *backoff) sleep(ctx context.Context) bool {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	d := b.cur/2 + rand.N(b.cur/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
