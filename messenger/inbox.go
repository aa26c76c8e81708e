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

// Inbox keeps every update a messenger delivered to a bot, stored before it is acknowledged, and hands them out
// for processing exactly once: an update is known by its bot and the key its messenger gives it (Telegram: the
// update_id), so a redelivered update is stored once and processed once. Each row also gets an id, which orders
// processing and names the update for what it brought (the client's message, their files).
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
func (in *Inbox) Store(ctx context.Context, bot int64, keys []string, payloads []json.RawMessage) (int, error) {
	rows := make([]inboxRow, len(payloads))
	for i, p := range payloads {
		rows[i] = newInboxRow(keys[i], p)
	}
	n, err := in.insert(ctx, bot, rows)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && len(rows) > 1 {
		// The server refused something in the batch: one at a time, so that it costs only its own update.
		n, err = 0, nil
		for _, r := range rows {
			k, err := in.insertAlone(ctx, bot, r)
			if err != nil {
				return n, err
			}
			n += k
		}
	} else if errors.As(err, &pgErr) {
		n, err = in.insertAlone(ctx, bot, rows[0])
	}
	if err != nil {
		return 0, fmt.Errorf("messenger: store %d updates of bot %d: %w", len(keys), bot, err)
	}
	if n > 0 {
		_ = Notify(ctx, in.pool, ChannelInbox)
	}
	return n, nil
}

// inboxRow is one update as the inbox stores it.
type inboxRow struct {
	key     string
	payload string // jsonb
	raw     []byte // nil: payload is the update as sent
	fault   string
	stub    bool // the payload is only the key
}

func newInboxRow(key string, p json.RawMessage) inboxRow {
	if !json.Valid(p) {
		return inboxStub(key, p, "not JSON")
	}
	clean, faults := cleanJSON(p)
	if faults == nil {
		return inboxRow{key: key, payload: string(p)}
	}
	return inboxRow{key: key, payload: string(clean), raw: p,
		fault: "replaced with U+FFFD: " + strings.Join(faults, ", ")}
}

// inboxStub keeps an update PostgreSQL cannot read even cleaned: its key in the payload, its bytes in raw.
func inboxStub(key string, p []byte, why string) inboxRow {
	k, _ := json.Marshal(CleanText(key))
	return inboxRow{key: key, payload: fmt.Sprintf(`{"key": %s}`, k), raw: bytes.Clone(p),
		fault: "not storable as jsonb: " + CleanText(why), stub: true}
}

// insert stores rows in the order given: their ids, the order of processing, follow it.
func (in *Inbox) insert(ctx context.Context, bot int64, rows []inboxRow) (int, error) {
	keys, payloads, raws, faults := make([]string, len(rows)), make([]string, len(rows)), make([][]byte, len(rows)),
		make([]string, len(rows))
	for i, r := range rows {
		keys[i], payloads[i], raws[i], faults[i] = r.key, r.payload, r.raw, r.fault
	}
	tag, err := in.pool.Exec(ctx, `
		INSERT INTO inbox (bot_id, key, payload, raw, fault)
		SELECT $1, k, p, r, f FROM unnest($2::text[], $3::jsonb[], $4::bytea[], $5::text[]) WITH ORDINALITY AS u (k, p, r, f, n)
		ORDER BY n
		ON CONFLICT (bot_id, key) DO NOTHING`, bot, keys, payloads, raws, faults)
	return int(tag.RowsAffected()), err
}

// insertAlone stores one update, as its stub when the server refuses it.
func (in *Inbox) insertAlone(ctx context.Context, bot int64, r inboxRow) (int, error) {
	n, err := in.insert(ctx, bot, []inboxRow{r})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !r.stub {
		raw := r.raw
		if raw == nil {
			raw = []byte(r.payload)
		}
		return in.insert(ctx, bot, []inboxRow{inboxStub(r.key, raw, pgErr.Message)})
	}
	return n, err
}

// ErrEmpty is returned by ProcessNext when no update waits.
var ErrEmpty = errors.New("messenger: inbox is empty")

// Update is a stored update as its processor gets it.
type Update struct {
	ID  int64  // the inbox row: what the update's message and files are recorded under
	Key string // the messenger's key (Telegram's update_id)
	// Payload is the update as it arrived: the raw bytes of one that was cleaned to be stored.
	Payload []byte
}

// ProcessNext takes bot's oldest unprocessed update that no other instance holds, calls handle with it, and marks
// it processed, all in one transaction: a crash in handle leaves it for the next try. An error from handle is
// recorded on the update and it is not tried again (a poison update must not block the rest). A bot an
// administrator switched off has nothing to process: its stored updates (its webhook's, what its poller stored
// before it stopped) wait, in order, until it is switched on again.
func (in *Inbox) ProcessNext(ctx context.Context, bot int64, handle func(ctx context.Context, u Update) error) (int64, error) {
	var u Update
	err := pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT id, key, coalesce(raw, convert_to(payload::text, 'UTF8')) FROM inbox
			WHERE bot_id = $1 AND processed_at IS NULL AND NOT EXISTS (SELECT FROM bots WHERE id = $1 AND NOT enabled)
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, bot).Scan(&u.ID, &u.Key, &u.Payload)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrEmpty
		}
		if err != nil {
			return err
		}
		msg := ""
		if herr := handle(ctx, u); herr != nil {
			msg = CleanText(herr.Error()) // an error may quote what the client wrote
		}
		_, err = tx.Exec(ctx, `UPDATE inbox SET processed_at = now(), error = $2 WHERE id = $1`, u.ID, msg)
		return err
	})
	if err != nil && !errors.Is(err, ErrEmpty) {
		err = fmt.Errorf("messenger: process update %s of bot %d: %w", u.Key, bot, err)
	}
	return u.ID, err
}

// LastNumericKey is the highest key of bot's updates read as a number, 0 for none; for messengers whose keys are
// numbers (Telegram's update_id). The built-in simulator starts numbering its updates after it: it forgets its
// count when the process stops, and a key it reused would be taken for a redelivery and dropped.
func (in *Inbox) LastNumericKey(ctx context.Context, bot int64) (int64, error) {
	var id int64
	if err := in.pool.QueryRow(ctx, `
		SELECT coalesce(max(key::numeric), 0)::bigint FROM inbox WHERE bot_id = $1 AND key ~ '^[0-9]{1,18}$'`, bot).
		Scan(&id); err != nil {
		return 0, fmt.Errorf("messenger: last update of bot %d: %w", bot, err)
	}
	return id, nil
}
