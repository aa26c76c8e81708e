package messenger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
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
