package imports_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

// A file of several chunks comes back byte for byte, to its owner only, once described; one cut off half way or
// over the limit is never shown, and nothing of it stays.
func TestUploadsKeepFilesForTheirOwner(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	var alice, bob int64
	for login, id := range map[string]*int64{"alice": &alice, "bob": &bob} {
		if err := pool.QueryRow(ctx, `INSERT INTO users (login, role, password_hash) VALUES ($1, 'manager', 'x')
			RETURNING id`, login).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	store := imports.NewUploads(pool, 3<<20)
	data := bytes.Repeat([]byte("ИНН;Компания\n7707083893;ООО Ромашка\n"), 40000) // 2.2 MiB: three chunks
	id, size, err := store.Receive(ctx, alice, bytes.NewReader(data))
	if err != nil || size != int64(len(data)) {
		t.Fatalf("receive: %v, %d bytes of %d", err, size, len(data))
	}
	if _, err := store.Get(ctx, id, alice); !errors.Is(err, imports.ErrNoUpload) {
		t.Fatalf("an upload not yet described: %v, want ErrNoUpload", err)
	}
	name := `C:\Users\manager\Desktop\` + strings.Repeat("я", 250) + ".csv"
	if err := store.Describe(ctx, imports.Upload{ID: id, Name: name, Dataset: imports.Clients, Size: size, UserID: alice}); err != nil {
		t.Fatal(err)
	}
	u, err := store.Get(ctx, id, alice)
	if err != nil || u.Dataset != imports.Clients || u.Size != size || len([]rune(u.Name)) != 200 || strings.Contains(u.Name, `\`) {
		t.Fatalf("get: %+v, %v", u, err)
	}
	got, err := io.ReadAll(store.Open(u))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes of %d: %v", len(got), len(data), err)
	}
	if _, err := store.Get(ctx, id, bob); !errors.Is(err, imports.ErrNoUpload) {
		t.Errorf("another user's upload: %v, want ErrNoUpload", err)
	}
	for _, bad := range []string{"../../etc/passwd", strings.ToUpper(id), ""} {
		if _, err := store.Get(ctx, bad, alice); !errors.Is(err, imports.ErrNoUpload) {
			t.Errorf("id %q: %v, want ErrNoUpload", bad, err)
		}
	}

	if _, _, err := store.Receive(ctx, alice, bytes.NewReader(append(data, data...))); !errors.Is(err, imports.ErrUploadTooLarge) {
		t.Errorf("4.4 MiB into a 3 MiB store: %v, want ErrUploadTooLarge", err)
	}
	if _, _, err := store.Receive(ctx, alice, io.MultiReader(bytes.NewReader(data[:1<<20+5]), failing{})); err == nil {
		t.Error("an upload cut off half way was kept")
	}
	var uploads, chunks int
	_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM uploads), (SELECT count(*) FROM upload_chunks)`).Scan(&uploads, &chunks)
	if uploads != 1 || chunks != 3 {
		t.Errorf("%d uploads and %d chunks kept, want only the first file's 1 and 3", uploads, chunks)
	}

	// A day later the file is gone, and the next upload sweeps it away.
	if _, err := pool.Exec(ctx, `UPDATE uploads SET created_at = now() - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, id, alice); !errors.Is(err, imports.ErrNoUpload) {
		t.Errorf("an expired upload: %v, want ErrNoUpload", err)
	}
	if _, _, err := store.Receive(ctx, bob, strings.NewReader("inn\n")); err != nil {
		t.Fatal(err)
	}
	_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM uploads), (SELECT count(*) FROM upload_chunks)`).Scan(&uploads, &chunks)
	if uploads != 1 || chunks != 1 {
		t.Errorf("after the sweep %d uploads and %d chunks, want the new one only", uploads, chunks)
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }
