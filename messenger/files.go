package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
	"dozvon/internal/pg"
)

// Files keeps the files clients send (photos, documents, voice ...) so operators can open them. A file is
// registered when its update is processed and fetched afterwards, by whichever instance claims it first (a lease,
// as in the outbox): processing never waits for a download, and a file is fetched once however many instances
// run. Its bytes live in PostgreSQL, in pieces, so every instance can serve them.
type Files struct {
	pool *pgxpool.Pool
	// Max is the largest file fetched, in bytes; a bigger one is recorded as too large, with its name and size.
	Max int64
}

// MaxFileSize is the default limit: the largest file the Telegram Bot API lets a bot download (getFile).
const MaxFileSize = 20 << 20

// File states.
const (
	FilePending  = "pending"   // waiting to be fetched; the operator sees "loading"
	FileReady    = "ready"     // stored: Open reads it
	FileTooLarge = "too_large" // over Max, never fetched
	FileFailed   = "failed"    // the messenger would not give it, after retries
)

// fileAttempts is how often a file is tried before it is given up as failed: with the back-off below, about an
// hour, which covers a messenger's outage but not a file it will never give.
const fileAttempts = 10

var (
	// ErrNoFile is a file that does not exist.
	ErrNoFile = errors.New("messenger: no such file")
	// ErrNoFileDue is returned by Claim when no file waits to be fetched.
	ErrNoFileDue = errors.New("messenger: no file waits to be fetched")
)

// NewFiles returns the store on pool with the default limit.
func NewFiles(pool *pgxpool.Pool) *Files { return &Files{pool: pool, Max: MaxFileSize} }

// RemoteFile is a file as the messenger announces it in a message.
type RemoteFile struct {
	Kind     string
	RemoteID string // what the messenger fetches it by
	Name     string
	MIME     string
	Size     int64 // 0: not announced
}

// File is a stored file's description.
type File struct {
	ID        int64
	BotID     int64 // the bot it came to, which fetches it
	InboxID   int64 // the update that brought it
	RemoteID  string
	Kind      string
	Name      string
	MIME      string
	Size      int64
	State     string
	Attempts  int
	LastError string
}

// Register records the files of an update (its inbox row) that came to bot, in their order, and returns them as
// attachments. It is idempotent: an update handled again gets the same files back. A file announced over Max is
// recorded as too large at once.
func (f *Files) Register(ctx context.Context, bot, inboxID int64, files []RemoteFile) ([]Attachment, error) {
	out := make([]Attachment, 0, len(files))
	for i, rf := range files {
		a := Attachment{Kind: rf.Kind, Name: cleanFileName(rf.Name), MIME: CleanText(rf.MIME), Size: max(rf.Size, 0)}
		state := FilePending
		if a.Size > f.Max {
			state = FileTooLarge
		}
		err := f.pool.QueryRow(ctx, `
			INSERT INTO inbound_files (bot_id, inbox_id, seq, kind, remote_id, name, mime, size, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (inbox_id, seq) DO UPDATE SET inbox_id = excluded.inbox_id
			RETURNING id`, bot, inboxID, i, a.Kind, CleanText(rf.RemoteID), a.Name, a.MIME, a.Size, state).Scan(&a.ID)
		if err != nil {
			return nil, fmt.Errorf("messenger: register file %d of update %d: %w", i, inboxID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

const fileColumns = `id, bot_id, inbox_id, remote_id, kind, name, mime, size, state, attempts, last_error`

func scanFile(row pgx.Row) (File, error) {
	var x File
	err := row.Scan(&x.ID, &x.BotID, &x.InboxID, &x.RemoteID, &x.Kind, &x.Name, &x.MIME, &x.Size, &x.State, &x.Attempts,
		&x.LastError)
	return x, err
}

// Get describes a file.
func (f *Files) Get(ctx context.Context, id int64) (File, error) {
	x, err := scanFile(f.pool.QueryRow(ctx, `SELECT `+fileColumns+` FROM inbound_files WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return x, ErrNoFile
	}
	if err != nil {
		return x, fmt.Errorf("messenger: file %d: %w", id, err)
	}
	return x, nil
}

// States returns the files of ids by id; unknown ids are left out.
func (f *Files) States(ctx context.Context, ids []int64) (map[int64]File, error) {
	out := make(map[int64]File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := f.pool.Query(ctx, `SELECT `+fileColumns+` FROM inbound_files WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("messenger: files %v: %w", ids, err)
	}
	files, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) { return scanFile(r) })
	if err != nil {
		return nil, fmt.Errorf("messenger: files %v: %w", ids, err)
	}
	for _, x := range files {
		out[x.ID] = x
	}
	return out, nil
}

// Claim takes the next file of bot due to be fetched for lease; until the lease ends no other instance takes it.
// Each bot's fetcher fetches its own bot's files, through that bot.
func (f *Files) Claim(ctx context.Context, bot int64, lease time.Duration) (File, error) {
	x, err := scanFile(f.pool.QueryRow(ctx, `
		UPDATE inbound_files SET lease_until = now() + make_interval(secs => $1), attempts = attempts + 1
		WHERE id = (SELECT id FROM inbound_files
		            WHERE bot_id = $2 AND state = 'pending' AND not_before <= now()
		              AND (lease_until IS NULL OR lease_until < now())
		            ORDER BY not_before, id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+fileColumns, lease.Seconds(), bot))
	if errors.Is(err, pgx.ErrNoRows) {
		return x, ErrNoFileDue
	}
	if err != nil {
		return x, fmt.Errorf("messenger: claim a file to fetch: %w", err)
	}
	return x, nil
}

// Save stores a claimed file's bytes from r and marks it ready; a file registered without a type gets the one its
// bytes show. A file another instance saved meanwhile is left
// as it is; one over Max is recorded as too large, and nothing of it is kept.
func (f *Files) Save(ctx context.Context, id int64, r io.Reader) error {
	err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		var state, mimeType string
		if err := tx.QueryRow(ctx, `SELECT state, mime FROM inbound_files WHERE id = $1 FOR UPDATE`, id).Scan(&state, &mimeType); err != nil {
			return err
		}
		if state != FilePending {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM inbound_file_chunks WHERE file_id = $1`, id); err != nil {
			return err
		}
		var size int64
		buf := make([]byte, pg.ChunkSize)
		for seq := 0; ; seq++ {
			n, rerr := io.ReadFull(r, buf)
			if size += int64(n); size > f.Max {
				return errTooLarge{size}
			}
			if seq == 0 && mimeType == "" {
				// A messenger that does not say what a file is (MAX) leaves it to its bytes, as a browser would
				// read them: a picture is then shown as one.
				mimeType, _, _ = mime.ParseMediaType(http.DetectContentType(buf[:n]))
			}
			if n > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO inbound_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`,
					id, seq, buf[:n]); err != nil {
					return err
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				return rerr
			}
		}
		_, err := tx.Exec(ctx, `
			UPDATE inbound_files SET state = 'ready', size = $2, mime = $3, fetched_at = now(), lease_until = NULL, last_error = ''
			WHERE id = $1`, id, size, mimeType)
		return err
	})
	var big errTooLarge
	if errors.As(err, &big) {
		return f.TooLarge(ctx, id, big.size)
	}
	if err != nil {
		return fmt.Errorf("messenger: save file %d: %w", id, err)
	}
	return nil
}

type errTooLarge struct{ size int64 }

func (e errTooLarge) Error() string { return fmt.Sprintf("more than %d bytes", e.size-1) }

// TooLarge records that a file is over the limit (size 0: the size is not known beyond that) and is not fetched.
func (f *Files) TooLarge(ctx context.Context, id, size int64) error {
	_, err := f.pool.Exec(ctx, `
		UPDATE inbound_files SET state = 'too_large', size = greatest(size, $2), lease_until = NULL
		WHERE id = $1 AND state = 'pending'`, id, size)
	if err != nil {
		return fmt.Errorf("messenger: file %d is too large: %w", id, err)
	}
	return nil
}

// Retry records a failed fetch (the cause as msg.Record keeps it, for the operator to read): the file is tried again after a back-off, and given up as failed after
// fileAttempts tries, or at once when permanent.
func (f *Files) Retry(ctx context.Context, x File, cause error, permanent bool) error {
	state := FilePending
	if permanent || x.Attempts >= fileAttempts {
		state = FileFailed
	}
	backoff := min(time.Duration(1<<min(x.Attempts, 10))*time.Second, 10*time.Minute)
	_, err := f.pool.Exec(ctx, `
		UPDATE inbound_files SET state = $2, last_error = $3, lease_until = NULL,
		       not_before = now() + make_interval(secs => $4)
		WHERE id = $1 AND state = 'pending'`, x.ID, state, CleanText(msg.Record(cause)), backoff.Seconds())
	if err != nil {
		return fmt.Errorf("messenger: file %d: record a failed fetch: %w", x.ID, err)
	}
	return nil
}

// Open reads a ready file's bytes.
func (f *Files) Open(id int64) io.ReadCloser {
	return pg.ChunkReader(f.pool, `SELECT data FROM inbound_file_chunks WHERE file_id = $1 AND seq = $2`, id)
}

// cleanFileName keeps a client's file name readable, short and free of folders: it is shown and offered as the
// name to save under.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(CleanText(name), `\`, "/"))
	if name == "." || name == "/" {
		return ""
	}
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}
