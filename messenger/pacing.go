package messenger

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pacing keeps a bot's sends within Telegram's limit across every instance. Telegram counts a bot's sends in a
// strict sliding window: no rolling second may hold more than the limit. So the limit is kept as that many lanes
// (send_lanes), each carrying one send a second: a lane is free again a second after its last send was answered,
// and the answer comes after Telegram counted the send, so however late a worker sends or the network carries
// it, the second after any send holds at most the limit. Slots (send_pacing's next_slot) space the sends evenly
// at the rate, so that a broadcast does not begin with a burst. Each sender books a lane and a slot together
// before calling the Bot API and reads the bot's pause (a 429's retry_after) from send_pacing right before the
// call. Telegram counts per bot, not per process, so the limit and the pause live where all processes see them.
//
// Times cross between PostgreSQL and the instances through each instance's estimate of PostgreSQL's clock and its
// error (pgClock), rounded the safe way, so that the instances' clocks do not matter.
type Pacing struct {
	pool *pgxpool.Pool
	bot  int64 // its id in Bots
	// interval between two slots (1 / rate); zero means no limit.
	interval time.Duration
	// lanes is how many sends a window holds, window its length: the whole part of the rate in a second (below
	// one a second, one in 1 / rate), so that no rolling second holds more than the rate.
	lanes  int
	window time.Duration
	// laned is set once the bot's lanes exist.
	laned atomic.Bool
	clock pgClock
}

// issueWindow is how long after its slot a send may still leave; later, the slot is given back and another booked.
const issueWindow = time.Second

// NewPacing returns the pacing of bot (its id in Bots) at rate messages per second (0: unlimited).
func NewPacing(pool *pgxpool.Pool, bot int64, rate float64) *Pacing {
	p := &Pacing{pool: pool, bot: bot}
	if rate > 0 {
		p.interval = time.Duration(float64(time.Second) / rate)
		p.lanes = max(1, int(math.Floor(rate)))
		p.window = max(time.Second, time.Duration(float64(p.lanes)/rate*float64(time.Second)))
	}
	return p
}

// Limited tells whether the bot has a rate limit.
func (p *Pacing) Limited() bool { return p.interval > 0 }

// Slot is one booked send: a lane of the bot's window, held until the send is answered, and when it may leave.
type Slot struct {
	// At is when the send may leave, by this process's clock; Deadline when it no longer may (the slot must be
	// given back). Zero At: no limit.
	At, Deadline time.Time
	lane         int
	// held is what the booking wrote on the lane, which only this booking may overwrite; prev what the lane said
	// before, to give it back unused.
	held, prev time.Time
}

// Booked tells whether s holds a lane (false without a limit, or for the zero Slot).
func (s Slot) Booked() bool { return !s.held.IsZero() }

// Book reserves up to n sends: the lanes that come free first, each with the next slot, in the order they may
// leave. A send must leave before its Deadline and be answered within answerIn of leaving; its lane is held until
// then even if its sender dies. Each booked slot goes back through Free, used or not. Only lanes free within a
// window are booked (a held lane says it is free much later), so fewer than n come back when other senders hold
// the rest (none: wait and book again). Only a limited bot books.
func (p *Pacing) Book(ctx context.Context, n int, answerIn time.Duration) ([]Slot, error) {
	if !p.laned.Load() {
		if _, err := p.pool.Exec(ctx, `
			WITH pacing AS (INSERT INTO send_pacing (bot_id) VALUES ($1) ON CONFLICT DO NOTHING)
			INSERT INTO send_lanes (bot_id, lane) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING`,
			p.bot, p.lanes); err != nil {
			return nil, fmt.Errorf("messenger: create the send lanes of bot %d: %w", p.bot, err)
		}
		p.laned.Store(true)
	}
	// One booking at a time per bot, each reading the lanes after the one before it committed: the lock on the
	// pacing row comes first, in its own statement, so that the booking's snapshot is taken after it. (Locking the
	// lanes alone would sort them by what they said before a concurrent booking and lock what they say after.)
	// Both go in one round trip, one implicit transaction.
	batch := &pgx.Batch{}
	batch.Queue(`SELECT FROM send_pacing WHERE bot_id = $1 FOR UPDATE`, p.bot)
	// The slots follow one another at the interval from the pacing row's next slot, the line (after a pause, from
	// its end), and each send waits for its lane too. When the lanes hold the sends back, a send still leaves at
	// least a quarter of an interval after the one before it (the i-th at the latest of lane j's free time + (i-j)
	// quarters, for every j up to i, and of the last slot booked before + i+1 quarters): the sends keep the spacing
	// their lanes had and never bunch (a 429 finds no other send on its way), and a late send pushes the sends
	// behind it only where their lanes came within a quarter of an interval of it (half an interval cost 1-2 % of
	// the pace on a loaded machine). The line goes on at the rate whatever the lanes did: moved to the last send a
	// lane held back, it kept every later send an interval apart behind that one, though their lanes were free,
	// and lost the time for good (2-4 % of the paid rate with two busy loops beside it); the sends after a late
	// one now catch the line up, a quarter of an interval apart, as far as their lanes allow.
	batch.Queue(`
		WITH free AS (
			SELECT lane, free_at, row_number() OVER (ORDER BY free_at, lane) - 1 AS i
			FROM send_lanes WHERE bot_id = $1 AND lane < $2 AND free_at <= clock_timestamp() + $6::interval
			ORDER BY free_at, lane LIMIT $3
		), pacing AS (
			SELECT greatest(next_slot, paused_until, clock_timestamp()) AS first, last_slot FROM send_pacing WHERE bot_id = $1
		), slots AS (
			SELECT f.lane, f.free_at AS prev,
			       greatest(p.first + $4::interval * f.i,
			                max(f.free_at - $4::interval / 4 * f.i) OVER (ORDER BY f.i) + $4::interval / 4 * f.i,
			                p.last_slot + $4::interval / 4 * (f.i + 1)) AS at
			FROM free f, pacing p
		), booked AS (
			UPDATE send_pacing
			   SET next_slot = (SELECT first FROM pacing) + $4::interval * (SELECT count(*) FROM free),
			       last_slot = greatest(last_slot, (SELECT max(at) FROM slots))
			WHERE bot_id = $1
		), held AS (
			UPDATE send_lanes l SET free_at = s.at + $5::interval
			FROM slots s WHERE l.bot_id = $1 AND l.lane = s.lane
			RETURNING l.lane, s.prev, s.at, l.free_at AS held
		)
		SELECT lane, prev, held, at, clock_timestamp() FROM held ORDER BY at`,
		p.bot, p.lanes, n, p.interval, issueWindow+answerIn+p.window, p.window)
	asked := time.Now()
	results := p.pool.SendBatch(ctx, batch)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return nil, fmt.Errorf("messenger: book %d sends of bot %d: %w", n, p.bot, err)
	}
	rows, err := results.Query()
	if err != nil {
		return nil, fmt.Errorf("messenger: book %d sends of bot %d: %w", n, p.bot, err)
	}
	defer rows.Close()
	var slots []Slot
	var ats []time.Time
	var pgNow time.Time
	for rows.Next() {
		var s Slot
		var at time.Time
		if err := rows.Scan(&s.lane, &s.prev, &s.held, &at, &pgNow); err != nil {
			return nil, fmt.Errorf("messenger: book %d sends of bot %d: %w", n, p.bot, err)
		}
		slots, ats = append(slots, s), append(ats, at)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("messenger: book %d sends of bot %d: %w", n, p.bot, err)
	}
	if len(slots) == 0 {
		// Every lane is held, or the bot's rows are gone (a restored database): the next booking makes sure.
		p.laned.Store(false)
		return nil, nil
	}
	p.clock.sample(asked, time.Now(), pgNow)
	for i, at := range ats {
		// The send leaves no sooner than PostgreSQL's at can be here, and gives up before the earliest it can be
		// plus the issue window.
		slots[i].At, slots[i].Deadline = p.clock.local(at), p.clock.localEarliest(at).Add(issueWindow)
	}
	return slots, nil
}

// Freed is a booked slot going back: used by a send answered at Answered (by this process's clock), or unused
// (zero Answered).
type Freed struct {
	Slot
	Answered time.Time
}

// Free gives booked slots back: a used one's lane is free a window after its send was answered, an unused one's
// as it was before the booking. A lane booked again since (its sender was too late) is left as it is.
func (p *Pacing) Free(ctx context.Context, freed []Freed) error {
	var lanes []int32
	var held, free []time.Time
	for _, f := range freed {
		if !f.Booked() {
			continue
		}
		lanes, held = append(lanes, int32(f.lane)), append(held, f.held)
		if f.Answered.IsZero() {
			free = append(free, f.prev)
		} else {
			// The latest PostgreSQL time the answer can have been: the lane frees no sooner than a window after.
			free = append(free, p.clock.pg(f.Answered).Add(p.window))
		}
	}
	if len(lanes) == 0 {
		return nil
	}
	_, err := p.pool.Exec(ctx, `
		UPDATE send_lanes l SET free_at = f.free
		FROM unnest($2::int[], $3::timestamptz[], $4::timestamptz[]) AS f(lane, held, free)
		WHERE l.bot_id = $1 AND l.lane = f.lane AND l.free_at = f.held`,
		p.bot, lanes, held, free)
	if err != nil {
		return fmt.Errorf("messenger: free %d send lanes of bot %d: %w", len(lanes), p.bot, err)
	}
	return nil
}

// Pause stops every sender of this bot until now+d: Telegram's 429 applies to the whole bot. Senders read it
// before each request (PausedFor), and slots booked from now on begin after it.
func (p *Pacing) Pause(ctx context.Context, d time.Duration) error {
	_, err := p.pool.Exec(ctx, `
		INSERT INTO send_pacing AS s (bot_id, paused_until) VALUES ($1, clock_timestamp() + $2::interval)
		ON CONFLICT (bot_id) DO UPDATE SET paused_until = greatest(s.paused_until, clock_timestamp() + $2::interval)`,
		p.bot, d)
	if err != nil {
		return fmt.Errorf("messenger: pause sending: %w", err)
	}
	return nil
}

// PausedFor reads how long the bot's pause still lasts, as a duration from PostgreSQL's now, so that the clocks
// of the instances do not matter. The read comes before every send and commits nothing, so its round trip is the
// shortest there is: it is also the clock estimate's best sample.
func (p *Pacing) PausedFor(ctx context.Context) (time.Duration, error) {
	var d time.Duration
	var pgNow time.Time
	asked := time.Now()
	err := p.pool.QueryRow(ctx, `
		SELECT coalesce((SELECT greatest(paused_until, n.t) - n.t FROM send_pacing WHERE bot_id = $1), interval '0'), n.t
		FROM (SELECT clock_timestamp() AS t) n`, p.bot).Scan(&d, &pgNow)
	if err != nil {
		return 0, fmt.Errorf("messenger: read the pause of bot %d: %w", p.bot, err)
	}
	p.clock.sample(asked, time.Now(), pgNow)
	return d, nil
}
