package tgfake

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Files users send: a photo or a document with a caption. The fake keeps their bytes and serves them as the Bot
// API does: getFile answers a File with a file_path, and GET /file/bot<token>/<file_path> returns the bytes.

// MaxDownloadSize is the largest file getFile gives a bot (the Bot API's 20 MB); bigger files get 400 "file is
// too big", as from Telegram.
const MaxDownloadSize = 20 << 20

// MaxCaptionLength is the Bot API's limit for a caption.
const MaxCaptionLength = 1024

// ErrCaptionTooLong is a caption over MaxCaptionLength.
var ErrCaptionTooLong = errors.New("tgfake: caption is too long")

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MIMEType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// File is what getFile answers.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// storedFile is a file a user sent.
type storedFile struct {
	File
	data []byte
}

// SendPhoto is the user sending a photo with a caption (which may be empty). The bot receives it in one size,
// the bytes given; Telegram would add smaller previews, which a bot fetching the largest never reads.
func (f *Fake) SendPhoto(userID int64, data []byte, width, height int, caption string) (Update, error) {
	caption = strings.TrimSpace(caption)
	if utf8.RuneCountInString(caption) > MaxCaptionLength {
		return Update{}, ErrCaptionTooLong
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		file := f.storeFileLocked(data, "photos/file_%d.jpg")
		m.Photo = []PhotoSize{{FileID: file.FileID, FileUniqueID: file.FileUniqueID, Width: width, Height: height,
			FileSize: file.FileSize}}
		m.Caption = caption
		return nil
	})
}

// SendDocument is the user sending a file with a caption (which may be empty).
func (f *Fake) SendDocument(userID int64, name, mimeType string, data []byte, caption string) (Update, error) {
	caption = strings.TrimSpace(caption)
	if utf8.RuneCountInString(caption) > MaxCaptionLength {
		return Update{}, ErrCaptionTooLong
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		file := f.storeFileLocked(data, "documents/file_%d")
		m.Document = &Document{FileID: file.FileID, FileUniqueID: file.FileUniqueID, FileName: name,
			MIMEType: mimeType, FileSize: file.FileSize}
		m.Caption = caption
		return nil
	})
}

// storeFileLocked keeps data under a new file_id; pathFormat has a %d for the file's number.
func (f *Fake) storeFileLocked(data []byte, pathFormat string) File {
	if f.files == nil {
		f.files = map[string]*storedFile{}
	}
	n := len(f.files) + 1
	sum := sha256.Sum256(data)
	unique := "AQAD" + base64.RawURLEncoding.EncodeToString(sum[:9])
	id := "BQACAgIAAxkBAAI" + strconv.Itoa(n) + "_" + unique // looks like Telegram's: long and opaque
	file := File{FileID: id, FileUniqueID: unique, FileSize: int64(len(data)),
		FilePath: strings.Replace(pathFormat, "%d", strconv.Itoa(n), 1)}
	f.files[id] = &storedFile{File: file, data: append([]byte(nil), data...)}
	return file
}

func (f *Fake) getFile(_ context.Context, p params) (any, *apiError) {
	id := p["file_id"]
	if id == "" {
		return nil, badRequest("file_id is empty") // as the Bot API words a missing required parameter
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sf := f.files[id]
	switch {
	case sf == nil:
		return nil, badRequest("invalid file_id")
	case sf.FileSize > MaxDownloadSize:
		return nil, badRequest("file is too big")
	}
	return sf.File, nil
}

// serveFile is GET /file/bot<token>/<file_path>: a file's bytes.
func (f *Fake) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, filePrefix)
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != f.token || r.Method != http.MethodGet {
		writeError(w, errNotFound)
		return
	}
	f.mu.Lock()
	var data []byte
	for _, sf := range f.files {
		if sf.FilePath == path {
			data = sf.data
		}
	}
	f.calls["file download"]++
	f.mu.Unlock()
	if data == nil {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

const filePrefix = "/file/bot"

// SendRaw queues an update exactly as given, its update_id set to the next one: an update of a kind or with
// fields the fake does not model (a newer Bot API's), or with what Telegram relays from a client as it is, such
// as a lone surrogate (\ud83d) in a text. raw must be a JSON object.
func (f *Fake) SendRaw(raw json.RawMessage) (Update, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Update{}, errors.New("tgfake: a raw update must be a JSON object")
	}
	if _, ok := obj["update_id"]; ok {
		return Update{}, errors.New("tgfake: a raw update gets its update_id from the fake")
	}
	u := Update{raw: append(json.RawMessage(nil), raw...)}
	for k := range obj {
		u.rawKind = k
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.enqueueLocked(u), nil
}

// MarshalJSON writes an update; one queued with SendRaw is its raw bytes with the update_id in front.
func (u Update) MarshalJSON() ([]byte, error) {
	if u.raw == nil {
		type plain Update // without this method
		return json.Marshal(plain(u))
	}
	b := append([]byte(`{"update_id":`), strconv.FormatInt(u.UpdateID, 10)...)
	body := strings.TrimSpace(string(u.raw))[1:] // after the opening brace
	if rest := strings.TrimSpace(body); rest != "}" {
		b = append(b, ',')
	}
	return append(b, body...), nil
}
