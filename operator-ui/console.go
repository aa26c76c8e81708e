package operatorui

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"dozvon/reports"
)

// consolePage is the operator console: the figures of the day, and what static/console.js needs to start — the
// last event id (so the live stream misses nothing between this page and the socket), and the strings it shows.
type consolePage struct {
	Day       reports.OperatorDay
	LastEvent int64
	Strings   string // JSON: the console.* and kind.* texts in the user's language
	Offline   bool   // the dialog core is not wired (a UI without it, as in some tests)
}

func (ui *UI) showConsole(w http.ResponseWriter, r *http.Request) {
	day, err := ui.Reports.ForOperator(r.Context(), currentUser(r).ID, startOfDay(time.Now()))
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	p := consolePage{Day: day, Offline: ui.Dialog == nil, Strings: consoleStrings(ui.requestLocale(r))}
	if ui.Events != nil {
		if p.LastEvent, err = ui.Events.Last(r.Context()); err != nil {
			ui.serverError(w, r, err)
			return
		}
	}
	ui.render(w, r, http.StatusOK, "console", view{Title: "nav.console", Data: p})
}

// consoleStrings is every text the console's script may show, so that it speaks the user's language too.
func consoleStrings(locale string) string {
	out := map[string]string{}
	for key := range catalog {
		if strings.HasPrefix(key, "console.") || strings.HasPrefix(key, "kind.") {
			out[key] = T(locale, key)
		}
	}
	b, _ := json.Marshal(out) // a map of strings always marshals
	return string(b)
}
