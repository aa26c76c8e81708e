package operatorui_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger/telegram/tgfake"
)

// simMediaChat is the chat with what the simulator says of a photo or file.
type simMediaChat struct {
	Messages []struct {
		FromBot bool   `json:"from_bot"`
		Text    string `json:"text"`
		File    *struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"file"`
	} `json:"messages"`
}

// simUpload sends a file and its caption as the simulator page does: a multipart form, from the page's own origin.
func (s *site) simUpload(c *http.Client, path, name, mimeType string, data []byte, caption string) (int, string) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("caption", caption); err != nil {
		s.t.Fatal(err)
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		h.Set("Content-Type", mimeType)
		w, err := mw.CreatePart(h)
		if err != nil {
			s.t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	mw.Close()
	r, _ := http.NewRequest(http.MethodPost, s.URL+path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fetchFile is the bot fetching a file the client sent, with getFile and the file's path, as Dozvon does.
func (s *site) fetchFile(fileID string) []byte {
	s.t.Helper()
	srv := httptest.NewServer(s.Sim.Handler())
	defer srv.Close()
	res, err := http.Post(srv.URL+"/bot"+s.Sim.Token()+"/getFile", "application/json", strings.NewReader(`{"file_id":"`+fileID+`"}`))
	if err != nil {
		s.t.Fatal(err)
	}
	file := decode[struct {
		Result tgfake.File `json:"result"`
	}](s.t, string(must(io.ReadAll(res.Body))))
	res.Body.Close()
	res, err = http.Get(srv.URL + "/file/bot" + s.Sim.Token() + "/" + file.Result.FilePath)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	return must(io.ReadAll(res.Body))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A person playing a client sends a picture with a caption, then a PDF without one: the bot receives a photo of
// the picture's size and a document with its name and type, both as the client sent them (getFile gives the
// bytes back), and the chat shows what was sent. What Telegram would refuse is refused in the person's words.
func TestSimulatedClientSendsAPhotoAndAFile(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	id := s.newClient(c, "Anna", "+79161234567")
	path := "/sim/api/chats/" + strconv.FormatInt(id, 10) + "/media"

	pic, pdf := pngOf(t, 40, 30), []byte("%PDF-1.7 устав")
	status, raw := s.simUpload(c, path, "scan.png", "image/png", pic, "  Скан паспорта ")
	chat := decode[simMediaChat](t, raw)
	if last := chat.Messages[len(chat.Messages)-1]; status != http.StatusOK || last.FromBot || last.Text != "Скан паспорта" ||
		last.File == nil || last.File.Kind != "photo" {
		t.Fatalf("photo: %d %s", status, raw)
	}
	status, raw = s.simUpload(c, path, "устав.pdf", "application/pdf", pdf, "")
	chat = decode[simMediaChat](t, raw)
	if last := chat.Messages[len(chat.Messages)-1]; status != http.StatusOK || last.Text != "" || last.File == nil ||
		*last.File != (struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		}{"document", "устав.pdf"}) {
		t.Fatalf("document: %d %s", status, raw)
	}

	updates := s.Sim.PendingUpdates()
	photo, doc := updates[len(updates)-2].Message, updates[len(updates)-1].Message
	if len(photo.Photo) != 1 || photo.Photo[0].Width != 40 || photo.Photo[0].Height != 30 || photo.Caption != "Скан паспорта" {
		t.Fatalf("the bot got %+v", photo)
	}
	if doc.Document == nil || doc.Document.FileName != "устав.pdf" || doc.Document.MIMEType != "application/pdf" || doc.Caption != "" {
		t.Fatalf("the bot got %+v", doc)
	}
	if got := s.fetchFile(photo.Photo[0].FileID); !bytes.Equal(got, pic) {
		t.Errorf("getFile gives %d bytes of the photo, want the %d sent", len(got), len(pic))
	}
	if got := s.fetchFile(doc.Document.FileID); !bytes.Equal(got, pdf) {
		t.Errorf("getFile gives %q, want %q", got, pdf)
	}

	for _, tc := range []struct {
		what    string
		data    []byte
		caption string
		status  int
		says    string
	}{
		{"no file", nil, "Скан", 422, "Choose a photo or file"},
		{"a caption too long", pdf, strings.Repeat("я", 1025), 422, "caption is longer than Telegram allows"},
		{"a file over the limit", make([]byte, 21<<20+1), "", 413, "larger than the simulator takes"},
	} {
		if status, raw := s.simUpload(c, path, "x.bin", "application/octet-stream", tc.data, tc.caption); status != tc.status ||
			!strings.Contains(raw, tc.says) {
			t.Errorf("%s: %d %s; want %d saying %q", tc.what, status, raw, tc.status, tc.says)
		}
	}
	if n := len(s.Sim.PendingUpdates()); n != len(updates) {
		t.Errorf("%d updates after the refusals, want %d", n, len(updates))
	}
}

// On the page, the paperclip sends the chosen file with what is typed as its caption, and the chat shows it.
func TestSimulatorPageSendsAPhotoWithACaption(t *testing.T) {
	s := newSite(t)
	page := browsertest.New(t)
	anna := s.Sim.AddUser(tgfake.User{FirstName: "Anna", Phone: "+79161234567"})
	if _, err := s.Sim.Start(anna.ID, ""); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scan.png")
	if err := os.WriteFile(file, pngOf(t, 40, 30), 0o600); err != nil {
		t.Fatal(err)
	}
	if status := page.Login(s.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	page.Open(s.URL + "/sim?client=" + strconv.FormatInt(anna.ID, 10))
	page.WaitText(`[data-from=client] [data-testid=sim-body]`, "/start")
	page.Fill(testidSel("sim-text"), "Скан паспорта")
	page.Upload(testidSel("sim-file"), file)
	page.WaitText(`[data-from=client] [data-testid=sim-file-line]`, "📷 Photo")
	// The page polls the chat as well as drawing the upload's answer: wait for the log to settle on the photo.
	page.WaitText(`[data-from=client]:last-child [data-testid=sim-body]`, "Скан паспорта")
	if got := page.Text(`[data-from=client]:last-child [data-testid=sim-body]`); got != "Скан паспорта" {
		t.Errorf("the photo's caption reads %q", got)
	}
	if got := page.Value(testidSel("sim-text")); got != "" {
		t.Errorf("the message box still holds %q", got)
	}
	updates := s.Sim.PendingUpdates()
	if m := updates[len(updates)-1].Message; m == nil || len(m.Photo) != 1 || m.Caption != "Скан паспорта" {
		t.Errorf("the bot got %+v", m)
	}
}

func testidSel(id string) string { return "[data-testid=" + id + "]" }
