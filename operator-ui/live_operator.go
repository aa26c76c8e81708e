package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
)

// A supervisor manages one operator from the live board (GET /live/operators/{id}): how many dialogs they take at
// once, which queues they serve, and — for someone who left their desk with dialogs open — marking them away or
// offline. Each form posts to its own endpoint; a mistake comes back next to its form, and each change is in the
// audit log.

type liveOperatorView struct {
	Op       liveOperator
	Capacity string
	Queues   []queueChoice
	AllQueue bool // serves every queue
	Grace    int  // minutes offline before their waiting dialogs go back to the queue
	Errors   map[string]string
}

type queueChoice struct {
	ID      int64
	Label   string
	Checked bool
}

func (ui *UI) showLiveOperator(w http.ResponseWriter, r *http.Request) {
	if op, ok := ui.teamMember(w, r); ok {
		ui.renderLiveOperator(w, r, http.StatusOK, op, nil, nil)
	}
}

// setOperatorCapacity is POST /live/operators/{id}/capacity: capacity=1..50.
func (ui *UI) setOperatorCapacity(w http.ResponseWriter, r *http.Request) {
	op, ok := ui.teamMember(w, r)
	if !ok {
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("capacity"))
	n, err := strconv.Atoi(raw)
	if err == nil {
		err = ui.Dialog.SetCapacity(r.Context(), op.OperatorID, n)
	}
	if ui.operatorChangeFailed(w, r, op, err, "capacity", "live.err_capacity_range", map[string]string{"capacity": raw}) {
		return
	}
	ui.operatorChanged(w, r, op, "operator.capacity", map[string]any{"capacity": n, "was": op.Capacity},
		T(ui.requestLocale(r), "live.capacity_saved", op.Name, n))
}

// setOperatorQueues is POST /live/operators/{id}/queues: queue=ID, repeated; none means every queue.
func (ui *UI) setOperatorQueues(w http.ResponseWriter, r *http.Request) {
	op, ok := ui.teamMember(w, r)
	if !ok {
		return
	}
	_ = r.ParseForm()
	var ids []int64
	var err error
	for _, v := range r.PostForm["queue"] {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n <= 0 {
			err = msg.In("queues", "input.not_queue_id")
			break
		}
		ids = append(ids, n)
	}
	if err == nil {
		err = ui.Dialog.SetQueues(r.Context(), op.OperatorID, ids)
	}
	if ui.operatorChangeFailed(w, r, op, err, "queues", "live.err_queues", nil) {
		return
	}
	ui.operatorChanged(w, r, op, "operator.queues", map[string]any{"queues": ids, "was": op.Queues},
		T(ui.requestLocale(r), "live.queues_saved", op.Name))
}

// setOperatorPresence is POST /live/operators/{id}/presence: status=away or offline.
func (ui *UI) setOperatorPresence(w http.ResponseWriter, r *http.Request) {
	op, ok := ui.teamMember(w, r)
	if !ok {
		return
	}
	status, me := r.PostFormValue("status"), currentUser(r)
	err := ui.Dialog.SendAway(r.Context(), op.OperatorID, status, me.ID)
	key := "live.err_presence"
	switch {
	case errors.Is(err, dialog.ErrNoOperator):
		key = "live.err_never_signed_in"
	case errors.Is(err, dialog.ErrNotSupervisor): // their role changed since the request began
		key = "live.err_operators_forbidden"
	}
	if ui.operatorChangeFailed(w, r, op, err, "presence", key, nil) {
		return
	}
	loc := ui.requestLocale(r)
	ui.operatorChanged(w, r, op, "operator.presence", map[string]any{"status": status, "was": op.Status},
		T(loc, "live.presence_saved", op.Name, T(loc, "live.status_"+status)))
}

// operatorChangeFailed answers a refused change: the page again with the problem next to the form (422), or a
// server error. It reports whether it answered.
func (ui *UI) operatorChangeFailed(w http.ResponseWriter, r *http.Request, op dialog.OperatorLive, err error,
	field, key string, kept map[string]string) bool {
	var in *dialog.InputError
	var num *strconv.NumError
	switch {
	case err == nil:
		return false
	case errors.As(err, &in), errors.As(err, &num), errors.Is(err, dialog.ErrNoOperator), errors.Is(err, dialog.ErrNotSupervisor):
		ui.renderLiveOperator(w, r, http.StatusUnprocessableEntity, op,
			map[string]string{field: T(ui.requestLocale(r), key)}, kept)
	default:
		ui.serverError(w, r, err)
	}
	return true
}

func (ui *UI) operatorChanged(w http.ResponseWriter, r *http.Request, op dialog.OperatorLive, action string,
	detail map[string]any, done string) {
	me := currentUser(r)
	detail["operator_id"] = op.OperatorID
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: action,
		Object: "operator " + strconv.FormatInt(op.OperatorID, 10), Detail: detail})
	ui.flash(r, done)
	http.Redirect(w, r, "/live/operators/"+strconv.FormatInt(op.OperatorID, 10), http.StatusSeeOther)
}

// teamMember finds the {id} operator among the team the live board shows, answering 404 for anyone else (a
// manager, a deactivated user, nobody).
func (ui *UI) teamMember(w http.ResponseWriter, r *http.Request) (dialog.OperatorLive, bool) {
	if !ui.supervisorToolsOn(w, r) {
		return dialog.OperatorLive{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return dialog.OperatorLive{}, false
	}
	team, err := ui.Dialog.Operators(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return dialog.OperatorLive{}, false
	}
	for _, o := range team {
		if o.OperatorID == id {
			return o, true
		}
	}
	ui.notFound(w, r)
	return dialog.OperatorLive{}, false
}

func (ui *UI) renderLiveOperator(w http.ResponseWriter, r *http.Request, status int, op dialog.OperatorLive,
	errs, kept map[string]string) {
	loc := ui.requestLocale(r)
	snap, err := ui.Dialog.QueueSnapshot(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v := liveOperatorView{Op: liveOperatorOf(loc, ui.userZone(r), op), Capacity: strconv.Itoa(op.Capacity),
		AllQueue: len(op.Queues) == 0, Grace: int(ui.Dialog.OfflineGrace.Minutes()), Errors: errs}
	if c, ok := kept["capacity"]; ok {
		v.Capacity = c
	}
	for _, q := range snap.Queues {
		checked := false
		for _, id := range op.Queues {
			checked = checked || id == q.ID
		}
		v.Queues = append(v.Queues, queueChoice{ID: q.ID, Label: queueLabel(loc, q.Name), Checked: checked})
	}
	ui.render(w, r, status, "live_operator", view{Title: "live.manage_title", Data: v})
}
