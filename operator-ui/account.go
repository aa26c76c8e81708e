package operatorui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"dozvon/internal/auth"
)

type accountPage struct {
	MustChange bool
	Locales    []string
	Zones      []zoneChoice // the user's own zone selected; none when they keep the installation's
	ZoneOwn    bool         // the user chose a zone of their own
	ZoneNow    string       // the time now as pages show it to the user
	Default    string       // the installation's zone, as the select names it
}

func (ui *UI) showAccount(w http.ResponseWriter, r *http.Request) {
	ui.renderAccount(w, r, http.StatusOK, "")
}

func (ui *UI) renderAccount(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := currentUser(r)
	locale := ui.requestLocale(r)
	page := accountPage{MustChange: u.MustChangePassword, Locales: Locales, Zones: zoneChoices(locale, u.TimeZone),
		ZoneOwn: u.TimeZone != "", ZoneNow: formatWhen(locale, ui.userZone(r), time.Now()),
		Default: T(locale, "zone."+ui.TimeZone.String())}
	if strings.HasPrefix(page.Default, "[") { // a zone outside the list keeps its IANA name
		page.Default = ui.TimeZone.String()
	}
	ui.render(w, r, status, "account", view{Title: "account.title", Error: errMsg, Data: page})
}

func (ui *UI) changePassword(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	locale := ui.requestLocale(r)
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	err := ui.Users.VerifyPassword(r.Context(), u, current, ui.clientIP(r))
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", itoa(int(throttled.RetryAfter.Seconds())))
		ui.renderAccount(w, r, http.StatusTooManyRequests, throttledText(locale, "account.throttled", throttled))
		return
	case errors.Is(err, auth.ErrBadCredentials):
		ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "password.change_failed", Object: u.Login})
		ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "account.wrong"))
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	case next != confirm:
		ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "account.mismatch"))
		return
	case next == current:
		ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "account.same"))
		return
	}
	// SetPassword ends every session of the user; the one that changed the password goes on under a new token.
	if err := ui.Users.SetPassword(r.Context(), u.ID, next, false); err != nil {
		var in *auth.InputError
		var weak *auth.WeakPasswordError
		switch {
		case errors.As(err, &in):
			ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "error.invalid", msgText(locale, in)))
		case errors.As(err, &weak):
			ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(locale, "password.weak_"+weak.Reason))
		default:
			ui.serverError(w, r, err)
		}
		return
	}
	if err := ui.Sessions.RenewToken(r.Context()); err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "password.change", Object: u.Login})
	ui.flash(r, T(locale, "account.changed"))
	target := "/account"
	if u.MustChangePassword {
		target = landing(u.Role)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (ui *UI) changeLocale(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	locale := r.PostFormValue("locale")
	if err := ui.Users.SetLocale(r.Context(), u.ID, locale); err != nil {
		var in *auth.InputError
		if errors.As(err, &in) {
			ui.renderAccount(w, r, http.StatusUnprocessableEntity, T(u.Locale, "error.invalid", msgText(u.Locale, in)))
			return
		}
		ui.serverError(w, r, err)
		return
	}
	ui.flash(r, T(locale, "account.lang_saved"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
