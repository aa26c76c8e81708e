package tgfake

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// A user sends a document with a caption: the bot receives the Bot API's Message with document and caption, asks
// getFile where it is, and downloads it from /file/bot<token>/<file_path>, as from Telegram.
func TestUserSendsADocumentTheBotFetchesWithGetFile(t *testing.T) {
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Анна"})
	data := []byte("%PDF-1.7 выписка")
	if _, err := f.SendDocument(u.ID, "выписка.pdf", "application/pdf", data, "  Выписка за март "); err != nil {
		t.Fatal(err)
	}
	_, res, _ := callJSON(t, base, f.Token(), "getUpdates", map[string]any{})
	updates := mustDecode[[]struct {
		Message struct {
			Caption  string   `json:"caption"`
			Document Document `json:"document"`
		} `json:"message"`
	}](t, res.Result)
	m := updates[len(updates)-1].Message
	if m.Caption != "Выписка за март" || m.Document.FileName != "выписка.pdf" || m.Document.MIMEType != "application/pdf" ||
		m.Document.FileSize != int64(len(data)) || m.Document.FileID == "" || m.Document.FileUniqueID == "" {
		t.Fatalf("message = %+v", m)
	}

	code, res, _ := callJSON(t, base, f.Token(), "getFile", map[string]any{"file_id": m.Document.FileID})
	file := mustDecode[File](t, res.Result)
	if code != 200 || file.FileID != m.Document.FileID || file.FileSize != int64(len(data)) || file.FilePath != "documents/file_1" {
		t.Fatalf("getFile: %d %+v", code, file)
	}
	get := func(path string) (int, string) {
		r, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if code, body := get("/file/bot" + f.Token() + "/" + file.FilePath); code != 200 || body != string(data) {
		t.Fatalf("download: %d %q", code, body)
	}
	if code, _ := get("/file/bot123:wrong/" + file.FilePath); code != 404 {
		t.Fatalf("download with a wrong token: %d, want 404", code)
	}
	code, res, _ = callJSON(t, base, f.Token(), "getFile", map[string]any{"file_id": "nope"})
	if code != 400 || res.Description != "Bad Request: invalid file_id" {
		t.Fatalf("unknown file_id: %d %+v", code, res)
	}
}

// An update queued raw reaches the bot byte for byte after its update_id, what encoding/json could not write (a
// lone surrogate) included.
func TestSendRawDeliversTheUpdateAsGiven(t *testing.T) {
	f, base := newServed(t, Options{})
	u, err := f.SendRaw(json.RawMessage(`{"message": {"text": "half \ud83d", "paid": {"type": "live_photo"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _, raw := callJSON(t, base, f.Token(), "getUpdates", map[string]any{})
	want := `{"ok":true,"result":[{"update_id":1,"message":{"text":"half \ud83d","paid":{"type":"live_photo"}}}]}`
	if u.UpdateID != 1 || string(raw) != want {
		t.Fatalf("got %s\nwant %s", raw, want)
	}
	if _, err := f.SendRaw(json.RawMessage(`{"update_id": 5}`)); err == nil {
		t.Fatal("a raw update with its own update_id was taken")
	}
}
