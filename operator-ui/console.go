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
	Answered  string // the operator's first-minute share today, as the user's language writes it
	LastEvent int64
	Strings   string // JSON: the console.*, kind.* and card.* texts in the user's language
	Offline   bool   // the dialog core is not wired (a UI without it, as in some tests)
	Reasons   []reasonOption
}

// reasonOption is a refusal reason in the outcome form, in the user's language.
type reasonOption struct {
	ID    int64
	Label string
}

func (ui *UI) showConsole(w http.ResponseWriter, r *http.Request) {
	day, err := ui.Reports.ForOperator(r.Context(), currentUser(r).ID, startOfDay(time.Now()))
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	locale := ui.requestLocale(r)
	p := consolePage{Day: day, Answered: answeredText(locale, day), Offline: ui.Dialog == nil,
		Strings: consoleStrings(locale)}
	if ui.Dialog != nil {
		reasons, err := ui.Dialog.RefusalReasons(r.Context(), false)
		if err != nil {
			ui.serverError(w, r, err)
			return
		}
		for _, rr := range reasons {
			p.Reasons = append(p.Reasons, reasonOption{ID: rr.ID, Label: rr.Label(locale)})
		}
	}
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
		if strings.HasPrefix(key, "console.") || strings.HasPrefix(key, "kind.") || strings.HasPrefix(key, "card.") {
			out[key] = T(locale, key)
		}
	}
	b, _ := json.Marshal(out) // a map of strings always marshals
	return string(b)
}

// answeredText is the operator's first-minute share today, written as the reports write shares; a dash with a
// hint when they answered nothing yet.
func answeredText(locale string, day reports.OperatorDay) string {
	if day.AnsweredIn60 < 0 {
		return "—"
	}
	return formatPercent(locale, day.AnsweredIn60)
}
