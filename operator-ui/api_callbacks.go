package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
)

// The bank's dialer (or CRM) takes the callback tasks through the API instead of a supervisor's file: it reads the
// open ones, calls, and closes each. The answer carries clients' phones, so only a token with the "callbacks"
// scope reads it, and every read is in the audit log. Phones are E.164 as stored — no spreadsheet protection, a
// machine reads them.

type apiCallback struct {
	ID             int64      `json:"id"` // close it with POST /api/v1/callbacks/{id}/done
	Company        string     `json:"company"`
	INN            string     `json:"inn"`
	ContactName    string     `json:"contact_name"`
	Phone          string     `json:"phone"`
	DueAt          *time.Time `json:"due_at"`    // null: as soon as possible
	DueLocal       string     `json:"due_local"` // the same moment in the client's zone, RFC 3339; "" without a time
	TimeZone       string     `json:"timezone"`
	Operator       string     `json:"operator"`
	Note           string     `json:"note"`
	Source         string     `json:"source"` // operator, or client (the "call me back" button)
	ConversationID *int64     `json:"conversation_id"`
	RecordedAt     time.Time  `json:"recorded_at"`
	New            bool       `json:"new"` // not handed over before (by this API or the supervisors' file)
}

// apiCallbacks is GET /api/v1/callbacks: the open callback tasks, the earliest due first.
func (ui *UI) apiCallbacks(w http.ResponseWriter, r *http.Request) {
	if ui.Dialog == nil {
		ui.refuseAPI(w, r, http.StatusServiceUnavailable, msg.New("api.dialog_off"))
		return
	}
	tasks, err := ui.Dialog.HandOverCallbacks(r.Context())
	if err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("callbacks API")
		ui.refuseAPI(w, r, http.StatusInternalServerError, msg.New("api.internal"))
		return
	}
	out := make([]apiCallback, len(tasks))
	for i, t := range tasks {
		out[i] = apiCallback{ID: t.ID, Company: t.Company, INN: t.INN, ContactName: t.ContactName, Phone: t.Phone,
			DueAt: t.DueAt, TimeZone: t.TimeZone, Operator: t.Operator, Note: t.Note, Source: t.Source,
			ConversationID: t.ConversationID, RecordedAt: t.RecordedAt, New: t.ExportedAt == nil}
		if t.DueAt != nil {
			out[i].DueLocal = t.LocalDue().Format(time.RFC3339)
		}
	}
	tok := currentToken(r)
	ui.audit(r, auth.Entry{Actor: tok.Name, Action: "callbacks.export", Object: "api",
		Detail: map[string]any{"token_id": tok.ID, "tasks": len(out)}})
	writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
}

// apiCallbackDone is POST /api/v1/callbacks/{id}/done: the dialer made the call.
func (ui *UI) apiCallbackDone(w http.ResponseWriter, r *http.Request) {
	if ui.Dialog == nil {
		ui.refuseAPI(w, r, http.StatusServiceUnavailable, msg.New("api.dialog_off"))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = ui.Dialog.CloseCallback(r.Context(), id, 0)
	}
	switch {
	case err != nil && (errors.Is(err, dialog.ErrNoSuchCallback) || id == 0):
		ui.refuseAPI(w, r, http.StatusNotFound, msg.New("api.no_callback", r.PathValue("id")))
		return
	case err != nil:
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("callbacks API")
		ui.refuseAPI(w, r, http.StatusInternalServerError, msg.New("api.internal"))
		return
	}
	tok := currentToken(r)
	ui.audit(r, auth.Entry{Actor: tok.Name, Action: "callbacks.done", Object: "outcome " + strconv.FormatInt(id, 10),
		Detail: map[string]any{"token_id": tok.ID, "outcome_id": id}})
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "done": true})
}
