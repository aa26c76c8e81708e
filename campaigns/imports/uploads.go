package imports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
	"dozvon/internal/pg"
)

// An uploaded file is kept between its preview and its import, and for a day after, so that a manager can check
// it, change the mapping, import it, or check it again after a dry run without sending hundreds of megabytes
// again. It is kept in PostgreSQL (the uploads and upload_chunks tables), so that every step may land on any
// Dozvon instance: instances keep no files of their own.

// DefaultMaxUpload is the largest file the import page takes: a few million rows. Bigger files go through the
// command line (dozvon import), which reads them from disk.
const DefaultMaxUpload = 512 << 20

// UploadLifetime is how long an upload stays for another preview or import.
const UploadLifetime = 24 * time.Hour

// uploadChunk is the size of one stored piece: a 512 MiB file is a few hundred rows.
const uploadChunk = pg.ChunkSize

var (
	// ErrUploadTooLarge refuses a file over the store's limit; nothing of it is kept.
	ErrUploadTooLarge = msg.New("imports.upload_too_large")
	// ErrNoUpload is an upload that does not exist, has expired, was cut off, or is someone else's.
	ErrNoUpload = msg.New("imports.no_upload")
	uploadIDRe  = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Upload describes a kept file.
type Upload struct {
	ID      string
	Name    string // as the browser sent it, for the history
	Dataset Dataset
	Size    int64
	UserID  int64
	At      time.Time
}

// Uploads is the store of uploaded files.
type Uploads struct {
	pool *pgxpool.Pool
	max  int64
}

// NewUploads returns the store; max caps one file in bytes (0: DefaultMaxUpload).
func NewUploads(pool *pgxpool.Pool, max int64) *Uploads {
	if max <= 0 {
		max = DefaultMaxUpload
	}
	return &Uploads{pool: pool, max: max}
}

// Max is the largest file the store takes, in bytes.
func (s *Uploads) Max() int64 { return s.max }

// Receive streams a user's file into the store and returns its id and size, refusing it with ErrUploadTooLarge once
// it passes the limit. The upload is shown to no one until Describe says what it is.
func (s *Uploads) Receive(ctx context.Context, userID int64, r io.Reader) (id string, size int64, err error) {
	s.sweep(ctx)
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	kept := hex.EncodeToString(b)
	if _, err := s.pool.Exec(ctx, `INSERT INTO uploads (id, user_id) VALUES ($1, $2)`, kept, userID); err != nil {
		return "", 0, fmt.Errorf("imports: keep the upload: %w", err)
	}
	defer func() {
		if err != nil { // nothing of a refused or broken upload stays
			s.Remove(context.WithoutCancel(ctx), kept)
		}
	}()
	buf := make([]byte, uploadChunk)
	for seq := 0; ; seq++ {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if size += int64(n); size > s.max {
				return "", 0, ErrUploadTooLarge
			}
			if _, err := s.pool.Exec(ctx, `INSERT INTO upload_chunks (upload_id, seq, data) VALUES ($1, $2, $3)`,
				kept, seq, buf[:n]); err != nil {
				return "", 0, fmt.Errorf("imports: keep the upload: %w", err)
			}
		}
		switch {
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return kept, size, nil
		case rerr != nil:
			return "", 0, rerr
		}
	}
}

// Describe records what a received upload is and makes it visible to its owner.
func (s *Uploads) Describe(ctx context.Context, u Upload) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE uploads SET name = $2, dataset = $3, size = $4, complete = true
		WHERE id = $1 AND user_id = $5`, u.ID, clipName(u.Name), string(u.Dataset), u.Size, u.UserID)
	if err != nil {
		return fmt.Errorf("imports: describe upload: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoUpload
	}
	return nil
}

// Get returns a user's upload; another user's, an expired one, one cut off and a malformed id are ErrNoUpload.
func (s *Uploads) Get(ctx context.Context, id string, userID int64) (Upload, error) {
	if !uploadIDRe.MatchString(id) {
		return Upload{}, ErrNoUpload
	}
	var u Upload
	var dataset string
	err := s.pool.QueryRow(ctx, `
		SELECT id, name, dataset, size, user_id, created_at FROM uploads
		WHERE id = $1 AND user_id = $2 AND complete AND created_at > now() - make_interval(secs => $3)`,
		id, userID, UploadLifetime.Seconds()).Scan(&u.ID, &u.Name, &dataset, &u.Size, &u.UserID, &u.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return Upload{}, ErrNoUpload
	}
	if err != nil {
		return Upload{}, fmt.Errorf("imports: read upload %s: %w", id, err)
	}
	u.Dataset = Dataset(dataset)
	return u, nil
}

// Open reads an upload's bytes back, a chunk at a time. The reader does not depend on the request that opened it:
// an import reads its file in the background after the page has answered.
func (s *Uploads) Open(u Upload) io.ReadCloser {
	return pg.ChunkReader(s.pool, `SELECT data FROM upload_chunks WHERE upload_id = $1 AND seq = $2`, u.ID)
}

// Remove forgets an upload and its bytes.
func (s *Uploads) Remove(ctx context.Context, id string) {
	_, _ = s.pool.Exec(ctx, `DELETE FROM uploads WHERE id = $1`, id)
}

// sweep removes the uploads past their lifetime, and those cut off half way.
func (s *Uploads) sweep(ctx context.Context) {
	_, _ = s.pool.Exec(ctx, `DELETE FROM uploads WHERE created_at < now() - make_interval(secs => $1)`,
		UploadLifetime.Seconds())
}

// clipName keeps a file name readable and short: it is shown in the history and the audit log.
func clipName(name string) string {
	name = strings.ToValidUTF8(path.Base(strings.ReplaceAll(name, `\`, "/")), "�")
	if name == "." || name == "/" {
		return ""
	}
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}
