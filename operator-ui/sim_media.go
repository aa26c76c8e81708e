package operatorui

import (
	"bytes"
	"errors"
	"image"
	_ "image/gif" // pictures a person may send as a photo
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"strings"

	"dozvon/messenger/max/maxfake"
	"dozvon/messenger/telegram/tgfake"
)

// The simulated client sends a photo or a file with a caption, as from the messenger's apps: a picture goes as a
// photo (what Telegram's apps do unless asked to send it as a file; MAX's "image"), anything else as a document
// (MAX's "file"). The bot then fetches it as it fetches any client's file (Telegram: getFile; MAX: the URL in the
// attachment), so the operator's console shows it as it would a real one.

// simMaxUpload is the largest file the page sends: a little over what the Bot API lets a bot download, so that a
// person can also see how Dozvon treats a file too big to fetch.
const simMaxUpload = tgfake.MaxDownloadSize + 1<<20

// simFile is a photo or file a client sent, in its bubble.
type simFile struct {
	Kind string `json:"kind"` // photo or document
	Name string `json:"name,omitempty"`
}

func init() { addCatalog(simMediaCatalog) }

var simMediaCatalog = map[string]struct{ en, ru string }{
	"sim.attach":               {"Send a photo or file (the message box is its caption)", "Отправить фото или файл (текст в поле — подпись к нему)"},
	"sim.photo":                {"📷 Photo", "📷 Фото"},
	"sim.file":                 {"📎 %s", "📎 %s"},
	"sim.err_no_file":          {"Choose a photo or file to send.", "Выберите фото или файл."},
	"sim.err_file_too_big":     {"The file is larger than the simulator takes (21 MB).", "Файл больше, чем принимает симулятор (21 МБ)."},
	"sim.err_caption_too_long": {"The caption is longer than Telegram allows (1024 characters).", "Подпись длиннее, чем позволяет Telegram (1024 символа)."},
}

// simSendMedia is POST /sim/api/chats/{id}/media?channel=: a multipart form with the file ("file") and its caption
// ("caption"), sent as from the client's messenger. It answers with the chat, like the other actions.
func (ui *UI) simSendMedia(w http.ResponseWriter, r *http.Request) {
	m, id, ok := ui.simPlay(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, simMaxUpload+64<<10) // the file and the form around it
	mimeType, name, data, caption, err := readSimUpload(r)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || len(data) > simMaxUpload:
		ui.simFail(w, r, http.StatusRequestEntityTooLarge, "sim.err_file_too_big")
		return
	case err != nil:
		ui.simFail(w, r, http.StatusBadRequest, "sim.err_request")
		return
	case len(data) == 0:
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_no_file")
		return
	}
	up := simUpload{Name: name, MIME: mimeType, Data: data, Caption: caption}
	if pic, _, perr := image.DecodeConfig(bytes.NewReader(data)); perr == nil {
		up.Photo, up.Width, up.Height = true, pic.Width, pic.Height
	}
	err = m.sendMedia(id, up)
	switch {
	case errors.Is(err, tgfake.ErrCaptionTooLong):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_caption_too_long")
	case errors.Is(err, maxfake.ErrTextTooLong):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_caption_too_long_max")
	case err != nil:
		ui.simError(w, r, simMaxError(err))
	default:
		writeJSON(w, http.StatusOK, m.chat(id))
	}
}

// simUpload is a photo or file the person sends as the client: Photo when it is a picture (Width × Height).
type simUpload struct {
	Name, MIME    string
	Data          []byte
	Caption       string
	Photo         bool
	Width, Height int
}

// readSimUpload reads the form's file (its type, name and bytes) and caption.
func readSimUpload(r *http.Request) (mimeType, name string, data []byte, caption string, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", nil, "", err
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return mimeType, name, data, caption, nil
		}
		if err != nil {
			return "", "", nil, "", err
		}
		switch p.FormName() {
		case "file":
			name = p.FileName()
			if data, err = io.ReadAll(p); err != nil {
				return "", "", nil, "", err
			}
			mimeType, _, _ = mime.ParseMediaType(p.Header.Get("Content-Type"))
			if mimeType == "" || mimeType == "application/octet-stream" {
				mimeType, _, _ = mime.ParseMediaType(http.DetectContentType(data))
			}
		case "caption":
			b, err := io.ReadAll(io.LimitReader(p, 64<<10))
			if err != nil {
				return "", "", nil, "", err
			}
			caption = strings.TrimSpace(string(b))
		}
	}
}

// simFileOf is the photo or file of a message the client sent; nil for words.
func simFileOf(m tgfake.Message) *simFile {
	switch {
	case len(m.Photo) > 0:
		return &simFile{Kind: "photo"}
	case m.Document != nil:
		return &simFile{Kind: "document", Name: m.Document.FileName}
	}
	return nil
}

// simMaxFileOf is the photo or file of a MAX client's message; nil for words.
func simMaxFileOf(m maxfake.Message) *simFile {
	for _, a := range m.Body.Attachments {
		switch a.Type {
		case "image":
			return &simFile{Kind: "photo"}
		case "file", "video", "audio":
			return &simFile{Kind: "document", Name: a.Filename}
		}
	}
	return nil
}
