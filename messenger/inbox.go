package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
//
// Every update is stored, whatever it holds, and none waits for another: one PostgreSQL cannot take as sent
// (jsonb has no \u0000, no lone surrogate, only UTF-8) is stored cleaned, each such character replaced with
// U+FFFD, with its bytes as they arrived in raw and the fault recorded; one it refuses even cleaned (a number
// beyond numeric, say) keeps only its update_id in the payload, and its raw bytes. Keeping the payload jsonb for
// all (rather than raw bytes for all) leaves every stored update readable in SQL, as before; the handler is given
// the raw bytes, so what Go can read of them is never lost to the cleaning. An error means nothing was refused:
// the database could not be reached, and the whole batch is worth another try (a redelivery is stored once).
func (in *Inbox) Store(ctx context.Context, updateIDs []int64, payloads []json.RawMessage) (int, error) {
	rows := make([]inboxRow, len(payloads))
	for i, p := range payloads {
		rows[i] = newInboxRow(updateIDs[i], p)
	}
	n, err := in.insert(ctx, rows)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && len(rows) > 1 {
		// The server refused something in the batch: one at a time, so that it costs only its own update.
		n, err = 0, nil
		for _, r := range rows {
			k, err := in.insertAlone(ctx, r)
			if err != nil {
				return n, err
			}
			n += k
		}
	} else if errors.As(err, &pgErr) {
		n, err = in.insertAlone(ctx, rows[0])
	}
	if err != nil {
		return 0, fmt.Errorf("messenger: store %d updates: %w", len(updateIDs), err)
	}
	if n > 0 {
		_ = Notify(ctx, in.pool, ChannelInbox)
	}
	return n, nil
}

// inboxRow is one update as the inbox stores it.
type inboxRow struct {
	updateID int64
	payload  string // jsonb
	raw      []byte // nil: payload is the update as sent
	fault    string
	stub     bool // the payload is only the update_id
}

func newInboxRow(updateID int64, p json.RawMessage) inboxRow {
	if !json.Valid(p) {
		return inboxStub(updateID, p, "not JSON")
	}
	clean, faults := cleanJSON(p)
	if faults == nil {
		return inboxRow{updateID: updateID, payload: string(p)}
	}
	return inboxRow{updateID: updateID, payload: string(clean), raw: p,
		fault: "replaced with U+FFFD: " + strings.Join(faults, ", ")}
}

// inboxStub keeps an update PostgreSQL cannot read even cleaned: its id in the payload, its bytes in raw.
func inboxStub(updateID int64, p []byte, why string) inboxRow {
	return inboxRow{updateID: updateID, payload: fmt.Sprintf(`{"update_id": %d}`, updateID), raw: bytes.Clone(p),
		fault: "not storable as jsonb: " + CleanText(why), stub: true}
}

func (in *Inbox) insert(ctx context.Context, rows []inboxRow) (int, error) {
	ids, payloads, raws, faults := make([]int64, len(rows)), make([]string, len(rows)), make([][]byte, len(rows)),
		make([]string, len(rows))
	for i, r := range rows {
		ids[i], payloads[i], raws[i], faults[i] = r.updateID, r.payload, r.raw, r.fault
	}
	tag, err := in.pool.Exec(ctx, `
		INSERT INTO inbox (update_id, payload, raw, fault)
		SELECT * FROM unnest($1::bigint[], $2::jsonb[], $3::bytea[], $4::text[])
		ON CONFLICT (update_id) DO NOTHING`, ids, payloads, raws, faults)
	return int(tag.RowsAffected()), err
}

// insertAlone stores one update, as its stub when the server refuses it.
func (in *Inbox) insertAlone(ctx context.Context, r inboxRow) (int, error) {
	n, err := in.insert(ctx, []inboxRow{r})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !r.stub {
		raw := r.raw
		if raw == nil {
			raw = []byte(r.payload)
		}
		return in.insert(ctx, []inboxRow{inboxStub(r.updateID, raw, pgErr.Message)})
	}
	return n, err
}

// ErrEmpty is returned by ProcessNext when no update waits.
var ErrEmpty = errors.New("messenger: inbox is empty")

// ProcessNext takes the oldest unprocessed update no other instance holds, calls handle with it, and marks it
// processed, all in one transaction: a crash in handle leaves it for the next try. An error from handle is
// recorded on the update and it is not tried again (a poison update must not block the rest). handle gets the
// update as it arrived: the raw bytes of one that was cleaned to be stored.
func (in *Inbox) ProcessNext(ctx context.Context, handle func(ctx context.Context, updateID int64, payload []byte) error) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		var payload []byte
		err := tx.QueryRow(ctx, `
			SELECT update_id, coalesce(raw, convert_to(payload::text, 'UTF8')) FROM inbox WHERE processed_at IS NULL
			ORDER BY update_id LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&id, &payload)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrEmpty
		}
		if err != nil {
			return err
		}
		msg := ""
		if herr := handle(ctx, id, payload); herr != nil {
			msg = CleanText(herr.Error()) // an error may quote what the client wrote
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
