package messenger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The messengers Dozvon speaks. A chat, a message in the outbox, an update in the inbox belong to one bot, and the
// bot to one of these.
const (
	Telegram = "telegram"
	MAX      = "max"
)

// Channels are the messengers in the order Dozvon lists them.
var Channels = []string{Telegram, MAX}

// Bot is one of Dozvon's bots on a messenger. Several bots may serve one channel (one per brand or region, say);
// every chat belongs to exactly one of them, and its messages go through that bot.
type Bot struct {
	ID      int64
	Channel string
	// RemoteID is the bot's own id as its messenger names it (Telegram: the number before the token's colon).
	RemoteID  string
	Username  string // what deep links name
	Name      string // what people see
	Enabled   bool
	CreatedAt time.Time
}

// Bots is the registry of bots.
type Bots struct {
	pool *pgxpool.Pool
}

// NewBots returns the registry on pool.
func NewBots(pool *pgxpool.Pool) *Bots { return &Bots{pool: pool} }

// ErrNoBot is a bot the registry does not have.
var ErrNoBot = errors.New("messenger: no such bot")

// Register records the bot a process runs with (its token says which), keyed by channel and remote id, and returns
// it; a bot registered before keeps its id, name and enabled flag and gets the username it has now. The first
// Telegram bot to register adopts the placeholder that the chats written before bots were recorded belong to
// (migration 00023): those chats were the environment's bot's.
func (b *Bots) Register(ctx context.Context, channel, remoteID, username string) (Bot, error) {
	var bot Bot
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `
			UPDATE bots SET username = $3 WHERE channel = $1 AND remote_id = $2 RETURNING `+botColumns,
			channel, remoteID, username)
		err := scanBot(row, &bot)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// A placeholder another instance adopts meanwhile is skipped once that instance commits (the row no longer
		// has a NULL remote_id), and the insert below finds the adopted row.
		row = tx.QueryRow(ctx, `
			UPDATE bots SET remote_id = $2, username = $3, name = CASE WHEN name IN ('', 'Telegram') THEN $3 ELSE name END
			WHERE id = (SELECT id FROM bots WHERE channel = $1 AND remote_id IS NULL ORDER BY id LIMIT 1 FOR UPDATE)
			RETURNING `+botColumns, channel, remoteID, username)
		err = scanBot(row, &bot)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return scanBot(tx.QueryRow(ctx, `
			INSERT INTO bots (channel, remote_id, username, name) VALUES ($1, $2, $3, $3)
			ON CONFLICT (channel, remote_id) DO UPDATE SET username = excluded.username
			RETURNING `+botColumns, channel, remoteID, username), &bot)
	})
	if err != nil {
		return Bot{}, fmt.Errorf("messenger: register %s bot %s: %w", channel, remoteID, err)
	}
	return bot, nil
}

// Get returns a bot by its id.
func (b *Bots) Get(ctx context.Context, id int64) (Bot, error) {
	var bot Bot
	err := scanBot(b.pool.QueryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE id = $1`, id), &bot)
	if errors.Is(err, pgx.ErrNoRows) {
		return Bot{}, ErrNoBot
	}
	if err != nil {
		return Bot{}, fmt.Errorf("messenger: bot %d: %w", id, err)
	}
	return bot, nil
}

// List returns the bots that ever ran, by channel and id; the placeholder no bot adopted is left out.
func (b *Bots) List(ctx context.Context) ([]Bot, error) {
	rows, err := b.pool.Query(ctx, `SELECT `+botColumns+` FROM bots WHERE remote_id IS NOT NULL ORDER BY channel DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("messenger: list bots: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Bot, error) {
		var bot Bot
		err := scanBot(r, &bot)
		return bot, err
	})
}

// Inviting returns the bot whose deep link an invitation on channel carries: the first enabled bot of the channel
// that has started (registered its messenger's id); false when the channel has none.
func (b *Bots) Inviting(ctx context.Context, channel string) (Bot, bool, error) {
	var bot Bot
	err := scanBot(b.pool.QueryRow(ctx, `SELECT `+botColumns+` FROM bots
		WHERE channel = $1 AND enabled AND remote_id IS NOT NULL ORDER BY id LIMIT 1`, channel), &bot)
	if errors.Is(err, pgx.ErrNoRows) {
		return Bot{}, false, nil
	}
	if err != nil {
		return Bot{}, false, fmt.Errorf("messenger: the inviting bot of %s: %w", channel, err)
	}
	return bot, true, nil
}

const botColumns = `id, channel, coalesce(remote_id, ''), username, name, enabled, created_at`

func scanBot(row pgx.Row, b *Bot) error {
	return row.Scan(&b.ID, &b.Channel, &b.RemoteID, &b.Username, &b.Name, &b.Enabled, &b.CreatedAt)
}

// Rename gives a bot the name people see (a brand or a region).
func (b *Bots) Rename(ctx context.Context, id int64, name string) error {
	return b.set(ctx, id, `name = $2`, name)
}

// SetEnabled switches a bot on or off. A bot switched off sends nothing: its sender claims none of its messages
// (Outbox.Claim), which wait queued until it is switched on again. It receives nothing new by long polling: no
// instance's poller holds its lease, and its updates wait at the messenger. What reaches its webhook is stored and
// acknowledged but not processed (Inbox.ProcessNext), until it is switched on: README, "Switching a bot off".
// Switching it on wakes every instance's sender and processor.
func (b *Bots) SetEnabled(ctx context.Context, id int64, enabled bool) error {
	if err := b.set(ctx, id, `enabled = $2`, enabled); err != nil {
		return err
	}
	if enabled {
		_ = Notify(ctx, b.pool, ChannelOutbox)
		_ = Notify(ctx, b.pool, ChannelInbox)
	}
	return nil
}

func (b *Bots) set(ctx context.Context, id int64, assignment string, value any) error {
	tag, err := b.pool.Exec(ctx, `UPDATE bots SET `+assignment+` WHERE id = $1`, id, value)
	if err != nil {
		return fmt.Errorf("messenger: update bot %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoBot
	}
	return nil
}

// BotActivity is a bot with when it last heard from a client and last wrote to one.
type BotActivity struct {
	Bot
	LastReceived *time.Time // the newest update stored for it; nil: none yet
	LastSent     *time.Time // the newest message it delivered; nil: none yet
}

// Activity lists the bots (as List does) with their last update received and last message sent: the newest inbox
// row by the inbox's primary key, the newest delivery by the outbox's index on sent_at, each read backwards to
// the first row of the bot (at once for a bot in use; a bot silent for long makes the walk longer, on an admin's
// page only).
func (b *Bots) Activity(ctx context.Context) ([]BotActivity, error) {
	rows, err := b.pool.Query(ctx, `
		SELECT `+botColumns+`,
		       (SELECT i.received_at FROM inbox i WHERE i.bot_id = bots.id ORDER BY i.id DESC LIMIT 1),
		       (SELECT o.sent_at FROM outbox o WHERE o.bot_id = bots.id AND o.sent_at IS NOT NULL
		        ORDER BY o.sent_at DESC LIMIT 1)
		FROM bots WHERE remote_id IS NOT NULL ORDER BY channel DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("messenger: bots' activity: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BotActivity, error) {
		var a BotActivity
		err := r.Scan(&a.ID, &a.Channel, &a.RemoteID, &a.Username, &a.Name, &a.Enabled, &a.CreatedAt,
			&a.LastReceived, &a.LastSent)
		return a, err
	})
}
