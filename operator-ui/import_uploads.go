package operatorui

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"dozvon/campaigns/imports"
)

// An uploaded file is kept on this instance's disk between its preview and its import, and for a day after, so
// that a manager can check it, change the mapping, import it, or check it again after a dry run, without sending
// hundreds of megabytes again. Each upload is two files: ID.data (the bytes as received) and ID.json (what they
// are: name, dataset, size, whose).

// DefaultMaxUpload is the largest file the import page takes: a few million rows. Bigger files go through the
// command line (dozvon import), which reads them from disk.
const DefaultMaxUpload = 512 << 20

// uploadLifetime is how long an upload stays for another preview or import.
const uploadLifetime = 24 * time.Hour

type upload struct {
	ID      string          `json:"-"`
	Name    string          `json:"name"` // as the browser sent it, for the history
	Dataset imports.Dataset `json:"dataset"`
	Size    int64           `json:"size"`
	UserID  int64           `json:"user_id"`
	At      time.Time       `json:"at"`
}

type uploadStore struct {
	dir string
	max int64
}

var (
	errUploadTooLarge = errors.New("operatorui: the upload is too large")
	errNoUpload       = errors.New("operatorui: no such upload")
	uploadIDRe        = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func (ui *UI) uploads() uploadStore {
	s := uploadStore{dir: ui.UploadDir, max: ui.MaxUpload}
	if s.dir == "" {
		s.dir = filepath.Join(os.TempDir(), "dozvon-uploads")
	}
	if s.max <= 0 {
		s.max = DefaultMaxUpload
	}
	return s
}

// receive streams a file to disk, refusing it with errUploadTooLarge once it passes the limit, and returns the
// upload's id and size. Its description is written by describe once the rest of the form is read.
func (s uploadStore) receive(r io.Reader) (id string, size int64, err error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", 0, fmt.Errorf("operatorui: upload folder: %w", err)
	}
	s.sweep()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id = hex.EncodeToString(b)
	f, err := os.OpenFile(s.data(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", 0, fmt.Errorf("operatorui: keep the upload: %w", err)
	}
	size, err = io.Copy(f, io.LimitReader(r, s.max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > s.max {
		err = errUploadTooLarge
	}
	if err != nil {
		s.remove(id)
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) { // the whole request was
			err = errUploadTooLarge
		}
		return "", 0, err
	}
	return id, size, nil
}

// describe records what an upload is.
func (s uploadStore) describe(u upload) error {
	u.Name = clipName(u.Name)
	b, _ := json.Marshal(u)
	if err := os.WriteFile(s.meta(u.ID), b, 0o600); err != nil {
		return fmt.Errorf("operatorui: describe upload: %w", err)
	}
	return nil
}

// get returns a user's upload; another user's, an expired one and a malformed id are errNoUpload.
func (s uploadStore) get(id string, userID int64) (upload, error) {
	if !uploadIDRe.MatchString(id) {
		return upload{}, errNoUpload
	}
	b, err := os.ReadFile(s.meta(id))
	if errors.Is(err, os.ErrNotExist) {
		return upload{}, errNoUpload
	}
	if err != nil {
		return upload{}, fmt.Errorf("operatorui: read upload %s: %w", id, err)
	}
	var u upload
	if err := json.Unmarshal(b, &u); err != nil {
		return upload{}, fmt.Errorf("operatorui: read upload %s: %w", id, err)
	}
	if u.UserID != userID || time.Since(u.At) > uploadLifetime {
		return upload{}, errNoUpload
	}
	u.ID = id
	return u, nil
}

func (s uploadStore) open(u upload) (*os.File, error) {
	f, err := os.Open(s.data(u.ID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoUpload
	}
	return f, err
}

func (s uploadStore) remove(id string) {
	_ = os.Remove(s.meta(id))
	_ = os.Remove(s.data(id))
}

// sweep removes uploads older than their lifetime, and halves of uploads a crash left.
func (s uploadStore) sweep() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		id := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".data"), ".json")
		info, err := e.Info()
		if uploadIDRe.MatchString(id) && err == nil && time.Since(info.ModTime()) > uploadLifetime {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}

func (s uploadStore) data(id string) string { return filepath.Join(s.dir, id+".data") }
func (s uploadStore) meta(id string) string { return filepath.Join(s.dir, id+".json") }

// clipName keeps a file name readable and short: it is shown in the history and the audit log.
func clipName(name string) string {
	name = strings.ToValidUTF8(filepath.Base(strings.ReplaceAll(name, `\`, "/")), "�")
	if name == "." || name == "/" {
		return ""
	}
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}
