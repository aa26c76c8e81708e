package messenger

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/msg"
)

// SenderConfig tunes a sender; zero values take the defaults noted.
type SenderConfig struct {
	// Rate is the bot's limit in messages per second across all instances (default 30; 0 after Unlimited).
	Rate      float64
	Unlimited bool
	// PaidBroadcast sends with Telegram's allow_paid_broadcast (for rates above 30/s, up to 1000/s).
	PaidBroadcast bool
	Workers       int           // concurrent Bot API calls (default 16, or one per 16 msg/s of Rate above 256: 63 at 1000)
	Batch         int           // messages claimed at once (default 2 s worth at Rate, at most 500)
	Lease         time.Duration // how long a claim lasts unless extended (default 60 s); a send times out after half of it, at most 30 s
	BackoffBase   time.Duration // first retry delay after a 5xx or timeout (default 1 s), doubled per attempt
	BackoffMax    time.Duration // cap of the retry delay (default 5 min)
	MaxAttempts   int           // then the message fails (default 8)
	Idle          time.Duration // poll interval when the queue is empty and no wake-up comes (default 1 s)
	// Owner names this sender in the outbox's lease_owner (default host:pid/n).
	Owner string
}

func (c *SenderConfig) defaults() {
	if c.Rate == 0 && !c.Unlimited {
		c.Rate = 30
	}
	if c.Unlimited {
		c.Rate = 0
	}
	if c.Workers == 0 {
		// A worker's turn (a shared read of the pause, then the send) takes a few ms on a quiet machine and
		// 10–20 on a loaded one: at one worker per 16 msg/s, the workers are not what limits the pace.
		c.Workers = max(16, int(math.Ceil(c.Rate/16)))
	}
	if c.Batch == 0 {
		c.Batch = 500
		if c.Rate > 0 && int(2*c.Rate) < c.Batch {
			c.Batch = max(1, int(2*c.Rate))
		}
	}
	if c.Lease == 0 {
		c.Lease = time.Minute
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = 5 * time.Minute
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 8
	}
	if c.Idle == 0 {
		c.Idle = time.Second
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s:%d/%d", host, os.Getpid(), senders.Add(1))
	}
}

// senders numbers the senders of this process, for their lease owner's name.
var senders atomic.Int64

// sendTimeout bounds a Bot API call (half the lease at most): a lease must outlast the call when it begins.
func (c *SenderConfig) sendTimeout() time.Duration { return min(30*time.Second, c.Lease/2) }

// Sender drains the outbox into a Channel under the bot's limits: at most Rate in any rolling second and evenly
// spaced (shared by all instances through Pacing), so that a strict one-second window takes it, one message per chat per second (the
// claim and the outbox's spacing), a pause of the whole bot on 429 kept in PostgreSQL and read before every
// request, capped exponential backoff with jitter on transient errors, and no retry for blocked or unknown chats.
//
// Each message is sent at most once per claim, and only under a lease the sender still holds: it extends its
// leases while it waits, checks its lease right before the request, and records the outcome under its token,
// retrying until the record is durable. While it cannot record, it sends nothing more.
type Sender struct {
	cfg      SenderConfig
	bot      int64
	outbox   *Outbox
	pacing   *Pacing
	contacts *Contacts
	ch       Channel
	log      zerolog.Logger
	wake     chan struct{}
	// pausedUntil (unix nanoseconds) is a flood wait this process met, which holds its workers even before
	// PostgreSQL knows of it (or when it cannot be told).
	pausedUntil atomic.Int64
	// held is every lease this sender holds, from the claim until its outcome is recorded.
	heldMu sync.Mutex
	held   map[int64]heldLease
	pauses *pauseReads
	// slots are the send slots booked and not yet taken, earliest first; freed those given back and not yet
	// written (a used slot's lane frees a window after its answer, so writing them a little later costs nothing).
	slotsMu sync.Mutex
	slots   []Slot
	booking chan struct{} // closed when the booking under way ends (nil: none is)
	bookers sync.WaitGroup
	freedMu sync.Mutex
	freed   []Freed
	// unrecorded is set when the outcome of a send could not be written, and cleared once every outcome is: no
	// worker sends and no claim is made meanwhile (a claim could take back this sender's own expired leases).
	// outcomes counts the sends made whose outcome is not yet recorded.
	unrecorded atomic.Bool
	outcomes   atomic.Int64
}

// NewSender returns the sender of bot (its id in Bots), which sends that bot's messages through ch, paced by the
// bot's pacing; call Run to start it. Each bot has its own sender: its limits, its pauses and its chats are its
// own.
func NewSender(cfg SenderConfig, bot int64, outbox *Outbox, pacing *Pacing, contacts *Contacts, ch Channel, log zerolog.Logger) *Sender {
	cfg.defaults()
	return &Sender{cfg: cfg, bot: bot, outbox: outbox, pacing: pacing, contacts: contacts, ch: ch,
		log: log.With().Str("owner", cfg.Owner).Int64("bot_id", bot).Logger(), wake: make(chan struct{}, 1), held: map[int64]heldLease{},
		pauses: newPauseReads(pacing.PausedFor, cfg)}
}

// newPauseReads reads the pause with read for a sender configured by cfg. Without a rate limit, sends go as fast as
// the messenger answers, and at that speed a read of the pause per request costs PostgreSQL more than the rest of
// the send path: a read up to 5 ms old serves them, one read at a time (a stall there costs nothing later, and
// more reads would cost PostgreSQL more per message on a loaded machine). With a limit every request waits for a
// read that began after it asked, and up to maxPauseReads run at once (a stalled read costs its lanes time for good).
func newPauseReads(read func(context.Context) (time.Duration, error), cfg SenderConfig) *pauseReads {
	if cfg.Rate > 0 {
		return &pauseReads{read: read, most: maxPauseReads, changed: make(chan struct{})}
	}
	return &pauseReads{read: read, fresh: 5 * time.Millisecond, most: 1, changed: make(chan struct{})}
}

// heldLease is a lease as this sender knows it: until is when it ends at the earliest, counted from before the
// claim or extension that set it (PostgreSQL ended it no sooner), so no clock but this process's matters.
type heldLease struct {
	token int64
	until time.Time
}

// Wake tells the sender new messages are queued (from a NOTIFY or the same process), sparing it the idle wait.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// job is a message in a worker's hands and the send slot it took for it (zero: none yet).
type job struct {
	Item
	slot Slot
}

type result struct {
	job
	ref string
	err error
	at  time.Time
}

// Run sends until ctx ends, then returns the messages it had claimed but not sent to the queue.
func (s *Sender) Run(ctx context.Context) error {
	jobs := make(chan job, s.cfg.Batch)
	results := make(chan result, s.cfg.Batch)
	var workers sync.WaitGroup
	for range s.cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			s.work(ctx, jobs, results)
		}()
	}
	flushed := make(chan struct{})
	go func() {
		s.flush(ctx, results)
		close(flushed)
	}()
	keeping, stopKeeping := context.WithCancel(context.WithoutCancel(ctx))
	kept := make(chan struct{})
	go func() {
		s.keepLeases(keeping)
		close(kept)
	}()
	freeing := make(chan struct{})
	go func() {
		s.freeSlots(keeping)
		close(freeing)
	}()
	err := s.feed(ctx, jobs)
	close(jobs)
	workers.Wait()
	s.bookers.Wait()
	close(results)
	<-flushed
	stopKeeping()
	<-kept
	<-freeing
	return err
}

// feed claims batches and hands them to the workers.
func (s *Sender) feed(ctx context.Context, jobs chan<- job) error {
	for ctx.Err() == nil {
		if s.pausedNow() {
			s.sleep(ctx, time.Until(time.Unix(0, s.pausedUntil.Load())))
			continue
		}
		if s.unrecorded.Load() {
			// Claims that outlived their leases during an outage are still this sender's to record, not to claim.
			s.sleep(ctx, s.cfg.Idle)
			continue
		}
		// The claim is not cut off by a stop: a claim cancelled after PostgreSQL committed it would leave its
		// messages leased to no one until the lease ran out. A claim made while stopping is given back.
		claimCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		claimed := time.Now()
		items, err := s.outbox.Claim(claimCtx, s.bot, s.cfg.Owner, s.cfg.Batch, s.cfg.Lease)
		cancel()
		if err != nil {
			s.log.Error().Err(err).Msg("claim outbox")
			s.sleep(ctx, s.cfg.Idle)
			continue
		}
		s.hold(items, claimed)
		if ctx.Err() != nil {
			s.release(items, reasonSenderStopped)
			return nil
		}
		if len(items) == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(s.cfg.Idle):
			}
			continue
		}
		items = s.onePerChat(s.dropUnreachable(ctx, items))
		if len(items) == 0 {
			continue
		}
		// The channel holds one batch: a sender keeps about two batches ahead of its workers, no more. The
		// leases are extended while the messages wait, but a sender should not hold what others could send.
		for i, it := range items {
			select {
			case jobs <- job{Item: it}:
			case <-ctx.Done():
				s.release(items[i:], reasonSenderStopped)
				return nil
			}
		}
	}
	return nil
}

// onePerChat keeps the first message of each chat: one claim can pick two messages of a chat, since neither was
// in flight when it looked, and Telegram allows one message per second per chat.
func (s *Sender) onePerChat(items []Item) []Item {
	seen := make(map[int64]bool, len(items))
	kept := items[:0]
	var later []Item
	for _, it := range items {
		if seen[it.ChatID] {
			later = append(later, it)
			continue
		}
		seen[it.ChatID] = true
		kept = append(kept, it)
	}
	for _, it := range later {
		_ = s.outbox.Retry(context.Background(), it.Lease, time.Now().Add(time.Second), "", false)
		s.unhold(it.ID)
	}
	return kept
}

func (s *Sender) dropUnreachable(ctx context.Context, items []Item) []Item {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	cancelled, err := s.outbox.CancelUnreachable(ctx, ids)
	if err != nil || len(cancelled) == 0 {
		return items
	}
	kept := items[:0]
	for _, it := range items {
		if !cancelled[it.ID] {
			kept = append(kept, it)
			continue
		}
		s.unhold(it.ID)
	}
	return kept
}

func (s *Sender) work(ctx context.Context, jobs <-chan job, results chan<- result) {
	// A send under way finishes even when the sender is stopping, so that its outcome is recorded: cutting
	// it off could deliver the message and lose the record, and the message would go twice.
	uncancelled := context.WithoutCancel(ctx)
	for j := range jobs {
		if !s.clear(ctx, &j) {
			continue
		}
		m := j.Message
		m.PaidBroadcast = s.cfg.PaidBroadcast
		sendCtx, cancel := context.WithTimeout(uncancelled, s.cfg.sendTimeout())
		ref, err := s.ch.Send(sendCtx, m)
		cancel()
		// Answered, or given up with its connection closed: the messenger has counted the send by now if at all.
		s.free(j.slot, time.Now())
		s.outcomes.Add(1)
		var flood *RetryAfterError
		if errors.As(err, &flood) {
			s.pause(uncancelled, flood.After)
		}
		results <- result{job: j, ref: ref, err: err, at: time.Now()}
	}
}

// clear waits until j may be sent: its slot has come and not gone, the bot is not paused (as PostgreSQL says
// after this moment, so a pause another instance met holds slots booked before it), this sender's outcomes are
// recorded, and its lease on the message lasts longer than a send can take. A slot that a pause or a delay made
// useless is given back and another booked. It returns false when this sender must not send the message: it is
// stopping (the message goes back to the queue), or another sender has claimed it.
func (s *Sender) clear(ctx context.Context, j *job) bool {
	drop := func() {
		s.free(j.slot, time.Time{})
		j.slot = Slot{}
	}
	for attempt := 1; ; {
		if j.slot.At.IsZero() {
			j.slot = s.nextSlot(ctx)
		}
		// The pause is read so that the answer comes about when the slot does: a read that starts at the slot
		// makes every send late by its round trip.
		s.sleep(ctx, time.Until(j.slot.At)-s.pauses.took())
		if ctx.Err() != nil {
			drop()
			s.release([]Item{j.Item}, reasonSenderStopped)
			return false
		}
		lease, held := s.holds(j.Lease)
		if !held {
			drop()
			s.log.Warn().Int64("outbox_id", j.ID).Msg("lease taken by another sender; not sending")
			return false
		}
		if s.unrecorded.Load() || s.pausedNow() {
			// No slot is held while waiting: it would be taken from the other instances for nothing.
			drop()
			s.sleep(ctx, max(s.cfg.Idle/10, time.Until(time.Unix(0, s.pausedUntil.Load()))))
			continue
		}
		pausedUntil, err := s.pauses.get(ctx)
		switch {
		case err != nil:
			// Without PostgreSQL the pause cannot be known: nothing is sent.
			s.log.Error().Err(err).Int("attempt", attempt).Msg("check the bot's pause before sending")
			drop()
			s.sleep(ctx, backoff(attempt, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
			attempt++
		case time.Now().Before(pausedUntil):
			drop()
			s.sleep(ctx, time.Until(pausedUntil))
		case s.sleep(ctx, time.Until(j.slot.At)) && (ctx.Err() != nil || j.slot.Booked() && !time.Now().Before(j.slot.Deadline)):
			drop()
		case time.Until(lease) < s.cfg.sendTimeout()+s.cfg.Lease/8:
			if err := s.extend(ctx, []Lease{j.Lease}); err != nil {
				s.sleep(ctx, backoff(attempt, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
				attempt++
			}
		default:
			return true
		}
	}
}

// nextSlot takes the earliest send slot this sender has booked: a worker ready to send takes the next slot
// whichever message it holds. Slots are booked a tenth of a second's worth at a time, the next booking starting
// while a whole one is left (a booking commits, and waits for the disk), so that no worker waits for a booking
// while its lane is free. Without a rate limit
// every slot is now. It waits until PostgreSQL gives a slot or the sender stops (then the slot is now, and clear
// gives it up).
func (s *Sender) nextSlot(ctx context.Context) Slot {
	if !s.pacing.Limited() {
		return Slot{At: time.Now()}
	}
	n := max(1, int(s.cfg.Rate/10))
	for ctx.Err() == nil {
		s.slotsMu.Lock()
		var slot Slot
		got := len(s.slots) > 0
		if got {
			slot, s.slots = s.slots[0], s.slots[1:]
		}
		if len(s.slots) <= n && s.booking == nil {
			s.booking = make(chan struct{})
			s.bookers.Go(func() { s.book(ctx, n) })
		}
		booked := s.booking
		s.slotsMu.Unlock()
		if got {
			return slot
		}
		select {
		case <-booked:
		case <-ctx.Done():
		}
	}
	return Slot{At: time.Now()}
}

// book books n more slots for nextSlot, trying until PostgreSQL answers or the sender stops. A booking is not cut
// off by the stop: its slots are given back with the others.
func (s *Sender) book(ctx context.Context, n int) {
	var slots []Slot
	for attempt := 1; ctx.Err() == nil; {
		bookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		booked, err := s.pacing.Book(bookCtx, n, s.cfg.sendTimeout())
		cancel()
		if err != nil {
			s.log.Error().Err(err).Int("attempt", attempt).Msg("book send slots")
			s.sleep(ctx, backoff(attempt, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
			attempt++
			continue
		}
		if slots = booked; len(slots) > 0 {
			break
		}
		// Every lane is booked by other workers or instances: each frees a second after its send is answered.
		s.sleep(ctx, 100*time.Millisecond)
	}
	s.slotsMu.Lock()
	defer s.slotsMu.Unlock()
	s.slots = append(s.slots, slots...)
	slices.SortFunc(s.slots, func(a, b Slot) int { return a.At.Compare(b.At) })
	close(s.booking)
	s.booking = nil
}

// free gives a slot back, used by a send answered at answered or unused (zero answered); freeSlots writes it.
func (s *Sender) free(slot Slot, answered time.Time) {
	if !slot.Booked() {
		return
	}
	s.freedMu.Lock()
	s.freed = append(s.freed, Freed{Slot: slot, Answered: answered})
	s.freedMu.Unlock()
}

// freeSlots writes the slots given back every 20 ms, and at the stop those booked and not taken. A slot whose
// write fails is written again later: until then its lane stays held, which costs pace, never a send over the
// limit.
func (s *Sender) freeSlots(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var failed int
	var retry time.Time
	write := func(ctx context.Context) {
		s.freedMu.Lock()
		freed := s.freed
		s.freed = nil
		s.freedMu.Unlock()
		if len(freed) == 0 {
			return
		}
		if err := s.pacing.Free(ctx, freed); err != nil {
			failed++
			s.log.Error().Err(err).Int("attempt", failed).Msg("free send slots")
			retry = time.Now().Add(backoff(failed, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
			s.freedMu.Lock()
			s.freed = append(freed, s.freed...)
			s.freedMu.Unlock()
			return
		}
		failed = 0
	}
	for {
		select {
		case <-t.C:
			if time.Now().After(retry) {
				write(ctx)
			}
		case <-ctx.Done():
			s.slotsMu.Lock()
			for _, slot := range s.slots {
				s.free(slot, time.Time{})
			}
			s.slots = nil
			s.slotsMu.Unlock()
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			write(final)
			cancel()
			return
		}
	}
}

// pause holds this process's workers at once and every instance's through PostgreSQL, telling it until it
// knows or the pause is over.
func (s *Sender) pause(ctx context.Context, d time.Duration) {
	until := time.Now().Add(d)
	if until.UnixNano() > s.pausedUntil.Load() {
		s.pausedUntil.Store(until.UnixNano())
	}
	for attempt := 1; time.Now().Before(until); attempt++ {
		err := s.pacing.Pause(ctx, time.Until(until))
		if err == nil {
			return
		}
		s.log.Error().Err(err).Int("attempt", attempt).Msg("share the flood wait")
		s.sleep(ctx, backoff(attempt, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
	}
}

// keepLeases extends every lease the sender holds a quarter of a lease before it could run out, so that a
// message waiting for a pause or its slot is not claimed by another sender; a lease found taken is dropped.
func (s *Sender) keepLeases(ctx context.Context) {
	t := time.NewTicker(s.cfg.Lease / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.heldMu.Lock()
		leases := make([]Lease, 0, len(s.held))
		for id, h := range s.held {
			leases = append(leases, Lease{ID: id, Token: h.token})
		}
		s.heldMu.Unlock()
		_ = s.extend(ctx, leases)
	}
}

func (s *Sender) extend(ctx context.Context, leases []Lease) error {
	if len(leases) == 0 {
		return nil
	}
	since := time.Now()
	held, err := s.outbox.Extend(ctx, leases, s.cfg.Lease)
	if err != nil {
		s.log.Error().Err(err).Msg("extend leases")
		return err
	}
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, l := range leases {
		h, ok := s.held[l.ID]
		switch {
		case !ok || h.token != l.Token:
		case held[l.ID]:
			s.held[l.ID] = heldLease{token: l.Token, until: since.Add(s.cfg.Lease)}
		default:
			delete(s.held, l.ID)
		}
	}
	return nil
}

func (s *Sender) hold(items []Item, since time.Time) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, it := range items {
		s.held[it.ID] = heldLease{token: it.Token, until: since.Add(s.cfg.Lease)}
	}
}

// holds tells whether this sender still holds l, and until when at the earliest.
func (s *Sender) holds(l Lease) (until time.Time, ok bool) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	h, ok := s.held[l.ID]
	return h.until, ok && h.token == l.Token
}

func (s *Sender) unhold(ids ...int64) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, id := range ids {
		delete(s.held, id)
	}
}

// pauseReads shares the workers' reads of the bot's pause: a worker waits for a read that began after it asked
// (fresh before it, at most), so it sees every pause committed before its request, and one read serves all the
// workers that asked before it began. Up to most run at once, each on a connection of its own: a worker
// that finds every read under way begun before it asked starts another rather than queueing behind one, so a read
// that stalls (its PostgreSQL backend waiting for a core on a loaded machine: 100 ms and more) holds up only the
// workers that asked before it began, not every send of the next tenth of a second. At a thousand messages a
// second that is about one read per send, as with one at a time: they are short.
type pauseReads struct {
	read func(context.Context) (time.Duration, error)
	// fresh is how old a read may be when it began (0: it must begin after the call).
	fresh time.Duration
	// most is how many reads run at once.
	most    int
	mu      sync.Mutex
	running int           // reads under way
	started time.Time     // when the latest read began
	last    *pauseRead    // the latest-begun read that succeeded
	failed  *pauseRead    // the latest-begun read that failed
	changed chan struct{} // closed, and replaced, when a read ends
	// lastTook is how long the latest caller waited for its read.
	lastTook atomic.Int64
}

// maxPauseReads is how many reads of the pause one sender runs at once under a rate limit.
const maxPauseReads = 3

// took is how long a caller waited for the latest read: about what the next one will take.
func (g *pauseReads) took() time.Duration { return time.Duration(g.lastTook.Load()) }

type pauseRead struct {
	began time.Time
	until time.Time
	err   error
}

// get returns when the bot's pause ends, as this process's clock reads it.
func (g *pauseReads) get(ctx context.Context) (time.Time, error) {
	asked := time.Now()
	since := asked.Add(-g.fresh)
	for {
		g.mu.Lock()
		if g.last != nil && !g.last.began.Before(since) {
			until := g.last.until
			g.mu.Unlock()
			g.lastTook.Store(int64(time.Since(asked)))
			return until, nil
		}
		if g.failed != nil && !g.failed.began.Before(since) {
			err := g.failed.err
			g.mu.Unlock()
			return time.Time{}, err
		}
		if g.started.Before(since) && g.running < g.most {
			g.startLocked()
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

func (g *pauseReads) startLocked() {
	r := &pauseRead{began: time.Now()}
	g.started = r.began
	g.running++
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d, err := g.read(ctx)
		cancel()
		// The pause was measured at some moment of the read: counted from its end, it ends no sooner.
		r.until, r.err = time.Now().Add(d), err
		g.mu.Lock()
		g.running--
		switch {
		case err == nil && (g.last == nil || r.began.After(g.last.began)):
			g.last = r
		case err != nil && (g.failed == nil || r.began.After(g.failed.began)):
			g.failed = r
		}
		close(g.changed)
		g.changed = make(chan struct{})
		g.mu.Unlock()
	}()
}

// flush records outcomes: deliveries in batches, everything else one by one (they are rare). Each record is
// retried until it is durable: a delivery not recorded would be sent again when its lease ran out. After a stop
// it gives up when a lease would have run out anyway.
func (s *Sender) flush(ctx context.Context, results <-chan result) {
	var batch []Delivered
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	write := func() {
		var lost []int64
		s.durably(ctx, fmt.Sprintf("record %d deliveries", len(batch)), func(ctx context.Context) (err error) {
			lost, err = s.outbox.MarkSent(ctx, batch)
			return err
		})
		if len(lost) > 0 {
			s.log.Error().Ints64("outbox_ids", lost).Msg("delivered under a lease another sender had taken: these may have gone twice")
		}
		for _, d := range batch {
			s.unhold(d.ID)
		}
		s.recorded(len(batch))
		batch = batch[:0]
	}
	for {
		select {
		case r, ok := <-results:
			if !ok {
				write()
				return
			}
			if r.err == nil {
				batch = append(batch, Delivered{Lease: r.Lease, Ref: r.ref, At: r.at})
				if len(batch) >= 500 {
					write()
				}
				continue
			}
			s.handleError(ctx, r)
			s.unhold(r.ID)
			s.recorded(1)
		case <-tick.C:
			if len(batch) > 0 {
				write()
			}
		}
	}
}

// recorded counts n outcomes written; when none is left to write, the sender may send again.
func (s *Sender) recorded(n int) {
	if s.outcomes.Add(-int64(n)) == 0 {
		s.unrecorded.Store(false)
	}
}

// durably runs a write until it succeeds. While it fails, no worker sends.
func (s *Sender) durably(ctx context.Context, what string, write func(context.Context) error) {
	var stopped time.Time
	for attempt := 1; ; attempt++ {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := write(wctx)
		cancel()
		if err == nil {
			return
		}
		s.unrecorded.Store(true)
		if ctx.Err() != nil && stopped.IsZero() {
			stopped = time.Now()
		}
		if !stopped.IsZero() && time.Since(stopped) > s.cfg.Lease {
			s.log.Error().Err(err).Msg(what + ": giving up after the stop; these messages may be sent again")
			return
		}
		s.log.Error().Err(err).Int("attempt", attempt).Msg(what)
		time.Sleep(backoff(attempt, s.cfg.BackoffBase/10, s.cfg.BackoffBase*5))
	}
}

func (s *Sender) handleError(ctx context.Context, r result) {
	var flood *RetryAfterError
	var permanent *PermanentError
	log := s.log.With().Int64("outbox_id", r.ID).Int64("chat_id", r.ChatID).Int("attempt", r.Attempts).Logger()
	switch {
	case errors.As(r.err, &flood):
		log.Warn().Dur("retry_after", flood.After).Msg("flood control: the bot pauses")
		until := r.at.Add(flood.After)
		s.durably(ctx, "requeue after a flood wait", func(ctx context.Context) error {
			return s.outbox.Retry(ctx, r.Lease, until, msg.Record(flood.Msg()), false)
		})
	case errors.Is(r.err, ErrBlocked), errors.Is(r.err, ErrChatNotFound):
		// The contact first: whoever sees the message failed then sees why, and a crash in between leaves the
		// message to be tried (and refused) again rather than a failure with an active contact.
		if s.contacts != nil {
			s.durably(ctx, "mark contact blocked", func(ctx context.Context) error {
				return s.contacts.MarkBlocked(ctx, r.Address, r.err.Error())
			})
		}
		s.durably(ctx, "record a failure", func(ctx context.Context) error { return s.outbox.Fail(ctx, r.Lease, msg.Record(r.err)) })
		log.Info().Err(r.err).Msg("chat unreachable; contact marked")
	case errors.As(r.err, &permanent) || r.Attempts >= s.cfg.MaxAttempts:
		s.durably(ctx, "record a failure", func(ctx context.Context) error { return s.outbox.Fail(ctx, r.Lease, msg.Record(r.err)) })
		log.Warn().Err(r.err).Msg("message failed")
	default:
		delay := backoff(r.Attempts, s.cfg.BackoffBase, s.cfg.BackoffMax)
		s.durably(ctx, "requeue a failed send", func(ctx context.Context) error {
			return s.outbox.Retry(ctx, r.Lease, time.Now().Add(delay), msg.Record(r.err), true)
		})
		log.Warn().Err(r.err).Dur("retry_in", delay).Msg("send failed; will retry")
	}
}

// backoff is base·2^(attempt-1), capped at limit, with ±20% jitter so that retries of a failed burst spread out.
// The sender's one retry delay: for sends (BackoffBase to BackoffMax) and for its own writes to PostgreSQL.
func backoff(attempt int, base, limit time.Duration) time.Duration {
	d := base << min(attempt-1, 20)
	if d > limit || d <= 0 {
		d = limit
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (s *Sender) pausedNow() bool { return time.Now().UnixNano() < s.pausedUntil.Load() }

// release gives claimed messages back to the queue without counting an attempt.
func (s *Sender) release(items []Item, reason string) {
	for _, it := range items {
		_ = s.outbox.Retry(context.Background(), it.Lease, time.Now(), reason, false)
		s.unhold(it.ID)
	}
}

// sleep waits for d or until ctx ends, and says true (so that it can sit in a condition).
func (s *Sender) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return true
}
