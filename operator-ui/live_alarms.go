package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// The live board's alarms (dialog/alarms.go) as the board shows them: a banner line per open alarm saying what and
// since when, in the user's language, with who acknowledged it; the page's script sounds a new one
// (static/live_page.js). A supervisor acknowledges an alarm (POST /live/api/alarms/{id}/ack) and sets the length of
// a queue that raises its alarm (POST /live/thresholds).

type liveAlarm struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
	SinceMS      int64  `json:"since_ms"`
	SinceText    string `json:"since_text"`
	Acknowledged bool   `json:"acknowledged"`
	AckText      string `json:"ack_text"`
}

func liveAlarmOf(loc string, a dialog.Alarm, thresholds map[int64]int) liveAlarm {
	la := liveAlarm{ID: a.ID, Kind: a.Kind, SinceMS: a.Since.UnixMilli(),
		SinceText: T(loc, "alarm.since", a.Since.In(time.Local).Format("15:04:05"))}
	switch a.Kind {
	case dialog.AlarmNoOperator:
		la.Text = T(loc, "alarm.no_operator", a.Count)
	case dialog.AlarmSLABreach:
		la.Text = T(loc, "alarm.sla_breach", a.Count)
	default:
		var at int
		if a.QueueID != nil {
			at = thresholds[*a.QueueID]
		}
		la.Text = T(loc, "alarm.queue_over", queueLabel(loc, a.QueueName), a.Count, at)
	}
	if a.AcknowledgedAt != nil {
		la.Acknowledged = true
		la.AckText = T(loc, "alarm.acked", a.AcknowledgedBy, a.AcknowledgedAt.In(time.Local).Format("15:04:05"))
	}
	return la
}

// acknowledgeAlarm records that the supervisor has seen an alarm; 409 when it is over or acknowledged already.
func (ui *UI) acknowledgeAlarm(w http.ResponseWriter, r *http.Request) {
	if ui.Dialog == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "the dialog service is not running")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSONError(w, http.StatusNotFound, "no such alarm")
		return
	}
	me := currentUser(r)
	err = ui.Dialog.AcknowledgeAlarm(r.Context(), id, me.ID)
	switch {
	case errors.Is(err, dialog.ErrNoAlarm):
		writeJSONError(w, http.StatusConflict, "the alarm is over or acknowledged already")
		return
	case errors.Is(err, dialog.ErrNotSupervisor):
		writeJSONError(w, http.StatusForbidden, "only supervisors acknowledge alarms")
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "live.alarm_ack",
		Object: "alarm " + strconv.FormatInt(id, 10), Detail: map[string]any{"alarm_id": id}})
	w.WriteHeader(http.StatusNoContent)
}

// setAlarmThreshold sets how many waiting clients raise a queue's alarm.
func (ui *UI) setAlarmThreshold(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	loc, me := ui.requestLocale(r), currentUser(r)
	queue, err1 := strconv.ParseInt(r.PostFormValue("queue"), 10, 64)
	n, err2 := strconv.Atoi(r.PostFormValue("threshold"))
	var err error
	if err1 == nil && err2 == nil {
		err = ui.Dialog.SetAlarmThreshold(r.Context(), queue, n, me.ID)
	}
	var in *dialog.InputError
	switch {
	case err1 != nil || err2 != nil || errors.As(err, &in):
		ui.flash(r, T(loc, "alarm.threshold_bad", dialog.MaxAlarmThreshold))
	case errors.Is(err, dialog.ErrNotSupervisor):
		http.Error(w, T(loc, "alarm.forbidden"), http.StatusForbidden)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	default:
		ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "live.alarm_threshold",
			Object: "queue " + strconv.FormatInt(queue, 10), Detail: map[string]any{"queue_id": queue, "threshold": n}})
		ui.flash(r, T(loc, "alarm.threshold_saved", n))
	}
	http.Redirect(w, r, "/live", http.StatusSeeOther)
}
