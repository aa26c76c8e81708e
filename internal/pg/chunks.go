package pg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ChunkSize is the size of one stored piece of a file kept in the database (uploads, files clients send): big
// enough that a large file is a few hundred rows, small enough that reading it back holds one piece at a time.
const ChunkSize = 1 << 20

// ChunkReader reads back a file stored as numbered pieces, one query per piece: query takes the file's id ($1)
// and the piece's number ($2, from 0) and returns its bytes; no row ends the file. The reader does not depend on
// the request that opened it, so a background job may read a file after the page answered.
func ChunkReader(pool *pgxpool.Pool, query string, id any) io.ReadCloser {
	return &chunkReader{pool: pool, query: query, id: id}
}

type chunkReader struct {
	pool  *pgxpool.Pool
	query string
	id    any
	seq   int
	buf   []byte
	eof   bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := r.pool.QueryRow(ctx, r.query, r.id, r.seq).Scan(&r.buf)
		cancel()
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			r.eof = true
		case err != nil:
			return 0, fmt.Errorf("pg: read piece %d of %v: %w", r.seq, r.id, err)
		}
		r.seq++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *chunkReader) Close() error { return nil }
