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
	slots, err := scheduleSlots(locale, r.URL.Query().Get("expr"), time.Now())
	if in, ok := asInputError(err); ok {
		writeJSONMessage(w, http.StatusUnprocessableEntity, locale, in)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": slots})
}

// scheduleSlots is the next runs of a schedule, each in the schedule's own time zone (its CRON_TZ), which is
// the one its hours are written in; a schedule without one runs in the server's.
func scheduleSlots(locale, expr string, now time.Time) ([]string, error) {
	out := []string{}
	if strings.TrimSpace(expr) == "" {
		return out, nil
	}
	runs, err := campaigns.NextRuns(expr, now, slotsShown)
	if err != nil {
		return out, err
	}
	for _, t := range runs {
		out = append(out, slotText(locale, expr, t))
	}
	return out, nil
}

// slotText shows a run's time with its weekday, in the schedule's zone: "вт 24.11.2026 10:00 MSK".
func slotText(locale, expr string, t time.Time) string {
	t = t.In(scheduleZone(expr))
	return strings.Fields(T(locale, "time.weekdays"))[t.Weekday()] + " " + t.Format("02.01.2006 15:04 MST")
}

func scheduleZone(expr string) *time.Location {
	expr = strings.TrimSpace(expr)
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(expr, prefix); ok {
			name, _, _ := strings.Cut(rest, " ")
			if loc, err := time.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	return time.Local
}
