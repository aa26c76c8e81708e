package operatorui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rs/zerolog"
)

// home sends each role to its own start page.
func (ui *UI) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, landing(currentUser(r).Role), http.StatusSeeOther)
}

func startOfDay(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

func (ui *UI) serverError(w http.ResponseWriter, r *http.Request, err error) {
	zerolog.Ctx(r.Context()).Error().Err(err).Str("route", r.Pattern).Msg("request failed")
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func itoa(n int) string { return strconv.Itoa(n) }
