package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Inbox keeps every update the messenger delivered, stored before it is acknowledged, and hands them out for
// processing exactly once: update_id is the key, so a redelivered update is stored once and processed once.
type Inbox struct {
	pool *pgxpool.Pool
}

// NewInbox returns the inbox on pool.
func NewInbox(pool *pgxpool.Pool) *Inbox { return &Inbox{pool: pool} }

// Store saves updates; it reports how many were new. Only after it returns may the update be acknowledged.
func (in *Inbox) Store(ctx context.Context, updateIDs []int64, payloads []json.RawMessage) (int, error) {
	raw := make([]string, len(payloads))
	for i, p := range payloads {
		raw[i] = string(p)
	}
	tag, err := in.pool.Exec(ctx, `
		INSERT INTO inbox (update_id, payload)
		SELECT * FROM unnest($1::bigint[], $2::jsonb[])
		ON CONFLICT (update_id) DO NOTHING`, updateIDs, raw)
	if err != nil {
		return 0, fmt.Errorf("messenger: store %d updates: %w", len(updateIDs), err)
	}
	if tag.RowsAffected() > 0 {
		_ = Notify(ctx, in.pool, ChannelInbox)
	}
	return int(tag.RowsAffected()), nil
}

// ErrEmpty is returned by ProcessNext when no update waits.
var ErrEmpty = errors.New("messenger: inbox is empty")

// ProcessNext takes the oldest unprocessed update no other instance holds, calls handle with it, and marks it
// processed, all in one transaction: a crash in handle leaves it for the next try. An error from handle is
// recorded on the update and it is not tried again (a poison update must not block the rest).
func (in *Inbox) ProcessNext(ctx context.Context, handle func(ctx context.Context, updateID int64, payload []byte) error) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		var payload []byte
		err := tx.QueryRow(ctx, `
			SELECT update_id, payload FROM inbox WHERE processed_at IS NULL
			ORDER BY update_id LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&id, &payload)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrEmpty
		}
		if err != nil {
			return err
		}
		msg := ""
		if herr := handle(ctx, id, payload); herr != nil {
			msg = herr.Error()
		}
		_, err = tx.Exec(ctx, `UPDATE inbox SET processed_at = now(), error = $2 WHERE update_id = $1`, id, msg)
		return err
	})
	if err != nil && !errors.Is(err, ErrEmpty) {
		err = fmt.Errorf("messenger: process update %d: %w", id, err)
	}
	return id, err
}

// LastUpdateID is the highest update_id ever stored, 0 for none. The built-in simulator starts numbering its
// updates after it: it forgets its count when the process stops, and an id it reused would be taken for a
// redelivery and dropped.
func (in *Inbox) LastUpdateID(ctx context.Context) (int64, error) {
	var id int64
	if err := in.pool.QueryRow(ctx, `SELECT coalesce(max(update_id), 0) FROM inbox`).Scan(&id); err != nil {
		return 0, fmt.Errorf("messenger: last update id: %w", err)
	}
	return id, nil
}
