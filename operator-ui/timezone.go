package operatorui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"dozvon/internal/auth"
)

// Times on every page are the user's: in the zone they chose under My account (or the installation's,
// DOZVON_TIMEZONE), with the zone named, through one helper (formatWhen, the templates' "when"). A client's own
// time is shown where it matters to them (quiet hours, callbacks) beside it.

// moscow is the default zone of a Russian bank's team; UTC where the system has no zone database.
func moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.UTC
}

// userZone is the zone the request's user reads times in.
func (ui *UI) userZone(r *http.Request) *time.Location {
	if name := currentUser(r).TimeZone; name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return ui.TimeZone
}

// formatWhen is how every page shows a moment: day, month, year and time to the minute in loc, and the zone's
// name — "12.03.2026 10:00 МСК", "12.03.2026 15:00 UTC+10".
func formatWhen(locale string, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	return t.Format("02.01.2006 15:04") + " " + zoneLabel(locale, loc, t)
}

// zoneLabel names loc's offset at t: МСК (MSK) for Moscow time, else UTC±h[:mm].
func zoneLabel(locale string, loc *time.Location, t time.Time) string {
	_, offset := t.In(loc).Zone()
	if loc.String() == "Europe/Moscow" && offset == 3*3600 {
		return T(locale, "zone.msk")
	}
	return utcOffset(offset)
}

func utcOffset(offset int) string {
	sign := "+"
	if offset < 0 {
		sign, offset = "−", -offset
	}
	s := fmt.Sprintf("UTC%s%d", sign, offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// zones are the zones a user or a schedule may pick: Russia's eleven, west to east, and UTC.
var zones = []string{"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
	"Asia/Kamchatka", "UTC"}

// zoneChoices offers zones as a select shows them, "Владивосток (UTC+10)", with chosen selected.
func zoneChoices(locale, chosen string) []zoneChoice {
	now := time.Now()
	out := make([]zoneChoice, 0, len(zones))
	for _, name := range zones {
		if label := zoneName(locale, name, now); label != "" {
			out = append(out, zoneChoice{Value: name, Label: label, Selected: name == chosen})
		}
	}
	return out
}

// zoneName names a zone as people read it, its offset at t beside: "Магадан (UTC+11)", or the zone's own name
// where the catalog has none ("Asia/Dubai (UTC+4)"); "" for an unknown zone.
func zoneName(locale, name string, t time.Time) string {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return ""
	}
	_, offset := t.In(loc).Zone()
	label := name
	if _, ok := catalog["zone."+name]; ok {
		label = T(locale, "zone."+name)
	}
	return label + " (" + utcOffset(offset) + ")"
}

type zoneChoice struct {
	Value, Label string
	Selected     bool
}

// changeTimeZone saves the zone the user reads times in; "" goes back to the installation's.
func (ui *UI) changeTimeZone(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	locale := ui.requestLocale(r)
	zone := strings.TrimSpace(r.PostFormValue("timezone"))
	err := ui.Users.SetTimeZone(r.Context(), u.ID, zone)
	var in *auth.InputError
	switch {
	case errors.As(err, &in):
		ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "account.zone_bad"))
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.flash(r, T(locale, "account.zone_saved"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// clientTimes is the time at now in each of Russia's zones: "Калининград 09:00, Москва 10:00, … Камчатка 19:00".
func clientTimes(locale string, now time.Time) string {
	var parts []string
	for _, name := range zones {
		if loc, err := time.LoadLocation(name); err == nil && name != "UTC" {
			parts = append(parts, T(locale, "zone."+name)+" "+now.In(loc).Format("15:04"))
		}
	}
	return strings.Join(parts, ", ")
}
