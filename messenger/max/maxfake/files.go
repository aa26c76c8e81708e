package maxfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Files users send: a picture, a file, a video or a sound, with the message's text as its caption. MAX gives the
// bot each attachment with a payload holding the URL it serves the bytes at and a token (to send the same
// attachment again), and for a file its name and size (the specification's PhotoAttachment, FileAttachment,
// VideoAttachment, AudioAttachment). The URL is MAX's storage, on a host of its own, and needs no bot token; the
// fake serves it under FilePath on its own address, to anyone who has the URL, as MAX does.

// FilePath is where the fake serves the files users sent: FilePath + <id>?sig=<signature>.
const FilePath = "/_files/"

// Errors of SendFile.
var (
	ErrNoAddress = errors.New("maxfake: the fake has no address to serve files at (StartServer, Serve or SetURL first)")
	ErrEmptyFile = errors.New("maxfake: the file is empty")
	ErrFileKind  = errors.New("maxfake: an attachment a user sends is image, video, audio or file")
)

type storedFile struct {
	sig  string
	data []byte
}

// SetURL tells the fake the address it is served at, which the URLs of users' files start with. StartServer and
// Serve set it; a test serving Handler itself (httptest) calls it.
func (f *Fake) SetURL(base string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.baseURL = strings.TrimRight(base, "/")
}

// Serve serves the fake on ln (setting its address, as SetURL) until ln is closed.
func (f *Fake) Serve(ln net.Listener) error {
	f.SetURL("http://" + ln.Addr().String())
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// SendFile is the user sending a file with a caption (the message's text, which may be empty): kind is MAX's
// attachment type (image, video, audio or file), name the file's name, which MAX gives the bot for a file only.
func (f *Fake) SendFile(userID int64, kind, name string, data []byte, caption string) (Update, error) {
	caption = strings.TrimSpace(caption)
	switch {
	case kind != "image" && kind != "video" && kind != "audio" && kind != "file":
		return Update{}, ErrFileKind
	case len(data) == 0:
		return Update{}, ErrEmptyFile
	case utf8.RuneCountInString(caption) > maxTextLength:
		return Update{}, ErrTextTooLong
	}
	f.mu.Lock()
	base := f.baseURL
	if base == "" {
		f.mu.Unlock()
		return Update{}, ErrNoAddress
	}
	if f.files == nil {
		f.files = map[string]*storedFile{}
	}
	n := len(f.files) + 1
	id := strconv.FormatInt(f.opts.SeqBase+int64(n), 10)
	sig := make([]byte, 12)
	_, _ = rand.Read(sig)
	f.files[id] = &storedFile{sig: hex.EncodeToString(sig), data: append([]byte(nil), data...)}
	url := base + FilePath + id + "?sig=" + f.files[id].sig
	f.mu.Unlock()

	payload := map[string]any{"url": url, "token": "f" + hex.EncodeToString(sig[:6]) + id}
	a := Attachment{Type: kind}
	switch kind {
	case "image":
		payload["photo_id"] = f.opts.SeqBase + int64(n)
	case "file":
		size := int64(len(data))
		a.Filename, a.Size = name, &size
	}
	a.Payload, _ = json.Marshal(payload)
	return f.userMessage(userID, caption, []Attachment{a})
}

// serveFile is GET FilePath<id>?sig=: the bytes of a file a user sent, to whoever has its URL.
func (f *Fake) serveFile(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, FilePath)
	f.mu.Lock()
	sf := f.files[id]
	f.calls["GET file"]++
	if r.Header.Get("Authorization") != "" || r.URL.Query().Has("access_token") {
		f.calls["GET file with a token"]++
	}
	f.stateSig.Notify()
	f.mu.Unlock()
	if r.Method != http.MethodGet || sf == nil || r.URL.Query().Get("sig") != sf.sig {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(sf.data))
	w.Header().Set("Content-Length", strconv.Itoa(len(sf.data)))
	_, _ = w.Write(sf.data)
}
