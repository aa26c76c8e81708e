package messenger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pacing spaces a bot's sends evenly at its rate, across every instance: each sender reserves a run of send
// slots from the bot's row in send_pacing before calling the Bot API, and reads the bot's pause (a 429's
// retry_after) from the same row right before each call. Telegram counts per bot, not per process, so the limit
// and the pause live where all processes see them.
type Pacing struct {
	pool *pgxpool.Pool
	bot  int64
	// Interval between two sends of this bot (1 / rate); zero means no limit.
	interval time.Duration
}

// Telegram counts a bot's sends in a strict sliding window: no rolling second may hold more than the limit, so
// rate+1 consecutive sends must span more than a second. Slots are spaced for paceMargin less than the rate, so
// that rate+1 consecutive slots span 1.02 s: a send may leave up to slotTolerance after its slot and still arrive
// up to as much later again without crowding any second. A worker later than that skips its slot and books
// another: catching up would be a burst.
const (
	paceMargin    = 0.02
	slotTolerance = 10 * time.Millisecond
)

// NewPacing returns the pacing of bot (its id in Bots) at rate messages per second (0: unlimited).
func NewPacing(pool *pgxpool.Pool, bot int64, rate float64) *Pacing {
	p := &Pacing{pool: pool, bot: bot}
	if rate > 0 {
		p.interval = time.Duration(float64(time.Second) / (rate * (1 - paceMargin)))
	}
	return p
}

// Limited tells whether the bot has a rate limit.
func (p *Pacing) Limited() bool { return p.interval > 0 }

// Missed tells whether a send at now is too late for slot, so that it might crowd the second after it.
func (p *Pacing) Missed(slot, now time.Time) bool {
	return p.Limited() && now.Sub(slot) > slotTolerance
}

// Reserve books n consecutive send slots and returns the time of each. Without a limit every slot is now, unless
// the bot is paused by a flood wait.
func (p *Pacing) Reserve(ctx context.Context, n int) ([]time.Time, error) {
	var first time.Time
	err := p.pool.QueryRow(ctx, `
		INSERT INTO send_pacing AS s (bot_id, next_slot) VALUES ($1, clock_timestamp() + $2::interval * $3)
		ON CONFLICT (bot_id) DO UPDATE
		   SET next_slot = greatest(s.next_slot, s.paused_until, clock_timestamp()) + $2::interval * $3
		RETURNING next_slot - $2::interval * $3`, p.bot, p.interval, n).Scan(&first)
	if err != nil {
		return nil, fmt.Errorf("messenger: reserve %d send slots: %w", n, err)
	}
	slots := make([]time.Time, n)
	for i := range slots {
		slots[i] = first.Add(time.Duration(i) * p.interval)
	}
	return slots, nil
}

// Pause stops every sender of this bot until now+d: Telegram's 429 applies to the whole bot. Senders read it
// before each request (PausedFor), and slots reserved from now on begin after it.
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
// of the instances do not matter.
func (p *Pacing) PausedFor(ctx context.Context) (time.Duration, error) {
	var d time.Duration
	err := p.pool.QueryRow(ctx, `
		SELECT coalesce((SELECT greatest(paused_until, n.t) - n.t FROM send_pacing WHERE bot_id = $1), interval '0')
		FROM (SELECT clock_timestamp() AS t) n`, p.bot).Scan(&d)
	if err != nil {
		return 0, fmt.Errorf("messenger: read the pause of bot %d: %w", p.bot, err)
	}
	return d, nil
}
