package messenger

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
)

// Notification channels: an instance that queues a message or stores an update says so, and every instance's
// sender or processor wakes at once instead of at its next idle poll.
const (
	ChannelOutbox = "dozvon_outbox"
	ChannelInbox  = "dozvon_inbox"
)

// Notify sends a notification on channel.
func Notify(ctx context.Context, pool *pgxpool.Pool, channel string) error {
	_, err := pool.Exec(ctx, `SELECT pg_notify($1, '')`, channel)
	return err
}

// Listen calls fn with the channel of each notification until ctx ends or the connection fails.
func Listen(ctx context.Context, pool *pgxpool.Pool, fn func(channel string)) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("messenger: listen: %w", err)
	}
	defer conn.Release()
	for _, ch := range []string{ChannelOutbox, ChannelInbox} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return fmt.Errorf("messenger: listen %s: %w", ch, err)
		}
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Channel)
	}
}

// WakeOnNotify wakes the sender and the processor on the notifications any instance sends, until ctx ends; when
// the connection fails it says so and listens again 2 s later.
func WakeOnNotify(ctx context.Context, pool *pgxpool.Pool, log zerolog.Logger, sender *Sender, processor *Processor) {
	for ctx.Err() == nil {
		err := Listen(ctx, pool, func(channel string) {
			switch channel {
			case ChannelOutbox:
				sender.Wake()
			case ChannelInbox:
				processor.Wake()
			}
		})
		if err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Msg("listen for notifications; retrying")
			t := time.NewTimer(2 * time.Second)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
}

// RunAll runs each part of a channel (the sender, the processor, the receiver ...) in a goroutine of its own, until
// all of them have returned: when ctx ends.
func RunAll(ctx context.Context, parts ...func(context.Context) error) {
	var wg sync.WaitGroup
	for _, run := range parts {
		wg.Go(func() { _ = run(ctx) })
	}
	wg.Wait()
}
