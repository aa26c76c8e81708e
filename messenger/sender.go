package messenger

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// SenderConfig tunes a sender; zero values take the defaults noted.
type SenderConfig struct {
	// Rate is the bot's limit in messages per second across all instances (default 30; 0 after Unlimited).
	Rate      float64
	Unlimited bool
	// PaidBroadcast sends with Telegram's allow_paid_broadcast (for rates above 30/s, up to 1000/s).
	PaidBroadcast bool
	Workers       int           // concurrent Bot API calls (default 16)
	Batch         int           // messages claimed at once (default 2 s worth at Rate, at most 500)
	Lease         time.Duration // how long a claim lasts before another instance may take it (default 60 s; must outlast a send, which times out after 30 s)
	BackoffBase   time.Duration // first retry delay after a 5xx or timeout (default 1 s), doubled per attempt
	BackoffMax    time.Duration // cap of the retry delay (default 5 min)
	MaxAttempts   int           // then the message fails (default 8)
	Idle          time.Duration // poll interval when the queue is empty and no wake-up comes (default 1 s)
}

func (c *SenderConfig) defaults() {
	if c.Rate == 0 && !c.Unlimited {
		c.Rate = 30
	}
	if c.Unlimited {
		c.Rate = 0
	}
	if c.Workers == 0 {
		c.Workers = 16
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
}

// Sender drains the outbox into a Channel under the bot's limits: evenly paced at Rate (shared by all instances
// through Pacing), one message per chat per second (enforced by the claim), a whole-bot pause on 429, capped
// exponential backoff with jitter on transient errors, and no retry for blocked or unknown chats.
type Sender struct {
	cfg      SenderConfig
	outbox   *Outbox
	pacing   *Pacing
	contacts *Contacts
	ch       Channel
	log      zerolog.Logger
	wake     chan struct{}
	// pausedUntil (unix nanoseconds) is this process's copy of a flood wait, so in-flight workers hold back too.
	pausedUntil atomic.Int64
}

// NewSender returns a sender; call Run to start it.
func NewSender(cfg SenderConfig, outbox *Outbox, pacing *Pacing, contacts *Contacts, ch Channel, log zerolog.Logger) *Sender {
	cfg.defaults()
	return &Sender{cfg: cfg, outbox: outbox, pacing: pacing, contacts: contacts, ch: ch, log: log,
		wake: make(chan struct{}, 1)}
}

// Wake tells the sender new messages are queued (from a NOTIFY or the same process), sparing it the idle wait.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

type job struct {
	Item
	slot time.Time
}

type result struct {
	job
	messageID int64
	err       error
	at        time.Time
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
		s.flush(results)
		close(flushed)
	}()
	err := s.feed(ctx, jobs)
	close(jobs)
	workers.Wait()
	close(results)
	<-flushed
	return err
}

// feed claims batches and hands them to the workers with their send slots.
func (s *Sender) feed(ctx context.Context, jobs chan<- job) error {
	for ctx.Err() == nil {
		if s.pausedNow() {
			s.sleep(ctx, time.Until(time.Unix(0, s.pausedUntil.Load())))
			continue
		}
		// The claim is not cut off by a stop: a claim cancelled after PostgreSQL committed it would leave its
		// messages leased to no one until the lease ran out. A claim made while stopping is given back.
		claimCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		items, err := s.outbox.Claim(claimCtx, s.cfg.Batch, s.cfg.Lease)
		cancel()
		if err != nil {
			s.log.Error().Err(err).Msg("claim outbox")
			s.sleep(ctx, s.cfg.Idle)
			continue
		}
		if ctx.Err() != nil {
			s.release(items, "sender stopped")
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
		slots, err := s.pacing.Reserve(ctx, len(items))
		if err != nil {
			s.log.Error().Err(err).Msg("reserve send slots")
			s.release(items, "could not reserve send slots")
			continue
		}
		for i, it := range items {
			select {
			case jobs <- job{Item: it, slot: slots[i]}:
			case <-ctx.Done():
				s.release(items[i:], "sender stopped")
				return nil
			}
		}
		// Keep no more than about one batch ahead of the pace: claims must not outlive their leases.
		if s.pacing.Limited() {
			s.sleep(ctx, time.Until(slots[len(slots)-1])-s.cfg.Lease/4)
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
		_ = s.outbox.Retry(context.Background(), it.ID, time.Now().Add(time.Second), "", false)
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
		}
	}
	return kept
}

func (s *Sender) work(ctx context.Context, jobs <-chan job, results chan<- result) {
	// A send under way finishes even when the sender is stopping, so that its outcome is recorded: cutting
	// it off could deliver the message and lose the record, and the message would go twice.
	uncancelled := context.WithoutCancel(ctx)
	for j := range jobs {
		if ctx.Err() != nil {
			s.release([]Item{j.Item}, "sender stopped")
			continue
		}
		s.sleep(ctx, time.Until(j.slot))
		if ctx.Err() != nil || s.pausedNow() {
			// A flood wait began after this slot was booked: give the message back rather than burst later.
			s.release([]Item{j.Item}, "flood wait")
			continue
		}
		m := j.Message
		m.PaidBroadcast = s.cfg.PaidBroadcast
		sendCtx, cancel := context.WithTimeout(uncancelled, 30*time.Second)
		id, err := s.ch.Send(sendCtx, m)
		cancel()
		var flood *RetryAfterError
		if errors.As(err, &flood) {
			// Hold this process's other workers at once; the flusher makes it known to other instances.
			s.pausedUntil.Store(time.Now().Add(flood.After).UnixNano())
		}
		results <- result{job: j, messageID: id, err: err, at: time.Now()}
	}
}

// flush records outcomes: deliveries in batches, everything else one by one (they are rare).
func (s *Sender) flush(results <-chan result) {
	ctx := context.Background()
	var batch []Delivered
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	write := func() {
		if err := s.outbox.MarkSent(ctx, batch); err != nil {
			s.log.Error().Err(err).Msg("record deliveries")
		}
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
				batch = append(batch, Delivered{ID: r.ID, MessageID: r.messageID, At: r.at})
				if len(batch) >= 500 {
					write()
				}
				continue
			}
			s.handleError(ctx, r)
		case <-tick.C:
			if len(batch) > 0 {
				write()
			}
		}
	}
}

func (s *Sender) handleError(ctx context.Context, r result) {
	var flood *RetryAfterError
	var permanent *PermanentError
	log := s.log.With().Int64("outbox_id", r.ID).Int64("chat_id", r.ChatID).Int("attempt", r.Attempts).Logger()
	switch {
	case errors.As(r.err, &flood):
		until, err := s.pacing.Pause(ctx, flood.After)
		if err != nil {
			until = time.Now().Add(flood.After)
		}
		if until.UnixNano() > s.pausedUntil.Load() {
			s.pausedUntil.Store(until.UnixNano())
		}
		log.Warn().Dur("retry_after", flood.After).Msg("Telegram flood control: the bot pauses")
		_ = s.outbox.Retry(ctx, r.ID, until, r.err.Error(), false)
	case errors.Is(r.err, ErrBlocked), errors.Is(r.err, ErrChatNotFound):
		// The contact first: whoever sees the message failed then sees why, and a crash in between leaves the
		// message to be tried (and refused) again rather than a failure with an active contact.
		if s.contacts != nil {
			if err := s.contacts.MarkBlocked(ctx, r.ChatID, r.err.Error()); err != nil {
				log.Error().Err(err).Msg("mark contact blocked")
			}
		}
		_ = s.outbox.Fail(ctx, r.ID, r.err.Error())
		log.Info().Err(r.err).Msg("chat unreachable; contact marked")
	case errors.As(r.err, &permanent) || r.Attempts >= s.cfg.MaxAttempts:
		_ = s.outbox.Fail(ctx, r.ID, r.err.Error())
		log.Warn().Err(r.err).Msg("message failed")
	default:
		delay := s.backoff(r.Attempts)
		_ = s.outbox.Retry(ctx, r.ID, time.Now().Add(delay), r.err.Error(), true)
		log.Warn().Err(r.err).Dur("retry_in", delay).Msg("send failed; will retry")
	}
}

// backoff is BackoffBase·2^(attempt-1), capped, with ±20% jitter so that retries of a failed burst spread out.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.cfg.BackoffBase << min(attempt-1, 20)
	if d > s.cfg.BackoffMax || d <= 0 {
		d = s.cfg.BackoffMax
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (s *Sender) pausedNow() bool { return time.Now().UnixNano() < s.pausedUntil.Load() }

// release gives claimed messages back to the queue without counting an attempt.
func (s *Sender) release(items []Item, reason string) {
	for _, it := range items {
		_ = s.outbox.Retry(context.Background(), it.ID, time.Now(), reason, false)
	}
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
