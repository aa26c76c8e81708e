package operatorui

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/auth"
)

type loginForm struct {
	Login, Next, Error string
	OtherLang          string
}

func (ui *UI) showLogin(w http.ResponseWriter, r *http.Request) {
	if lang := r.URL.Query().Get("lang"); lang == "ru" || lang == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
		r.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
	}
	if u, ok := ui.sessionUser(r); ok {
		http.Redirect(w, r, landing(u.Role), http.StatusSeeOther)
		return
	}
	ui.renderLogin(w, r, http.StatusOK, loginForm{Next: safeNext(r.URL.Query().Get("next"))})
}

func (ui *UI) renderLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) {
	f.OtherLang = "en"
	if ui.requestLocale(r) == "en" {
		f.OtherLang = "ru"
	}
	ui.render(w, r, status, "login", view{Title: "login.title", Data: f})
}

func (ui *UI) submitLogin(w http.ResponseWriter, r *http.Request) {
	login, password := r.PostFormValue("login"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := ui.clientIP(r)
	locale := ui.requestLocale(r)
	u, err := ui.Users.Authenticate(r.Context(), login, password, ip)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", itoa(int(throttled.RetryAfter.Seconds())))
		ui.renderLogin(w, r, http.StatusTooManyRequests, loginForm{Login: login, Next: next,
			Error: throttledText(locale, "login.throttled_s", throttled)})
		return
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrInactive):
		ui.audit(r, auth.Entry{Actor: login, Action: "login.failed", Object: login})
		msg := "login.bad"
		if errors.Is(err, auth.ErrInactive) {
			msg = "login.inactive"
		}
		ui.renderLogin(w, r, http.StatusUnauthorized, loginForm{Login: login, Next: next, Error: T(locale, msg)})
		return
	case err != nil:
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("login")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// A new token on login: a session id planted before login is worth nothing after it.
	if err := ui.Sessions.RenewToken(r.Context()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	ui.Sessions.Put(r.Context(), auth.SessionUserID, u.ID)
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "login.ok"})
	target := landing(u.Role)
	if u.MustChangePassword {
		target = "/account"
	} else if next != "" {
		target = next
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (ui *UI) logout(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "logout"})
	if err := ui.Sessions.Destroy(r.Context()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// throttledText says how long to wait: in seconds (secondsKey) for a login's short delays, in minutes for an
// address's closed window.
func throttledText(locale, secondsKey string, th *auth.ThrottledError) string {
	if th.RetryAfter < time.Minute {
		return T(locale, secondsKey, int(th.RetryAfter.Seconds()))
	}
	return T(locale, "login.throttled", int(math.Ceil(th.RetryAfter.Minutes())))
}

// audit records an entry with the request's address; a failure to write it is logged, not shown.
func (ui *UI) audit(r *http.Request, e auth.Entry) {
	e.IP = ui.clientIP(r)
	if err := ui.Users.Audit(r.Context(), e); err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("audit")
	}
}

func contextWithUser(r *http.Request, u auth.User) context.Context {
	return context.WithValue(r.Context(), userKey, u)
}
