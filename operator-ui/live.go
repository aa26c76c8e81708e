package operatorui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"dozvon/dialog"
)

// The supervisor's live board: the page (live.html) and the JSON its script refetches when events arrive
// (static/live_page.js). Both are the same view, built here from dialog.LiveBoard; the figures come from dialog.

// liveView is the board as the page and its JSON show it: labels in the user's language, times as Unix
// milliseconds for the script's timers, and the same times as text for the first paint.
type liveView struct {
	Now         int64          `json:"now"`
	LastEvent   int64          `json:"-"`
	Online      int            `json:"online"`
	Waiting     int            `json:"waiting"`
	Open        int            `json:"open"`
	Breaches    int            `json:"breaches"`
	Consents    int            `json:"consents"`
	Callbacks   int            `json:"callbacks"`
	SLAText     string         `json:"sla_text"`
	SLADetail   string         `json:"sla_detail"`
	Queues      []liveQueue    `json:"queues"`
	Operators   []liveOperator `json:"operators"`
	Alerts      []liveAlert    `json:"alerts"`
	Alarms      []liveAlarm    `json:"alarms"` // live_alarms.go
	HasBreaches bool           `json:"has_breaches"`
	Channels    []liveChannel  `json:"channels"`
}

// liveChannel is what waits and is being answered on one messenger.
type liveChannel struct {
	Channel  string `json:"channel"`
	Label    string `json:"label"`
	Waiting  int    `json:"waiting"`
	Assigned int    `json:"assigned"`
}

type liveQueue struct {
	ID        int64  `json:"id"`
	Label     string `json:"label"`
	Waiting   int    `json:"waiting"`
	OldestMS  int64  `json:"oldest_ms"` // 0: nobody waits
	WaitText  string `json:"wait_text"`
	WarningMS int64  `json:"warning_ms"`
	TargetMS  int64  `json:"target_ms"`
	Target    string `json:"target"`
	AlarmAt   int    `json:"alarm_at"` // the length that raises the queue's alarm
}

type liveOperator struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Load        int    `json:"load"`
	Capacity    int    `json:"capacity"`
	LoadText    string `json:"load_text"`
	LastSeen    string `json:"last_seen"`
	SLAText     string `json:"sla_text"`
}

type liveAlert struct {
	ConversationID int64  `json:"conversation_id"`
	Link           string `json:"link"`
	Company        string `json:"company"`
	Client         string `json:"client"`
	Operator       string `json:"operator"`
	Queue          string `json:"queue"`
	Channel        string `json:"channel"`
	ChannelLabel   string `json:"channel_label"`
	SinceMS        int64  `json:"since_ms"`
	WaitText       string `json:"wait_text"`
	WarningMS      int64  `json:"warning_ms"`
	TargetMS       int64  `json:"target_ms"`
	Breached       bool   `json:"breached"`
	StateLabel     string `json:"state_label"`
}

func (ui *UI) showLive(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	var last int64
	if ui.Events != nil { // read before the board: whatever happens after it reaches the page as an event
		var err error
		if last, err = ui.Events.Last(r.Context()); err != nil {
			ui.serverError(w, r, err)
			return
		}
	}
	v, err := ui.buildLiveView(r)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v.LastEvent = last
	ui.render(w, r, http.StatusOK, "live", view{Title: "nav.live", Data: v})
}

// liveSnapshot is the board as JSON, for the page's script.
func (ui *UI) liveSnapshot(w http.ResponseWriter, r *http.Request) {
	if ui.Dialog == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "the dialog service is not running")
		return
	}
	v, err := ui.buildLiveView(r)
	if err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("live snapshot")
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (ui *UI) buildLiveView(r *http.Request) (liveView, error) {
	now := ui.Dialog.Now()
	board, err := ui.Dialog.LiveBoard(r.Context(), startOfDay(now))
	if err != nil {
		return liveView{}, err
	}
	team, err := ui.Reports.ForSupervisor(r.Context(), startOfDay(now))
	if err != nil {
		return liveView{}, err
	}
	loc := ui.requestLocale(r)
	v := liveView{Now: board.At.UnixMilli(), Online: board.Online(), Waiting: board.Waiting(),
		Breaches: board.Breaches, Consents: team.ConsentsToday, Callbacks: board.Callbacks, HasBreaches: board.Breaches > 0,
		SLAText:   slaText(board.SLA),
		SLADetail: T(loc, "live.sla_detail", board.SLA.InTarget, board.SLA.Messages),
		Queues:    []liveQueue{}, Operators: []liveOperator{}, Alerts: []liveAlert{}, Alarms: []liveAlarm{},
		Channels: []liveChannel{}}
	for _, c := range board.Channels {
		v.Channels = append(v.Channels, liveChannel{Channel: c.Channel, Label: channelLabel(loc, c.Channel),
			Waiting: c.Waiting, Assigned: c.Assigned})
	}
	thresholds, err := ui.Dialog.AlarmThresholds(r.Context())
	if err != nil {
		return liveView{}, err
	}
	alarms, err := ui.Dialog.Alarms(r.Context())
	if err != nil {
		return liveView{}, err
	}
	for _, a := range alarms {
		v.Alarms = append(v.Alarms, liveAlarmOf(loc, a, thresholds))
	}
	for _, q := range board.Queues {
		lq := liveQueue{ID: q.ID, Label: queueLabel(loc, q.Name), Waiting: q.Waiting, AlarmAt: thresholds[q.ID],
			WarningMS: q.SLAWarning.Milliseconds(), TargetMS: q.SLATarget.Milliseconds(), Target: waitText(q.SLATarget)}
		if q.OldestWaiting != nil && q.Waiting > 0 {
			lq.OldestMS, lq.WaitText = q.OldestWaiting.UnixMilli(), waitText(board.At.Sub(*q.OldestWaiting))
		}
		v.Queues = append(v.Queues, lq)
	}
	for _, o := range board.Operators {
		v.Open += o.Load
		v.Operators = append(v.Operators, liveOperatorOf(loc, ui.userZone(r), o))
	}
	for _, a := range board.Alerts {
		la := liveAlert{ConversationID: a.ConversationID, Link: "/live/dialogs/" + strconv.FormatInt(a.ConversationID, 10),
			Company: a.Company, Client: a.ClientName, Operator: a.OperatorName, Queue: queueLabel(loc, a.QueueName),
			Channel: a.Channel, ChannelLabel: channelLabel(loc, a.Channel),
			SinceMS: a.WaitingSince.UnixMilli(), WaitText: waitText(board.At.Sub(a.WaitingSince)),
			WarningMS: a.SLAWarning.Milliseconds(), TargetMS: a.SLATarget.Milliseconds(), Breached: a.Breached,
			StateLabel: T(loc, "live.alert_warning")}
		if a.Breached {
			la.StateLabel = T(loc, "live.alert_breach")
		}
		if a.OperatorID == nil {
			la.Operator = T(loc, "live.alert_in_queue")
		}
		v.Alerts = append(v.Alerts, la)
	}
	return v, nil
}

func liveOperatorOf(loc string, zone *time.Location, o dialog.OperatorLive) liveOperator {
	lo := liveOperator{ID: o.OperatorID, Name: o.Name, Status: o.Status,
		StatusLabel: T(loc, "live.status_"+o.Status), Load: o.Load, Capacity: o.Capacity,
		LoadText: T(loc, "live.capacity_of", o.Load, o.Capacity), LastSeen: T(loc, "live.never"),
		SLAText: slaText(o.SLA)}
	if o.LastSeenAt != nil {
		lo.LastSeen = formatWhen(loc, zone, *o.LastSeenAt)
	}
	return lo
}

// queueLabel names a queue: the lead kind's name for the kinds' queues.
func queueLabel(locale, name string) string {
	switch name {
	case "missed_call", "follow_up", "acquiring":
		return T(locale, "kind."+name)
	case "general":
		return T(locale, "live.queue_general")
	}
	return name
}

// waitText shows a wait as m:ss, or h:mm:ss from an hour; the page's script does the same each second.
func waitText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func slaText(f dialog.SLAFigure) string {
	if f.Messages == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", f.Percent())
}

// supervisorToolsOn answers 503 on a page when the dialog service is not wired in.
// supervisorPathID is the {id} of a supervisor's tool route; false when it has answered already (503 without the
// dialog service, 404 for an id that is not a number).
func (ui *UI) supervisorPathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	if !ui.supervisorToolsOn(w, r) {
		return 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return 0, false
	}
	return id, true
}

func (ui *UI) supervisorToolsOn(w http.ResponseWriter, r *http.Request) bool {
	if ui.Dialog == nil {
		http.Error(w, "the dialog service is not running", http.StatusServiceUnavailable)
		return false
	}
	return true
}
