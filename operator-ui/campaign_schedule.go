package operatorui

import (
	"net/http"
	"strings"
	"time"

	"dozvon/campaigns"
)

// slotsShown is how many of a schedule's next runs the form shows: enough to see a weekday pattern.
const slotsShown = 5

// schedulePreview answers the form's schedule field as the manager types: the next runs, or why the text is not
// a schedule. An empty schedule is valid: the campaign runs by hand only.
func (ui *UI) schedulePreview(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	slots, err := scheduleSlots(locale, ui.userZone(r), r.URL.Query().Get("expr"), time.Now())
	if in, ok := asInputError(err); ok {
		writeJSONMessage(w, http.StatusUnprocessableEntity, locale, in)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": slots})
}

// scheduleSlots is the next runs of a schedule, shown in the user's zone with the zone named (the schedule's own
// CRON_TZ says when it runs; a schedule without one runs in the server's).
func scheduleSlots(locale string, loc *time.Location, expr string, now time.Time) ([]string, error) {
	out := []string{}
	if strings.TrimSpace(expr) == "" {
		return out, nil
	}
	runs, err := campaigns.NextRuns(expr, now, slotsShown)
	if err != nil {
		return out, err
	}
	for _, t := range runs {
		out = append(out, slotText(locale, loc, scheduleZone(expr), t))
	}
	return out, nil
}

// slotText shows a run's time with its weekday, in the user's zone: "вт 24.11.2026 10:00 МСК"; when the
// schedule's hours are written in another zone (sched, nil for the server's), the time there too, as the
// schedule says it: "пн 07.12.2026 03:00 МСК (10:00 UTC+10)".
func slotText(locale string, loc, sched *time.Location, t time.Time) string {
	s := strings.Fields(T(locale, "time.weekdays"))[t.In(loc).Weekday()] + " " + formatWhen(locale, loc, t)
	if sched == nil {
		return s
	}
	_, mine := t.In(loc).Zone()
	if _, theirs := t.In(sched).Zone(); theirs != mine {
		s += " (" + t.In(sched).Format("15:04") + " " + zoneLabel(locale, sched, t) + ")"
	}
	return s
}

// scheduleZone is the zone a schedule's CRON_TZ names, nil when it names none (or none that exists).
func scheduleZone(expr string) *time.Location {
	name := scheduleZoneName(expr, nil)
	if name == "" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// scheduleZoneName is the zone a schedule's hours are written in (its CRON_TZ), or else the name of def ("" for
// nil), for the schedule builder's zone select.
func scheduleZoneName(expr string, def *time.Location) string {
	expr = strings.TrimSpace(expr)
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(expr, prefix); ok {
			name, _, _ := strings.Cut(rest, " ")
			return name
		}
	}
	if def == nil {
		return ""
	}
	return def.String()
}
