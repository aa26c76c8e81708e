package operatorui

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// Callback tasks (/callbacks): the calls agreed in chats, for the bank's dialer or CRM, with the file to load
// there (POST /callbacks.csv) and a button to mark each done.

func (ui *UI) showCallbacks(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	list, err := ui.Dialog.OpenCallbacks(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "callbacks", view{Title: "callbacks.title", Data: list})
}

// callbacksCSV is the file of open callback tasks. It carries phone numbers, so who took it is in the audit log,
// and it records which tasks were handed over, so it answers only a POST from the page's own form (the
// cross-origin protection refuses one from another site).
func (ui *UI) callbacksCSV(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	var buf bytes.Buffer // whole before sending, so a failure is a 500 and not a cut-off file
	n, err := ui.Dialog.ExportCallbacks(r.Context(), &buf, ui.userZone(r))
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	me := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "callbacks.export", Object: "callbacks.csv",
		Detail: map[string]any{"tasks": n}})
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="callbacks-`+time.Now().In(ui.userZone(r)).Format("2006-01-02")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

func (ui *UI) closeCallback(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.supervisorPathID(w, r)
	if !ok {
		return
	}
	me, loc := currentUser(r), ui.requestLocale(r)
	err := ui.Dialog.CloseCallback(r.Context(), id, me.ID)
	switch {
	case errors.Is(err, dialog.ErrNoSuchCallback):
		ui.flash(r, T(loc, "callbacks.gone"))
	case err != nil:
		ui.serverError(w, r, err)
		return
	default:
		ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "callbacks.done",
			Object: "outcome " + strconv.FormatInt(id, 10), Detail: map[string]any{"outcome_id": id}})
		ui.flash(r, T(loc, "callbacks.done_flash", id))
	}
	http.Redirect(w, r, "/callbacks", http.StatusSeeOther)
}
