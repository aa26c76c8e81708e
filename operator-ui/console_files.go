package operatorui

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"dozvon/dialog"
	"dozvon/messenger"
)

// The files clients send (photos, documents, voice ...) are fetched from the messenger by Dozvon and served from
// here, never from the messenger's address, which holds the bot token. Who may open a file is who may read its
// dialog: the operator who has (or had) it, supervisors and administrators (readableConversation).

// consoleAttachment is a file of a client's message as the page shows it.
type consoleAttachment struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"` // photo, document, voice, ...
	Name  string `json:"name"`
	Size  int64  `json:"size"`
	State string `json:"state"` // pending (the page says "loading"), ready, too_large, failed
	Image bool   `json:"image"` // shown inline once ready
	URL   string `json:"url"`
	// Reason is why a failed file could not be fetched, in the reader's language.
	Reason string `json:"reason,omitempty"`
}

// inlineImages are the types a browser shows as pictures without running anything: an SVG (a script) or any other
// type is offered as a download instead.
var inlineImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// attachmentsOf returns the files of a conversation's messages by message id, with their fetch states, and why a
// failed one failed in locale.
func (ui *UI) attachmentsOf(ctx context.Context, locale string, c dialog.Conversation) (map[int64][]consoleAttachment, error) {
	out := map[int64][]consoleAttachment{}
	var ids []int64
	for _, m := range c.Messages {
		for _, a := range m.Attachments() {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 || ui.Files == nil {
		return out, nil
	}
	states, err := ui.Files.States(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, m := range c.Messages {
		for _, a := range m.Attachments() {
			f, ok := states[a.ID]
			if !ok {
				f.State = messenger.FileFailed
			}
			if f.MIME == "" {
				f.MIME = a.MIME // the type the messenger said; once fetched, the file's own (MAX says none)
			}
			out[m.ID] = append(out[m.ID], consoleAttachment{ID: a.ID, Kind: a.Kind, Name: a.Name,
				Size: max(a.Size, f.Size), State: f.State, Image: inlineImages[f.MIME] && f.State == messenger.FileReady,
				URL:    "/console/api/dialogs/" + strconv.FormatInt(c.ID, 10) + "/files/" + strconv.FormatInt(a.ID, 10),
				Reason: failedBecause(locale, f)})
		}
	}
	return out, nil
}

// consoleFile serves a file of the {id} dialog: a picture inline, anything else as a download under its name.
func (ui *UI) consoleFile(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.readableConversation(w, r)
	if !ok {
		return
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	var a *messenger.Attachment
	for _, m := range c.Messages {
		for _, x := range m.Attachments() {
			if err == nil && x.ID == fileID {
				a = &x
			}
		}
	}
	if a == nil || ui.Files == nil { // not this dialog's: the same answer as a file that does not exist
		writeJSONError(w, http.StatusNotFound, T(ui.requestLocale(r), "console.file_missing"))
		return
	}
	f, err := ui.Files.Get(r.Context(), fileID)
	if err != nil && !errors.Is(err, messenger.ErrNoFile) {
		ui.consoleFail(w, r, err)
		return
	}
	if err != nil || f.State != messenger.FileReady {
		writeJSONError(w, http.StatusNotFound, T(ui.requestLocale(r), "console.file_missing"))
		return
	}
	h := w.Header()
	disposition := "attachment"
	h.Set("Content-Type", "application/octet-stream")
	if inlineImages[f.MIME] {
		disposition = "inline"
		h.Set("Content-Type", f.MIME)
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox") // opened on its own, a file runs nothing
	h.Set("Cache-Control", "private, max-age=86400")                // a fetched file never changes
	body := ui.Files.Open(f.ID)
	defer body.Close()
	if _, err := io.Copy(w, body); err != nil {
		logFrom(r).Warn().Err(err).Int64("file_id", f.ID).Msg("serve a client's file")
	}
}
